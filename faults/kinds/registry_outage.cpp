// registry_outage: no registry updates reach callers; they keep their stale views. When it
// ends, callers see the registry's current truth from their next refresh on.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

void start(FaultContext& context) { context.verbs().set_registry_outage(true); }
void stop(FaultContext& context) { context.verbs().set_registry_outage(false); }

}  // namespace

extern const KindUnit registry_outage_unit{
    .kind = FaultKind::registry_outage,
    .name = "registry_outage",
    .target_rule = TargetRule::none,
    .target_keys = {},
    .option_keys = {},
    .duration_rule = DurationRule::optional,
    .traits = {.freezes_discovery = true},
    .read_options = read_nothing,
    .start = start,
    .stop = stop,
    .model_only = "no service registry is bound in live mode",
};

}  // namespace faultline::faults::kinds
