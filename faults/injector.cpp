// Applying and reverting each fault kind through the engine's fault hooks. Every fault starts
// at `at`, ends `duration` later (if it has one) and is reverted then; some schedule further
// instants of their own (restarts, the end of a drain period, chaos-monkey strikes).
#include "faults/injector.hpp"

#include <algorithm>
#include <cmath>

namespace faultline::faults {

const char* fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::crash: return "crash";
    case FaultKind::shutdown: return "shutdown";
    case FaultKind::hang: return "hang";
    case FaultKind::pause: return "pause";
    case FaultKind::slowdown: return "slowdown";
    case FaultKind::worker_loss: return "worker_loss";
    case FaultKind::queue_shrink: return "queue_shrink";
    case FaultKind::error_ratio: return "error_ratio";
    case FaultKind::operation_errors: return "operation_errors";
    case FaultKind::latency: return "latency";
    case FaultKind::packet_loss: return "packet_loss";
    case FaultKind::blackhole: return "blackhole";
    case FaultKind::partition: return "partition";
    case FaultKind::bandwidth: return "bandwidth";
    case FaultKind::zone_down: return "zone_down";
    case FaultKind::registry_outage: return "registry_outage";
    case FaultKind::registry_delay: return "registry_delay";
    case FaultKind::flapping_health_check: return "flapping_health_check";
    case FaultKind::stale_entries: return "stale_entries";
    case FaultKind::chaos_monkey: return "chaos_monkey";
  }
  return "?";
}

namespace {

constexpr std::uint32_t phase_of(std::uint32_t encoded) { return encoded & 0xf; }
constexpr std::uint32_t instance_of(std::uint32_t encoded) { return encoded >> 4; }
constexpr std::uint32_t encode(std::uint32_t phase, std::uint32_t instance) { return (instance << 4) | phase; }

bool targets_link(const FaultSpec& spec) {
  return spec.kind == FaultKind::partition || spec.target.from_zone.has_value() || spec.target.to_zone.has_value();
}

bool is_up(const sim::Engine& engine, std::uint32_t instance) {
  return engine.instances()[instance].status == sim::InstanceStatus::up;
}

sim::DelayFault delay_fault(const FaultSpec& spec, sim::TimeNs now) { return {&spec.delay, now, spec.ramp_ns}; }

}  // namespace

Injector::Injector(std::span<const FaultSpec> faults, sim::Engine& engine)
    : faults_(faults), state_(faults.size()), engine_(engine) {
  engine.set_fault_driver(this);
  for (std::uint32_t f = 0; f < faults.size(); ++f) {
    engine.schedule_fault(faults[f].at_ns, f, kStart);
    if (faults[f].duration_ns != sim::kNever && faults[f].at_ns <= sim::kNever - faults[f].duration_ns) {
      engine.schedule_fault(faults[f].at_ns + faults[f].duration_ns, f, kEnd);
    }
  }
}

Injector::~Injector() { engine_.set_fault_driver(nullptr); }

void Injector::on_fault_event(sim::Engine& engine, std::uint32_t fault, std::uint32_t encoded) {
  switch (phase_of(encoded)) {
    case kStart: start(engine, fault); break;
    case kEnd: stop(engine, fault); break;
    case kRestart: restart(engine, fault, instance_of(encoded)); break;
    case kChaosTick: chaos_tick(engine, fault); break;
    case kDrained: drained(engine, fault); break;
    default: break;
  }
}

