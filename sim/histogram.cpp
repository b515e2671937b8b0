// LatencyHistogram's recording, statistics and merging; the bucket layout lives in the header.
#include "sim/histogram.hpp"

#include <algorithm>
#include <cmath>

#include "sim/check.hpp"

namespace faultline::sim {

void LatencyHistogram::record_n(TimeNs value, std::uint64_t n) {
  FAULTLINE_ASSERT(value >= 0);  // latencies are never negative
  if (n == 0) return;
  count_slot(bucket_index(value)) += n;
  min_ns_ = std::min(min_ns_, value);
  max_ns_ = std::max(max_ns_, value);
  count_ += n;
  sum_ns_ += static_cast<__uint128_t>(value) * n;
}

double LatencyHistogram::mean() const {
  if (count_ == 0) return 0.0;
  // Divide in integers first so the result stays exact to a double's precision even when the
  // sum is far beyond 2^64; the remainder is below count_ and converts without harm.
  const __uint128_t whole = sum_ns_ / count_;
  const auto remainder = static_cast<std::uint64_t>(sum_ns_ % count_);
  return static_cast<double>(whole) + static_cast<double>(remainder) / static_cast<double>(count_);
}

std::uint64_t LatencyHistogram::nearest_rank(double q, std::uint64_t n) {
  if (n == 0) return 0;
  if (!(q > 0.0)) return 1;  // also catches NaN
  if (q >= 100.0) return n;
  const double rank = std::ceil(q * static_cast<double>(n) / 100.0);
  if (rank < 1.0) return 1;
  if (rank >= static_cast<double>(n)) return n;
  return static_cast<std::uint64_t>(rank);
}

TimeNs LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return 0;
  return at_rank(nearest_rank(q, count_));
}

TimeNs LatencyHistogram::at_rank(std::uint64_t rank) const {
  if (count_ == 0) return 0;
  if (rank == 0) rank = 1;
  if (rank > count_) rank = count_;
  // The first and last ranks are the exact minimum and maximum.
  if (rank == 1) return min_ns_;
  if (rank == count_) return max_ns_;
  std::size_t index = 0;
  locate_ranks({&rank, 1}, {&index, 1});
  return reported_value(index);
}

void LatencyHistogram::percentiles(std::span<const double> qs, std::span<TimeNs> out) const {
  FAULTLINE_ASSERT(qs.size() == out.size() && qs.size() <= kMaxPercentiles);
  if (count_ == 0) {
    std::fill(out.begin(), out.end(), TimeNs{0});
    return;
  }
  std::array<std::uint64_t, kMaxPercentiles> ranks{};
  std::array<std::size_t, kMaxPercentiles> indices{};
  for (std::size_t i = 0; i < qs.size(); ++i) ranks[i] = nearest_rank(qs[i], count_);
  locate_ranks({ranks.data(), qs.size()}, {indices.data(), qs.size()});
  for (std::size_t i = 0; i < qs.size(); ++i) {
    out[i] = ranks[i] == 1 ? min_ns_ : ranks[i] == count_ ? max_ns_ : reported_value(indices[i]);
  }
}

// Walks the buckets from the minimum's, a page at a time (pages never written hold nothing), so
// the count of each bucket costs one load.
void LatencyHistogram::locate_ranks(std::span<const std::uint64_t> ranks, std::span<std::size_t> indices) const {
  if (ranks.empty()) return;
  const std::size_t first = bucket_index(min_ns_);
  const std::size_t last = bucket_index(max_ns_);
  std::size_t found = 0;
  std::uint64_t seen = 0;
  for (std::size_t page = first / kPageSize; page <= last / kPageSize; ++page) {
    const std::uint16_t slot = page_slot_[page];
    if (slot == 0) continue;
    const std::uint64_t* counts = pages_.data() + (std::size_t{slot} - 1) * kPageSize;
    const std::size_t begin = page == first / kPageSize ? first % kPageSize : 0;
    const std::size_t end = page == last / kPageSize ? last % kPageSize + 1 : kPageSize;
    for (std::size_t i = begin; i < end; ++i) {
      seen += counts[i];
      if (seen < ranks[found]) continue;
      while (found < ranks.size() && seen >= ranks[found]) indices[found++] = page * kPageSize + i;
      if (found == ranks.size()) return;
    }
  }
  FAULTLINE_ASSERT(found == ranks.size());  // every rank up to count_ lies within [min, max]
}

TimeNs LatencyHistogram::reported_value(std::size_t index) const {
  const auto low = static_cast<std::uint64_t>(bucket_low(index));
  const auto high = static_cast<std::uint64_t>(bucket_high(index));
  const auto midpoint = static_cast<TimeNs>(low + (high - low) / 2);
  // The extreme buckets may be only partly used; min and max are exact, so prefer them.
  return std::clamp(midpoint, min_ns_, max_ns_);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  const std::size_t last = bucket_index(other.max_ns_);
  for (std::size_t i = bucket_index(other.min_ns_); i <= last; ++i) {
    const std::uint64_t n = other.bucket_count(i);
    if (n != 0) count_slot(i) += n;
  }
  min_ns_ = std::min(min_ns_, other.min_ns_);
  max_ns_ = std::max(max_ns_, other.max_ns_);
  count_ += other.count_;
  sum_ns_ += other.sum_ns_;
}

void LatencyHistogram::clear() {
  if (count_ != 0) {
    const std::size_t first_page = bucket_index(min_ns_) >> kSubBucketBits;
    const std::size_t last_page = bucket_index(max_ns_) >> kSubBucketBits;
    for (std::size_t page = first_page; page <= last_page; ++page) {
      if (page_slot_[page] == 0) continue;
      const auto begin = pages_.begin() + static_cast<std::ptrdiff_t>((std::size_t{page_slot_[page]} - 1) * kPageSize);
      std::fill(begin, begin + static_cast<std::ptrdiff_t>(kPageSize), std::uint64_t{0});
    }
  }
  count_ = 0;
  min_ns_ = kNever;
  max_ns_ = 0;
  sum_ns_ = 0;
}

std::uint16_t LatencyHistogram::add_page(std::size_t page) {
  pages_.resize(pages_.size() + kPageSize, 0);
  const auto slot = static_cast<std::uint16_t>(pages_.size() / kPageSize);
  page_slot_[page] = slot;
  return slot;
}

bool operator==(const LatencyHistogram& a, const LatencyHistogram& b) {
  if (a.count_ != b.count_ || a.min_ns_ != b.min_ns_ || a.max_ns_ != b.max_ns_ || a.sum_ns_ != b.sum_ns_) return false;
  if (a.count_ == 0) return true;
  const std::size_t last = LatencyHistogram::bucket_index(a.max_ns_);
  for (std::size_t i = LatencyHistogram::bucket_index(a.min_ns_); i <= last; ++i) {
    if (a.bucket_count(i) != b.bucket_count(i)) return false;
  }
  return true;
}

}  // namespace faultline::sim
