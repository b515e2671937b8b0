// Small builders for engine tests: models written in C++ rather than JSON.
#pragma once
#include <string>

#include "sim/config.hpp"

namespace faultline::testing {

inline sim::ServiceConfig service(const std::string& name, std::uint32_t instances, std::uint32_t workers,
                                  sim::Distribution service_time, std::uint32_t zone = 0) {
  sim::ServiceConfig s;
  s.name = name;
  s.placement.push_back({zone, instances});
  s.workers = workers;
  s.queue_capacity = 1'000'000;
  sim::Operation op;
  op.name = "default";
  op.service_time = service_time;
  s.operations.push_back(op);
  return s;
}

inline sim::ClientConfig open_client(const std::string& name, std::uint32_t service, double rate_per_s,
                                     std::uint32_t zone = 0) {
  sim::ClientConfig c;
  c.name = name;
  c.zone = zone;
  c.service = service;
  c.schedule.push_back({0, rate_per_s, false});
  return c;
}

inline sim::CallStep call(std::uint32_t service) {
  sim::CallStep step;
  step.service = service;
  return step;
}

inline sim::ModelConfig model(std::uint64_t seed, sim::TimeNs duration_ns) {
  sim::ModelConfig m;
  m.seed = seed;
  m.duration_ns = duration_ns;
  m.zones = {"a", "b", "c"};
  m.discovery.health_checks = true;
  return m;
}

inline sim::ExponentialDist exp_ms(double mean_ms) {
  return sim::ExponentialDist{static_cast<sim::TimeNs>(mean_ms * 1e6)};
}

}  // namespace faultline::testing
