// The invariant checker: apart from the model (TigerBeetle's state checker), it checks at every
// bucket boundary and at the end of the run that no request was created or lost:
//   per client:   requests started = finished (any outcome) + outstanding;
//   per instance: arrivals = answered (a reply sent, resets included) + dropped (never answered:
//                 hung on arrival, lost in a crash, cancelled, expired) + queued + in service.
// It reads the engine through its read-only views only. A violation throws
// sim::InvariantViolation naming the entity and the counts; the harness adds the seed and the
// simulated time once (harness::invariant_failure).
#pragma once
#include <cstdint>
#include <string>

#include "sim/time.hpp"

namespace faultline::sim {

class Engine;

class InvariantChecker {
 public:
  // Checks the engine's current state; throws InvariantViolation on the first violation.
  static void check(const Engine& engine);
  // The two balances on plain counts (what check() applies to each client and instance).
  static void check_client(const std::string& name, std::uint64_t started, std::uint64_t finished,
                           std::uint64_t outstanding);
  static void check_instance(const std::string& name, std::uint64_t arrivals, std::uint64_t answered,
                             std::uint64_t dropped, std::uint64_t queued, std::uint64_t in_service);
};

// "12.000000000s": a simulated instant, exactly, for messages.
std::string simulated_time_text(TimeNs t);

}  // namespace faultline::sim