// The target instances: the service's (or the zone's, or everyone's) instances, narrowed by
// zone and explicit indices, then a seeded random share of them, kept in index order.
void Injector::select_instances(sim::Engine& engine, std::uint32_t fault) {
  const FaultSpec& spec = faults_[fault];
  std::vector<std::uint32_t>& out = state_[fault].instances;
  out.clear();
  const auto instances = engine.instances();
  for (std::uint32_t i = 0; i < instances.size(); ++i) {
    const sim::InstanceRuntime& instance = instances[i];
    if (spec.target.service && instance.service != *spec.target.service) continue;
    if (spec.target.zone && instance.zone != *spec.target.zone) continue;
    if (!spec.target.instances.empty() &&
        std::find(spec.target.instances.begin(), spec.target.instances.end(), instance.index_in_service) ==
            spec.target.instances.end()) {
      continue;
    }
    out.push_back(i);
  }
  if (spec.target.fraction < 1.0 && !out.empty()) {
    // The fault's own stream, so the choice depends on the seed and the fault's name only.
    sim::Rng rng = sim::Rng::stream(engine.config().seed, "fault/" + spec.name);
    for (std::size_t i = out.size() - 1; i > 0; --i) std::swap(out[i], out[rng.below(i + 1)]);
    std::size_t keep = static_cast<std::size_t>(std::llround(spec.target.fraction * static_cast<double>(out.size())));
    if (keep == 0 && spec.target.fraction > 0) keep = 1;
    out.resize(keep);
    std::sort(out.begin(), out.end());
  }
}

// The link from_zone -> to_zone, and the way back when both_directions is set.
void Injector::select_links(sim::Engine& engine, std::uint32_t fault) {
  const FaultSpec& spec = faults_[fault];
  std::vector<std::uint32_t>& out = state_[fault].links;
  out.clear();
  const std::uint32_t zones = engine.network().zone_count;
  for (std::uint32_t from = 0; from < zones; ++from) {
    for (std::uint32_t to = 0; to < zones; ++to) {
      const bool forward = (!spec.target.from_zone || *spec.target.from_zone == from) &&
                           (!spec.target.to_zone || *spec.target.to_zone == to);
      const bool backward = spec.target.both_directions && (!spec.target.from_zone || *spec.target.from_zone == to) &&
                            (!spec.target.to_zone || *spec.target.to_zone == from);
      if (forward || backward) out.push_back(from * zones + to);
    }
  }
}

