// The engine's construction, its event loop and its bookkeeping (pools, names, timeline).
#include "sim/engine.hpp"

#include <string>

#include "sim/check.hpp"
#include "sim/event_kinds.hpp"
#include "sim/invariant_checker.hpp"
#include "sim/process.hpp"

namespace faultline::sim {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::ok: return "ok";
    case Outcome::error: return "error";
    case Outcome::timeout: return "timeout";
    case Outcome::rejected: return "rejected";
    case Outcome::unavailable: return "unavailable";
    case Outcome::cancelled: return "cancelled";
    case Outcome::rate_limited: return "rate_limited";
    case Outcome::bulkhead_full: return "bulkhead_full";
    case Outcome::degraded: return "degraded";
    case Outcome::connection_refused: return "connection_refused";
  }
  return "?";
}

const char* load_balancer_name(LoadBalancer lb) {
  switch (lb) {
    case LoadBalancer::round_robin: return "round_robin";
    case LoadBalancer::random: return "random";
    case LoadBalancer::least_outstanding: return "least_outstanding";
    case LoadBalancer::power_of_two: return "power_of_two";
    case LoadBalancer::zone_aware: return "zone_aware";
  }
  return "?";
}

const char* instance_status_name(InstanceStatus status) {
  switch (status) {
    case InstanceStatus::up: return "up";
    case InstanceStatus::crashed: return "crashed";
    case InstanceStatus::hung: return "hung";
    case InstanceStatus::paused: return "paused";
    case InstanceStatus::draining: return "draining";
    case InstanceStatus::stopped: return "stopped";
  }
  return "?";
}

const char* registry_change_name(RegistryChange change) {
  switch (change) {
    case RegistryChange::registered: return "registered";
    case RegistryChange::healthy: return "healthy";
    case RegistryChange::critical: return "critical";
    case RegistryChange::deregistered: return "deregistered";
  }
  return "?";
}

Engine::Engine(const ModelConfig& config, EngineLimits limits)
    : config_(config), limits_(limits) {
  prepare(config_.network.same_zone_latency);
  prepare(config_.network.cross_zone_latency);
  for (auto& link : config_.network.links) prepare(link.latency);
  for (auto& service : config_.services) {
    for (auto& operation : service.operations) prepare(operation.service_time);
  }
  for (auto& client : config_.clients) {
    for (auto& step : client.session) prepare(step.think_time);
  }
  build_topology();
  build_sites();
  build_series();
  processes_ = std::make_unique<ProcessRunner>(static_cast<ProcessHost&>(*this), config_);
  schedule_initial_events();
}

Engine::~Engine() = default;

void Engine::build_topology() {
  network_.build(config_);

  services_.reserve(config_.services.size());
  for (std::uint32_t s = 0; s < config_.services.size(); ++s) {
    const ServiceConfig& service = config_.services[s];
    ServiceRuntime runtime;
    runtime.first_instance = static_cast<std::uint32_t>(instances_.size());
    runtime.first_operation = static_cast<std::uint32_t>(operations_.size());
    runtime.operation_count = static_cast<std::uint32_t>(service.operations.size());
    for (const InstanceGroup& group : service.placement) {
      for (std::uint32_t i = 0; i < group.count; ++i) {
        InstanceRuntime instance;
        instance.service = s;
        instance.zone = group.zone;
        instance.index_in_service = static_cast<std::uint32_t>(instances_.size()) - runtime.first_instance;
        instance.workers = service.workers;
        instance.queue_capacity = service.queue_capacity;
        instance.concurrency_limit = service.adaptive.initial_limit;
        instance.rng = Rng::stream(config_.seed, "instance/" + service.name + "/" + std::to_string(instance.index_in_service));
        instances_.push_back(std::move(instance));
      }
    }
    runtime.instance_count = static_cast<std::uint32_t>(instances_.size()) - runtime.first_instance;
    for (const Operation& operation : service.operations) {
      OperationRuntime op;
      op.service = s;
      op.config = &operation;
      operations_.push_back(op);
    }
    services_.push_back(runtime);
  }
  registry_.assign(instances_.size(), RegistryEntry{});
}

