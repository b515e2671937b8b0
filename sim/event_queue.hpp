// The pending-event set: a 4-ary min-heap ordered by (time, sequence). Events at the same
// instant run in the order they were scheduled. Storage is reused, so a run in steady state
// allocates nothing here.
#pragma once
#include <cassert>
#include <cstdint>
#include <vector>

#include "sim/time.hpp"

namespace faultline::sim {

struct Event {
  TimeNs time = 0;
  std::uint64_t seq_kind = 0;  // sequence number << 8 | kind: comparing it compares the sequence
  std::uint32_t a = 0;         // payload: usually an entity index
  std::uint32_t b = 0;         // payload: usually a token that detects stale events

  std::uint8_t kind() const { return static_cast<std::uint8_t>(seq_kind & 0xff); }
  std::uint64_t seq() const { return seq_kind >> 8; }
};

inline bool runs_before(const Event& x, const Event& y) {
  return x.time < y.time || (x.time == y.time && x.seq_kind < y.seq_kind);
}

class EventQueue {
 public:
  void reserve(std::size_t n) { heap_.reserve(n); }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  std::uint64_t scheduled() const { return next_seq_; }
  const Event& top() const { return heap_.front(); }
  TimeNs next_time() const { return heap_.empty() ? kNever : heap_.front().time; }

  void push(TimeNs time, std::uint8_t kind, std::uint32_t a, std::uint32_t b) {
    Event e{time, (next_seq_++ << 8) | kind, a, b};
    std::size_t hole = heap_.size();
    heap_.push_back(e);
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / kArity;
      if (!runs_before(e, heap_[parent])) break;
      heap_[hole] = heap_[parent];
      hole = parent;
    }
    heap_[hole] = e;
  }

  Event pop() {
    assert(!heap_.empty());
    Event result = heap_.front();
    const Event last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n == 0) return result;
    std::size_t hole = 0;
    for (;;) {
      const std::size_t first = hole * kArity + 1;
      if (first >= n) break;
      std::size_t best = first;
      const std::size_t end = first + kArity < n ? first + kArity : n;
      for (std::size_t c = first + 1; c < end; ++c) {
        if (runs_before(heap_[c], heap_[best])) best = c;
      }
      if (!runs_before(heap_[best], last)) break;
      heap_[hole] = heap_[best];
      hole = best;
    }
    heap_[hole] = last;
    return result;
  }

  void clear() {
    heap_.clear();
    next_seq_ = 0;
  }

 private:
  static constexpr std::size_t kArity = 4;
  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace faultline::sim
