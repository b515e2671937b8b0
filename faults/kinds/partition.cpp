// partition: the link between two zones is cut, one way or both.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kTarget[] = {"from_zone", "to_zone", "both_directions"};

void apply(FaultContext& context, sim::Hop hop, bool on) {
  if (hop.kind == sim::HopKind::link) context.verbs().set_hop_blocked(hop, on);
}
void start(FaultContext& context) { start_on_hops(context, apply); }
void stop(FaultContext& context) { stop_on_hops(context, apply); }

// Live: the proxies of the cut link's far side pass nothing (a blackhole).
const char* live(const FaultSpec& spec, LiveEffect& effect) {
  add_blackhole(spec, effect);
  return nullptr;
}

}  // namespace

extern const KindUnit partition_unit{
    .kind = FaultKind::partition,
    .name = "partition",
    .target_rule = TargetRule::link,
    .target_keys = kTarget,
    .option_keys = {},
    .duration_rule = DurationRule::optional,
    .traits = {.network = true},
    .read_options = read_nothing,
    .start = start,
    .stop = stop,
    .live = live,
};

}  // namespace faultline::faults::kinds
