// pause: stop-the-world (GC-like) for the fault's duration; work waits, then resumes.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

void start(FaultContext& context) {
  const TimeNs duration = context.spec().duration_ns;
  const TimeNs until = sim::later(context.now(), duration);
  for (std::uint32_t i : context.select_instances()) context.verbs().pause_instance(i, until);
}

void stop(FaultContext& context) {
  for (std::uint32_t i : context.state().instances) context.verbs().resume_instance(i);
}

}  // namespace

extern const KindUnit pause_unit{
    .kind = FaultKind::pause,
    .name = "pause",
    .target_rule = TargetRule::service,
    .target_keys = kInstanceTarget,
    .option_keys = {},
    .duration_rule = DurationRule::required,
    .traits = {},
    .read_options = read_nothing,
    .start = start,
    .stop = stop,
    .model_only = "a stop-the-world pause happens inside the process; the proxy cannot freeze it",
};

}  // namespace faultline::faults::kinds
