// Snapshots of a recorded run at regular instants, so that scrubbing shows the nearest earlier
// state at once while the live engine replays to the exact instant. The engine cannot be copied
// (it hosts fibers), so these are what the GUI shows, not states the engine can resume from.
#pragma once
#include <cstddef>
#include <vector>

#include "gui/model/snapshot.hpp"

namespace faultline::gui {

class CheckpointStore {
 public:
  explicit CheckpointStore(std::size_t capacity = 1024);

  // Offers the snapshot of the next regular instant (offers come in time order). Every
  // `stride()`-th offer is kept; when the store is full, every other checkpoint is dropped and
  // the stride doubles, so checkpoints stay evenly spaced over the whole run.
  void offer(const Snapshot& snapshot);

  // The latest checkpoint at or before `t_ns`, or null when there is none.
  const Snapshot* at_or_before(TimeNs t_ns) const;

  std::size_t size() const { return checkpoints_.size(); }
  std::size_t capacity() const { return capacity_; }
  std::size_t stride() const { return stride_; }
  const std::vector<Snapshot>& all() const { return checkpoints_; }

 private:
  std::size_t capacity_;
  std::size_t stride_ = 1;
  std::size_t offered_ = 0;
  std::vector<Snapshot> checkpoints_;
};

}  // namespace faultline::gui
