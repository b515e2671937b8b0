// Load balancers: one function per policy, chosen from a table indexed by the policy. Adding a
// policy is one enum value, one function and one table row (plus its name in the loader,
// schema and docs).
#pragma once
#include <cstdint>
#include <span>

#include "sim/config.hpp"
#include "sim/rng.hpp"
#include "sim/runtime.hpp"

namespace faultline::sim {

// What a policy sees: one caller's view of the callee and its state about each instance.
struct BalancerInput {
  std::span<const std::uint32_t> view;           // callee instances, global indices
  std::span<const PeerState> peers;              // by index_in_service of the callee
  std::span<const InstanceRuntime> instances;    // all instances (zone, index_in_service)
  std::uint32_t ejected = 0;                     // instances of the view the caller has ejected
  TimeNs now_ns = 0;
  std::uint32_t caller_zone = 0;
  double zone_aware_min_local_ratio = 0.7;
  std::uint64_t* round_robin = nullptr;          // the caller's rotating position
  Rng* rng = nullptr;

  // Ejected instances are unusable while their ejection lasts.
  bool usable(std::uint32_t instance) const {
    return ejected == 0 || peers[instances[instance].index_in_service].ejected_until_ns <= now_ns;
  }
  std::uint32_t outstanding(std::uint32_t instance) const {
    return peers[instances[instance].index_in_service].outstanding;
  }
};

// Round robin's step: the view's member after the last one taken (the view is not empty).
inline std::uint32_t next_in_rotation(std::span<const std::uint32_t> view, std::uint64_t& position) {
  return view[position++ % view.size()];
}

// Picks an instance from the view (kNone when the view is empty). When every instance is
// ejected, all are used again (Envoy's panic mode).
std::uint32_t pick_instance(LoadBalancer policy, BalancerInput& input);

}  // namespace faultline::sim
