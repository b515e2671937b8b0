// The fault injector: schedules each fault of a scenario onto the engine and applies and
// reverts it at its simulated instants, through the engine's fault hooks.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "faults/fault.hpp"
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
  struct FaultState {
    std::vector<std::uint32_t> instances;  // selected at start (chaos monkey: its victims)
    std::vector<std::uint32_t> saved;      // values to restore, parallel to `instances`
    std::vector<std::uint32_t> links;      // zone-pair link indices affected
    sim::Rng rng;                          // chaos monkey's own stream
    bool active = false;
  };
  void start(sim::Engine& engine, std::uint32_t fault);
  void stop(sim::Engine& engine, std::uint32_t fault);
  void restart(sim::Engine& engine, std::uint32_t fault, std::uint32_t instance);
  void drained(sim::Engine& engine, std::uint32_t fault);
  void chaos_tick(sim::Engine& engine, std::uint32_t fault);
  void select_instances(sim::Engine& engine, std::uint32_t fault);
  void select_links(sim::Engine& engine, std::uint32_t fault);
  void start_network(sim::Engine& engine, std::uint32_t fault);
  void stop_network(sim::Engine& engine, std::uint32_t fault);

  std::span<const FaultSpec> faults_;
  std::vector<FaultState> state_;
  sim::Engine& engine_;
};

// Phases of a fault's events (the low 4 bits of the phase; the rest carries an instance).
enum FaultPhase : std::uint32_t { kStart = 0, kEnd = 1, kRestart = 2, kChaosTick = 3, kDrained = 4 };

}  // namespace faultline::faults
