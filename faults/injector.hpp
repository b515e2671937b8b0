// The fault injector: schedules each fault of a scenario onto the engine and applies and
// reverts it at its simulated instants.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "faults/fault.hpp"
#include "sim/engine.hpp"

namespace faultline::faults {

class Injector final : public sim::FaultDriver {
 public:
  // Schedules every fault's start (and end) on `engine` and attaches itself.
  Injector(std::span<const FaultSpec> faults, sim::Engine& engine);
  ~Injector();

  void on_fault_event(sim::Engine& engine, std::uint32_t fault, std::uint32_t phase) override;

  // The instances a fault selected when it started (empty before).
  std::span<const std::uint32_t> targets(std::uint32_t fault) const { return state_[fault].instances; }

 private:
  struct FaultState {
    std::vector<std::uint32_t> instances;  // selected at start
    std::vector<std::uint32_t> saved;      // values to restore (workers, capacities)
    std::vector<std::uint32_t> links;      // zone-pair link indices affected
    std::vector<std::uint32_t> down_per_service;  // chaos monkey: crashed by it and not restarted
    sim::Rng rng;  // chaos monkey's own stream
    bool active = false;
  };
  void start(sim::Engine& engine, std::uint32_t fault);
  void stop(sim::Engine& engine, std::uint32_t fault);
  void restart(sim::Engine& engine, std::uint32_t fault, std::uint32_t instance);
  void chaos_tick(sim::Engine& engine, std::uint32_t fault);
  void select_instances(sim::Engine& engine, std::uint32_t fault);
  void select_links(sim::Engine& engine, std::uint32_t fault);

  std::span<const FaultSpec> faults_;
  std::vector<FaultState> state_;
  sim::Engine& engine_;
};

// Phases of a fault's events (the low 4 bits of the phase; the rest carries an instance).
enum FaultPhase : std::uint32_t { kStart = 0, kEnd = 1, kRestart = 2, kChaosTick = 3, kDrained = 4 };

}  // namespace faultline::faults
