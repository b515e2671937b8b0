// shutdown: graceful. The instance leaves the registry first and keeps serving for `period`
// while callers' views catch up, then refuses new work, finishes what it holds and stops; it
// restarts (registering again) when the fault ends.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

// kTimer + 1, as it always was: phases are part of the event hash (trace_hash).
constexpr std::uint32_t kDrained = kTimer + 1;
constexpr std::string_view kOptions[] = {"period", "warmup", "warmup_factor"};

void read(const OptionReader& reader, FaultSpec& spec) {
  ShutdownOptions& options = spec.options_as<ShutdownOptions>();
  options.period_ns = reader.duration("period", options.period_ns, true);
  read_warmup(reader, options);
}

void start(FaultContext& context) {
  for (std::uint32_t i : context.select_instances()) context.verbs().deregister_instance(i);
  context.schedule(sim::later(context.now(), context.options<ShutdownOptions>().period_ns), kDrained);
}

void stop(FaultContext& context) {
  for (std::uint32_t i : context.state().instances) {
    // Something else may have killed it meanwhile; then it is not this fault's to bring back.
    if (context.instances()[i].status != sim::InstanceStatus::crashed) {
      bring_back(context, i, context.options<ShutdownOptions>());
    }
  }
}

// The drain period is over: refuse new work, finish what is in hand, stop.
void on_phase(FaultContext& context, std::uint32_t phase, std::uint32_t) {
  if (phase != kDrained || !context.state().active) return;
  for (std::uint32_t i : context.state().instances) {
    if (context.is_up(i)) context.verbs().drain_instance(i);
  }
}

}  // namespace

extern const KindUnit shutdown_unit{
    .kind = FaultKind::shutdown,
    .name = "shutdown",
    .target_rule = TargetRule::service,
    .target_keys = kInstanceTarget,
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {},
    .read_options = read,
    .start = start,
    .stop = stop,
    .on_phase = on_phase,
    .model_only = "a graceful shutdown needs the real service to drain; the proxy cannot make it deregister",
};

}  // namespace faultline::faults::kinds
