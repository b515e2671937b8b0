// What the GUI shows of one instant of a run: every instance's state, every caller's discovery
// view, every breaker, and the running totals. Captured from a live engine (exact) or kept as a
// checkpoint of a recorded run; panels draw from snapshots and never from the engine itself.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gui/model/topology.hpp"
#include "sim/breaker.hpp"
#include "sim/results.hpp"

namespace faultline::sim {
class Engine;
}

namespace faultline::gui {

// The colour classes of an instance cell, in order of precedence (a crashed instance that is
// also ejected shows as crashed).
enum class VisualState : std::uint8_t { healthy, slow, erroring, undiscovered, ejected, draining, crashed };
inline constexpr std::size_t kVisualStateCount = 7;
const char* visual_state_name(VisualState state);
const char* visual_state_meaning(VisualState state);

// Follows a run's timeline entries in order and keeps what the engine does not expose as state:
// which caller ejected which instance, and which faults are active.
class TimelineTracker {
 public:
  void reset(const Topology& topology);
  void consume(std::span<const sim::TimelineEntry> timeline);
  std::uint32_t ejected_by(std::uint32_t instance) const { return ejected_by_[instance]; }
  bool ejected(std::uint32_t site, std::uint32_t instance) const;
  bool fault_active(std::uint32_t fault) const { return fault_active_[fault] != 0; }
  std::size_t consumed() const { return next_; }
  std::span<const std::pair<std::uint32_t, std::uint32_t>> ejections() const { return ejections_; }

 private:
  std::size_t next_ = 0;
  std::vector<std::uint32_t> ejected_by_;
  std::vector<std::uint8_t> fault_active_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ejections_;  // (site, instance) now ejected
};

struct InstanceSnapshot {
  sim::InstanceStatus status = sim::InstanceStatus::up;
  VisualState visual = VisualState::healthy;
  std::uint32_t busy = 0;
  std::uint32_t queued = 0;
  std::uint32_t workers = 0;
  std::uint32_t queue_capacity = 0;
  float slowdown = 1.0f;  // instance, service and warm-up multipliers combined
  float error_ratio = 0.0f;
  float loss_ratio = 0.0f;
  bool blackholed = false;
  bool delayed = false;  // a latency or bandwidth fault adds delay to its messages
  bool registered = true;
  bool passing = true;
  bool published_healthy = true;
  bool stale_in_views = false;  // down, yet some caller's view still lists it
  std::uint32_t in_views = 0;   // call sites whose current view lists it
  std::uint32_t ejected_by = 0; // call sites that have it ejected
  std::uint64_t served = 0;
  std::uint64_t crash_count = 0;
};

struct BreakerSnapshot {
  sim::BreakerState state = sim::BreakerState::closed;
  bool expired = false;  // open, and its timeout has passed: half-open at the next request
  sim::BreakerCounts counts;
  TimeNs expiry_ns = sim::kNever;
  std::uint32_t opens = 0;
};

// A call site. Each calling instance keeps its own view by default; the snapshot shows the
// first calling instance's view (the one a shared scope has), and ejections by any caller.
struct SiteSnapshot {
  TimeNs view_refreshed_ns = 0;
  std::vector<std::uint32_t> view;  // callee instances the (first) caller currently knows, in index order
  std::vector<std::uint32_t> ejected_instances;  // callee instances this site's callers have ejected
  std::uint32_t ejected = 0;
  std::uint32_t caller_views = 1;  // views kept for this site: one per calling instance, or one shared
};

struct Snapshot {
  bool valid = false;
  TimeNs at_ns = 0;
  std::uint64_t events = 0;
  std::uint64_t trace_hash = 0;
  std::size_t timeline_size = 0;
  bool registry_outage = false;
  std::vector<InstanceSnapshot> instances;
  std::vector<BreakerSnapshot> breakers;
  std::vector<SiteSnapshot> sites;
  std::vector<sim::Counters> client_totals;
  std::vector<sim::Counters> service_totals;
  std::vector<std::uint32_t> client_outstanding;
  std::vector<std::uint8_t> fault_active;
};

// Fills `out` (reusing its buffers) with the engine's state now.
void capture_snapshot(const sim::Engine& engine, const Topology& topology, const TimelineTracker& tracker, Snapshot& out);

VisualState classify(const InstanceSnapshot& instance, bool has_callers);

// Empty when the two snapshots agree on time, event count, trace hash, every counter and every
// instance, breaker and view; otherwise the first difference in words.
std::string snapshot_difference(const Snapshot& a, const Snapshot& b);

// Failed outcomes of a set of counters (errors, timeouts, rejected, unavailable).
std::uint64_t failures(const sim::Counters& counters);

}  // namespace faultline::gui
