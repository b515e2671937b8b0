// One simulation of a scenario as the GUI drives it: the engine and the fault injector attached
// to it (kept alive as long as the engine), both set up by harness::prepare_run as for the CLI
// and sweeps (so the invariant checker is on when FAULTLINE_CHECK_INVARIANTS=1), and a tracker
// following its timeline.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "faults/injector.hpp"
#include "gui/model/snapshot.hpp"
#include "harness/scenario.hpp"
#include "sim/engine.hpp"

namespace faultline::gui {

class Run {
 public:
  Run(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed);
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  // Processes every event before `t_ns` and moves the clock there; closes the run at its end.
  // A violated engine invariant (a simulator bug) stops the run where it happened: at_end()
  // turns true and error() holds the message the CLI prints with exit 3 (the violation, seed,
  // simulated time and replay command).
  void advance_to(TimeNs t_ns);
  TimeNs now() const { return engine_->now(); }
  bool at_end() const { return engine_->finished() || !error_.empty(); }
  // Empty unless an invariant failed.
  const std::string& error() const { return error_; }
  std::uint64_t events() const { return engine_->results().events; }

  const sim::Engine& engine() const { return *engine_; }
  const faults::Injector& injector() const { return *injector_; }
  const TimelineTracker& tracker() const { return tracker_; }
  const harness::Scenario& scenario() const { return *scenario_; }
  const Topology& topology() const { return topology_; }
  void capture(Snapshot& out) const { capture_snapshot(*engine_, topology_, tracker_, out); }

 private:
  std::shared_ptr<const harness::Scenario> scenario_;
  std::uint64_t seed_ = 0;
  std::unique_ptr<sim::Engine> engine_;
  std::unique_ptr<faults::Injector> injector_;  // declared after the engine: destroyed first
  Topology topology_;
  TimelineTracker tracker_;
  std::string error_;
};

}  // namespace faultline::gui
