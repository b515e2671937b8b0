// zone_down: the zone drops off the network. Its instances go silent (requests to them are
// lost, callers time out) and their work is lost with them; clients placed in the zone stand
// for users entering near it and keep reaching other zones. When it ends the instances boot
// at once, or `restart_after` later.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kTarget[] = {"zone"};

void read(const OptionReader& reader, FaultSpec& spec) { read_restart(reader, spec.options_as<ZoneDownOptions>()); }

void start(FaultContext& context) {
  for (std::uint32_t i : context.select_instances()) {
    context.verbs().set_hop_blocked({sim::HopKind::instance, i}, true);
    context.verbs().crash_instance(i, context.fault(), false);
  }
}

void restart(FaultContext& context, std::uint32_t instance) {
  if (context.state().active || !down_by_this_fault(context, instance)) return;  // the zone is still down
  bring_back(context, instance, context.options<ZoneDownOptions>());
}

void stop(FaultContext& context) {
  const ZoneDownOptions& options = context.options<ZoneDownOptions>();
  for (std::uint32_t i : context.state().instances) {
    context.verbs().set_hop_blocked({sim::HopKind::instance, i}, false);
    if (options.restart_after_ns == sim::kNever) {
      restart(context, i);
    } else {
      context.schedule(sim::later(context.now(), options.restart_after_ns), kRestart, i);
    }
  }
}

void on_phase(FaultContext& context, std::uint32_t phase, std::uint32_t instance) {
  if (phase == kRestart) restart(context, instance);
}

// Live: the zone goes silent and its work is lost: a blackhole, then resets when it is back.
const char* live(const FaultSpec& spec, LiveEffect& effect) {
  add_blackhole(spec, effect);
  effect.reset_when_reverted = true;
  return nullptr;
}

}  // namespace

extern const KindUnit zone_down_unit{
    .kind = FaultKind::zone_down,
    .name = "zone_down",
    .target_rule = TargetRule::zone,
    .target_keys = kTarget,
    .option_keys = kRestartOptions,
    .duration_rule = DurationRule::optional,
    .traits = {.crashes_instances = true},
    .read_options = read,
    .start = start,
    .stop = stop,
    .on_phase = on_phase,
    .live = live,
};

}  // namespace faultline::faults::kinds
