// crash: the process dies on a live host. Its queue and in-flight work are lost (callers get a
// connection reset), new connections are refused; it restarts `restart_after` later if set.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

void read(const OptionReader& reader, FaultSpec& spec) { read_restart(reader, spec.options_as<CrashOptions>()); }

void start(FaultContext& context) {
  const CrashOptions& options = context.options<CrashOptions>();
  for (std::uint32_t i : context.select_instances()) {
    if (context.instances()[i].status == sim::InstanceStatus::crashed) continue;
    context.verbs().crash_instance(i, context.fault(), true);
    if (options.restart_after_ns != sim::kNever) context.schedule(sim::later(context.now(), options.restart_after_ns), kRestart, i);
  }
}

// Files give a crash no duration (restart_after brings it back); one built in code that has one
// restarts its instances when it ends.
void stop(FaultContext& context) {
  for (std::uint32_t i : context.state().instances) {
    if (down_by_this_fault(context, i)) bring_back(context, i, context.options<CrashOptions>());
  }
}

void on_phase(FaultContext& context, std::uint32_t phase, std::uint32_t instance) {
  if (phase == kRestart && down_by_this_fault(context, instance)) {
    bring_back(context, instance, context.options<CrashOptions>());
  }
}

// Live: the proxies refuse new connections and reset open ones, as a dead process on a live
// host; they come back `restart_after` later.
const char* live(const FaultSpec& spec, LiveEffect& effect) {
  effect.down = true;
  effect.restart_after_ns = spec.options_as<CrashOptions>().restart_after_ns;
  return nullptr;
}

}  // namespace

extern const KindUnit crash_unit{
    .kind = FaultKind::crash,
    .name = "crash",
    .target_rule = TargetRule::service,
    .target_keys = kInstanceTarget,
    .option_keys = kRestartOptions,
    .duration_rule = DurationRule::forbidden,
    .traits = {.crashes_instances = true, .ends_at_restart = true},
    .read_options = read,
    .start = start,
    .stop = stop,
    .on_phase = on_phase,
    .live = live,
};

}  // namespace faultline::faults::kinds
