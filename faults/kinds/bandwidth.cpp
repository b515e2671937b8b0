// bandwidth: the hop carries `messages_per_second`; the excess queues (is delayed).
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kOptions[] = {"messages_per_second"};

void read(const OptionReader& reader, FaultSpec& spec) {
  BandwidthOptions& options = spec.options_as<BandwidthOptions>();
  options.messages_per_s = reader.number("messages_per_second", options.messages_per_s);
}

void apply(FaultContext& context, sim::Hop hop, bool on) {
  context.verbs().set_hop_bandwidth(hop, on ? context.options<BandwidthOptions>().messages_per_s : 0.0);
}
void start(FaultContext& context) { start_on_hops(context, apply); }
void stop(FaultContext& context) { stop_on_hops(context, apply); }

// Live: the proxy forwards at most messages_per_s requests a second; the excess waits.
const char* live(const FaultSpec& spec, LiveEffect& effect) {
  if (const char* refusal = network_live_refusal(spec)) return refusal;
  ToxicSpec rate = fault_toxic(spec, ToxicType::http_rate, ToxicStream::upstream);
  rate.requests_per_s = spec.options_as<BandwidthOptions>().messages_per_s;
  effect.toxics.push_back(std::move(rate));
  return nullptr;
}

}  // namespace

extern const KindUnit bandwidth_unit{
    .kind = FaultKind::bandwidth,
    .name = "bandwidth",
    .target_rule = TargetRule::network,
    .target_keys = kNetworkTarget,
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {.network = true},
    .read_options = read,
    .start = start,
    .stop = stop,
    .live = live,
};

}  // namespace faultline::faults::kinds
