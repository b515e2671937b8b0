// Conservation checks over the engine's read-only views; see invariant_checker.hpp.
#include "sim/invariant_checker.hpp"

#include <cstdio>

#include "sim/check.hpp"
#include "sim/engine.hpp"

namespace faultline::sim {
namespace {

std::string at_text(TimeNs now) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%lld.%09llds", static_cast<long long>(now / kSecond),
                static_cast<long long>(now % kSecond));
  return std::string(" at simulated time ") + buffer;
}

}  // namespace

void InvariantChecker::check_client(const std::string& name, TimeNs now, std::uint64_t started, std::uint64_t finished,
                                    std::uint64_t outstanding) {
  if (started == finished + outstanding) return;
  invariant_failed("conservation violated for client " + name + at_text(now) + ": started " + std::to_string(started) +
                   " != finished " + std::to_string(finished) + " + outstanding " + std::to_string(outstanding));
}

void InvariantChecker::check_instance(const std::string& name, TimeNs now, std::uint64_t arrivals,
                                      std::uint64_t answered, std::uint64_t lost, std::uint64_t queued,
                                      std::uint64_t in_service) {
  if (arrivals == answered + lost + queued + in_service) return;
  invariant_failed("conservation violated for instance " + name + at_text(now) + ": arrivals " +
                   std::to_string(arrivals) + " != answered " + std::to_string(answered) + " + lost " +
                   std::to_string(lost) + " + queued " + std::to_string(queued) + " + in service " +
                   std::to_string(in_service));
}

void InvariantChecker::check(const Engine& engine) {
  const auto clients = engine.clients();
  for (std::uint32_t c = 0; c < clients.size(); ++c) {
    check_client(engine.config().clients[c].name, engine.now(), clients[c].started,
                 engine.results().clients[c].totals.requests, clients[c].outstanding);
  }
  const auto instances = engine.instances();
  for (std::uint32_t i = 0; i < instances.size(); ++i) {
    const InstanceRuntime& instance = instances[i];
    check_instance(engine.instance_name(i), engine.now(), instance.arrivals, instance.answered, instance.lost,
                   instance.queue.size(), instance.busy);
  }
}

}  // namespace faultline::sim
