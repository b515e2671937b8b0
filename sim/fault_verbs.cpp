// The engine's fault verbs: the named changes faults make to the model (faults/ reaches the
// engine only through these). Crash, restart, drain and workers live with the server code.
#include "sim/engine.hpp"

namespace faultline::sim {

void Engine::warm_up_instance(std::uint32_t instance, TimeNs until_ns, double factor) {
  instances_[instance].warm_until_ns = until_ns;
  instances_[instance].warm_factor = factor;
}

void Engine::hang_instance(std::uint32_t instance) {
  if (instances_[instance].status == InstanceStatus::up) set_instance_status(instance, InstanceStatus::hung);
}

void Engine::pause_instance(std::uint32_t instance, TimeNs until_ns) {
  if (instances_[instance].status != InstanceStatus::up) return;
  instances_[instance].paused_until_ns = until_ns;
  set_instance_status(instance, InstanceStatus::paused);
}

void Engine::resume_instance(std::uint32_t instance) {
  if (instances_[instance].status == InstanceStatus::paused) set_instance_status(instance, InstanceStatus::up);
}

void Engine::set_slowdown(std::uint32_t instance, double multiplier) { instances_[instance].slowdown = multiplier; }

void Engine::set_queue_capacity(std::uint32_t instance, std::uint32_t capacity) {
  instances_[instance].queue_capacity = capacity;
}

void Engine::set_error_injection(std::uint32_t instance, double ratio, bool fail_fast, std::uint32_t operation) {
  InstanceRuntime& target = instances_[instance];
  target.error_ratio = ratio;
  target.errors_fail_fast = fail_fast;
  target.error_operation = operation;
}

HopFaults& Engine::hop(Hop hop) {
  switch (hop.kind) {
    case HopKind::client: return clients_[hop.index].faults;
    case HopKind::link: return network_.link(hop.index);
    case HopKind::instance: break;
  }
  return instances_[hop.index].inbound;
}

void Engine::set_hop_delay(Hop target, DelayFault delay) { Network::set_delay(hop(target), delay); }

void Engine::set_hop_loss(Hop target, double loss_ratio, TimeNs retransmit_ns, std::uint32_t max_retransmits) {
  Network::set_loss(hop(target), loss_ratio, retransmit_ns, max_retransmits);
}

void Engine::set_hop_blocked(Hop target, bool blocked) { Network::set_blocked(hop(target), blocked); }

void Engine::set_hop_bandwidth(Hop target, double messages_per_s) {
  Network::set_bandwidth(hop(target), messages_per_s, now_);
}

void Engine::set_registry_outage(bool outage) {
  registry_state_.outage = outage;
  // Callers see the registry's current truth from their next refresh on.
  if (!outage) republish_registry();
}

void Engine::add_registry_delay(TimeNs delta_ns) { registry_state_.extra_delay_ns += delta_ns; }

void Engine::set_health_check_flapping(std::uint32_t instance, bool flapping, TimeNs start_ns, TimeNs period_ns) {
  RegistryEntry& entry = registry_[instance];
  entry.flapping = flapping;
  if (!flapping) return;
  entry.flap_start_ns = start_ns;
  entry.flap_period_ns = period_ns;
}

void Engine::set_stale_listing(std::uint32_t instance, bool pinned) {
  registry_[instance].stale_pinned = pinned;
  publish_instance(instance);
}

}  // namespace faultline::sim
