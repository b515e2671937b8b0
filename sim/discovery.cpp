// Service discovery: a registry that health-checks instances (Consul-like), publishes changes
// after a propagation delay, and callers' cached views refreshed on an interval.
#include "sim/engine.hpp"
#include "sim/event_kinds.hpp"

namespace faultline::sim {

void Engine::on_health_check(std::uint32_t service) {
  const DiscoveryConfig& discovery = config_.discovery;
  const ServiceRuntime& runtime = services_[service];
  for (std::uint32_t i = runtime.first_instance; i < runtime.first_instance + runtime.instance_count; ++i) {
    RegistryEntry& entry = registry_[i];
    if (!entry.registered) continue;
    bool passes = instances_[i].status == InstanceStatus::up;
    if (entry.flapping) {
      // A flapping check fails for one period, then passes (if the instance is up) for one.
      const TimeNs since = now_ - entry.flap_start_ns;
      const bool failing_phase = entry.flap_period_ns <= 0 || (since / entry.flap_period_ns) % 2 == 0;
      passes = passes && !failing_phase;
    }
    if (passes) {
      ++entry.consecutive_passes;
      entry.consecutive_failures = 0;
      if (!entry.passing && entry.consecutive_passes >= discovery.healthy_threshold) {
        entry.passing = true;
        entry.critical_since_ns = kNever;
        registry_set(i, RegistryChange::healthy);
      }
    } else {
      ++entry.consecutive_failures;
      entry.consecutive_passes = 0;
      if (entry.passing && entry.consecutive_failures >= discovery.unhealthy_threshold) {
        entry.passing = false;
        entry.critical_since_ns = now_;
        registry_set(i, RegistryChange::critical);
      }
      if (!entry.passing && entry.critical_since_ns != kNever &&
          now_ - entry.critical_since_ns >= discovery.deregister_after_ns) {
        entry.registered = false;
        registry_set(i, RegistryChange::deregistered);
      }
    }
  }
  queue_.push(later(now_, discovery.health_check_interval_ns), kHealthCheck, service, 0);
}

void Engine::deregister_instance(std::uint32_t instance) {
  RegistryEntry& entry = registry_[instance];
  if (!entry.registered) return;
  entry.registered = false;
  registry_set(instance, RegistryChange::deregistered);
}

// Records a registry change and sends it on its way to the callers' refreshes.
void Engine::registry_set(std::uint32_t instance, RegistryChange change) {
  record_timeline(TimelineKind::registry, instance, static_cast<std::uint32_t>(change));
  if (registry_state_.outage) return;  // republished when the outage ends
  const RegistryEntry& entry = registry_[instance];
  const bool healthy = (entry.registered && entry.passing) || entry.stale_pinned;
  const TimeNs delay = sum_ns(config_.discovery.propagation_delay_ns, registry_state_.extra_delay_ns);
  if (delay == 0) {
    registry_[instance].published_healthy = healthy;
  } else {
    queue_.push(later(now_, delay), kRegistryPublish, instance, healthy ? 1u : 0u);
  }
}

void Engine::on_registry_publish(std::uint32_t instance, std::uint32_t healthy) {
  if (registry_state_.outage) return;
  registry_[instance].published_healthy = healthy != 0;
}

void Engine::republish_registry() {
  for (std::uint32_t i = 0; i < registry_.size(); ++i) {
    const RegistryEntry& entry = registry_[i];
    registry_[i].published_healthy = (entry.registered && entry.passing) || entry.stale_pinned;
  }
}

void Engine::on_view_refresh(std::uint32_t view_index) {
  CallerView& view = views_[view_index];
  if (!registry_state_.outage) {
    // The view is the callee's instances the registry publishes as healthy, in index order.
    const ServiceRuntime& callee = services_[sites_[view.site].callee_service];
    std::uint32_t* members = view_members_.data() + view.members_offset;
    std::uint32_t size = 0;
    for (std::uint32_t i = callee.first_instance; i < callee.first_instance + callee.instance_count; ++i) {
      if (registry_[i].published_healthy) members[size++] = i;
    }
    view.size = size;
    view.refreshed_ns = now_;
  }
  queue_.push(later(now_, config_.discovery.refresh_interval_ns), kViewRefresh, view_index, 0);
}

}  // namespace faultline::sim
