// operation_errors: as error_ratio, but only requests for one operation of the service fail.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kTarget[] = {"service", "instances", "zone", "fraction", "operation"};
constexpr std::string_view kOptions[] = {"ratio", "fail_fast"};

void read(const OptionReader& reader, FaultSpec& spec) {
  OperationErrorsOptions& options = spec.options_as<OperationErrorsOptions>();
  options.ratio = reader.ratio("ratio", options.ratio);
  options.fail_fast = reader.flag("fail_fast", options.fail_fast);
}

void start(FaultContext& context) {
  const OperationErrorsOptions& options = context.options<OperationErrorsOptions>();
  const std::optional<std::uint32_t> operation = context.spec().target.operation;
  for (std::uint32_t i : context.select_instances()) {
    const std::uint32_t global =
        operation ? context.services()[context.instances()[i].service].first_operation + *operation : sim::kNone;
    context.verbs().set_error_injection(i, options.ratio, options.fail_fast, global);
  }
}

void stop(FaultContext& context) {
  for (std::uint32_t i : context.state().instances) {
    context.verbs().set_error_injection(i, 0, context.instances()[i].errors_fail_fast, sim::kNone);
  }
}

}  // namespace

extern const KindUnit operation_errors_unit{
    .kind = FaultKind::operation_errors,
    .name = "operation_errors",
    .target_rule = TargetRule::service,
    .target_keys = kTarget,
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {.needs_operation = true},
    .read_options = read,
    .start = start,
    .stop = stop,
    .model_only = "the binding does not map operations to requests",
};

}  // namespace faultline::faults::kinds
