// Evenly thinned checkpoints over a run.
#include "gui/model/checkpoints.hpp"

#include <algorithm>

namespace faultline::gui {

CheckpointStore::CheckpointStore(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 2)) {}

void CheckpointStore::offer(const Snapshot& snapshot) {
  const std::size_t index = offered_++;
  if (index % stride_ != 0) return;
  if (checkpoints_.size() == capacity_) {
    // Keep the checkpoints at even positions: those are the offers divisible by twice the stride.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < checkpoints_.size(); i += 2) checkpoints_[kept++] = std::move(checkpoints_[i]);
    checkpoints_.resize(kept);
    stride_ *= 2;
    if (index % stride_ != 0) return;
  }
  checkpoints_.push_back(snapshot);
}

const Snapshot* CheckpointStore::at_or_before(TimeNs t_ns) const {
  const auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), t_ns,
                                   [](TimeNs t, const Snapshot& s) { return t < s.at_ns; });
  if (it == checkpoints_.begin()) return nullptr;
  return &*std::prev(it);
}

}  // namespace faultline::gui
