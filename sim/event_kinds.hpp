// The kinds of events the engine schedules (internal to sim/).
#pragma once
#include <cstdint>

namespace faultline::sim {

enum EventKind : std::uint8_t {
  kClientArrival,    // a: client
  kAttemptArrive,    // a: work, b: work token
  kServiceDone,      // a: work, b: work token
  kReplyArrive,      // a: work, b: work token
  kAttemptTimeout,   // a: call, b: call token
  kRetry,            // a: call, b: call token
  kHealthCheck,      // a: service
  kViewRefresh,      // a: caller view
  kRegistryPublish,  // a: instance, b: RegistryChange
  kBucketTick,       // a: bucket index that starts now
  kProcessResume,    // a: process (never stale: a process waits for one resume at a time)
  kFault,            // a: fault, b: phase
  kEjectionEnd,      // a: caller view, b: callee instance slot
  kWorkResume,       // a: work, b: work token (a paused instance resumes queued work)
  kCancelArrive,     // a: work, b: work token (a caller's cancellation reaches the callee)
  kHedge,            // a: call, b: call token (a hedged call sends its next attempt)
  kBulkheadTimeout,  // a: call, b: call token (an attempt waited for a bulkhead permit in vain)
  kBulkheadGrant,    // a: call, b: call token (an attempt was given a freed bulkhead permit)
  kFallbackDone,     // a: call, b: call token (a failed call's fallback answers)
  kRateWaitDone,     // a: call, b: call token (an attempt's reserved rate-limit token is there)
};

}  // namespace faultline::sim