void Injector::start(sim::Engine& engine, std::uint32_t fault) {
  const FaultSpec& spec = faults_[fault];
  FaultState& state = state_[fault];
  state.active = true;
  engine.record_timeline(sim::TimelineKind::fault_start, fault);
  switch (spec.kind) {
    case FaultKind::crash:
      // The process dies on a live host: its connections are reset, new ones refused.
      select_instances(engine, fault);
      for (std::uint32_t i : state.instances) {
        if (engine.instances()[i].status == sim::InstanceStatus::crashed) continue;
        engine.crash_instance(i, fault, true);
        if (spec.restart_after_ns != sim::kNever) {
          engine.schedule_fault(sim::later(engine.now(), spec.restart_after_ns), fault, encode(kRestart, i));
        }
      }
      break;
    case FaultKind::shutdown:
      // Graceful: leave the registry first and keep serving for `period_ns` while callers'
      // views catch up, then refuse new work, finish what is in hand and stop.
      select_instances(engine, fault);
      for (std::uint32_t i : state.instances) engine.deregister_instance(i);
      engine.schedule_fault(sim::later(engine.now(), spec.period_ns), fault, kDrained);
      break;
    case FaultKind::hang:
      select_instances(engine, fault);
      for (std::uint32_t i : state.instances) {
        if (is_up(engine, i)) engine.set_instance_status(i, sim::InstanceStatus::hung);
      }
      break;
    case FaultKind::pause:
      select_instances(engine, fault);
      for (std::uint32_t i : state.instances) {
        if (!is_up(engine, i)) continue;
        engine.instance(i).paused_until_ns =
            sim::later(engine.now(), spec.duration_ns);
        engine.set_instance_status(i, sim::InstanceStatus::paused);
      }
      break;
    case FaultKind::slowdown:
      select_instances(engine, fault);
      for (std::uint32_t i : state.instances) engine.instance(i).slowdown *= spec.factor;
      break;
    case FaultKind::worker_loss:
      select_instances(engine, fault);
      state.saved.clear();
      for (std::uint32_t i : state.instances) {
        state.saved.push_back(engine.instance(i).workers);
        engine.set_workers(i, spec.workers);
      }
      break;
    case FaultKind::queue_shrink:
      select_instances(engine, fault);
      state.saved.clear();
      for (std::uint32_t i : state.instances) {
        state.saved.push_back(engine.instance(i).queue_capacity);
        engine.instance(i).queue_capacity = spec.queue_capacity;
      }
      break;
    case FaultKind::error_ratio:
    case FaultKind::operation_errors:
      select_instances(engine, fault);
      for (std::uint32_t i : state.instances) {
        sim::InstanceRuntime& instance = engine.instance(i);
        instance.error_ratio = spec.ratio;
        instance.errors_fail_fast = spec.fail_fast;
        instance.error_operation = spec.kind == FaultKind::operation_errors && spec.target.operation
                                       ? engine.services()[instance.service].first_operation + *spec.target.operation
                                       : sim::kNone;
      }
      break;
    case FaultKind::latency:
    case FaultKind::packet_loss:
    case FaultKind::blackhole:
    case FaultKind::partition:
    case FaultKind::bandwidth: start_network(engine, fault); break;
    case FaultKind::zone_down:
      // The zone drops off the network: its instances go silent (requests to them are lost,
      // callers time out) and their work is lost with them. Clients placed in the zone stand
      // for users entering near it, and keep reaching other zones.
      select_instances(engine, fault);
      for (std::uint32_t i : state.instances) {
        engine.instance(i).blackholed = true;
        engine.crash_instance(i, fault, false);
      }
      break;
    case FaultKind::registry_outage: engine.registry().outage = true; break;
    case FaultKind::registry_delay: engine.registry().extra_delay_ns += spec.delay_ns; break;
    case FaultKind::flapping_health_check:
      select_instances(engine, fault);
      for (std::uint32_t i : state.instances) {
        sim::RegistryEntry& entry = engine.registry_entry_mutable(i);
        entry.flapping = true;
        entry.flap_start_ns = engine.now();
        entry.flap_period_ns = spec.period_ns;
      }
      break;
    case FaultKind::stale_entries:
      select_instances(engine, fault);
      for (std::uint32_t i : state.instances) {
        engine.registry_entry_mutable(i).stale_pinned = true;
        engine.publish_instance(i);
      }
      break;
    case FaultKind::chaos_monkey:
      state.instances.clear();
      state.rng = sim::Rng::stream(engine.config().seed, "fault/" + spec.name + "/chaos");
      engine.schedule_fault(sim::later(engine.now(), spec.interval_ns), fault, kChaosTick);
      break;
  }
}

namespace {

// Applies (on) or reverts (off) a network fault on whatever carries the fields: a client's
// link faults, a zone-pair link, or an instance. They share field names; a link is "cut" where
// the others are "blackholed".
template <typename Carrier>
void set_network_fault(Carrier& carrier, const FaultSpec& spec, sim::TimeNs now, bool on) {
  switch (spec.kind) {
    case FaultKind::latency: carrier.delay = on ? delay_fault(spec, now) : sim::DelayFault{}; break;
    case FaultKind::packet_loss:
      carrier.loss_ratio = on ? spec.ratio : 0.0;
      if (on) {
        carrier.retransmit_ns = spec.retransmit_ns;
        carrier.max_retransmits = spec.max_retransmits;
      }
      break;
    case FaultKind::blackhole:
    case FaultKind::partition:
      if constexpr (requires { carrier.cut; }) {
        carrier.cut = on;
      } else if (spec.kind == FaultKind::blackhole) {
        carrier.blackholed = on;
      }
      break;
    case FaultKind::bandwidth:
      carrier.bandwidth_per_s = on ? spec.messages_per_s : 0.0;
      if (on) carrier.bandwidth_next_free_ns = now;
      break;
    default: break;
  }
}

}  // namespace

