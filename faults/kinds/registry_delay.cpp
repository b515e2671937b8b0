// registry_delay: registry changes take `delay` longer to reach callers.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kOptions[] = {"delay"};

void read(const OptionReader& reader, FaultSpec& spec) {
  if (!reader.has("delay")) reader.fail("delay", "missing required key \"delay\" (" + reader.kind_text() + " needs one)");
  if (!reader.is_text("delay")) {
    reader.fail("delay", "expected a duration like \"5s\" (" + reader.kind_text() + " delays by a fixed time)");
  }
  RegistryDelayOptions& options = spec.options_as<RegistryDelayOptions>();
  options.delay_ns = reader.duration("delay", options.delay_ns);
}

void start(FaultContext& context) { context.verbs().add_registry_delay(context.options<RegistryDelayOptions>().delay_ns); }
void stop(FaultContext& context) { context.verbs().add_registry_delay(-context.options<RegistryDelayOptions>().delay_ns); }

}  // namespace

extern const KindUnit registry_delay_unit{
    .kind = FaultKind::registry_delay,
    .name = "registry_delay",
    .target_rule = TargetRule::none,
    .target_keys = {},
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {},
    .read_options = read,
    .start = start,
    .stop = stop,
    .model_only = "no service registry is bound in live mode",
};

}  // namespace faultline::faults::kinds
