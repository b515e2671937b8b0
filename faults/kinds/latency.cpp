// latency: added delay per message (a distribution, optionally ramping up) on a client's
// requests, a link, or the requests towards a service's instances.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kOptions[] = {"delay", "ramp"};

void read(const OptionReader& reader, FaultSpec& spec) {
  LatencyOptions& options = spec.options_as<LatencyOptions>();
  if (!reader.has("delay")) reader.fail("delay", "missing required key \"delay\" (" + reader.kind_text() + " needs one)");
  options.delay = reader.distribution("delay", options.delay);
  options.ramp_ns = reader.duration("ramp", options.ramp_ns);
}

void apply(FaultContext& context, sim::Hop hop, bool on) {
  const LatencyOptions& options = context.options<LatencyOptions>();
  context.verbs().set_hop_delay(hop, on ? sim::DelayFault{&options.delay, context.now(), options.ramp_ns} : sim::DelayFault{});
}

void start(FaultContext& context) { start_on_hops(context, apply); }
void stop(FaultContext& context) { stop_on_hops(context, apply); }

// Live: each request waits the sampled delay (ramping up as in the model) in the proxy before
// it is forwarded.
const char* live(const FaultSpec& spec, LiveEffect& effect) {
  if (const char* refusal = network_live_refusal(spec)) return refusal;
  const LatencyOptions& options = spec.options_as<LatencyOptions>();
  ToxicSpec delay = fault_toxic(spec, ToxicType::latency, ToxicStream::upstream);
  delay.delay = options.delay;
  delay.ramp_ns = options.ramp_ns;  // grows from the fault's start, as in the model
  effect.toxics.push_back(std::move(delay));
  return nullptr;
}

}  // namespace

extern const KindUnit latency_unit{
    .kind = FaultKind::latency,
    .name = "latency",
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
