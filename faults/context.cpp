// The fault context: target selection and scheduling on behalf of one fault.
#include <algorithm>
#include <cmath>

#include "faults/kind.hpp"

namespace faultline::faults {

std::span<const std::uint32_t> FaultContext::select_instances() {
  const Target& target = spec_.target;
  std::vector<std::uint32_t>& out = state_.instances;
  out.clear();
  const auto all = engine_.instances();
  for (std::uint32_t i = 0; i < all.size(); ++i) {
    const sim::InstanceRuntime& instance = all[i];
    if (target.service && instance.service != *target.service) continue;
    if (target.zone && instance.zone != *target.zone) continue;
    if (!target.instances.empty() &&
        std::find(target.instances.begin(), target.instances.end(), instance.index_in_service) == target.instances.end()) {
      continue;
    }
    out.push_back(i);
  }
  if (target.fraction < 1.0 && !out.empty()) {
    // The fault's own stream, so the choice depends on the seed and the fault's name only.
    sim::Rng rng = sim::Rng::stream(seed(), "fault/" + spec_.name);
    for (std::size_t i = out.size() - 1; i > 0; --i) std::swap(out[i], out[rng.below(i + 1)]);
    std::size_t keep = static_cast<std::size_t>(std::llround(target.fraction * static_cast<double>(out.size())));
    if (keep == 0 && target.fraction > 0) keep = 1;
    out.resize(keep);
    std::sort(out.begin(), out.end());
  }
  return out;
}

std::span<const std::uint32_t> FaultContext::select_links() {
  // Only the links the target names are visited: a zone named on one side fixes that side, so
  // a partition between two zones costs two links, not a walk over every zone pair (10,000
  // zones are 10^8 pairs). Only a target naming no zone at all covers every pair.
  const Target& target = spec_.target;
  std::vector<std::uint32_t>& out = state_.links;
  out.clear();
  const std::uint32_t zones = engine_.network().zone_count();
  const auto add_links = [&](std::optional<std::uint32_t> from_zone, std::optional<std::uint32_t> to_zone) {
    const std::uint32_t from_first = from_zone.value_or(0), from_last = from_zone ? *from_zone + 1 : zones;
    const std::uint32_t to_first = to_zone.value_or(0), to_last = to_zone ? *to_zone + 1 : zones;
    for (std::uint32_t from = from_first; from < from_last; ++from) {
      for (std::uint32_t to = to_first; to < to_last; ++to) out.push_back(from * zones + to);
    }
  };
  add_links(target.from_zone, target.to_zone);
  if (target.both_directions) add_links(target.to_zone, target.from_zone);
  // Each link once, in increasing order, as the walk over every pair gave them.
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void FaultContext::schedule(TimeNs at, std::uint32_t phase, std::uint32_t instance) {
  engine_.schedule_fault(at, fault_, (instance << 4) | phase);
}

}  // namespace faultline::faults
