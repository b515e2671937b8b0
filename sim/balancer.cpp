// The load-balancing policies, each one function over one caller's view (see balancer.hpp).
#include "sim/balancer.hpp"

#include <array>

namespace faultline::sim {
namespace {

// The next instance in rotation that `accept` takes, or kNone after a full turn.
template <typename Accept>
std::uint32_t next_round_robin(BalancerInput& in, Accept&& accept) {
  const std::uint64_t n = in.view.size();
  for (std::uint64_t k = 0; k < n; ++k) {
    const std::uint32_t instance = next_in_rotation(in.view, *in.round_robin);
    if (accept(instance)) return instance;
  }
  return kNone;
}

std::uint32_t pick_round_robin(BalancerInput& in) {
  return next_round_robin(in, [&](std::uint32_t i) { return in.usable(i); });
}

std::uint32_t pick_random(BalancerInput& in) {
  const std::uint32_t n = static_cast<std::uint32_t>(in.view.size());
  const std::uint32_t start = static_cast<std::uint32_t>(in.rng->below(n));
  for (std::uint32_t k = 0; k < n; ++k) {
    const std::uint32_t instance = in.view[(start + k) % n];
    if (in.usable(instance)) return instance;
  }
  return kNone;
}

// Scans from a rotating start so that ties spread evenly.
std::uint32_t pick_least_outstanding(BalancerInput& in) {
  const std::uint32_t n = static_cast<std::uint32_t>(in.view.size());
  const std::uint32_t start = static_cast<std::uint32_t>((*in.round_robin)++ % n);
  std::uint32_t choice = kNone;
  for (std::uint32_t k = 0; k < n; ++k) {
    const std::uint32_t instance = in.view[(start + k) % n];
    if (in.usable(instance) && (choice == kNone || in.outstanding(instance) < in.outstanding(choice))) {
      choice = instance;
    }
  }
  return choice;
}

// The less loaded of two distinct random instances (falling back to rotation when both are
// ejected).
std::uint32_t pick_power_of_two(BalancerInput& in) {
  const std::uint32_t n = static_cast<std::uint32_t>(in.view.size());
  if (n == 1) return in.usable(in.view[0]) ? in.view[0] : kNone;
  const std::uint32_t first = static_cast<std::uint32_t>(in.rng->below(n));
  std::uint32_t second = static_cast<std::uint32_t>(in.rng->below(n - 1));
  if (second >= first) ++second;
  const std::uint32_t a = in.view[first];
  const std::uint32_t b = in.view[second];
  const bool a_usable = in.usable(a);
  const bool b_usable = in.usable(b);
  if (a_usable && b_usable) return in.outstanding(b) < in.outstanding(a) ? b : a;
  if (a_usable) return a;
  if (b_usable) return b;
  return pick_round_robin(in);
}

// Stays in the caller's zone while enough of the local instances are usable.
std::uint32_t pick_zone_aware(BalancerInput& in) {
  std::uint32_t local_total = 0;
  std::uint32_t local_usable = 0;
  for (const std::uint32_t instance : in.view) {
    if (in.instances[instance].zone != in.caller_zone) continue;
    ++local_total;
    if (in.usable(instance)) ++local_usable;
  }
  const bool stay_local = local_usable > 0 && static_cast<double>(local_usable) >=
                                                  in.zone_aware_min_local_ratio * static_cast<double>(local_total);
  if (!stay_local) return pick_round_robin(in);
  return next_round_robin(in, [&](std::uint32_t i) { return in.instances[i].zone == in.caller_zone && in.usable(i); });
}

using PickFunction = std::uint32_t (*)(BalancerInput&);

// Indexed by LoadBalancer; the static_assert keeps it in step with the enum.
constexpr std::array<PickFunction, 5> kPolicies = {
    pick_round_robin,        // LoadBalancer::round_robin
    pick_random,             // LoadBalancer::random
    pick_least_outstanding,  // LoadBalancer::least_outstanding
    pick_power_of_two,       // LoadBalancer::power_of_two
    pick_zone_aware,         // LoadBalancer::zone_aware
};
static_assert(static_cast<std::size_t>(LoadBalancer::zone_aware) + 1 == kPolicies.size());

}  // namespace

std::uint32_t pick_instance(LoadBalancer policy, BalancerInput& input) {
  const std::uint64_t n = input.view.size();
  if (n == 0) return kNone;
  const std::uint32_t choice = kPolicies[static_cast<std::size_t>(policy)](input);
  if (choice != kNone) return choice;
  return input.view[(*input.round_robin)++ % n];  // panic: everything ejected
}

}  // namespace faultline::sim
