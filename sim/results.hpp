// What a run measured: totals, latency histograms, time series and the timeline of notable
// events. The engine fills it; reports and assertions read it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/histogram.hpp"
#include "sim/time.hpp"

namespace faultline::sim {

struct Counters {
  std::uint64_t requests = 0;     // clients: logical requests completed; services: attempts received
  std::uint64_t ok = 0;
  std::uint64_t errors = 0;       // error answers (including refused connections)
  std::uint64_t timeouts = 0;     // gave up waiting
  std::uint64_t rejected = 0;     // queue full or breaker open
  std::uint64_t unavailable = 0;  // no instance known to send to
  std::uint64_t retries = 0;      // retry attempts made
  std::uint64_t degraded = 0;     // of ok: answered with a fallback somewhere on the way

  void add(const Counters& other) {
    requests += other.requests;
    ok += other.ok;
    errors += other.errors;
    timeouts += other.timeouts;
    rejected += other.rejected;
    unavailable += other.unavailable;
    retries += other.retries;
    degraded += other.degraded;
  }
};

// One time-series bucket of one client or service.
struct BucketSample {
  Counters counts;
  TimeNs p50_ns = 0;
  TimeNs p90_ns = 0;
  TimeNs p99_ns = 0;
  TimeNs max_ns = 0;
  std::uint32_t queue_depth = 0;  // services: queued requests over all instances at bucket end
  std::uint32_t in_flight = 0;    // services: queued + in service; clients: outstanding requests
};

struct EntityResults {
  std::string name;
  Counters totals;
  LatencyHistogram latency;         // ok requests: clients end to end, services arrival to reply
  LatencyHistogram bucket_latency;  // the current bucket's latencies (scratch)
  LatencyHistogram queue_wait;      // services: time from arrival to a worker taking the request
  std::vector<BucketSample> series;
  std::uint64_t breaker_opens = 0;  // services: breakers towards this service that opened
  std::uint64_t ejections = 0;      // services: outlier ejections of its instances
  std::uint64_t expired = 0;        // services: work dropped by a worker, its deadline passed
  std::uint64_t cancelled = 0;      // services: work dropped or stopped because its caller gave up
  std::uint64_t rate_limited = 0;   // services: requests answered 429 by its rate limit
  std::uint64_t shed_queue_timeout = 0;  // services: refused by a worker, having waited over queue_timeout
  std::uint64_t shed_concurrency = 0;    // services: refused on arrival by the adaptive concurrency limit
  std::uint32_t limit_lowest = 0;        // services: the adaptive limit's lowest and highest value over
  std::uint32_t limit_highest = 0;       // all instances during the run
};

// One call site's counters, counted on the caller's side: what a person expects on an arrow
// from caller to callee. Attempts are counted once each, by how they ended.
struct CallSiteCounters {
  std::uint64_t attempts = 0;         // every attempt, short-circuited ones included
  std::uint64_t sent = 0;             // attempts that went out to an instance
  std::uint64_t ok = 0;
  std::uint64_t errors = 0;           // error replies and refused or reset connections
  std::uint64_t connection_refused = 0;  // of errors: connections refused (nothing listened)
  std::uint64_t timeouts = 0;
  std::uint64_t shed = 0;             // refused by the callee (queue full)
  std::uint64_t short_circuited = 0;  // refused by the caller's own breaker, never sent
  std::uint64_t unavailable = 0;      // no instance in the caller's view
  std::uint64_t retries = 0;
  std::uint64_t breaker_opens = 0;    // this caller's breakers towards this callee
  std::uint64_t cancelled = 0;          // given up because the caller's own request was cancelled
  std::uint64_t deadline_exceeded = 0;  // not sent: the propagated deadline had passed (in timeouts)
  std::uint64_t hedged = 0;             // attempts sent by hedging, beyond each call's first
  std::uint64_t rate_limited = 0;       // answered 429 by the callee's rate limit
  std::uint64_t throttled = 0;          // refused by the caller's own token bucket, never sent
  std::uint64_t rate_waited = 0;        // attempts that waited for a token of the caller's own bucket (wait: true)
  std::uint64_t bulkhead_full = 0;      // refused by the caller's bulkhead (at once or after waiting), never sent
  std::uint64_t bulkhead_waited = 0;    // attempts that waited for a bulkhead permit
  std::uint64_t degraded = 0;           // of ok: answers the callee gave with a fallback further down
  std::uint64_t fallbacks = 0;          // calls that failed and answered with this call's fallback
};

enum class TimelineKind : std::uint8_t {
  fault_start,     // subject: fault
  fault_end,       // subject: fault
  breaker,         // subject: breaker, detail: from state, extra: to state
  instance_state,  // subject: instance, detail: InstanceStatus
  registry,        // subject: instance, detail: RegistryChange
  ejection,        // subject: site, detail: instance, extra: caller instance (kNone: shared)
  ejection_end,    // subject: site, detail: instance, extra: caller instance (kNone: shared)
};

enum class RegistryChange : std::uint8_t { registered, healthy, critical, deregistered };
const char* registry_change_name(RegistryChange change);

// Why a breaker changed state.
enum class BreakerCause : std::uint8_t {
  none,
  tripped,       // closed -> open: the failures that met the trip rule (count, last attempt)
  probe,         // half-open -> open or closed: a probe's target instance and outcome
  timeout,       // open -> half-open: the open timeout ran out
};

struct TimelineEntry {
  TimeNs at = 0;
  TimelineKind kind = TimelineKind::fault_start;
  std::uint32_t subject = 0;
  std::uint32_t detail = 0;
  std::uint32_t extra = 0;
  // Breaker transitions only: the cause, the last attempt's callee instance and outcome, and
  // for a trip the consecutive failures (or failures and requests for a ratio rule).
  BreakerCause cause = BreakerCause::none;
  std::uint8_t cause_outcome = 0;         // sim::Outcome
  std::uint32_t cause_instance = 0xffff'ffffu;
  std::uint32_t cause_failures = 0;
  std::uint32_t cause_requests = 0;
};

// One request as an instance served it, for the trace output (recorded only when asked for).
struct SpanRecord {
  TimeNs begin_ns = 0;  // arrival at the instance
  TimeNs end_ns = 0;    // reply sent
  std::uint32_t instance = 0;
  std::uint32_t operation = 0;  // global operation index
  std::uint8_t outcome = 0;     // sim::Outcome
};

// Attempts that callers still addressed to instances one fault had crashed, while they were
// down (their discovery views were stale): for the no_traffic_to_crashed assertion.
struct CrashTraffic {
  std::uint64_t attempts = 0;
  TimeNs max_lag_ns = -1;                   // longest time after its crash an instance still got one
  std::uint32_t instance = 0xffff'ffffu;    // the instance that got it
};

// no_progress: closed-loop users whose every cycle (request, answer, think) takes no simulated
// time, so the run could never advance; Results::stalled_client names their client.
enum class StopReason : std::uint8_t { finished, event_limit, in_flight_limit, stopped, no_progress };

struct Results {
  std::vector<EntityResults> clients;
  std::vector<EntityResults> services;
  std::vector<CallSiteCounters> sites;  // by call site (Engine::sites())
  std::vector<TimelineEntry> timeline;
  std::uint64_t timeline_dropped = 0;  // entries beyond the timeline limit
  std::uint64_t trace_hash = 0;
  std::uint64_t events = 0;            // events processed
  std::uint64_t stale_timers = 0;      // timeout events that found their attempt already answered
  std::vector<CrashTraffic> crash_traffic;  // by fault index (grown on demand)
  std::vector<SpanRecord> spans;   // empty unless span recording was enabled
  std::uint64_t spans_dropped = 0;
  TimeNs end_ns = 0;
  StopReason stop = StopReason::finished;
  std::uint32_t stalled_client = 0;  // with StopReason::no_progress
};

}  // namespace faultline::sim
