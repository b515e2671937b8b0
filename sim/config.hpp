// The model a simulation runs: topology, network, discovery, services, clients. Loaded from a
// scenario file by the harness; every field here is reachable from the file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace faultline::sim {

// Outcomes of a call attempt, as a bit mask for retry policies.
enum class Outcome : std::uint8_t {
  ok = 0,
  error = 1,        // the callee answered with an error (5xx-like)
  timeout = 2,      // the caller stopped waiting (per-attempt timeout)
  rejected = 3,     // the callee's queue was full, or a breaker failed fast
  unavailable = 4,  // the caller knew no instance to send to
  cancelled = 5,    // the caller gave this attempt up: its own request was cancelled, or a hedge won
  rate_limited = 6, // a rate limit refused it: the callee's (429) or the caller's own token bucket
  bulkhead_full = 7,  // the caller's own bulkhead had no free permit (at once, or after its wait)
  degraded = 8,       // a success with a fallback answer (the call's own or a callee's): counted in ok too
  // Nothing listened on the instance (crashed, stopped, draining): the connection was refused at
  // once, before the request reached a server, so it was never processed. Counted as an error
  // everywhere; a policy naming "error" covers it too (as Envoy's retry_on 5xx covers
  // connect-failure), and a policy naming "connection_refused" covers only it.
  connection_refused = 9,
};
inline constexpr std::uint32_t outcome_bit(Outcome o) { return 1u << static_cast<unsigned>(o); }
// ok and degraded are successes: nothing retries them, and no breaker counts them as failures.
inline constexpr bool succeeded(Outcome o) { return o == Outcome::ok || o == Outcome::degraded; }
// The outcomes a policy may name (retry_on, breaker.failures, hedging.non_fatal, fallback.on).
inline constexpr Outcome kNamedOutcomes[] = {Outcome::ok,           Outcome::error,         Outcome::timeout,
                                             Outcome::rejected,     Outcome::unavailable,   Outcome::cancelled,
                                             Outcome::rate_limited, Outcome::bulkhead_full, Outcome::connection_refused};
// "error" in a policy: error answers and refused connections.
inline constexpr std::uint32_t kErrorBits = outcome_bit(Outcome::error) | outcome_bit(Outcome::connection_refused);
// An outcome as the counters see it: a refused connection is an error.
inline constexpr Outcome counted_as(Outcome o) { return o == Outcome::connection_refused ? Outcome::error : o; }
inline constexpr std::uint32_t kRetryOnDefault =
    kErrorBits | outcome_bit(Outcome::timeout) | outcome_bit(Outcome::unavailable);
// What a breaker counts as a failure unless told otherwise (gobreaker's IsSuccessful): every
// outcome but ok, and but cancelled (the caller gave that attempt up itself).
inline constexpr std::uint32_t kBreakerFailuresDefault =
    kErrorBits | outcome_bit(Outcome::timeout) | outcome_bit(Outcome::rejected) |
    outcome_bit(Outcome::unavailable) | outcome_bit(Outcome::rate_limited) | outcome_bit(Outcome::bulkhead_full);
const char* outcome_name(Outcome o);

enum class Jitter : std::uint8_t { none, full, equal };

// A retry budget as Finagle's RetryBudget (sim/retry.hpp keeps its state): about `ratio` of
// the requests of the last 10 s (Finagle's default ttl) may be retried, on top of a constant
// reserve of `min_retries_per_s * 10` retries. Finagle's percentCanRetry and minRetriesPerSec.
struct RetryBudget {
  bool enabled = false;
  double ratio = 0.2;
  double min_retries_per_s = 10.0;
};

