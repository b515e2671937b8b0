// LatencyHistogram tests: percentiles checked against exact nearest-rank percentiles of the same
// samples sorted in an array, and the bucket layout checked exhaustively.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/histogram.hpp"
#include "sim/rng.hpp"

using namespace faultline::sim;

namespace {

constexpr TimeNs kTwoTo62 = TimeNs{1} << 62;

// Percentiles checked everywhere, in thousandths of a percent so the reference rank can be
// computed with integers alone.
constexpr std::int64_t kPercentilesMilli[] = {0,      100,    1'000,  10'000, 25'000, 50'000, 75'000,
                                              90'000, 95'000, 99'000, 99'500, 99'900, 99'990, 100'000};

std::uint64_t integer_nearest_rank(std::int64_t q_milli, std::uint64_t n) {
  const std::uint64_t scaled = static_cast<std::uint64_t>(q_milli) * n;
  const std::uint64_t rank = (scaled + 99'999) / 100'000;
  return std::max<std::uint64_t>(1, rank);
}

// Records `samples` and checks every percentile against the sorted samples.
void check_percentiles(std::vector<TimeNs> samples) {
  LatencyHistogram histogram;
  for (TimeNs v : samples) histogram.record(v);
  std::sort(samples.begin(), samples.end());
  REQUIRE(histogram.count() == samples.size());
  CHECK(histogram.min() == samples.front());
  CHECK(histogram.max() == samples.back());
  for (std::int64_t q_milli : kPercentilesMilli) {
    const double q = static_cast<double>(q_milli) / 1000.0;
    const std::uint64_t rank = integer_nearest_rank(q_milli, samples.size());
    REQUIRE(LatencyHistogram::nearest_rank(q, samples.size()) == rank);
    const TimeNs truth = samples[rank - 1];
    const TimeNs reported = histogram.percentile(q);
    INFO("q = " << q << ", rank = " << rank << ", truth = " << truth << ", reported = " << reported);
    const double error = std::abs(static_cast<double>(reported) - static_cast<double>(truth));
    CHECK(error <= 0.01 * static_cast<double>(truth));
    // The layout promises more: half a bucket width, at most 1/256 of the value.
    const std::uint64_t exact_error = reported > truth ? static_cast<std::uint64_t>(reported - truth)
                                                       : static_cast<std::uint64_t>(truth - reported);
    CHECK(exact_error <= static_cast<std::uint64_t>(truth) / 256);
    if (truth < 256) CHECK(reported == truth);
  }
  // All of them in one pass report the same as one at a time.
  std::vector<double> qs;
  for (std::int64_t q_milli : kPercentilesMilli) qs.push_back(static_cast<double>(q_milli) / 1000.0);
  std::vector<TimeNs> together(qs.size());
  histogram.percentiles(qs, together);
  for (std::size_t i = 0; i < qs.size(); ++i) CHECK(together[i] == histogram.percentile(qs[i]));
}

TimeNs exponential(Rng& rng, double mean_ns) {
  return static_cast<TimeNs>(-std::log(1.0 - rng.uniform01()) * mean_ns);
}

// A standard normal draw by Box-Muller; fine for test data, not for the engine.
double normal(Rng& rng) {
  const double u1 = 1.0 - rng.uniform01();
  const double u2 = rng.uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.141592653589793 * u2);
}

}  // namespace

TEST_CASE("every bucket maps back to itself and buckets tile the value range", "[histogram]") {
  using H = LatencyHistogram;
  CHECK(H::bucket_low(0) == 0);
  CHECK(H::bucket_high(H::kBucketCount - 1) == kNever);
  for (std::size_t i = 0; i < H::kBucketCount; ++i) {
    INFO("bucket " << i);
    REQUIRE(H::bucket_low(i) <= H::bucket_high(i));
    REQUIRE(H::bucket_index(H::bucket_low(i)) == i);
    REQUIRE(H::bucket_index(H::bucket_high(i)) == i);
    if (i + 1 < H::kBucketCount) REQUIRE(H::bucket_high(i) + 1 == H::bucket_low(i + 1));
    // Each bucket is narrow enough that its midpoint is within 1/256 of anything in it.
    const auto width = static_cast<std::uint64_t>(H::bucket_high(i) - H::bucket_low(i));
    if (i < 256) {
      REQUIRE(width == 0);
    } else {
      REQUIRE(width * 128 < static_cast<std::uint64_t>(H::bucket_low(i)));
    }
  }
}

TEST_CASE("an empty histogram reports zeros and has no buckets", "[histogram]") {
  LatencyHistogram histogram;
  CHECK(histogram.empty());
  CHECK(histogram.count() == 0);
  CHECK(histogram.min() == 0);
  CHECK(histogram.max() == 0);
  CHECK(histogram.mean() == 0.0);
  CHECK(histogram.percentile(50) == 0);
  CHECK(histogram.percentile(100) == 0);
  std::array<TimeNs, 2> together{7, 7};
  histogram.percentiles(std::array<double, 2>{50, 99}, together);
  CHECK(together == std::array<TimeNs, 2>{0, 0});
  int visited = 0;
  histogram.for_each_bucket([&](const LatencyHistogram::Bucket&) { ++visited; });
  CHECK(visited == 0);
  histogram.record_n(5, 0);  // recording nothing leaves it empty
  CHECK(histogram.empty());
  CHECK(histogram == LatencyHistogram{});
}

TEST_CASE("nearest rank follows the textbook definition", "[histogram]") {
  CHECK(LatencyHistogram::nearest_rank(50, 0) == 0);
  CHECK(LatencyHistogram::nearest_rank(0, 10) == 1);
  CHECK(LatencyHistogram::nearest_rank(-3, 10) == 1);
  CHECK(LatencyHistogram::nearest_rank(std::nan(""), 10) == 1);
  CHECK(LatencyHistogram::nearest_rank(30, 10) == 3);
  CHECK(LatencyHistogram::nearest_rank(31, 10) == 4);
  CHECK(LatencyHistogram::nearest_rank(100, 10) == 10);
  CHECK(LatencyHistogram::nearest_rank(250, 10) == 10);
  for (std::uint64_t n = 1; n <= 5000; ++n) {
    for (std::int64_t q_milli : kPercentilesMilli) {
      INFO("n = " << n << ", q = " << q_milli << " thousandths");
      REQUIRE(LatencyHistogram::nearest_rank(static_cast<double>(q_milli) / 1000.0, n) ==
              integer_nearest_rank(q_milli, n));
    }
  }
}

TEST_CASE("small values are recorded exactly", "[histogram]") {
  LatencyHistogram histogram;
  histogram.record(0);
  histogram.record(1);
  histogram.record(1);
  histogram.record(255);
  CHECK(histogram.percentile(0) == 0);
  CHECK(histogram.percentile(25) == 0);
  CHECK(histogram.percentile(50) == 1);
  CHECK(histogram.percentile(75) == 1);
  CHECK(histogram.percentile(76) == 255);
  CHECK(histogram.percentile(100) == 255);
  check_percentiles({0});
  check_percentiles({1});
  check_percentiles({0, 0, 0, 1, 1, 2, 255, 256, 257});
}

TEST_CASE("percentiles are within 1% of the exact nearest-rank sample", "[histogram]") {
  Rng rng(0x5eed);
  std::vector<TimeNs> samples;

  SECTION("exponential latencies around a millisecond") {
    for (int i = 0; i < 20'000; ++i) samples.push_back(exponential(rng, 1e6));
  }
  SECTION("lognormal latencies with a heavy tail") {
    for (int i = 0; i < 20'000; ++i) {
      samples.push_back(static_cast<TimeNs>(std::exp(std::log(2e6) + 1.5 * normal(rng))));
    }
  }
  SECTION("uniform over a wide range") {
    for (int i = 0; i < 20'000; ++i) samples.push_back(static_cast<TimeNs>(rng.below(kTwoTo62)));
  }
  SECTION("log-uniform from 0 to 2^63 - 1") {
    for (int i = 0; i < 20'000; ++i) {
      const auto bits = static_cast<unsigned>(1 + rng.below(63));  // 1 to 63 bits
      samples.push_back(static_cast<TimeNs>(rng.next_u64() >> (64 - bits)));
    }
  }
  SECTION("values on and next to bucket boundaries") {
    for (int i = 0; i < 5'000; ++i) {
      const auto index = static_cast<std::size_t>(rng.below(LatencyHistogram::kBucketCount));
      const TimeNs low = LatencyHistogram::bucket_low(index);
      const TimeNs high = LatencyHistogram::bucket_high(index);
      samples.push_back(low);
      samples.push_back(high);
      if (low > 0) samples.push_back(low - 1);
      if (high < kNever) samples.push_back(high + 1);
    }
  }
  SECTION("huge values near 2^62 and the top of the range") {
    for (int i = 0; i < 5'000; ++i) {
      samples.push_back(kTwoTo62 - 1 - static_cast<TimeNs>(rng.below(1'000'000)));
      samples.push_back(kTwoTo62 + static_cast<TimeNs>(rng.below(1'000'000)));
      samples.push_back(kNever - static_cast<TimeNs>(rng.below(1'000'000)));
    }
  }
  SECTION("few samples, where the extreme buckets decide") {
    samples = {1'000'003, 1'000'999, 7'777'777};
  }
  SECTION("one repeated value") {
    samples.assign(1000, 123'456'789);
  }
  check_percentiles(samples);
}

TEST_CASE("min, max and mean are exact", "[histogram]") {
  LatencyHistogram histogram;
  histogram.record(1);
  histogram.record(2);
  histogram.record(3);
  histogram.record(1'000'001);
  CHECK(histogram.min() == 1);
  CHECK(histogram.max() == 1'000'001);
  CHECK(histogram.mean() == 250'001.75);

  SECTION("a repeated value of one sample") {
    LatencyHistogram single;
    single.record_n(1'234'567, 3);
    CHECK(single.min() == 1'234'567);
    CHECK(single.max() == 1'234'567);
    CHECK(single.mean() == 1'234'567.0);
    CHECK(single.count() == 3);
  }
  SECTION("a sum far beyond 64 bits") {
    LatencyHistogram huge;
    huge.record_n(kNever, 1'000'000);
    huge.record_n(kNever - 2, 1'000'000);
    // The exact mean is kNever - 1, which rounds to 2^63 as a double, like kNever itself.
    CHECK(huge.mean() == static_cast<double>(kNever - 1));
    CHECK(huge.max() == kNever);
    CHECK(huge.min() == kNever - 2);
    CHECK(huge.percentile(50) == kNever - 2);  // clamped to the exact minimum
    CHECK(huge.percentile(100) == kNever);     // clamped to the exact maximum
  }
}

TEST_CASE("merging equals recording both sets into one histogram", "[histogram]") {
  Rng rng(99);
  LatencyHistogram left;
  LatencyHistogram right;
  LatencyHistogram both;
  for (int i = 0; i < 5'000; ++i) {
    const TimeNs a = exponential(rng, 5e5);
    const TimeNs b = static_cast<TimeNs>(rng.below(kTwoTo62));
    left.record(a);
    right.record(b);
    both.record(a);
    both.record(b);
  }
  LatencyHistogram merged = left;
  merged.merge(right);
  CHECK(merged == both);
  CHECK(merged.percentile(99) == both.percentile(99));
  CHECK(merged.mean() == both.mean());

  SECTION("merging into an empty histogram copies it") {
    LatencyHistogram empty;
    empty.merge(right);
    CHECK(empty == right);
  }
  SECTION("merging an empty histogram changes nothing") {
    merged.merge(LatencyHistogram{});
    CHECK(merged == both);
  }
  SECTION("merging with itself doubles every count") {
    LatencyHistogram twice = left;
    twice.merge(twice);
    LatencyHistogram expected = left;
    expected.merge(left);
    CHECK(twice == expected);
    CHECK(twice.count() == 2 * left.count());
  }
}

TEST_CASE("clearing resets to an empty histogram that records afresh", "[histogram]") {
  LatencyHistogram histogram;
  histogram.record(7);
  histogram.record(3 * kSecond);
  histogram.record(kTwoTo62);
  histogram.clear();
  CHECK(histogram.empty());
  CHECK(histogram == LatencyHistogram{});  // every bucket is zero again

  histogram.record(42);
  CHECK(histogram.count() == 1);
  CHECK(histogram.min() == 42);
  CHECK(histogram.max() == 42);
  CHECK(histogram.percentile(50) == 42);
}

TEST_CASE("non-empty buckets are visited in order with their bounds", "[histogram]") {
  LatencyHistogram histogram;
  histogram.record_n(5, 2);
  histogram.record(1'000);
  histogram.record(1'001);
  histogram.record(kSecond);

  std::vector<LatencyHistogram::Bucket> buckets;
  histogram.for_each_bucket([&](const LatencyHistogram::Bucket& b) { buckets.push_back(b); });
  REQUIRE(buckets.size() == 3);  // 1000 and 1001 share a bucket of width 4
  CHECK(buckets[0].low_ns == 5);
  CHECK(buckets[0].high_ns == 5);
  CHECK(buckets[0].count == 2);
  CHECK(buckets[1].low_ns == 1'000);
  CHECK(buckets[1].high_ns == 1'003);
  CHECK(buckets[1].count == 2);
  CHECK(buckets[2].low_ns <= kSecond);
  CHECK(buckets[2].high_ns >= kSecond);
  CHECK(buckets[2].count == 1);
  std::uint64_t total = 0;
  for (const auto& b : buckets) total += b.count;
  CHECK(total == histogram.count());
}

TEST_CASE("out-of-range percentiles clamp to min and max", "[histogram]") {
  LatencyHistogram histogram;
  for (TimeNs v = 1'000; v <= 100'000; v += 1'000) histogram.record(v);
  CHECK(histogram.percentile(-10) == histogram.min());
  CHECK(histogram.percentile(0) == histogram.min());
  CHECK(histogram.percentile(100) == histogram.max());
  CHECK(histogram.percentile(1e9) == histogram.max());
}
