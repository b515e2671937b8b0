// A scenario's fault: when it starts and ends, what it targets, and its kind's options. Each
// kind is a unit in faults/kinds/<kind>.cpp (see faults/kind.hpp and the registry); its
// options struct is declared here, documented where it is declared, units in the names.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/runtime.hpp"
#include "sim/time.hpp"

namespace faultline::faults {

using sim::TimeNs;

// The kinds, in registry order (faults/registry.cpp lists one unit per entry, same order).
enum class FaultKind : std::uint8_t {
  crash, shutdown, hang, pause,                     // process
  slowdown, worker_loss, queue_shrink,              // capacity
  error_ratio, operation_errors,                    // errors
  latency, packet_loss, blackhole, partition, bandwidth,  // network
  zone_down,                                        // zone
  registry_outage, registry_delay, flapping_health_check, stale_entries,  // discovery
  chaos_monkey,                                     // random chaos
};
inline constexpr std::size_t kFaultKindCount = 20;
// The kind's name as files spell it ("crash", "error_ratio", ...).
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

// ---- options, one struct per kind (shared pieces as bases) ----

// After a restart the instance serves `warmup_factor` times slower for `warmup_ns`.
struct Warmup {
  TimeNs warmup_ns = 0;
  double warmup_factor = 1.0;
};
// Restart this long after the crash (kNever: stay down); zone_down: instances boot this long
// after the zone comes back (kNever: at once).
struct Restart : Warmup {
  TimeNs restart_after_ns = sim::kNever;
};
struct CrashOptions : Restart {};  // the process dies: work lost, connections reset
// Graceful: deregisters, serves on for `period_ns` (the drain wait), then refuses new work,
// finishes what it holds and stops; restarts at the end.
struct ShutdownOptions : Warmup {
  TimeNs period_ns = 10 * sim::kSecond;
};
struct HangOptions {};   // accepts requests and never answers; busy workers stay stuck
struct PauseOptions {};  // stop-the-world for the fault's duration: work waits, then resumes
struct SlowdownOptions {
  double factor = 2.0;  // service time multiplier (2.0 = twice as slow)
};
struct WorkerLossOptions {
  std::uint32_t workers = 1;  // concurrency per instance while it lasts
};
struct QueueShrinkOptions {
  std::uint32_t queue_capacity = 0;  // queue capacity per instance while it lasts
};
// A share `ratio` of requests fail: on arrival without using a worker when `fail_fast`
// (Envoy's abort), else after the service time.
struct ErrorRatioOptions {
  double ratio = 1.0;
  bool fail_fast = true;
};
struct OperationErrorsOptions : ErrorRatioOptions {};  // as error_ratio, one operation only
// Added delay per message, sampled per message (a distribution gives jitter); `ramp_ns` grows
// it linearly from 0 to full size over that long from the fault's start.
struct LatencyOptions {
  sim::Distribution delay = sim::ConstantDist{0};
  TimeNs ramp_ns = 0;
};
// Each transmission of a message is lost with probability `ratio`; the first retransmission
// waits `retransmit_ns` (doubling after each further loss), and a message survives
// `max_retransmits` losses in a row.
struct PacketLossOptions {
  double ratio = 1.0;
  TimeNs retransmit_ns = sim::kDefaultRetransmitNs;
  std::uint32_t max_retransmits = sim::kDefaultMaxRetransmits;
};
struct BlackholeOptions {};  // every message to the target is dropped
struct PartitionOptions {};  // the link between two zones is cut (one way or both)
struct BandwidthOptions {
  double messages_per_s = 1000.0;  // the hop carries this many; the excess queues
};
struct ZoneDownOptions : Restart {};  // every instance in the zone goes silent and loses its work
struct RegistryOutageOptions {};      // no registry updates reach callers
struct RegistryDelayOptions {
  TimeNs delay_ns = 0;  // extra propagation delay of registry changes
};
// The target's health checks fail for `period_ns`, pass for `period_ns`, and so on.
struct FlappingHealthCheckOptions {
  TimeNs period_ns = 10 * sim::kSecond;
};
struct StaleEntriesOptions {};  // the registry keeps listing the targets as healthy
// Every `interval_ns`, with `probability`, crash one random up instance of the target (a
// service, a zone, or everything), never leaving more than `max_down_per_service` instances of
// a service down at once.
struct ChaosMonkeyOptions : Restart {
  TimeNs interval_ns = 60 * sim::kSecond;
  double probability = 0.5;
  std::uint32_t max_down_per_service = 1;
};

// One alternative per kind, in FaultKind's order (checked by a static_assert in registry.cpp).
using FaultOptions =
    std::variant<CrashOptions, ShutdownOptions, HangOptions, PauseOptions, SlowdownOptions, WorkerLossOptions,
                 QueueShrinkOptions, ErrorRatioOptions, OperationErrorsOptions, LatencyOptions, PacketLossOptions,
                 BlackholeOptions, PartitionOptions, BandwidthOptions, ZoneDownOptions, RegistryOutageOptions,
                 RegistryDelayOptions, FlappingHealthCheckOptions, StaleEntriesOptions, ChaosMonkeyOptions>;
static_assert(std::variant_size_v<FaultOptions> == kFaultKindCount);

// The options of `kind` at their defaults.
FaultOptions default_options(FaultKind kind);

// One fault of a scenario. Every fault starts `at_ns` after the run starts and is reverted
// `duration_ns` later (kNever: never). Two faults of the same kind on the same target do not
// stack: the later one overwrites, and the first to end clears it.
struct FaultSpec {
  std::string name;
  FaultKind kind = FaultKind::crash;
  Target target;
  TimeNs at_ns = 0;
  TimeNs duration_ns = sim::kNever;  // reverted after this long; kNever: never reverted
  FaultOptions options;              // the alternative of `kind`

  // The kind's options (the alternative must match `kind`; std::get checks it).
  template <typename Options>
  Options& options_as() {
    return std::get<Options>(options);
  }
  template <typename Options>
  const Options& options_as() const {
    return std::get<Options>(options);
  }
};

// A fault of `kind` with its default options.
FaultSpec make_fault_spec(std::string name, FaultKind kind, TimeNs at_ns, TimeNs duration_ns = sim::kNever);

}  // namespace faultline::faults
