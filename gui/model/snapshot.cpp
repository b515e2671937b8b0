// Capturing and comparing snapshots, and following the timeline for ejections and faults.
#include "gui/model/snapshot.hpp"

#include <algorithm>

#include "sim/engine.hpp"
#include "faults/kind.hpp"

namespace faultline::gui {

const char* visual_state_name(VisualState state) {
  switch (state) {
    case VisualState::healthy: return "healthy";
    case VisualState::slow: return "slow";
    case VisualState::erroring: return "erroring";
    case VisualState::undiscovered: return "unknown to discovery";
    case VisualState::ejected: return "ejected";
    case VisualState::draining: return "draining";
    case VisualState::crashed: return "crashed";
  }
  return "?";
}

const char* visual_state_meaning(VisualState state) {
  switch (state) {
    case VisualState::healthy: return "up, serving at normal speed";
    case VisualState::slow: return "up, but slowed (slowdown, warm-up, pause, added latency or loss)";
    case VisualState::erroring: return "answers with errors, hangs, or drops every message";
    case VisualState::undiscovered: return "up, but no caller's discovery view lists it";
    case VisualState::ejected: return "ejected by at least one caller's outlier detection";
    case VisualState::draining: return "shutting down gracefully: finishing work, refusing new";
    case VisualState::crashed: return "crashed or stopped";
  }
  return "?";
}

void TimelineTracker::reset(const Topology& topology) {
  next_ = 0;
  ejected_by_.assign(topology.instances.size(), 0);
  fault_active_.assign(topology.faults.size(), 0);
  ejections_.clear();
}

bool TimelineTracker::ejected(std::uint32_t site, std::uint32_t instance) const {
  return std::find(ejections_.begin(), ejections_.end(), std::pair{site, instance}) != ejections_.end();
}

void TimelineTracker::consume(std::span<const sim::TimelineEntry> timeline) {
  for (; next_ < timeline.size(); ++next_) {
    const sim::TimelineEntry& e = timeline[next_];
    switch (e.kind) {
      case sim::TimelineKind::fault_start:
        if (e.subject < fault_active_.size()) fault_active_[e.subject] = 1;
        break;
      case sim::TimelineKind::fault_end:
        if (e.subject < fault_active_.size()) fault_active_[e.subject] = 0;
        break;
      case sim::TimelineKind::ejection:
        if (e.detail < ejected_by_.size()) {
          ++ejected_by_[e.detail];
          ejections_.emplace_back(e.subject, e.detail);
        }
        break;
      case sim::TimelineKind::ejection_end: {
        const auto found = std::find(ejections_.begin(), ejections_.end(), std::pair{e.subject, e.detail});
        if (found != ejections_.end()) {
          ejections_.erase(found);
          --ejected_by_[e.detail];
        }
        break;
      }
      default: break;
    }
  }
}

VisualState classify(const InstanceSnapshot& i, bool has_callers) {
  using sim::InstanceStatus;
  if (i.status == InstanceStatus::crashed || i.status == InstanceStatus::stopped) return VisualState::crashed;
  if (i.status == InstanceStatus::draining) return VisualState::draining;
  if (i.ejected_by > 0) return VisualState::ejected;
  if (has_callers && i.in_views == 0) return VisualState::undiscovered;
  if (i.status == InstanceStatus::hung || i.error_ratio > 0.0f || i.blackholed) return VisualState::erroring;
  if (i.status == InstanceStatus::paused || i.slowdown > 1.0001f || i.delayed || i.loss_ratio > 0.0f) {
    return VisualState::slow;
  }
  return VisualState::healthy;
}

void capture_snapshot(const sim::Engine& engine, const Topology& topology, const TimelineTracker& tracker, Snapshot& out) {
  const sim::TimeNs now = engine.now();
  const sim::Results& results = engine.results();
  out.valid = true;
  out.at_ns = now;
  out.events = results.events;
  out.trace_hash = results.trace_hash;
  out.timeline_size = results.timeline.size();

  const auto sites = engine.sites();
  out.sites.resize(sites.size());
  const auto instances = engine.instances();
  out.instances.resize(instances.size());
  for (InstanceSnapshot& i : out.instances) i.in_views = 0;
  for (std::uint32_t s = 0; s < sites.size(); ++s) {
    SiteSnapshot& site = out.sites[s];
    const auto view = engine.view_of(s);
    site.view.assign(view.begin(), view.end());
    const auto views = engine.caller_views(s);
    site.view_refreshed_ns = views[0].refreshed_ns;
    site.caller_views = static_cast<std::uint32_t>(views.size());
    site.ejected = 0;
    for (const sim::CallerView& caller_view : views) site.ejected += caller_view.ejected;
    site.ejected_instances.clear();
    for (std::uint32_t member : view) ++out.instances[member].in_views;
  }

  for (const auto& [site, instance] : tracker.ejections()) {
    if (site < out.sites.size()) out.sites[site].ejected_instances.push_back(instance);
  }

  const auto services = engine.services();
  for (std::uint32_t n = 0; n < instances.size(); ++n) {
    const sim::InstanceRuntime& in = instances[n];
    InstanceSnapshot& i = out.instances[n];
    i.status = in.status;
    i.busy = in.busy;
    i.queued = in.queue.size();
    i.workers = in.workers;
    i.queue_capacity = in.queue_capacity;
    double slowdown = in.slowdown * services[in.service].slowdown;
    if (now < in.warm_until_ns) slowdown *= in.warm_factor;
    i.slowdown = static_cast<float>(slowdown);
    i.error_ratio = static_cast<float>(in.error_ratio);
    i.loss_ratio = static_cast<float>(in.inbound.loss_ratio);
    i.blackholed = in.inbound.blocked;
    i.delayed = in.inbound.delay.delay != nullptr || in.inbound.bandwidth_per_s > 0;
    const sim::RegistryEntry& entry = engine.registry_entry(n);
    i.registered = entry.registered;
    i.passing = entry.passing;
    i.published_healthy = entry.published_healthy;
    i.ejected_by = tracker.ejected_by(n);
    i.served = in.served;
    i.crash_count = in.crash_count;
    const bool down = in.status == sim::InstanceStatus::crashed || in.status == sim::InstanceStatus::stopped;
    i.stale_in_views = down && i.in_views > 0;
    i.visual = classify(i, topology.services[in.service].caller_sites > 0);
  }

  const auto breakers = engine.breakers();
  out.breakers.resize(breakers.size());
  for (std::uint32_t b = 0; b < breakers.size(); ++b) {
    BreakerSnapshot& s = out.breakers[b];
    s.state = breakers[b].last_state();
    s.counts = breakers[b].counts();
    s.expiry_ns = breakers[b].expiry();
    s.opens = breakers[b].opens();
    s.expired = s.state == sim::BreakerState::open && s.expiry_ns != sim::kNever && s.expiry_ns < now;
  }

  out.client_totals.resize(results.clients.size());
  for (std::size_t c = 0; c < results.clients.size(); ++c) out.client_totals[c] = results.clients[c].totals;
  out.service_totals.resize(results.services.size());
  for (std::size_t s = 0; s < results.services.size(); ++s) out.service_totals[s] = results.services[s].totals;
  const auto clients = engine.clients();
  out.client_outstanding.resize(clients.size());
  for (std::size_t c = 0; c < clients.size(); ++c) out.client_outstanding[c] = clients[c].outstanding;
  out.fault_active.resize(topology.faults.size());
  for (std::uint32_t f = 0; f < topology.faults.size(); ++f) out.fault_active[f] = tracker.fault_active(f) ? 1 : 0;
  // Views are frozen while a fault that freezes discovery is active (the registry's kind trait).
  out.registry_outage = false;
  for (std::uint32_t f = 0; f < topology.faults.size(); ++f) {
    if (out.fault_active[f] && faults::kind_unit(topology.faults[f].kind).traits.freezes_discovery) out.registry_outage = true;
  }
}

std::uint64_t failures(const sim::Counters& c) { return c.errors + c.timeouts + c.rejected + c.unavailable; }

namespace {

bool same_counters(const sim::Counters& a, const sim::Counters& b) {
  return a.requests == b.requests && a.ok == b.ok && a.errors == b.errors && a.timeouts == b.timeouts &&
         a.rejected == b.rejected && a.unavailable == b.unavailable && a.retries == b.retries;
}

}  // namespace

std::string snapshot_difference(const Snapshot& a, const Snapshot& b) {
  if (a.at_ns != b.at_ns) return "time " + std::to_string(a.at_ns) + " vs " + std::to_string(b.at_ns);
  if (a.events != b.events) return "events " + std::to_string(a.events) + " vs " + std::to_string(b.events);
  if (a.trace_hash != b.trace_hash) return "trace hash differs";
  if (a.timeline_size != b.timeline_size) return "timeline length differs";
  if (a.client_totals.size() != b.client_totals.size() || a.service_totals.size() != b.service_totals.size()) {
    return "entity count differs";
  }
  for (std::size_t c = 0; c < a.client_totals.size(); ++c) {
    if (!same_counters(a.client_totals[c], b.client_totals[c])) return "client " + std::to_string(c) + " counters differ";
    if (a.client_outstanding[c] != b.client_outstanding[c]) return "client " + std::to_string(c) + " outstanding differs";
  }
  for (std::size_t s = 0; s < a.service_totals.size(); ++s) {
    if (!same_counters(a.service_totals[s], b.service_totals[s])) return "service " + std::to_string(s) + " counters differ";
  }
  if (a.instances.size() != b.instances.size()) return "instance count differs";
  for (std::size_t i = 0; i < a.instances.size(); ++i) {
    const InstanceSnapshot& x = a.instances[i];
    const InstanceSnapshot& y = b.instances[i];
    if (x.status != y.status || x.busy != y.busy || x.queued != y.queued || x.served != y.served ||
        x.in_views != y.in_views || x.ejected_by != y.ejected_by || x.visual != y.visual) {
      return "instance " + std::to_string(i) + " differs";
    }
  }
  if (a.breakers.size() != b.breakers.size()) return "breaker count differs";
  for (std::size_t k = 0; k < a.breakers.size(); ++k) {
    if (a.breakers[k].state != b.breakers[k].state || !(a.breakers[k].counts == b.breakers[k].counts)) {
      return "breaker " + std::to_string(k) + " differs";
    }
  }
  for (std::size_t s = 0; s < a.sites.size() && s < b.sites.size(); ++s) {
    if (a.sites[s].view != b.sites[s].view) return "view of site " + std::to_string(s) + " differs";
  }
  return {};
}

}  // namespace faultline::gui