// Network faults act on one of three things: a client's requests, the links between two
// zones (every message crossing them), or the requests towards a service's instances.
void Injector::start_network(sim::Engine& engine, std::uint32_t fault) {
  const FaultSpec& spec = faults_[fault];
  FaultState& state = state_[fault];
  const sim::TimeNs now = engine.now();
  if (spec.target.client && spec.kind != FaultKind::partition) {
    set_network_fault(engine.client(*spec.target.client).faults, spec, now, true);
    return;
  }
  if (targets_link(spec)) {
    select_links(engine, fault);
    for (std::uint32_t l : state.links) set_network_fault(engine.network().links[l], spec, now, true);
    return;
  }
  select_instances(engine, fault);
  for (std::uint32_t i : state.instances) set_network_fault(engine.instance(i), spec, now, true);
}

void Injector::stop_network(sim::Engine& engine, std::uint32_t fault) {
  const FaultSpec& spec = faults_[fault];
  const FaultState& state = state_[fault];
  const sim::TimeNs now = engine.now();
  if (spec.target.client && spec.kind != FaultKind::partition) {
    set_network_fault(engine.client(*spec.target.client).faults, spec, now, false);
    return;
  }
  for (std::uint32_t l : state.links) set_network_fault(engine.network().links[l], spec, now, false);
  for (std::uint32_t i : state.instances) set_network_fault(engine.instance(i), spec, now, false);
}

void Injector::stop(sim::Engine& engine, std::uint32_t fault) {
  const FaultSpec& spec = faults_[fault];
  FaultState& state = state_[fault];
  if (!state.active) return;
  state.active = false;
  engine.record_timeline(sim::TimelineKind::fault_end, fault);
  switch (spec.kind) {
    case FaultKind::crash:
      // Files give a crash no duration (restart_after brings it back); one built in code that
      // has one restarts its instances when it ends.
      for (std::uint32_t i : state.instances) restart(engine, fault, i);
      break;
    case FaultKind::zone_down:
      // The zone is back; its instances boot at once, or `restart_after` later.
      for (std::uint32_t i : state.instances) {
        engine.instance(i).blackholed = false;
        if (spec.restart_after_ns == sim::kNever) {
          restart(engine, fault, i);
        } else {
          engine.schedule_fault(sim::later(engine.now(), spec.restart_after_ns), fault, encode(kRestart, i));
        }
      }
      break;
    case FaultKind::shutdown:
      for (std::uint32_t i : state.instances) restart(engine, fault, i);
      break;
    case FaultKind::hang:
      for (std::uint32_t i : state.instances) engine.unhang_instance(i);
      break;
    case FaultKind::pause:
      for (std::uint32_t i : state.instances) {
        if (engine.instances()[i].status == sim::InstanceStatus::paused) {
          engine.set_instance_status(i, sim::InstanceStatus::up);
        }
      }
      break;
    case FaultKind::slowdown:
      for (std::uint32_t i : state.instances) {
        double& slowdown = engine.instance(i).slowdown;
        slowdown /= spec.factor;
        if (std::fabs(slowdown - 1.0) < 1e-12) slowdown = 1.0;  // no drift after x * f / f
      }
      break;
    case FaultKind::worker_loss:
      for (std::size_t k = 0; k < state.instances.size(); ++k) engine.set_workers(state.instances[k], state.saved[k]);
      break;
    case FaultKind::queue_shrink:
      for (std::size_t k = 0; k < state.instances.size(); ++k) {
        engine.instance(state.instances[k]).queue_capacity = state.saved[k];
      }
      break;
    case FaultKind::error_ratio:
    case FaultKind::operation_errors:
      for (std::uint32_t i : state.instances) {
        engine.instance(i).error_ratio = 0;
        engine.instance(i).error_operation = sim::kNone;
      }
      break;
    case FaultKind::latency:
    case FaultKind::packet_loss:
    case FaultKind::blackhole:
    case FaultKind::partition:
    case FaultKind::bandwidth: stop_network(engine, fault); break;
    case FaultKind::registry_outage:
      // Callers see the registry's current truth from their next refresh on.
      engine.registry().outage = false;
      engine.republish_registry();
      break;
    case FaultKind::registry_delay: engine.registry().extra_delay_ns -= spec.delay_ns; break;
    case FaultKind::flapping_health_check:
      for (std::uint32_t i : state.instances) engine.registry_entry_mutable(i).flapping = false;
      break;
    case FaultKind::stale_entries:
      for (std::uint32_t i : state.instances) {
        engine.registry_entry_mutable(i).stale_pinned = false;
        engine.publish_instance(i);
      }
      break;
    case FaultKind::chaos_monkey: break;  // no more strikes; its victims restart on their own schedule
  }
}