struct RetryPolicy {
  std::uint32_t max_attempts = 1;  // 1 means no retry
  TimeNs backoff_base_ns = 0;      // delay before the first retry, doubled each time
  TimeNs backoff_max_ns = 0;       // cap on the delay (0: no cap)
  double backoff_multiplier = 2.0;
  Jitter jitter = Jitter::none;
  std::uint32_t retry_on_mask = kRetryOnDefault;
  RetryBudget budget;
  // After a 429 from a callee with a rate limit, wait at least its Retry-After before retrying.
  bool honour_retry_after = false;
};

enum class TripRule : std::uint8_t { consecutive_failures, failure_ratio };
enum class BreakerScope : std::uint8_t { per_caller_instance, per_caller_service };

// A circuit breaker with gobreaker's semantics (see sim/breaker.hpp).
struct BreakerPolicy {
  bool enabled = false;
  std::uint32_t max_requests = 1;  // allowed through while half-open; 0 means 1, as in gobreaker
  TimeNs interval_ns = 0;          // cyclic period clearing counts while closed; 0 never clears
  TimeNs timeout_ns = 60 * kSecond;  // open -> half-open; 0 means 60s, as in gobreaker
  TripRule trip = TripRule::consecutive_failures;
  std::uint32_t consecutive_failures = 5;  // trips when consecutive failures exceed this (gobreaker: > 5)
  double failure_ratio = 0.5;              // trips when failures/requests >= ratio ...
  std::uint32_t min_requests = 10;         // ... and requests >= min_requests
  BreakerScope scope = BreakerScope::per_caller_instance;
  std::uint32_t failure_mask = kBreakerFailuresDefault;  // outcomes counted as failures; others as successes
};

// Hedged requests (gRPC's hedgingPolicy, Envoy's hedge_policy): the first attempt, then another
// every `delay_ns` while none has answered, up to `max_attempts` in flight in total; a failed
// attempt whose outcome is non-fatal sends the next one at once. The first ok answer wins and
// the others are cancelled; a fatal outcome ends the call with it.
struct HedgingPolicy {
  bool enabled = false;
  std::uint32_t max_attempts = 2;
  TimeNs delay_ns = 0;
  std::uint32_t non_fatal_mask = kErrorBits | outcome_bit(Outcome::rejected) |
                                 outcome_bit(Outcome::unavailable) | outcome_bit(Outcome::timeout);
};

// A token bucket as golang.org/x/time/rate's Limiter: `rate_per_s` tokens a second, at most
// `burst` held (it starts full). With Allow() (`wait` false) a request finding no token is
// refused at once. With Wait(ctx) (`wait` true, callers only) it reserves the next token and
// waits for it, unless that wait would pass its deadline: then it is refused at once and takes
// nothing, as Wait's "would exceed context deadline".
struct RateLimit {
  bool enabled = false;
  double rate_per_s = 0;
  std::uint32_t burst = 1;
  bool wait = false;          // callers only: Wait (reserve and wait) instead of Allow
  TimeNs retry_after_ns = 0;  // servers only: the Retry-After their 429 answers carry
};

// A bulkhead as resilience4j's (semaphore) Bulkhead or Hystrix's semaphore isolation: at most
// `max_concurrent` attempts in flight from one calling instance (or one scope) towards one callee
// service, shared by all its calls to that service. An attempt finding every permit taken waits
// up to `max_wait_ns` in arrival order (a fair semaphore), or is refused at once when that is 0
// (outcome bulkhead_full). An attempt holds its permit from when it is sent until it ends.
struct Bulkhead {
  bool enabled = false;
  std::uint32_t max_concurrent = 25;  // resilience4j's maxConcurrentCalls default
  TimeNs max_wait_ns = 0;             // resilience4j's maxWaitDuration default
};

// A fallback (resilience4j's fallbackMethod, Hystrix's getFallback): a call that ends with one of
// `on_mask`'s outcomes (after its retries or hedges) answers instead with a cached or static
// value after `latency`; the call then succeeds, degraded.
inline constexpr std::uint32_t kFallbackOnDefault =
    kErrorBits | outcome_bit(Outcome::timeout) | outcome_bit(Outcome::rejected) |
    outcome_bit(Outcome::unavailable) | outcome_bit(Outcome::rate_limited) | outcome_bit(Outcome::bulkhead_full);