void Engine::build_sites() {
  auto add_site = [&](const CallPolicy* policy, std::uint32_t callee_service, std::uint32_t callee_operation,
                      std::uint32_t caller_service, std::uint32_t caller_client, const std::string& stream_name) {
    SiteRuntime site;
    site.policy = policy;
    site.callee_service = callee_service;
    site.callee_operation = services_[callee_service].first_operation + callee_operation;
    site.caller_service = caller_service;
    site.caller_client = caller_client;
    const std::uint32_t index = static_cast<std::uint32_t>(sites_.size());
    add_views(site, index, caller_service);
    site.budget = RetryBudgetState(policy->retry.budget);
    site.rng = Rng::stream(config_.seed, stream_name);
    if (policy->breaker.enabled) {
      site.breaker_base = static_cast<std::uint32_t>(breakers_.size());
      const bool per_instance =
          caller_service != kNone && policy->breaker.scope == BreakerScope::per_caller_instance;
      site.breaker_count = per_instance ? services_[caller_service].instance_count : 1;
      for (std::uint32_t b = 0; b < site.breaker_count; ++b) {
        const std::uint32_t id = static_cast<std::uint32_t>(breakers_.size());
        breakers_.emplace_back(policy->breaker);
        breakers_.back().attach(id, this);
        breaker_info_.push_back({index, per_instance ? services_[caller_service].first_instance + b : kNone});
      }
    }
    if (policy->bulkhead.enabled) add_bulkheads(site, caller_service);
    sites_.push_back(std::move(site));
    return index;
  };

  for (std::uint32_t o = 0; o < operations_.size(); ++o) {
    OperationRuntime& op = operations_[o];
    op.first_step = static_cast<std::uint32_t>(steps_.size());
    op.step_count = static_cast<std::uint32_t>(op.config->steps.size());
    const std::string& caller_name = config_.services[op.service].name;
    for (std::uint32_t s = 0; s < op.config->steps.size(); ++s) {
      StepRuntime step;
      step.first_site = static_cast<std::uint32_t>(sites_.size());
      step.site_count = static_cast<std::uint32_t>(op.config->steps[s].calls.size());
      for (std::uint32_t c = 0; c < step.site_count; ++c) {
        const CallStep& call = op.config->steps[s].calls[c];
        const std::uint32_t site =
            add_site(&call.policy, call.service, call.operation, op.service, kNone,
                     "site/" + caller_name + "/" + op.config->name + "/" + std::to_string(s) + "/" + std::to_string(c));
        sites_[site].probability = call.probability;
        sites_[site].required = call.required;
      }
      steps_.push_back(step);
    }
  }
  for (std::uint32_t c = 0; c < config_.clients.size(); ++c) {
    const ClientConfig& client = config_.clients[c];
    ClientRuntime runtime;
    runtime.zone = client.zone;
    runtime.site = add_site(&client.policy, client.service, client.operation, kNone, c, "client/" + client.name);
    runtime.arrivals = Rng::stream(config_.seed, "client/" + client.name + "/arrivals");
    clients_.push_back(std::move(runtime));
  }
}

// Gives a site its bulkheads: a caller service's calls to one callee service share them (one per
// calling instance unless the call's scope is the calling service); a client has its own.
void Engine::add_bulkheads(SiteRuntime& site, std::uint32_t caller_service) {
  const bool per_instance = caller_service != kNone && site.policy->scope == ClientStateScope::per_caller_instance;
  if (caller_service != kNone) {
    for (const SiteRuntime& other : sites_) {
      if (other.bulkhead_count > 0 && other.caller_service == caller_service &&
          other.callee_service == site.callee_service && other.policy->scope == site.policy->scope) {
        site.bulkhead_base = other.bulkhead_base;
        site.bulkhead_count = other.bulkhead_count;
        return;
      }
    }
  }
  site.bulkhead_base = static_cast<std::uint32_t>(bulkheads_.size());
  site.bulkhead_count = per_instance ? services_[caller_service].instance_count : 1;
  for (std::uint32_t b = 0; b < site.bulkhead_count; ++b) bulkheads_.push_back({&site.policy->bulkhead});
}

