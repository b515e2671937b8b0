// The sweep runner: a pool of std::threads pulling seed indices from an atomic counter. Each
// thread owns at most one engine at a time (the engine's fibers are per thread).
#include "harness/sweep.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/interrupt.hpp"

namespace faultline::harness {

SeedRange parse_seed_range(const std::string& text) {
  const auto dash = text.find('-');
  SeedRange range;
  if (dash == std::string::npos) {
    range.first = range.last = parse_u64("--seeds", text);
  } else {
    range.first = parse_u64("--seeds", text.substr(0, dash));
    range.last = parse_u64("--seeds", text.substr(dash + 1));
  }
  if (range.last < range.first) {
    throw UsageError("--seeds: expected A-B with A <= B, got \"" + text + "\"");
  }
  if (range.last > (std::uint64_t{1} << 53)) {
    throw UsageError("--seeds: seeds are at most 9007199254740992 (2^53, as a scenario's \"seed\"), got \"" + text + "\"");
  }
  if (range.last - range.first >= kMaxSweepSeeds) {
    throw UsageError("--seeds: at most " + std::to_string(kMaxSweepSeeds) +
                            " seeds in one sweep; split it with --shard K/N over several machines");
  }
  return range;
}

SeedRange shard_slice(SeedRange range, Shard shard) {
  const std::uint64_t count = range.count();
  if (shard.count > count) {
    throw UsageError("--shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + ": " +
                            std::to_string(count) + " seeds cannot make " + std::to_string(shard.count) + " shards");
  }
  // Slice k holds seeds [first + count*(k-1)/N, first + count*k/N).
  const std::uint64_t begin = count * (shard.index - 1) / shard.count;
  const std::uint64_t end = count * shard.index / shard.count;
  return {range.first + begin, range.first + end - 1};
}

namespace {

// The seeds a resumed sweep had finished, in their slots; returns how many.
std::uint64_t place_done(std::vector<std::optional<reports::SeedRecord>>& records, SeedRange slice, const SweepRunOptions& options) {
  std::uint64_t resumed = 0;
  for (const reports::SeedRecord& record : options.done) {
    if (record.seed < slice.first || record.seed > slice.last) continue;
    records[record.seed - slice.first] = record;
    ++resumed;
  }
  return resumed;
}

// One seed's record and the layout it was read with; nothing when an interrupt cut the run.
struct SeedResult {
  reports::SweepLayout layout;
  reports::SeedRecord record;
};

std::optional<SeedResult> run_seed(const Scenario& scenario, std::uint64_t seed, const SweepRunOptions& options, const RunLimits& limits) {
  const RunResult result = options.scenario_for_seed ? run_scenario(options.scenario_for_seed(seed), seed, limits)
                                                     : run_scenario(scenario, seed, limits);
  if (result.interrupted) return std::nullopt;  // a partial run is not a result
  SeedResult out;
  out.layout = reports::sweep_layout(result.report);
  if (options.scenario_for_seed) {
    std::erase_if(out.layout.metrics, [](const reports::SweepLayout::Metric& m) { return m.group == "faults"; });
  }
  out.record = reports::seed_record(result.report, out.layout);
  return out;
}

// The finished seeds in seed order; complete only when every seed of the slice is there.
SweepRun collect(std::vector<std::optional<reports::SeedRecord>>& records, std::optional<reports::SweepLayout>& layout) {
  SweepRun run;
  run.has_layout = layout.has_value();
  if (layout) run.layout = std::move(*layout);
  for (auto& r : records) {
    if (r) run.records.push_back(std::move(*r));
  }
  // Interrupted: the caller keeps the completed seeds for --resume and writes no aggregate.
  run.complete = run.records.size() == records.size();
  return run;
}

}  // namespace

SweepRun run_sweep(const Scenario& scenario, SeedRange slice, const SweepRunOptions& options) {
  const std::uint64_t total = slice.count();
  std::vector<std::optional<reports::SeedRecord>> records(total);
  std::optional<reports::SweepLayout> layout = options.done_layout;
  // Seeds done before a resume count as done.
  std::atomic<std::uint64_t> next{0}, done{place_done(records, slice, options)}, failures{0};
  std::atomic<bool> abort{false};
  std::mutex mutex;
  ProgressReporter progress(options.progress, "sweep", "seeds", total);
  std::exception_ptr error;

  // Sweeps always run the invariant checker: it costs little next to a run, and a sweep is
  // where a rare simulator bug shows.
  RunLimits limits = options.limits;
  limits.check_invariants = true;
  auto worker = [&]() {
    // After SIGINT/SIGTERM no new seed starts; the runs in progress stop at their next check.
    while (!abort.load() && interrupted() == 0) {
      const std::uint64_t index = next.fetch_add(1);
      if (index >= total) break;
      if (records[index]) continue;  // done before the sweep was resumed
      try {
        std::optional<SeedResult> result = run_seed(scenario, slice.first + index, options, limits);
        if (!result) break;
        if (!result->record.passed) failures.fetch_add(1);
        std::lock_guard<std::mutex> lock(mutex);
        // Every seed of one scenario has the same layout; keep the first seed's.
        if (!layout) layout = std::move(result->layout);
        records[index] = std::move(result->record);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        abort.store(true);
      }
      const std::uint64_t now_done = done.fetch_add(1) + 1;
      // Every finished seed is offered to the progress reporter, so its lines at each 10% of
      // the seeds never depend on how threads were scheduled.
      std::lock_guard<std::mutex> lock(mutex);
      progress.update(now_done, failures.load());
    }
  };

  const unsigned jobs = static_cast<unsigned>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(options.jobs, total)));
  std::vector<std::thread> threads;
  threads.reserve(jobs);
  for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  progress.finish(done.load(), failures.load());
  if (error) std::rethrow_exception(error);
  return collect(records, layout);
}

}  // namespace faultline::harness