struct Fallback {
  bool enabled = false;
  std::uint32_t on_mask = kFallbackOnDefault;
  Distribution latency = ConstantDist{0};
};

enum class LoadBalancer : std::uint8_t { round_robin, random, least_outstanding, power_of_two, zone_aware };
const char* load_balancer_name(LoadBalancer lb);

// Passive outlier detection as Envoy does it: eject an instance after `consecutive_errors`
// consecutive errors seen by this caller, for base_ejection * (times ejected) time, never
// ejecting more than max_ejection_ratio of the instances.
struct OutlierDetection {
  bool enabled = false;
  std::uint32_t consecutive_errors = 5;
  TimeNs base_ejection_ns = 30 * kSecond;
  double max_ejection_ratio = 0.1;
};

// Who owns a call's client-side state (balancer position and counts, discovery view and its
// refresh phase, outlier detection): each calling instance, as processes do (the default), or
// one copy shared by the whole calling service, as a sidecar or proxy shared by a host would.
enum class ClientStateScope : std::uint8_t { per_caller_instance, per_caller_service };

// How a caller talks to one callee: timeout, retries, breaker, balancing, outlier detection.
struct CallPolicy {
  TimeNs timeout_ns = 0;  // per attempt; 0 means wait forever
  RetryPolicy retry;
  BreakerPolicy breaker;
  LoadBalancer load_balancer = LoadBalancer::round_robin;
  // zone_aware: stay in the caller's zone while at least this share of the local instances in
  // the caller's view are usable (not ejected); otherwise spill over to every zone.
  double zone_aware_min_local_ratio = 0.7;
  OutlierDetection outlier;
  ClientStateScope scope = ClientStateScope::per_caller_instance;
  // Go's context: each attempt's timeout is the smaller of `timeout_ns` and what remains of the
  // deadline of the request the caller is serving (a call from a client has none to inherit).
  bool deadline_propagation = false;
  HedgingPolicy hedging;
  RateLimit rate_limit;  // the caller's own limiter, per calling instance (or per scope)
  Bulkhead bulkhead;
  Fallback fallback;
  // Some outcome list of this call names connection_refused: its call site then reports the
  // refused connections among its errors.
  bool names_connection_refused = false;
};

struct CallStep {
  std::uint32_t service = 0;    // index into ModelConfig::services
  std::uint32_t operation = 0;  // index into that service's operations
  double probability = 1.0;     // the call is made with this probability
  bool required = true;         // a failed required call fails the caller's operation
  CallPolicy policy;
};

// One step of an operation: a single call, or several made in parallel (fan-out); the step
// completes when all of its calls have completed.
struct Step {
  std::vector<CallStep> calls;
};

struct Operation {
  std::string name;
  Distribution service_time = ConstantDist{0};
  std::vector<Step> steps;  // run after the service time, in order, holding the worker
};

// An adaptive concurrency limit per instance with the AIMD rule of Netflix's concurrency-limits
// (AIMDLimit, defaults included): a request beyond the limit of requests in flight (queued or in
// service) is refused at once; each request that leaves updates the limit: a drop (an error,
// a shed or expired request) or a latency above `timeout_ns` multiplies it by `backoff_ratio`
// (rounded down), a success while at least half the limit was in flight adds 1; it stays within
// [min_limit, max_limit].
struct AdaptiveConcurrency {
  bool enabled = false;
  std::uint32_t initial_limit = 20;
  std::uint32_t min_limit = 20;
  std::uint32_t max_limit = 200;
  double backoff_ratio = 0.9;
  TimeNs timeout_ns = 5 * kSecond;
};

struct InstanceGroup {
  std::uint32_t zone = 0;
  std::uint32_t count = 0;
};

