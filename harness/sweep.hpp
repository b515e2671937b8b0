// Running one scenario over a range of seeds on worker threads. Each run is single-threaded
// and deterministic; a record per seed is kept in seed order, so results never depend on the
// number of workers or on which worker ran which seed.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/cmd_common.hpp"
#include "harness/progress.hpp"
#include "harness/runner.hpp"
#include "harness/scenario.hpp"
#include "reports/sweep_report.hpp"

namespace faultline::harness {

struct SeedRange {
  std::uint64_t first = 1;
  std::uint64_t last = 1;
  std::uint64_t count() const { return last - first + 1; }
};

inline constexpr std::uint64_t kMaxSweepSeeds = 10'000'000;

// "A-B" (inclusive) or "N". UsageError when malformed, reversed or too long.
SeedRange parse_seed_range(const std::string& text);

// The K-th of N contiguous, disjoint slices of `range`, sizes differing by at most one.
// UsageError when N exceeds the number of seeds.
SeedRange shard_slice(SeedRange range, Shard shard);

struct SweepRunOptions {
  unsigned jobs = 1;
  // Seeds already done by an interrupted sweep (--resume), with their layout; not run again.
  std::vector<reports::SeedRecord> done;
  std::optional<reports::SweepLayout> done_layout;
  ProgressStyle progress = ProgressStyle::none;  // progress on standard error
  RunLimits limits;
  // Swarm sweeps: the scenario each seed runs (drawn per seed). Its faults differ from seed to
  // seed, so their metrics are left out of the records; clients and services stay.
  std::function<Scenario(std::uint64_t seed)> scenario_for_seed;
};

struct SweepRun {
  reports::SweepLayout layout;
  std::vector<reports::SeedRecord> records;  // by seed; only the completed ones when interrupted
  bool complete = true;
  bool has_layout = false;
};

// Runs every seed of `slice`. Rethrows the first exception a run raised.
SweepRun run_sweep(const Scenario& scenario, SeedRange slice, const SweepRunOptions& options);

// One shard output as merge sees it: its header, the numbers it holds (seeds, or candidates of
// an exploration) in order, and whether its layout matches the first part's.
struct ShardPart {
  std::string path;
  reports::SweepHeader header;
  std::vector<std::uint64_t> items;
  bool same_layout = true;
};

// Checks that `parts` are exactly the shards of one sweep or exploration: same version,
// scenario, range and shard count, each slice complete, no shard given twice or missing.
// Returns the parts' indices in shard order. Throws InputError naming the part at fault.
std::vector<std::size_t> check_shard_parts(const std::vector<ShardPart>& parts, const std::string& items);

}  // namespace faultline::harness
