// chaos_monkey: every `interval`, with `probability`, crash one random up instance of the
// target (a service, a zone, or everything), never leaving more than `max_down_per_service`
// instances of a service down at once (for whatever reason). Its victims restart on their own
// schedule (`restart_after`), also after the monkey stops.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::uint32_t kStrike = kTimer;
constexpr std::string_view kTarget[] = {"service", "zone"};
constexpr std::string_view kOptions[] = {"interval", "probability", "max_down_per_service",
                                         "restart_after", "warmup", "warmup_factor"};

void read(const OptionReader& reader, FaultSpec& spec) {
  ChaosMonkeyOptions& options = spec.options_as<ChaosMonkeyOptions>();
  options.interval_ns = reader.duration("interval", options.interval_ns, true);
  options.probability = reader.ratio("probability", options.probability);
  options.max_down_per_service = reader.count("max_down_per_service", options.max_down_per_service);
  read_restart(reader, options);
}

void start(FaultContext& context) {
  context.state().instances.clear();
  context.state().rng = sim::Rng::stream(context.seed(), "fault/" + context.spec().name + "/chaos");
  context.schedule(sim::later(context.now(), context.options<ChaosMonkeyOptions>().interval_ns), kStrike);
}

void stop(FaultContext&) {}  // no more strikes

// The instances it may strike now: up, in the target, and of a service not already at its
// limit of instances down.
std::vector<std::uint32_t> candidates(const FaultContext& context) {
  const ChaosMonkeyOptions& options = context.options<ChaosMonkeyOptions>();
  const Target& target = context.spec().target;
  std::vector<std::uint32_t> down(context.services().size(), 0);
  for (const sim::InstanceRuntime& instance : context.instances()) {
    if (instance.status != sim::InstanceStatus::up) ++down[instance.service];
  }
  std::vector<std::uint32_t> out;
  const auto instances = context.instances();
  for (std::uint32_t i = 0; i < instances.size(); ++i) {
    const sim::InstanceRuntime& instance = instances[i];
    if (target.service && instance.service != *target.service) continue;
    if (target.zone && instance.zone != *target.zone) continue;
    if (instance.status != sim::InstanceStatus::up) continue;
    if (down[instance.service] >= options.max_down_per_service) continue;
    out.push_back(i);
  }
  return out;
}

void strike(FaultContext& context) {
  const ChaosMonkeyOptions& options = context.options<ChaosMonkeyOptions>();
  FaultState& state = context.state();
  if (!state.active) return;
  if (state.rng.chance(options.probability)) {
    const std::vector<std::uint32_t> up = candidates(context);
    if (!up.empty()) {
      const std::uint32_t victim = up[state.rng.below(up.size())];
      state.instances.push_back(victim);
      context.verbs().crash_instance(victim, context.fault(), true);
      if (options.restart_after_ns != sim::kNever) {
        context.schedule(sim::later(context.now(), options.restart_after_ns), kRestart, victim);
      }
    }
  }
  context.schedule(sim::later(context.now(), options.interval_ns), kStrike);
}

void on_phase(FaultContext& context, std::uint32_t phase, std::uint32_t instance) {
  if (phase == kStrike) {
    strike(context);
  } else if (phase == kRestart && down_by_this_fault(context, instance)) {
    bring_back(context, instance, context.options<ChaosMonkeyOptions>());
  }
}

// Live: each victim's proxy goes down as a crash's does; the strikes' timing is the live
// runner's, drawn from the same options and seed as the simulator's.
const char* live(const FaultSpec&, LiveEffect& effect) {
  effect.down = true;
  return nullptr;
}

}  // namespace

extern const KindUnit chaos_monkey_unit{
    .kind = FaultKind::chaos_monkey,
    .name = "chaos_monkey",
    .target_rule = TargetRule::none,
    .target_keys = kTarget,
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {.crashes_instances = true, .shows_window = false},
    .read_options = read,
    .start = start,
    .stop = stop,
    .on_phase = on_phase,
    .live = live,
};

}  // namespace faultline::faults::kinds
