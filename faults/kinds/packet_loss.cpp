// packet_loss: each transmission of a message is lost with probability `ratio`; each loss
// costs a retransmission (TCP-like, doubling), and too many in a row lose the message.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kOptions[] = {"ratio", "retransmit", "max_retransmits"};

void read(const OptionReader& reader, FaultSpec& spec) {
  PacketLossOptions& options = spec.options_as<PacketLossOptions>();
  options.ratio = reader.ratio("ratio", options.ratio);
  options.retransmit_ns = reader.duration("retransmit", options.retransmit_ns, true);
  options.max_retransmits = reader.count("max_retransmits", options.max_retransmits);
}

void apply(FaultContext& context, sim::Hop hop, bool on) {
  const PacketLossOptions& options = context.options<PacketLossOptions>();
  context.verbs().set_hop_loss(hop, on ? options.ratio : 0.0, options.retransmit_ns, options.max_retransmits);
}

void start(FaultContext& context) { start_on_hops(context, apply); }
void stop(FaultContext& context) { stop_on_hops(context, apply); }

}  // namespace

extern const KindUnit packet_loss_unit{
    .kind = FaultKind::packet_loss,
    .name = "packet_loss",
    .target_rule = TargetRule::network,
    .target_keys = kNetworkTarget,
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {.network = true},
    .read_options = read,
    .start = start,
    .stop = stop,
    .model_only = "packet loss needs the kernel (tc netem); the proxy sees whole streams",
};

}  // namespace faultline::faults::kinds
