// One simulation of a scenario as the GUI drives it: the engine, the fault injector attached to
// it (kept alive as long as the engine), and a tracker following its timeline.
#pragma once
#include <cstdint>
#include <memory>

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
  void advance_to(TimeNs t_ns);
  TimeNs now() const { return engine_->now(); }
  bool at_end() const { return engine_->finished(); }
  std::uint64_t events() const { return engine_->results().events; }

  const sim::Engine& engine() const { return *engine_; }
  const faults::Injector& injector() const { return *injector_; }
  const TimelineTracker& tracker() const { return tracker_; }
  const harness::Scenario& scenario() const { return *scenario_; }
  const Topology& topology() const { return topology_; }
  void capture(Snapshot& out) const { capture_snapshot(*engine_, topology_, tracker_, out); }

 private:
  std::shared_ptr<const harness::Scenario> scenario_;
  std::unique_ptr<sim::Engine> engine_;
  std::unique_ptr<faults::Injector> injector_;  // declared after the engine: destroyed first
  Topology topology_;
  TimelineTracker tracker_;
};

}  // namespace faultline::gui