// Gives a site its callers' views: one per calling instance unless the call's scope is the
// calling service (clients have one), each starting with every callee instance listed.
void Engine::add_views(SiteRuntime& site, std::uint32_t site_index, std::uint32_t caller_service) {
  const ServiceRuntime& callee = services_[site.callee_service];
  const bool per_instance =
      caller_service != kNone && site.policy->scope == ClientStateScope::per_caller_instance;
  site.first_view = static_cast<std::uint32_t>(views_.size());
  site.view_count = per_instance ? services_[caller_service].instance_count : 1;
  for (std::uint32_t v = 0; v < site.view_count; ++v) {
    CallerView view;
    view.site = site_index;
    view.caller_instance = per_instance ? services_[caller_service].first_instance + v : kNone;
    view.members_offset = static_cast<std::uint32_t>(view_members_.size());
    view.size = callee.instance_count;
    for (std::uint32_t i = 0; i < callee.instance_count; ++i) view_members_.push_back(callee.first_instance + i);
    view.peer_offset = static_cast<std::uint32_t>(peer_state_.size());
    peer_state_.resize(peer_state_.size() + callee.instance_count);
    views_.push_back(view);
  }
}

void Engine::build_series() {
  const TimeNs bucket = config_.bucket_ns > 0 ? config_.bucket_ns : kSecond;
  // The run's length divided by the bucket width, rounded up without overflowing for a width
  // near the largest duration.
  const std::size_t buckets =
      static_cast<std::size_t>(config_.duration_ns / bucket + (config_.duration_ns % bucket != 0 ? 1 : 0));
  results_.clients.resize(config_.clients.size());
  for (std::size_t c = 0; c < config_.clients.size(); ++c) {
    results_.clients[c].name = config_.clients[c].name;
    results_.clients[c].series.assign(buckets, BucketSample{});
  }
  results_.sites.assign(sites_.size(), CallSiteCounters{});
  results_.services.resize(config_.services.size());
  for (std::size_t s = 0; s < config_.services.size(); ++s) {
    results_.services[s].name = config_.services[s].name;
    results_.services[s].limit_lowest = results_.services[s].limit_highest = config_.services[s].adaptive.initial_limit;
    results_.services[s].series.assign(buckets, BucketSample{});
  }
}

void Engine::schedule_initial_events() {
  for (std::uint32_t c = 0; c < clients_.size(); ++c) {
    const ClientConfig& client = config_.clients[c];
    if (client.closed_loop) {
      for (std::uint32_t u = 0; u < client.users; ++u) processes_->spawn_user(c, u);
    } else {
      const TimeNs first = next_arrival(clients_[c], client.start_ns);
      if (first < client.stop_ns && first < config_.duration_ns) queue_.push(first, kClientArrival, c, 0);
    }
  }
  const DiscoveryConfig& discovery = config_.discovery;
  if (discovery.health_checks && discovery.health_check_interval_ns > 0) {
    for (std::uint32_t s = 0; s < services_.size(); ++s) {
      Rng phase = Rng::stream(config_.seed, "health/" + config_.services[s].name);
      const TimeNs first = static_cast<TimeNs>(phase.below(static_cast<std::uint64_t>(discovery.health_check_interval_ns)));
      queue_.push(first, kHealthCheck, s, 0);
    }
  }
  if (discovery.refresh_interval_ns > 0) {
    // Each view refreshes on its own phase, as separate processes do.
    for (std::uint32_t v = 0; v < views_.size(); ++v) {
      Rng& rng = sites_[views_[v].site].rng;
      const TimeNs first = static_cast<TimeNs>(rng.below(static_cast<std::uint64_t>(discovery.refresh_interval_ns)));
      queue_.push(first, kViewRefresh, v, 0);
    }
  }
  const TimeNs bucket = config_.bucket_ns > 0 ? config_.bucket_ns : kSecond;
  if (bucket < config_.duration_ns) queue_.push(bucket, kBucketTick, 1, 0);
}

void Engine::schedule_fault(TimeNs at, std::uint32_t fault, std::uint32_t phase) {
  if (at < now_) at = now_;
  queue_.push(at, kFault, fault, phase);
}

void Engine::hash_event(const Event& event) {
  // A running 64-bit hash of (time, kind, payload) of every processed event.
  std::uint64_t h = results_.trace_hash;
  auto mix = [&h](std::uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
  };
  mix(static_cast<std::uint64_t>(event.time));
  mix((std::uint64_t{event.kind()} << 56) ^ (std::uint64_t{event.a} << 24) ^ event.b);
  results_.trace_hash = h;
}

