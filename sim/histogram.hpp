// A latency histogram in the style of HdrHistogram: exact below 256 ns, then 128 linear
// sub-buckets per power of two, so any percentile is reported within 0.4% of the true sample.
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/check.hpp"
#include "sim/time.hpp"

namespace faultline::sim {

class LatencyHistogram {
 public:
  // Values below 2^kExactBits each have a bucket of their own. From there on, each power of two
  // [2^e, 2^(e+1)) is split into kSubBuckets equal buckets of width 2^(e - kSubBucketBits).
  // Reporting a bucket's midpoint is then off by at most half a width, 1 / (2 * kSubBuckets)
  // of the value, which is 0.39%; the budget is 1%.
  static constexpr int kSubBucketBits = 7;
  static constexpr int kExactBits = kSubBucketBits + 1;
  static constexpr std::int64_t kSubBuckets = std::int64_t{1} << kSubBucketBits;
  // 2 * kSubBuckets exact buckets, then kSubBuckets per power of two up to 2^63 - 1.
  static constexpr std::size_t kBucketCount =
      static_cast<std::size_t>((63 - kExactBits) * kSubBuckets + 2 * kSubBuckets);

  // The bucket holding `value` (>= 0). Monotonic: a larger value never has a smaller index.
  static constexpr std::size_t bucket_index(TimeNs value) {
    const auto v = static_cast<std::uint64_t>(value);
    const int shift = bucket_shift(v);
    return (static_cast<std::size_t>(shift) << kSubBucketBits) + static_cast<std::size_t>(v >> shift);
  }
  // The smallest and largest values that land in bucket `index`.
  static constexpr TimeNs bucket_low(std::size_t index) {
    const int shift = index < 2 * static_cast<std::size_t>(kSubBuckets)
                          ? 0
                          : static_cast<int>(index >> kSubBucketBits) - 1;
    const std::uint64_t sub = index - (static_cast<std::size_t>(shift) << kSubBucketBits);
    return static_cast<TimeNs>(sub << shift);
  }
  static constexpr TimeNs bucket_high(std::size_t index) {
    const int shift = index < 2 * static_cast<std::size_t>(kSubBuckets)
                          ? 0
                          : static_cast<int>(index >> kSubBucketBits) - 1;
    return static_cast<TimeNs>(static_cast<std::uint64_t>(bucket_low(index)) +
                               ((std::uint64_t{1} << shift) - 1));
  }

  // One non-empty bucket, for serialising: `count` samples lie in [low_ns, high_ns].
  struct Bucket {
    TimeNs low_ns;
    TimeNs high_ns;
    std::uint64_t count;
  };

  // Negative values are a caller bug (FAULTLINE_ASSERT, on in every build). record() is the
  // engine's hot path (a few per request), so it is inline and branches only on a new page.
  void record(TimeNs value) {
    FAULTLINE_ASSERT(value >= 0);  // latencies are never negative
    ++count_slot(bucket_index(value));
    min_ns_ = std::min(min_ns_, value);
    max_ns_ = std::max(max_ns_, value);
    ++count_;
    sum_ns_ += static_cast<std::uint64_t>(value);
  }
  void record_n(TimeNs value, std::uint64_t n);

  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // 0 when empty.
  TimeNs min() const { return count_ == 0 ? 0 : min_ns_; }
  TimeNs max() const { return count_ == 0 ? 0 : max_ns_; }
  // The exact sum divided by the count; 0 when empty.
  double mean() const;

  // The nearest-rank percentile, q in [0, 100] (clamped): the value of the sample at rank
  // nearest_rank(q, count()) in sorted order, reported as its bucket's midpoint clamped to
  // [min, max]; the first and last ranks report min and max exactly. 0 when empty.
  TimeNs percentile(double q) const;
  // Several percentiles in one pass over the buckets: out[i] = percentile(qs[i]). The qs must
  // not decrease; at most kMaxPercentiles of them.
  static constexpr std::size_t kMaxPercentiles = 16;
  void percentiles(std::span<const double> qs, std::span<TimeNs> out) const;
  // The value at a 1-based rank in sorted order (as percentile reports it); 0 when empty, the
  // maximum for a rank past the count.
  TimeNs at_rank(std::uint64_t rank) const;
  // max(1, ceil(q / 100 * n)), capped at n. Computed as q * n / 100 so that q with a short
  // decimal form (99.9, 99.99) and round n give the rank a person would compute by hand.
  static std::uint64_t nearest_rank(double q, std::uint64_t n);