// Brings an instance back: a crashed one (crash, zone_down, chaos_monkey) or a shut-down one
// (shutdown, which also re-registers it). It registers again and serves `warmup_factor` times
// slower for `warmup_ns`; health checks make it healthy after `healthy_threshold` passes.
void Injector::restart(sim::Engine& engine, std::uint32_t fault, std::uint32_t instance) {
  const FaultSpec& spec = faults_[fault];
  const sim::InstanceStatus status = engine.instances()[instance].status;
  if (spec.kind == FaultKind::shutdown) {
    if (status == sim::InstanceStatus::crashed) return;  // something else killed it meanwhile
  } else if (status != sim::InstanceStatus::crashed || engine.instances()[instance].down_cause != fault) {
    return;  // already back, or down for another fault's reason
  }
  if (spec.kind == FaultKind::zone_down && state_[fault].active) return;  // the zone is still down
  engine.restart_instance(instance);
  if (spec.warmup_ns > 0) {
    engine.instance(instance).warm_until_ns = sim::later(engine.now(), spec.warmup_ns);
    engine.instance(instance).warm_factor = spec.warmup_factor;
  }
}

// The shutdown's drain period is over: refuse new work, finish what is in hand, stop.
void Injector::drained(sim::Engine& engine, std::uint32_t fault) {
  if (!state_[fault].active) return;
  for (std::uint32_t i : state_[fault].instances) {
    if (is_up(engine, i)) engine.drain_instance(i);
  }
}

// One chaos-monkey strike: with the configured probability, crash one random instance among
// the targets that are up, unless that would leave more than max_down_per_service instances
// of its service down (for whatever reason) at once.
void Injector::chaos_tick(sim::Engine& engine, std::uint32_t fault) {
  const FaultSpec& spec = faults_[fault];
  FaultState& state = state_[fault];
  if (!state.active) return;
  if (state.rng.chance(spec.probability)) {
    std::vector<std::uint32_t> down(engine.services().size(), 0);
    for (const sim::InstanceRuntime& instance : engine.instances()) {
      if (instance.status != sim::InstanceStatus::up) ++down[instance.service];
    }
    std::vector<std::uint32_t> candidates;
    const auto instances = engine.instances();
    for (std::uint32_t i = 0; i < instances.size(); ++i) {
      const sim::InstanceRuntime& instance = instances[i];
      if (spec.target.service && instance.service != *spec.target.service) continue;
      if (spec.target.zone && instance.zone != *spec.target.zone) continue;
      if (instance.status != sim::InstanceStatus::up) continue;
      if (down[instance.service] >= spec.max_down_per_service) continue;
      candidates.push_back(i);
    }
    if (!candidates.empty()) {
      const std::uint32_t victim = candidates[state.rng.below(candidates.size())];
      state.instances.push_back(victim);
      engine.crash_instance(victim, fault, true);
      if (spec.restart_after_ns != sim::kNever) {
        engine.schedule_fault(sim::later(engine.now(), spec.restart_after_ns), fault, encode(kRestart, victim));
      }
    }
  }
  engine.schedule_fault(sim::later(engine.now(), spec.interval_ns), fault, kChaosTick);
}

}  // namespace faultline::faults
