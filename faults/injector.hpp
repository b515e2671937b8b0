// The fault injector: schedules each fault of a scenario onto the engine and, at its
// simulated instants, hands it to its kind's unit (faults/kind.hpp) to start, stop or run a
// phase of its own.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "faults/fault.hpp"
#include "faults/kind.hpp"
#include "sim/engine.hpp"

namespace faultline::faults {

class Injector final : public sim::FaultDriver {
 public:
  // Schedules every fault's start (and end) on `engine` and attaches itself. `faults` must
  // outlive the injector (the engine keeps pointers to their delay distributions).
  Injector(std::span<const FaultSpec> faults, sim::Engine& engine);
  ~Injector();
  Injector(const Injector&) = delete;
  Injector& operator=(const Injector&) = delete;

  void on_fault_event(sim::Engine& engine, std::uint32_t fault, std::uint32_t phase) override;

  // The instances a fault selected when it started (empty before, and for faults on links,
  // clients or the registry). For a chaos monkey: the instances it has crashed so far.
  std::span<const std::uint32_t> targets(std::uint32_t fault) const { return state_[fault].instances; }
  // The zone-pair links (from * zones + to) a network fault acts on.
  std::span<const std::uint32_t> links(std::uint32_t fault) const { return state_[fault].links; }
  bool active(std::uint32_t fault) const { return state_[fault].active; }

 private:
  std::span<const FaultSpec> faults_;
  std::vector<FaultState> state_;
  sim::Engine& engine_;
};

}  // namespace faultline::faults
