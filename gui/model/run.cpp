// A live simulation: engine plus injector (set up by harness::prepare_run, as the CLI and
// sweeps do) plus timeline tracker.
#include "gui/model/run.hpp"

#include "harness/runner.hpp"
#include "sim/check.hpp"

namespace faultline::gui {

Run::Run(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed) : scenario_(std::move(scenario)), seed_(seed) {
  harness::PreparedRun prepared = harness::prepare_run(*scenario_, seed_);
  engine_ = std::move(prepared.engine);
  injector_ = std::move(prepared.injector);
  topology_ = build_topology(*engine_, scenario_->faults);
  tracker_.reset(topology_);
}

Run::~Run() {
  injector_.reset();
  engine_.reset();
}

void Run::advance_to(TimeNs t_ns) {
  if (at_end()) return;
  try {
    engine_->run_until(t_ns);
    if (engine_->finished()) engine_->finish();  // the invariant checker's last look is here
  } catch (const sim::InvariantViolation& e) {
    // The engine's state can no longer be trusted: the run stops where it is.
    error_ = harness::invariant_failure(*scenario_, seed_, engine_->now(), e.what()).what();
  }
  tracker_.consume(engine_->results().timeline);
}

}  // namespace faultline::gui