bool Engine::step() {
  if (finished_) return false;
  if (queue_.empty() || queue_.next_time() >= config_.duration_ns) {
    now_ = config_.duration_ns;
    finished_ = true;
    return false;
  }
  if (results_.events >= limits_.max_events) {
    results_.stop = StopReason::event_limit;
    finished_ = true;
    return false;
  }
  if (calls_.size() - free_calls_.size() > limits_.max_in_flight) {
    // A workload that outruns capacity with nothing to bound it (no timeouts, lost messages)
    // would grow without end; this is where it stops, as a named limit.
    results_.stop = StopReason::in_flight_limit;
    finished_ = true;
    return false;
  }
  const Event event = queue_.pop();
  FAULTLINE_ASSERT(event.time >= now_);  // time never moves backwards
  now_ = event.time;
  ++results_.events;
  hash_event(event);
  last_event_ = event;
  dispatch(event);
  return true;
}

bool Engine::run_until(TimeNs until) {
  while (!finished_ && queue_.next_time() < until && queue_.next_time() < config_.duration_ns) {
    if (!step()) break;
  }
  if (!finished_) {
    if (queue_.next_time() >= config_.duration_ns && until >= config_.duration_ns) {
      step();  // marks the run finished
    } else if (until > now_) {
      now_ = until < config_.duration_ns ? until : config_.duration_ns;
    }
  }
  return !finished_;
}

StopReason Engine::run() {
  while (step()) {
  }
  finish();
  return results_.stop;
}

void Engine::finish() {
  if (closed_) return;
  closed_ = true;
  finished_ = true;
  processes_->stop_all();
  // Close the bucket the run ended in.
  const std::uint32_t last = bucket_of(now_ > 0 ? now_ - 1 : 0);
  for (std::uint32_t b = current_bucket_; b <= last; ++b) {
    for (auto& client : results_.clients) close_bucket(client, b);
    for (auto& service : results_.services) close_bucket(service, b);
  }
  current_bucket_ = last + 1;
  results_.end_ns = now_;
  if (check_invariants_) InvariantChecker::check(*this);
}

void Engine::dispatch(const Event& event) {
  switch (event.kind()) {
    case kClientArrival: on_client_arrival(event.a); break;
    case kAttemptArrive:
      if (works_[event.a].token == event.b) deliver(event.a);
      break;
    case kServiceDone: on_service_done(event.a, event.b); break;
    case kReplyArrive: on_reply(event.a, event.b); break;
    case kAttemptTimeout: on_attempt_timeout(event.a, event.b); break;
    case kRetry: on_retry(event.a, event.b); break;
    case kHealthCheck: on_health_check(event.a); break;
    case kViewRefresh: on_view_refresh(event.a); break;
    case kRegistryPublish: on_registry_publish(event.a, event.b); break;
    case kBucketTick: on_bucket_tick(event.a); break;
    case kProcessResume: processes_->resume(event.a); break;
    case kFault:
      if (fault_driver_ != nullptr) fault_driver_->on_fault_event(*this, event.a, event.b);
      break;
    case kEjectionEnd: on_ejection_end(event.a, event.b); break;
    case kWorkResume:
      if (works_[event.a].token == event.b) start_service(event.a);
      break;
    case kCancelArrive: on_cancel_arrive(event.a, event.b); break;
    case kHedge: on_hedge_timer(event.a, event.b); break;
    case kBulkheadTimeout: on_bulkhead_timeout(event.a, event.b); break;
    case kBulkheadGrant: on_bulkhead_grant(event.a, event.b); break;
    case kRateWaitDone: on_rate_wait_done(event.a, event.b); break;
    case kFallbackDone: on_fallback_done(event.a, event.b); break;
    default: invariant_failed("engine: an event of unknown kind " + std::to_string(event.kind()));
  }
}

std::uint32_t Engine::new_call_slot() {
  calls_.emplace_back();
  return static_cast<std::uint32_t>(calls_.size() - 1);
}

std::uint32_t Engine::new_work_slot() {
  works_.emplace_back();
  return static_cast<std::uint32_t>(works_.size() - 1);
}

void Engine::record_timeline(TimelineKind kind, std::uint32_t subject, std::uint32_t detail, std::uint32_t extra) {
  if (results_.timeline.size() >= limits_.max_timeline) {
    ++results_.timeline_dropped;
    return;
  }
  results_.timeline.push_back({now_, kind, subject, detail, extra});
}

