// The simulation engine: a single-threaded discrete-event loop over the microservice model.
// The request path is event-driven over pooled records addressed by index; long-lived
// sequential behaviours (closed-loop users) run as fibers resumed in simulated-time order.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/breaker.hpp"
#include "sim/check.hpp"
#include "sim/config.hpp"
#include "sim/event_queue.hpp"
#include "sim/network.hpp"
#include "sim/process.hpp"
#include "sim/results.hpp"
#include "sim/rng.hpp"
#include "sim/runtime.hpp"

namespace faultline::sim {

class Engine;

// Faults live outside the engine (faults/); the engine calls back at the instants a fault
// asked for.
class FaultDriver {
 public:
  virtual void on_fault_event(Engine& engine, std::uint32_t fault, std::uint32_t phase) = 0;

 protected:
  ~FaultDriver() = default;
};

struct EngineLimits {
  std::uint64_t max_events = 2'000'000'000;  // --max-events
  std::uint64_t max_timeline = 200'000;      // timeline entries kept
  std::uint64_t max_in_flight = 5'000'000;   // --max-in-flight: calls in progress at once
};

class Engine final : private BreakerListener, private ProcessHost {
 public:
  Engine(const ModelConfig& config, EngineLimits limits = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void set_fault_driver(FaultDriver* driver) { fault_driver_ = driver; }
  // Runs the invariant checker (sim/invariant_checker.hpp) at every bucket boundary and at the
  // end of the run; a violation throws InvariantViolation. Off unless asked for (run
  // --check-invariants, FAULTLINE_CHECK_INVARIANTS=1); tests and sweeps turn it on.
  void set_invariant_checks(bool on) { check_invariants_ = on; }
  bool invariant_checks() const { return check_invariants_; }
  // A deliberate bookkeeping bug for the tests that prove the checker fires through the real
  // program (harness: FAULTLINE_TEST_BREAK_INVARIANT): one request counted as started by
  // `client` (or arrived at `instance`) that never was. Nothing else calls it.
  void break_conservation_for_test(std::uint32_t client, std::uint32_t instance);
  // Records up to `max_spans` served requests as spans (for --trace); further ones are counted.
  // Only requests that overlap [from_ns, to_ns) are recorded or counted.
  void record_spans(std::size_t max_spans, TimeNs from_ns = 0, TimeNs to_ns = std::numeric_limits<TimeNs>::max()) {
    max_spans_ = max_spans;
    span_from_ns_ = from_ns;
    span_to_ns_ = to_ns;
  }
  // The service and operation names of a global operation index.
  const std::string& operation_name(std::uint32_t operation) const { return operations_[operation].config->name; }
  std::uint32_t operation_service(std::uint32_t operation) const { return operations_[operation].service; }

  // Runs to the end of the configured duration (or a limit). Returns why it stopped.
  StopReason run();
  // Processes every event strictly before `until` (and advances the clock to it); returns false
  // once the run is over. The GUI advances in slices this way.
  bool run_until(TimeNs until);
  // Processes one event; false when the run is over.
  bool step();
  bool finished() const { return finished_; }
  // Closes the run: final buckets, outstanding fibers. Called by run(); call it after stepping.
  void finish();

  TimeNs now() const { return now_; }
  // The event processed last (for lock-step determinism checks) and a readable description.
  const Event& last_event() const { return last_event_; }
  std::string describe_event(const Event& event) const;
  const ModelConfig& config() const { return config_; }
  const Results& results() const { return results_; }
  // Live mode (harness/live/) records real traffic into the results of an engine it never
  // runs; nothing else writes them from outside.
  Results& mutable_results() { return results_; }
  // The run was stopped from outside (wall-clock limit, signal): the results say so.
  void mark_stopped() { results_.stop = StopReason::stopped; }

  // Read access for the harness, faults and the GUI.
  std::span<const InstanceRuntime> instances() const { return instances_; }
  std::span<const ServiceRuntime> services() const { return services_; }
  std::span<const SiteRuntime> sites() const { return sites_; }
  std::span<const ClientRuntime> clients() const { return clients_; }
  std::span<const Breaker> breakers() const { return breakers_; }
  // Whether any call or client has a fallback (reports then count degraded requests).
  bool has_fallbacks() const {
    for (const SiteRuntime& site : sites_) {
      if (site.policy->fallback.enabled) return true;
    }
    return false;
  }
  std::span<const BreakerInfo> breaker_info() const { return breaker_info_; }
  const RegistryEntry& registry_entry(std::uint32_t instance) const { return registry_[instance]; }
  // The views of a site: one per calling instance (in instance order), or one shared.
  std::span<const CallerView> caller_views(std::uint32_t site) const;
  // The instances in one caller's view (`view_in_site` indexes caller_views(site)).
  std::span<const std::uint32_t> view_of(std::uint32_t site, std::uint32_t view_in_site = 0) const;
  std::string instance_name(std::uint32_t instance) const;
  std::string site_name(std::uint32_t site) const;
  // The caller of a site: the client's name, or the calling service's.
  std::string site_caller_name(std::uint32_t site) const;
  std::string breaker_name(std::uint32_t breaker) const;
  // "caller#i -> callee" for a calling instance's view, the site's name for a shared one.
  std::string view_name(std::uint32_t view) const;

  // Fault verbs: the only way faults (faults/) change the model. Each names what happens to
  // the simulated system; none hands out a mutable record.
  void schedule_fault(TimeNs at, std::uint32_t fault, std::uint32_t phase);
  // `cause`: the fault that crashed it (kNone: none), kept in the timeline entry as cause + 1.
  // Its queued and in-flight work is lost. With `reset_connections` (a process dying on a
  // live host) the kernel resets their connections, so each caller gets an error at once;
  // without (the host itself gone) callers hear nothing and wait for their timeouts.
  void crash_instance(std::uint32_t instance, std::uint32_t cause = kNone, bool reset_connections = true);
  void restart_instance(std::uint32_t instance);
  // After a restart the instance serves `factor` times slower until `until_ns`.
  void warm_up_instance(std::uint32_t instance, TimeNs until_ns, double factor);
  // Accepts requests and never answers them; unhang ends it: stuck work is finished with an
  // error reply (the connection resets).
  void hang_instance(std::uint32_t instance);
  void unhang_instance(std::uint32_t instance);
  // Stop-the-world until `until_ns` (kNever: until resumed); work waits, then resumes.
  void pause_instance(std::uint32_t instance, TimeNs until_ns);
  void resume_instance(std::uint32_t instance);
  // Graceful shutdown's last phase: refuse new work, finish what is queued or in service, then
  // stop (at once if idle).
  void drain_instance(std::uint32_t instance);
  void set_slowdown(std::uint32_t instance, double multiplier);
  void set_workers(std::uint32_t instance, std::uint32_t workers);
  void set_queue_capacity(std::uint32_t instance, std::uint32_t capacity);
  // A share `ratio` of requests (of one global operation, or kNone: all) fail, on arrival when
  // `fail_fast`, else after their service time. A ratio of 0 ends it.
  void set_error_injection(std::uint32_t instance, double ratio, bool fail_fast, std::uint32_t operation);
  // Network faults on one hop (a client's access link, a zone-pair link, or the requests
  // towards an instance); see NetworkRuntime.
  void set_hop_delay(Hop hop, DelayFault delay);
  void set_hop_loss(Hop hop, double loss_ratio, TimeNs retransmit_ns, std::uint32_t max_retransmits);
  void set_hop_blocked(Hop hop, bool blocked);
  void set_hop_bandwidth(Hop hop, double messages_per_s);
  // Discovery: deregistering, freezing callers' views, slowing propagation, faking checks.
  void deregister_instance(std::uint32_t instance);
  void set_registry_outage(bool outage);
  void add_registry_delay(TimeNs delta_ns);
  void set_health_check_flapping(std::uint32_t instance, bool flapping, TimeNs start_ns, TimeNs period_ns);
  void set_stale_listing(std::uint32_t instance, bool pinned);
  void record_timeline(TimelineKind kind, std::uint32_t subject, std::uint32_t detail = 0, std::uint32_t extra = 0);
  // Read access to the network and registry state (tests, GUI).
  const Network& network() const { return network_; }
  const RegistryRuntime& registry() const { return registry_state_; }

 private:
  // ProcessHost: what closed-loop users (sim/process.cpp) reach of the engine, and nothing more.
  TimeNs process_clock() const override { return now_; }
  void start_process_request(std::uint32_t process, std::uint32_t client, std::uint32_t operation) override;
  void schedule_process_resume(TimeNs at, std::uint32_t process) override;
  void stop_without_progress(std::uint32_t client) override;

  void build_topology();
  void build_sites();
  void add_views(SiteRuntime& site, std::uint32_t site_index, std::uint32_t caller_service);
  void add_bulkheads(SiteRuntime& site, std::uint32_t caller_service);
  void build_series();
  void schedule_initial_events();
  void dispatch(const Event& event);

  // Workload (sim/workload.cpp)
  void on_client_arrival(std::uint32_t client);
  TimeNs next_arrival(ClientRuntime& client, TimeNs from);
  void start_client_request(std::uint32_t client, std::uint32_t operation, std::uint32_t process);

  // Calls (sim/calls.cpp)
  std::uint32_t start_call(std::uint32_t site, CallerKind caller_kind, std::uint32_t parent, std::uint32_t parent_token,
                           std::uint32_t caller_instance, std::uint32_t operation);
  void send_attempt(std::uint32_t call);
  void on_attempt_timeout(std::uint32_t call, std::uint32_t token);
  void on_retry(std::uint32_t call, std::uint32_t token);
  void attempt_done(std::uint32_t call, Outcome outcome);
  void end_attempt(std::uint32_t call, Outcome outcome);
  TimeNs attempt_deadline(const SiteRuntime& site, const CallRecord& record) const;
  void send_cancel(const CallRecord& record);
  void cancel_call(std::uint32_t call);
  void send_hedge(std::uint32_t call);
  void on_hedge_timer(std::uint32_t call, std::uint32_t token);
  void hedge_done(std::uint32_t call, std::uint32_t token, std::uint32_t attempt, Outcome outcome);
  void finish_hedged(std::uint32_t call, Outcome outcome);
  void unlink_child(const CallRecord& record, std::uint32_t call);
  void complete_call(std::uint32_t call, Outcome outcome);
  void finish_call(std::uint32_t call, Outcome outcome);
  void on_fallback_done(std::uint32_t call, std::uint32_t token);
  void dispatch_attempt(std::uint32_t call, TimeNs deadline);
  bool take_bulkhead_permit(std::uint32_t call);
  void release_bulkhead_permit(CallRecord& record);
  void unlink_bulkhead_waiter(std::uint32_t call);
  void on_bulkhead_timeout(std::uint32_t call, std::uint32_t token);
  void on_bulkhead_grant(std::uint32_t call, std::uint32_t token);
  bool pass_rate_limit(std::uint32_t call, TimeNs deadline);
  void admit_attempt(std::uint32_t call, TimeNs deadline);
  bool pass_breaker(std::uint32_t call);
  void report_to_breaker(CallRecord& record, const SiteRuntime& site, Outcome outcome);
  void on_rate_wait_done(std::uint32_t call, std::uint32_t token);
  std::uint32_t bulkhead_for(const SiteRuntime& site, std::uint32_t caller_instance) const;
  std::uint32_t pick_instance(const SiteRuntime& site, CallerView& view, std::uint32_t caller_zone);
  TimeNs backoff_delay(const SiteRuntime& site, std::uint32_t retry_number, Rng& rng);
  bool take_retry_token(SiteRuntime& site);
  void note_outlier_result(const SiteRuntime& site, std::uint32_t view, std::uint32_t instance, Outcome outcome);
  std::uint32_t breaker_for(const SiteRuntime& site, std::uint32_t caller_instance) const;
  std::uint32_t view_for(const SiteRuntime& site, std::uint32_t caller_instance) const;

  // Servers (sim/server.cpp)
  void deliver(std::uint32_t work);
  bool start_service(std::uint32_t work);
  void on_cancel_arrive(std::uint32_t work, std::uint32_t token);
  void cancel_children(std::uint32_t work);
  void abandon_work(std::uint32_t work);
  std::uint32_t next_queued(InstanceRuntime& instance);
  void leave_concurrency_limit(WorkRecord& w, bool sample, bool drop);
  void on_service_done(std::uint32_t work, std::uint32_t token);
  bool inject_error(InstanceRuntime& instance, const WorkRecord& work, bool fail_fast);
  void count_service_arrival(std::uint32_t service);
  void count_attempt_failure(std::uint32_t service, Outcome outcome);
  void advance_steps(std::uint32_t work);
  void child_done(std::uint32_t work, std::uint32_t token, Outcome outcome, bool required);
  void finish_work(std::uint32_t work, Outcome outcome);
  void send_reply(std::uint32_t work);
  void on_reply(std::uint32_t work, std::uint32_t token);
  void release_worker(InstanceRuntime& instance);
  HopFaults& hop(Hop hop);
  void note_traffic_to_crashed(std::uint32_t instance);
  void set_instance_status(std::uint32_t instance, InstanceStatus status);

  // Discovery (sim/discovery.cpp)
  void on_health_check(std::uint32_t service);
  void on_view_refresh(std::uint32_t view);
  void on_registry_publish(std::uint32_t instance, std::uint32_t change);
  void registry_set(std::uint32_t instance, RegistryChange change);
  void on_ejection_end(std::uint32_t view, std::uint32_t slot);
  void republish_registry();
  // Publishes the registry's current truth about one instance (after a fault changed it).
  void publish_instance(std::uint32_t instance);

  // Metrics (sim/metrics.cpp)
  void on_bucket_tick(std::uint32_t bucket);
  void close_bucket(EntityResults& entity, std::uint32_t bucket);
  void count_client(std::uint32_t client, Outcome outcome, TimeNs latency_ns);
  void count_service(std::uint32_t service, Outcome outcome, TimeNs latency_ns);
  std::uint32_t bucket_of(TimeNs t) const;

  // Pools: taking and giving back a slot are inline (a few of each per request); a pool with no
  // free slot grows out of line.
  std::uint32_t alloc_call();
  void free_call(std::uint32_t call);
  std::uint32_t alloc_work();
  void free_work(std::uint32_t work);
  std::uint32_t new_call_slot();
  std::uint32_t new_work_slot();

  void on_breaker_transition(std::uint32_t breaker_id, TimeNs at, BreakerState from, BreakerState to) override;
  void count_site_attempt_end(const CallRecord& record, Outcome outcome);
  void hash_event(const Event& event);

  ModelConfig config_;
  EngineLimits limits_;
  FaultDriver* fault_driver_ = nullptr;
  EventQueue queue_;
  TimeNs now_ = 0;
  bool finished_ = false;
  bool closed_ = false;
  bool check_invariants_ = false;
  std::uint32_t next_token_ = 1;

  std::vector<ServiceRuntime> services_;
  std::vector<OperationRuntime> operations_;
  std::vector<StepRuntime> steps_;
  std::vector<InstanceRuntime> instances_;
  std::vector<SiteRuntime> sites_;
  std::vector<ClientRuntime> clients_;
  std::vector<Breaker> breakers_;
  std::vector<BreakerInfo> breaker_info_;
  std::vector<BulkheadState> bulkheads_;  // per caller and callee service with a bulkhead: one per calling instance, or one
  std::vector<RegistryEntry> registry_;
  std::vector<CallerView> views_;               // per site: one per calling instance, or one shared
  std::vector<std::uint32_t> view_members_;     // all views' members, each a fixed slice
  std::vector<PeerState> peer_state_;           // per view and callee instance: outstanding, outlier state
  std::vector<CallRecord> calls_;
  std::vector<std::uint32_t> free_calls_;
  std::vector<WorkRecord> works_;
  std::vector<std::uint32_t> free_works_;
  Network network_;
  RegistryRuntime registry_state_;
  Results results_;
  std::uint32_t current_bucket_ = 0;
  std::size_t max_spans_ = 0;
  TimeNs span_from_ns_ = 0;
  TimeNs span_to_ns_ = 0;
  Event last_event_{};
  std::unique_ptr<ProcessRunner> processes_;
  // The attempt whose result a breaker is being told of, so a transition can name its cause.
  struct BreakerReport {
    bool active = false;
    std::uint32_t instance = kNone;
    Outcome outcome = Outcome::ok;
    BreakerCounts counts_before;
  } breaker_report_;
};

// Once per request arriving at an instance (sim/metrics.cpp has the rest of the counting).
inline void Engine::count_service_arrival(std::uint32_t service) {
  EntityResults& entity = results_.services[service];
  ++entity.totals.requests;
  ++entity.series[current_bucket_].counts.requests;
}

inline std::uint32_t Engine::alloc_call() {
  if (free_calls_.empty()) return new_call_slot();
  const std::uint32_t index = free_calls_.back();
  free_calls_.pop_back();
  FAULTLINE_ASSERT(calls_[index].state == CallState::free);  // pool consistency
  return index;
}

inline void Engine::free_call(std::uint32_t call) {
  FAULTLINE_ASSERT(calls_[call].state != CallState::free);  // freed once
  calls_[call].state = CallState::free;
  calls_[call].token = next_token_++;
  free_calls_.push_back(call);
}

inline std::uint32_t Engine::alloc_work() {
  if (free_works_.empty()) return new_work_slot();
  const std::uint32_t index = free_works_.back();
  free_works_.pop_back();
  FAULTLINE_ASSERT(works_[index].state == WorkState::free);
  return index;
}

inline void Engine::free_work(std::uint32_t work) {
  FAULTLINE_ASSERT(works_[work].state != WorkState::free);
  works_[work].state = WorkState::free;
  works_[work].token = next_token_++;
  free_works_.push_back(work);
}

}  // namespace faultline::sim
