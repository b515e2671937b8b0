// A live simulation: engine plus injector plus timeline tracker.
#include "gui/model/run.hpp"

namespace faultline::gui {

Run::Run(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed) : scenario_(std::move(scenario)) {
  sim::ModelConfig model = scenario_->model;
  model.seed = seed;
  engine_ = std::make_unique<sim::Engine>(model);
  injector_ = std::make_unique<faults::Injector>(scenario_->faults, *engine_);
  topology_ = build_topology(*engine_, scenario_->faults);
  tracker_.reset(topology_);
}

Run::~Run() {
  injector_.reset();
  engine_.reset();
}

void Run::advance_to(TimeNs t_ns) {
  if (engine_->finished()) return;
  engine_->run_until(t_ns);
  if (engine_->finished()) engine_->finish();
  tracker_.consume(engine_->results().timeline);
}

}  // namespace faultline::gui