// Records the transition with its cause: the failures that tripped it, the half-open probe's
// target and outcome, or the open timeout running out.
void Engine::on_breaker_transition(std::uint32_t breaker_id, TimeNs at, BreakerState from, BreakerState to) {
  (void)at;  // transitions happen at the current instant
  const std::uint32_t site = breaker_info_[breaker_id].site;
  if (to == BreakerState::open) {
    ++results_.services[sites_[site].callee_service].breaker_opens;
    ++results_.sites[site].breaker_opens;
  }
  if (results_.timeline.size() >= limits_.max_timeline) {
    ++results_.timeline_dropped;
    return;
  }
  TimelineEntry entry{now_, TimelineKind::breaker, breaker_id, static_cast<std::uint32_t>(from),
                      static_cast<std::uint32_t>(to)};
  if (from == BreakerState::open) {
    entry.cause = BreakerCause::timeout;
  } else if (breaker_report_.active) {
    entry.cause = from == BreakerState::half_open ? BreakerCause::probe : BreakerCause::tripped;
    entry.cause_instance = breaker_report_.instance;
    entry.cause_outcome = static_cast<std::uint8_t>(breaker_report_.outcome);
    const BreakerCounts& before = breaker_report_.counts_before;
    entry.cause_failures = sites_[site].policy->breaker.trip == TripRule::consecutive_failures
                               ? before.consecutive_failures + 1
                               : before.total_failures + 1;
    entry.cause_requests = before.requests;
  }
  results_.timeline.push_back(entry);
}

std::span<const CallerView> Engine::caller_views(std::uint32_t site) const {
  const SiteRuntime& s = sites_[site];
  return {views_.data() + s.first_view, s.view_count};
}

std::span<const std::uint32_t> Engine::view_of(std::uint32_t site, std::uint32_t view_in_site) const {
  const CallerView& view = caller_views(site)[view_in_site];
  return {view_members_.data() + view.members_offset, view.size};
}

std::string Engine::describe_event(const Event& event) const {
  static constexpr const char* kNames[] = {"client arrival", "request arrives", "service done",  "reply arrives",
                                           "attempt timeout", "retry",          "health check",  "view refresh",
                                           "registry publish", "bucket tick",   "process resume", "fault",
                                           "ejection end",    "work resume",    "cancel arrives", "hedge"};
  const std::uint8_t kind = event.kind();
  std::string text = "t=" + std::to_string(event.time) + "ns #" + std::to_string(event.seq()) + " ";
  text += kind < std::size(kNames) ? kNames[kind] : "event";
  switch (kind) {
    case kClientArrival: text += " client " + config_.clients[event.a].name; break;
    case kHealthCheck: text += " service " + config_.services[event.a].name; break;
    case kViewRefresh: text += " view of " + view_name(event.a); break;
    case kRegistryPublish: text += " instance " + instance_name(event.a); break;
    default: text += " a=" + std::to_string(event.a) + " b=" + std::to_string(event.b); break;
  }
  return text;
}

std::string Engine::instance_name(std::uint32_t instance) const {
  const InstanceRuntime& i = instances_[instance];
  return config_.services[i.service].name + "#" + std::to_string(i.index_in_service);
}

std::string Engine::site_name(std::uint32_t site) const {
  const SiteRuntime& s = sites_[site];
  const std::string callee = config_.services[s.callee_service].name;
  if (s.caller_client != kNone) return config_.clients[s.caller_client].name + " -> " + callee;
  return config_.services[s.caller_service].name + " -> " + callee;
}

std::string Engine::site_caller_name(std::uint32_t site) const {
  const SiteRuntime& s = sites_[site];
  return s.caller_client != kNone ? config_.clients[s.caller_client].name : config_.services[s.caller_service].name;
}

std::string Engine::view_name(std::uint32_t view) const {
  const CallerView& v = views_[view];
  if (v.caller_instance == kNone) return site_name(v.site);
  return instance_name(v.caller_instance) + " -> " + config_.services[sites_[v.site].callee_service].name;
}

std::string Engine::breaker_name(std::uint32_t breaker) const {
  const BreakerInfo& info = breaker_info_[breaker];
  const SiteRuntime& s = sites_[info.site];
  const std::string callee = config_.services[s.callee_service].name;
  if (info.caller_instance != kNone) return instance_name(info.caller_instance) + " -> " + callee;
  return site_name(info.site);
}

}  // namespace faultline::sim

namespace faultline::sim {

void Engine::break_conservation_for_test(std::uint32_t client, std::uint32_t instance) {
  if (client < clients_.size()) ++clients_[client].started;
  if (instance < instances_.size()) ++instances_[instance].arrivals;
}

}  // namespace faultline::sim
