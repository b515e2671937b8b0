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
  crash,         // the process dies: queue and in-flight work lost (callers get a connection
                 // reset), new connections refused; restarts `restart_after` later if set
  shutdown,      // graceful: deregisters, serves on for `period_ns` (the drain wait), then
                 // refuses new work, finishes what it holds and stops; restarts at the end
  hang,          // accepts requests and never answers them; workers busy at the start stay stuck
  pause,         // stop-the-world (GC-like) for the fault's duration: work waits, then resumes
  // Capacity
  slowdown,      // service time multiplied by `factor` (CPU starvation)
  worker_loss,   // concurrency reduced to `workers` per instance
  queue_shrink,  // queue capacity reduced to `queue_capacity` per instance
  // Errors
  error_ratio,       // a share `ratio` of requests fail (at once if fail_fast, else after service)
  operation_errors,  // as error_ratio, but only for one operation of the service
  // Network
  latency,      // added delay (a distribution, optionally ramping up) on requests or a link
  packet_loss,  // a share of messages lost: each loss costs a retransmission, too many: gone
  blackhole,    // every message to the target is dropped (callers time out)
  partition,    // the link between two zones is cut (one way or both)
  bandwidth,    // messages queue behind a hop that carries `messages_per_s`
  // Zone
  zone_down,  // every instance in the zone goes silent and loses its work; back at the end
  // Discovery
  registry_outage,        // no registry updates reach callers; they keep their stale view
  registry_delay,         // registry changes take `delay_ns` longer to reach callers
  flapping_health_check,  // the target's health checks fail for `period_ns`, pass for `period_ns`, ...
  stale_entries,          // the registry keeps listing the target instances as healthy, dead or not
  // Random chaos
  chaos_monkey,  // every interval_ns, with `probability`, crash one random up instance
};
const char* fault_kind_name(FaultKind kind);

// What a fault applies to. Unset fields do not narrow the selection. Instance faults select
// the service's instances (narrowed by zone and indices, then a seeded `fraction` of them);
// network faults act on exactly one of: a client's requests (`client`), a link between zones
// (`from_zone` -> `to_zone`), or the requests towards a service's instances (`service`).
struct Target {
  std::optional<std::uint32_t> service;      // index of the service
  std::vector<std::uint32_t> instances;      // instance indices within the service (empty: all)
  std::optional<std::uint32_t> zone;         // only instances in this zone (zone_down: the zone)
  double fraction = 1.0;                     // share of the selected instances, chosen by seed
  std::optional<std::uint32_t> client;       // network faults: this client's requests
  std::optional<std::uint32_t> operation;    // operation_errors: which operation
  std::optional<std::uint32_t> from_zone;    // a link: from_zone -> to_zone
  std::optional<std::uint32_t> to_zone;
  bool both_directions = true;               // link faults: also to_zone -> from_zone
};

// One fault of a scenario. Every fault starts `at_ns` after the run starts and is reverted
// `duration_ns` later (kNever: never). Options that do not apply to the kind are ignored here
// (the loader rejects them in files). Two faults of the same kind on the same target do not
// stack: the later one overwrites, and the first to end clears it.
struct FaultSpec {
  std::string name;
  FaultKind kind = FaultKind::crash;
  Target target;
  TimeNs at_ns = 0;
  TimeNs duration_ns = sim::kNever;  // reverted after this long; kNever: never reverted

  // crash, chaos_monkey: restart this long after the crash (kNever: stay down). zone_down:
  // instances boot this long after the zone comes back (kNever: at once). After a restart
  // (shutdown's too) the instance serves `warmup_factor` times slower for `warmup_ns`.
  TimeNs restart_after_ns = sim::kNever;
  TimeNs warmup_ns = 0;
  double warmup_factor = 1.0;
  // slowdown: service time multiplier (2.0 = twice as slow).
  double factor = 2.0;
  // worker_loss / queue_shrink: the reduced size per instance.
  std::uint32_t workers = 1;
  std::uint32_t queue_capacity = 0;
  // error_ratio, operation_errors: share of requests answered with an error; packet_loss:
  // probability that one transmission of a message is lost.
  double ratio = 1.0;
  // error_ratio, operation_errors: fail on arrival, without using a worker (Envoy's abort)
  // rather than after the service time.
  bool fail_fast = true;
  // latency: the added delay per message, sampled per message (a distribution gives jitter);
  // ramp_ns grows it linearly from 0 to full size over that long from the fault's start.
  sim::Distribution delay = sim::ConstantDist{0};
  TimeNs ramp_ns = 0;
  // packet_loss: the first retransmission timeout (doubling after each further loss; TCP's
  // minimum RTO is 200ms), and how many losses in a row a message survives before it is gone.
  TimeNs retransmit_ns = 200 * sim::kMillisecond;
  std::uint32_t max_retransmits = 3;
  // bandwidth: messages per second the hop carries; the excess queues (is delayed).
  double messages_per_s = 1000.0;
  // registry_delay: extra propagation delay of registry changes.
  TimeNs delay_ns = 0;
  // flapping_health_check: length of each failing and each passing phase. shutdown: the drain
  // wait, how long the instance keeps serving after deregistering.
  TimeNs period_ns = 10 * sim::kSecond;
  // chaos_monkey: every interval, with probability, crash one random up instance of the target
  // (a service, a zone, or everything), never leaving more than max_down_per_service instances
  // of a service down at once.
  TimeNs interval_ns = 60 * sim::kSecond;
  double probability = 0.5;
  std::uint32_t max_down_per_service = 1;
};

}  // namespace faultline::faults
