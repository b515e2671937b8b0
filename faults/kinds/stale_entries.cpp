// stale_entries: the registry keeps listing the target instances as healthy, dead or not.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

void start(FaultContext& context) {
  for (std::uint32_t i : context.select_instances()) context.verbs().set_stale_listing(i, true);
}

void stop(FaultContext& context) {
  for (std::uint32_t i : context.state().instances) context.verbs().set_stale_listing(i, false);
}

}  // namespace

extern const KindUnit stale_entries_unit{
    .kind = FaultKind::stale_entries,
    .name = "stale_entries",
    .target_rule = TargetRule::service,
    .target_keys = kInstanceTarget,
    .option_keys = {},
    .duration_rule = DurationRule::optional,
    .traits = {},
    .read_options = read_nothing,
    .start = start,
    .stop = stop,
    .model_only = "no service registry is bound in live mode",
};

}  // namespace faultline::faults::kinds
