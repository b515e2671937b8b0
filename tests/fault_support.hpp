// Helpers for the fault tests: an engine with faults attached, fault builders and a small
// model with constant times, so that a fault's effect on a request is exact.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "faults/injector.hpp"
#include "model_builders.hpp"
#include "sim/engine.hpp"

namespace faultline::testing {

using faults::FaultKind;
using sim::InstanceStatus;
using sim::kMillisecond;
using sim::kSecond;
using sim::TimeNs;

// An engine with faults attached; the faults live as long as the engine needs them.
struct Run {
  Run(const sim::ModelConfig& model, std::vector<faults::FaultSpec> specs)
      : faults(std::move(specs)), engine(model), injector(faults, engine) {
    engine.set_invariant_checks(true);  // conservation checked at every bucket in every fault test
  }
  std::vector<faults::FaultSpec> faults;
  sim::Engine engine;
  faults::Injector injector;

  InstanceStatus status(std::uint32_t instance) const { return engine.instances()[instance].status; }
  const sim::Counters& client(std::uint32_t c = 0) const { return engine.results().clients[c].totals; }
  const sim::BucketSample& bucket(std::uint32_t b, std::uint32_t c = 0) const { return engine.results().clients[c].series[b]; }
  // Runs until just after `t`, so that events at exactly `t` have happened.
  void run_past(TimeNs t) { engine.run_until(t + 1); }
};

inline faults::FaultSpec make_fault(const std::string& name, FaultKind kind, TimeNs at, TimeNs duration = sim::kNever) {
  return faults::make_fault_spec(name, kind, at, duration);
}

inline faults::FaultSpec on_service(faults::FaultSpec f, std::uint32_t service, std::vector<std::uint32_t> instances = {}) {
  f.target.service = service;
  f.target.instances = std::move(instances);
  return f;
}

// One service of `instances` x 1 worker with a constant service time, one client sending
// evenly spaced requests; no network latency, no health checks (views never change) unless
// a test turns them on.
inline sim::ModelConfig simple(TimeNs service_ns, double rate_per_s, std::uint32_t instances = 1, TimeNs duration = 10 * kSecond) {
  auto m = model(1, duration);
  m.discovery.health_checks = false;
  m.services.push_back(service("api", instances, 1, sim::ConstantDist{service_ns}));
  auto c = open_client("load", 0, rate_per_s);
  c.arrivals = sim::ArrivalProcess::constant;
  m.clients.push_back(c);
  return m;
}

inline std::vector<sim::TimelineEntry> entries(const sim::Engine& engine, sim::TimelineKind kind) {
  std::vector<sim::TimelineEntry> out;
  for (const auto& e : engine.results().timeline) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}


}  // namespace faultline::testing
