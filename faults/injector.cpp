// The injector: every fault starts at `at`, ends `duration` later (if it has one); some kinds
// schedule further phases of their own (restarts, the end of a drain period, chaos-monkey
// strikes). What each phase does is the kind's unit's business.
#include "faults/injector.hpp"

namespace faultline::faults {

Injector::Injector(std::span<const FaultSpec> faults, sim::Engine& engine)
    : faults_(faults), state_(faults.size()), engine_(engine) {
  engine.set_fault_driver(this);
  for (std::uint32_t f = 0; f < faults.size(); ++f) {
    engine.schedule_fault(faults[f].at_ns, f, kStart);
    if (faults[f].duration_ns != sim::kNever && faults[f].at_ns <= sim::kNever - faults[f].duration_ns) {
      engine.schedule_fault(faults[f].at_ns + faults[f].duration_ns, f, kEnd);
    }
  }
}

Injector::~Injector() { engine_.set_fault_driver(nullptr); }

void Injector::on_fault_event(sim::Engine& engine, std::uint32_t fault, std::uint32_t encoded) {
  const std::uint32_t phase = encoded & 0xf;
  const KindUnit& unit = kind_unit(faults_[fault].kind);
  FaultState& state = state_[fault];
  FaultContext context(engine, faults_[fault], state, fault);
  switch (phase) {
    case kStart:
      state.active = true;
      engine.record_timeline(sim::TimelineKind::fault_start, fault);
      unit.start(context);
      break;
    case kEnd:
      if (!state.active) return;
      state.active = false;
      engine.record_timeline(sim::TimelineKind::fault_end, fault);
      unit.stop(context);
      break;
    default:
      if (unit.on_phase != nullptr) unit.on_phase(context, phase, encoded >> 4);
      break;
  }
}

}  // namespace faultline::faults
