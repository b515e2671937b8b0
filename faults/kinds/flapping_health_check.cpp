// flapping_health_check: the target's health checks fail for `period`, pass for `period`, and
// so on, whatever the instance's real state.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kOptions[] = {"period"};

void read(const OptionReader& reader, FaultSpec& spec) {
  FlappingHealthCheckOptions& options = spec.options_as<FlappingHealthCheckOptions>();
  options.period_ns = reader.duration("period", options.period_ns, true);
}

void start(FaultContext& context) {
  const TimeNs period = context.options<FlappingHealthCheckOptions>().period_ns;
  for (std::uint32_t i : context.select_instances()) {
    context.verbs().set_health_check_flapping(i, true, context.now(), period);
  }
}

void stop(FaultContext& context) {
  for (std::uint32_t i : context.state().instances) context.verbs().set_health_check_flapping(i, false, 0, 0);
}

}  // namespace

extern const KindUnit flapping_health_check_unit{
    .kind = FaultKind::flapping_health_check,
    .name = "flapping_health_check",
    .target_rule = TargetRule::service,
    .target_keys = kInstanceTarget,
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {},
    .read_options = read,
    .start = start,
    .stop = stop,
    .model_only = "no service registry is bound in live mode",
};

}  // namespace faultline::faults::kinds
