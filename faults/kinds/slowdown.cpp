// slowdown: service time multiplied by `factor` (CPU starvation).
#include <cmath>

#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kOptions[] = {"factor"};

void read(const OptionReader& reader, FaultSpec& spec) {
  SlowdownOptions& options = spec.options_as<SlowdownOptions>();
  options.factor = reader.number("factor", options.factor);
}

void start(FaultContext& context) {
  const double factor = context.options<SlowdownOptions>().factor;
  for (std::uint32_t i : context.select_instances()) {
    context.verbs().set_slowdown(i, context.instances()[i].slowdown * factor);
  }
}

void stop(FaultContext& context) {
  const double factor = context.options<SlowdownOptions>().factor;
  for (std::uint32_t i : context.state().instances) {
    double slowdown = context.instances()[i].slowdown / factor;
    if (std::fabs(slowdown - 1.0) < 1e-12) slowdown = 1.0;  // no drift after x * f / f
    context.verbs().set_slowdown(i, slowdown);
  }
}

// Live: each response is held back (factor - 1) times the upstream's own time.
const char* live(const FaultSpec& spec, LiveEffect& effect) {
  ToxicSpec slow = fault_toxic(spec, ToxicType::http_slowdown, ToxicStream::downstream);
  slow.factor = spec.options_as<SlowdownOptions>().factor;
  effect.toxics.push_back(std::move(slow));
  return nullptr;
}

}  // namespace

extern const KindUnit slowdown_unit{
    .kind = FaultKind::slowdown,
    .name = "slowdown",
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
