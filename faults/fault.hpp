// The fault catalogue: what a scenario's `faults` array can ask for. Each kind's options are
// documented here, where they are declared, with units in their names.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace faultline::faults {

using sim::TimeNs;

enum class FaultKind : std::uint8_t {
  // Process
  crash,         // instance stops, loses its queue and in-flight work; optional restart
  shutdown,      // graceful: deregisters, stops taking new work, drains, stops
  hang,          // accepts requests, never answers them
  pause,         // stop-the-world for the fault's duration (GC-like), then resumes
  // Capacity
  slowdown,      // service time multiplied by `factor`
  worker_loss,   // concurrency reduced to `workers`
  queue_shrink,  // queue capacity reduced to `queue_capacity`
  // Errors
  error_ratio,       // a share of requests fail (after service time, or at once if fail_fast)
  operation_errors,  // as error_ratio, but only for one operation of the service
  // Network
  latency,      // added delay (with jitter) on a link or towards a service
  packet_loss,  // a share of messages lost: each loss costs a retransmission delay
  blackhole,    // every message to the target is dropped
  partition,    // zones cannot reach each other (one way or both)
  bandwidth,    // messages to the target queue behind a link of limited message rate
  // Zone
  zone_down,  // every instance in the zone crashes and goes silent (requests lost); restarts at the end
  // Discovery
  registry_outage,        // no registry updates reach callers; they keep their stale view
  registry_delay,         // registry changes take `delay_ns` longer to propagate
  flapping_health_check,  // health checks of the target fail every other `period_ns`
  stale_entries,          // the registry keeps dead target instances listed as healthy
  // Random chaos
  chaos_monkey,  // every interval_ns, with `probability`, crash a random instance
};
const char* fault_kind_name(FaultKind kind);

// What a fault applies to. Unset fields do not narrow the selection.
struct Target {
  std::optional<std::uint32_t> service;      // index of the service
  std::vector<std::uint32_t> instances;      // instance indices within the service (empty: all)
  std::optional<std::uint32_t> zone;         // only instances (or links) in this zone
  double fraction = 1.0;                     // share of the selected instances, chosen by seed
  std::optional<std::uint32_t> client;       // a client (for latency/loss on its requests)
  std::optional<std::uint32_t> operation;    // operation_errors: which operation
  std::optional<std::uint32_t> from_zone;    // a link: from_zone -> to_zone
  std::optional<std::uint32_t> to_zone;
  bool both_directions = true;               // partition and link faults: both ways
};

struct FaultSpec {
  std::string name;
  FaultKind kind = FaultKind::crash;
  Target target;
  TimeNs at_ns = 0;
  TimeNs duration_ns = sim::kNever;  // reverted after this long; kNever: never reverted

  // crash, zone_down, chaos_monkey: restart this long after the crash (kNever: stay down),
  // then serve `warmup_factor` times slower for `warmup_ns`.
  TimeNs restart_after_ns = sim::kNever;
  TimeNs warmup_ns = 0;
  double warmup_factor = 1.0;
  // slowdown: service time multiplier (2.0 = twice as slow).
  double factor = 2.0;
  // worker_loss / queue_shrink: the reduced size.
  std::uint32_t workers = 1;
  std::uint32_t queue_capacity = 0;
  // error_ratio, operation_errors, packet_loss: share of affected requests or messages.
  double ratio = 1.0;
  // error_ratio, operation_errors: fail at once instead of after the service time.
  bool fail_fast = true;
  // latency: the added delay per message; ramp_ns grows it linearly from 0 over that window.
  sim::Distribution delay = sim::ConstantDist{0};
  TimeNs ramp_ns = 0;
  // packet_loss: delay of one retransmission (TCP's minimum RTO is 200ms).
  TimeNs retransmit_ns = 200 * sim::kMillisecond;
  std::uint32_t max_retransmits = 3;  // after this many losses in a row the message is lost
  // bandwidth: messages per second the link carries; excess queues (delays).
  double messages_per_s = 1000.0;
  // registry_delay: extra propagation delay.
  TimeNs delay_ns = 0;
  // flapping_health_check: health checks alternate pass/fail every period.
  TimeNs period_ns = 10 * sim::kSecond;
  // chaos_monkey: every interval, with probability, crash one random instance of the
  // target services, never more than max_down_per_service at once.
  TimeNs interval_ns = 60 * sim::kSecond;
  double probability = 0.5;
  std::uint32_t max_down_per_service = 1;
};

}  // namespace faultline::faults
