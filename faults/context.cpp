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
  const Target& target = spec_.target;
  std::vector<std::uint32_t>& out = state_.links;
  out.clear();
  const std::uint32_t zones = engine_.network().zone_count();
  for (std::uint32_t from = 0; from < zones; ++from) {
    for (std::uint32_t to = 0; to < zones; ++to) {
      const bool forward = (!target.from_zone || *target.from_zone == from) && (!target.to_zone || *target.to_zone == to);
      const bool backward = target.both_directions && (!target.from_zone || *target.from_zone == to) &&
                            (!target.to_zone || *target.to_zone == from);
      if (forward || backward) out.push_back(from * zones + to);
    }
  }
  return out;
}

void FaultContext::schedule(TimeNs at, std::uint32_t phase, std::uint32_t instance) {
  engine_.schedule_fault(at, fault_, (instance << 4) | phase);
}

}  // namespace faultline::faults