  // Adds every sample of `other`; the result equals recording both sets into one histogram.
  void merge(const LatencyHistogram& other);
  // Empties the histogram; costs time proportional to the range of buckets in use.
  void clear();

  // The count in bucket `index`.
  std::uint64_t bucket_count(std::size_t index) const {
    const std::uint16_t slot = page_slot_[index >> kSubBucketBits];
    return slot == 0 ? 0 : pages_[(std::size_t{slot} - 1) * kPageSize + (index & (kPageSize - 1))];
  }
  // Bytes of bucket storage in use (pages of counts, allocated as values first reach them).
  std::size_t storage_bytes() const { return pages_.capacity() * sizeof(std::uint64_t); }

  // Calls visit(Bucket) for each non-empty bucket in increasing order of value.
  template <typename Visit>
  void for_each_bucket(Visit&& visit) const {
    if (count_ == 0) return;
    const std::size_t last = bucket_index(max_ns_);
    for (std::size_t i = bucket_index(min_ns_); i <= last; ++i) {
      const std::uint64_t n = bucket_count(i);
      if (n != 0) visit(Bucket{bucket_low(i), bucket_high(i), n});
    }
  }

  // Equal samples, whatever the storage layout.
  friend bool operator==(const LatencyHistogram& a, const LatencyHistogram& b);

 private:
  // How far values of this magnitude are shifted right to find their sub-bucket; 0 in the
  // exact range.
  static constexpr int bucket_shift(std::uint64_t v) {
    const int width = static_cast<int>(std::bit_width(v));
    return width > kExactBits ? width - kExactBits : 0;
  }

  // Bucket counts, in pages of kPageSize buckets (one power of two each) allocated the first
  // time a value lands in them and kept (clear() zeroes them), so memory follows the range of
  // values seen and steady-state recording does not allocate. page_slot_[page] is 1 + the
  // page's place in pages_, or 0 while the page has no storage. min_ns_ and max_ns_ also bound
  // the buckets in use, since bucket_index is monotonic.
  static constexpr std::size_t kPageSize = std::size_t{1} << kSubBucketBits;
  static constexpr std::size_t kPageCount = (kBucketCount + kPageSize - 1) / kPageSize;
  std::uint64_t& count_slot(std::size_t index) {
    std::uint16_t slot = page_slot_[index >> kSubBucketBits];
    if (slot == 0) slot = add_page(index >> kSubBucketBits);
    return pages_[(std::size_t{slot} - 1) * kPageSize + (index & (kPageSize - 1))];
  }
  std::uint16_t add_page(std::size_t page);
  // For each of `ranks` (not decreasing, each in [1, count_]), the index of the bucket holding
  // the sample of that rank; one walk over the pages in use.
  void locate_ranks(std::span<const std::uint64_t> ranks, std::span<std::size_t> indices) const;
  // What at_rank reports for a rank inside bucket `index` (neither the first nor the last rank).
  TimeNs reported_value(std::size_t index) const;
  std::array<std::uint16_t, kPageCount> page_slot_{};
  std::vector<std::uint64_t> pages_;
  std::uint64_t count_ = 0;
  // While empty, min_ns_ is kNever and max_ns_ 0, so that record() needs no test for "first".
  TimeNs min_ns_ = kNever;
  TimeNs max_ns_ = 0;
  // The exact sum of all samples: 2^63 values times up to 2^64 samples fits in 127 bits.
  __uint128_t sum_ns_ = 0;
};

static_assert(LatencyHistogram::bucket_index(kNever) == LatencyHistogram::kBucketCount - 1);
static_assert(LatencyHistogram::bucket_high(LatencyHistogram::kBucketCount - 1) == kNever);

}  // namespace faultline::sim