struct ServiceConfig {
  std::string name;
  std::vector<InstanceGroup> placement;
  std::uint32_t workers = 1;                // concurrency per instance
  std::uint32_t queue_capacity = 1000;      // FIFO per instance; a full queue rejects
  // A worker drops, without serving it, work whose deadline (the instant its caller stops
  // waiting, carried with the request as gRPC's grpc-timeout is) passed while it was queued.
  bool drop_expired = false;
  // The server stops work whose caller gave up (Go's ctx.Done()): queued work is dropped, work
  // in service stops before its downstream steps, and its outstanding downstream calls are
  // cancelled in turn.
  bool honours_cancellation = false;
  RateLimit rate_limit;  // per instance: requests beyond it are answered 429 at once
  // Load shedding, all off by default. queue_timeout_ns > 0: a worker refuses (answers 503 at
  // once, outcome rejected) work that waited longer than this instead of serving it.
  TimeNs queue_timeout_ns = 0;
  // Adaptive LIFO: while more than this many requests wait, a free worker takes the newest.
  std::uint32_t lifo_above = 0xffff'ffffu;  // 0xffffffff: always first in, first out
  AdaptiveConcurrency adaptive;
  std::vector<Operation> operations;        // at least one
};

struct NetworkConfig {
  Distribution same_zone_latency = ConstantDist{0};
  Distribution cross_zone_latency = ConstantDist{0};
  struct LinkOverride {
    std::uint32_t from_zone = 0;
    std::uint32_t to_zone = 0;
    Distribution latency;
  };
  std::vector<LinkOverride> links;  // latency for specific zone pairs (one direction)
};

struct DiscoveryConfig {
  bool health_checks = true;
  TimeNs health_check_interval_ns = 5 * kSecond;
  TimeNs health_check_timeout_ns = 1 * kSecond;
  std::uint32_t unhealthy_threshold = 2;
  std::uint32_t healthy_threshold = 2;
  TimeNs deregister_after_ns = 60 * kSecond;  // critical this long: removed from the registry
  TimeNs refresh_interval_ns = 10 * kSecond;  // how often callers refresh their cached view
  TimeNs propagation_delay_ns = 0;            // registry change -> visible to a refresh
};

enum class ArrivalProcess : std::uint8_t { poisson, constant };

// A rate schedule: piecewise linear in time. Between two points the rate ramps linearly when
// the later point has `ramp` set, and holds the earlier point's rate otherwise (a step).
struct RatePoint {
  TimeNs at_ns = 0;
  double rate_per_s = 0;
  bool ramp = false;
};

struct SessionStep {
  std::uint32_t operation = 0;
  Distribution think_time = ConstantDist{0};  // after this step's request completes
};

struct ClientConfig {
  std::string name;
  std::uint32_t zone = 0;
  std::uint32_t service = 0;
  std::uint32_t operation = 0;
  bool closed_loop = false;
  // Open loop.
  ArrivalProcess arrivals = ArrivalProcess::poisson;
  std::vector<RatePoint> schedule;  // at least one point; first at 0
  // Closed loop: `users` sequential users, each running `session` over and over.
  std::uint32_t users = 0;
  std::vector<SessionStep> session;
  TimeNs start_ns = 0;
  TimeNs stop_ns = kNever;  // no new requests from then on
  CallPolicy policy;
};

struct ModelConfig {
  std::uint64_t seed = 1;
  TimeNs duration_ns = 60 * kSecond;
  TimeNs bucket_ns = 1 * kSecond;  // width of time-series buckets
  TimeNs requested_bucket_ns = 0;  // the scenario's width when bucket_ns was widened to fit the cap (0: not)
  std::vector<std::string> zones;
  NetworkConfig network;
  DiscoveryConfig discovery;
  std::vector<ServiceConfig> services;
  std::vector<ClientConfig> clients;
};

}  // namespace faultline::sim
