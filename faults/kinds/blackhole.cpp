// blackhole: every message to the target is dropped; callers time out.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

void apply(FaultContext& context, sim::Hop hop, bool on) { context.verbs().set_hop_blocked(hop, on); }
void start(FaultContext& context) { start_on_hops(context, apply); }
void stop(FaultContext& context) { stop_on_hops(context, apply); }

// Live: nothing passes either way and connections stay open (callers time out).
const char* live(const FaultSpec& spec, LiveEffect& effect) {
  if (const char* refusal = network_live_refusal(spec)) return refusal;
  add_blackhole(spec, effect);
  return nullptr;
}

}  // namespace

extern const KindUnit blackhole_unit{
    .kind = FaultKind::blackhole,
    .name = "blackhole",
    .target_rule = TargetRule::network,
    .target_keys = kNetworkTarget,
    .option_keys = {},
    .duration_rule = DurationRule::optional,
    .traits = {.network = true},
    .read_options = read_nothing,
    .start = start,
    .stop = stop,
    .live = live,
};

}  // namespace faultline::faults::kinds
