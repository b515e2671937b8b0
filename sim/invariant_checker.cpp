// Conservation checks over the engine's read-only views; see invariant_checker.hpp.
#include "sim/invariant_checker.hpp"

#include <cstdio>

#include "sim/check.hpp"
#include "sim/engine.hpp"

namespace faultline::sim {

std::string simulated_time_text(TimeNs t) {
  char buffer[48];
  const char* sign = t < 0 ? "-" : "";
  const TimeNs magnitude = t < 0 ? -t : t;
  std::snprintf(buffer, sizeof buffer, "%s%lld.%09llds", sign, static_cast<long long>(magnitude / kSecond),
                static_cast<long long>(magnitude % kSecond));
  return buffer;
}

void InvariantChecker::check_client(const std::string& name, std::uint64_t started, std::uint64_t finished,
                                    std::uint64_t outstanding) {
  if (started == finished + outstanding) return;
  invariant_failed("conservation of requests at client " + name + ": started " + std::to_string(started) +
                   " != finished " + std::to_string(finished) + " + outstanding " + std::to_string(outstanding));
}

void InvariantChecker::check_instance(const std::string& name, std::uint64_t arrivals,
                                      std::uint64_t answered, std::uint64_t dropped, std::uint64_t queued,
                                      std::uint64_t in_service) {
  if (arrivals == answered + dropped + queued + in_service) return;
  invariant_failed("conservation of requests at instance " + name + ": arrivals " + std::to_string(arrivals) +
                   " != answered " + std::to_string(answered) + " + dropped " + std::to_string(dropped) +
                   " + queued " + std::to_string(queued) + " + in service " + std::to_string(in_service));
}

void InvariantChecker::check(const Engine& engine) {
  const auto clients = engine.clients();
  for (std::uint32_t c = 0; c < clients.size(); ++c) {
    check_client(engine.config().clients[c].name, clients[c].started,
                 engine.results().clients[c].totals.requests, clients[c].outstanding);
  }
  const auto instances = engine.instances();
  for (std::uint32_t i = 0; i < instances.size(); ++i) {
    const InstanceRuntime& instance = instances[i];
    // Every busy worker holds exactly one request (in service, waiting on its calls, or stuck
    // in a hang); queued requests include cancelled ones not yet skipped.
    if (instance.arrivals == instance.answered + instance.dropped + instance.queue.size() + instance.busy) continue;
    check_instance(engine.instance_name(i), instance.arrivals, instance.answered, instance.dropped,
                   instance.queue.size(), instance.busy);
  }
}

}  // namespace faultline::sim
