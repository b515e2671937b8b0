// error_ratio: a share `ratio` of requests fail, at once when `fail_fast` (Envoy's abort), else
// after their service time.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kOptions[] = {"ratio", "fail_fast"};

void read(const OptionReader& reader, FaultSpec& spec) {
  ErrorRatioOptions& options = spec.options_as<ErrorRatioOptions>();
  options.ratio = reader.ratio("ratio", options.ratio);
  options.fail_fast = reader.flag("fail_fast", options.fail_fast);
}

void start(FaultContext& context) {
  const ErrorRatioOptions& options = context.options<ErrorRatioOptions>();
  for (std::uint32_t i : context.select_instances()) {
    context.verbs().set_error_injection(i, options.ratio, options.fail_fast, sim::kNone);
  }
}

void stop(FaultContext& context) {
  for (std::uint32_t i : context.state().instances) {
    context.verbs().set_error_injection(i, 0, context.instances()[i].errors_fail_fast, sim::kNone);
  }
}

// Live: the proxy answers a share `ratio` of requests with 503 itself.
const char* live(const FaultSpec& spec, LiveEffect& effect) {
  ToxicSpec error = fault_toxic(spec, ToxicType::http_error, ToxicStream::upstream);
  error.ratio = spec.options_as<ErrorRatioOptions>().ratio;
  error.status = 503;
  effect.toxics.push_back(std::move(error));
  return nullptr;
}

}  // namespace

extern const KindUnit error_ratio_unit{
    .kind = FaultKind::error_ratio,
    .name = "error_ratio",
    .target_rule = TargetRule::service,
    .target_keys = kInstanceTarget,
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {},
    .read_options = read,
    .start = start,
    .stop = stop,
    .live = live,
};

}  // namespace faultline::faults::kinds
