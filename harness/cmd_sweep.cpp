// `faultline sweep` (many seeds, possibly one shard of them) and `faultline merge` (shards
// back into the aggregate of one whole sweep, byte for byte).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "harness/cli.hpp"
#include "harness/interrupt.hpp"
#include "harness/loader.hpp"
#include "harness/output.hpp"
#include "harness/explore.hpp"
#include "harness/swarm.hpp"
#include "harness/sweep.hpp"
#include "reports/report.hpp"
#include "reports/sha256.hpp"

namespace faultline::harness {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kSeedsFile = "seeds.json";
constexpr const char* kSweepFile = "sweep.json";
constexpr const char* kProgressFile = "progress.json";
constexpr const char* kSummaryFile = "summary.md";

// Creates the output folder if needed and declares every file in it, which checks them (none
// may overwrite an input).
void prepare_out_dir(OutputSet& files, const std::string& dir) {
  files.add_output_folder("--out", dir, {kSeedsFile, kSweepFile, kSummaryFile});
}

// A swarm sweep keeps the drawn scenario of each failing seed, so its replay command works.
void stage_swarm_draws(OutputSet& files, const std::string& dir, const reports::SweepHeader& header,
                       const std::vector<reports::SeedRecord>& records) {
  if (!header.swarm) return;
  const JsonSource source = JsonSource::parse(header.scenario_file, header.scenario_source);
  const SwarmPlan plan = read_swarm_plan(source, load_scenario(source));
  std::error_code error;
  std::filesystem::create_directories(dir + "/swarm", error);
  if (error) throw OutputError("cannot create folder " + dir + "/swarm: " + error.message());
  for (const reports::SeedRecord& r : records) {
    if (r.passed) continue;
    const std::string path = dir + "/" + swarm_scenario_path(r.seed);
    files.add_output("--out", path);
    files.stage(path, swarm_draw(plan, r.seed).dump(2) + "\n");
  }
}

// Stages and commits the files together: all of them or none.
void write_sweep_outputs(OutputSet& files, const std::string& dir, const reports::SweepHeader& header,
                         const reports::SweepLayout& layout, const std::vector<reports::SeedRecord>& records, json& sweep) {
  stage_swarm_draws(files, dir, header, records);
  sweep = reports::build_sweep_report(header, layout, records);
  files.stage(dir + "/" + kSeedsFile, reports::render_seeds_file(header, layout, records));
  files.stage(dir + "/" + kSweepFile, reports::render_json(sweep));
  files.stage(dir + "/" + kSummaryFile, reports::render_sweep_markdown(sweep));
  files.commit();
}

}  // namespace

int command_sweep(const std::vector<std::string>& args) {
  std::string scenario_path, out_dir, seeds_text;
  std::optional<Shard> shard;
  bool resume = false;
  bool swarm = false;
  SweepRunOptions options;
  options.jobs = std::max(1u, std::thread::hardware_concurrency());
  LoadLimits load;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--seeds") seeds_text = flag_value(args, i);
    else if (arg == "--jobs") {
      const std::uint64_t jobs = parse_count(arg, flag_value(args, i));
      if (jobs == 0 || jobs > 4096) throw CommandUsageError("--jobs: expected 1 to 4096 worker threads");
      options.jobs = static_cast<unsigned>(jobs);
    } else if (arg == "--shard") shard = parse_shard(flag_value(args, i));
    else if (arg == "--out") out_dir = flag_value(args, i);
    else if (arg == "--resume") resume = true;
    else if (arg == "--swarm") swarm = true;
    else if (arg == "--max-events") options.limits.engine.max_events = parse_count(arg, flag_value(args, i));
    else if (!arg.empty() && arg[0] == '-') throw CommandUsageError("sweep: unknown option " + arg);
    else if (scenario_path.empty()) scenario_path = arg;
    else throw CommandUsageError("sweep: one scenario at a time (got " + scenario_path + " and " + arg + ")");
  }
  if (scenario_path.empty()) throw CommandUsageError("sweep: which scenario? (faultline sweep SCENARIO.json --seeds 1-100 --out DIR)");
  if (seeds_text.empty()) throw CommandUsageError("sweep: which seeds? (--seeds 1-100)");
  if (out_dir.empty()) throw CommandUsageError("sweep: where to? (--out DIR)");
  const SeedRange range = parse_seed_range(seeds_text);
  const SeedRange slice = shard ? shard_slice(range, *shard) : range;
  const JsonSource source = JsonSource::load(scenario_path);
  const Scenario scenario = load_scenario(source, load);
  std::optional<SwarmPlan> plan;
  if (swarm) {
    plan = read_swarm_plan(source, scenario);
    options.scenario_for_seed = [&](std::uint64_t seed) { return load_swarm_draw(*plan, source, seed); };
  }
  OutputSet files;
  files.add_input(scenario_path);
  prepare_out_dir(files, out_dir);
  options.progress = ::isatty(STDERR_FILENO) == 1;
  reports::SweepHeader header;
  header.faultline_version = reports::kVersion;
  header.scenario_name = scenario.name;
  header.scenario_sha256 = reports::sha256_hex(scenario.bytes);
  header.scenario_file = scenario_path;
  header.scenario_source = scenario.bytes;
  header.first_seed = range.first;
  header.last_seed = range.last;
  if (shard) {
    header.shard_index = shard->index;
    header.shard_count = shard->count;
  }
  header.slice_first = slice.first;
  header.slice_last = slice.last;
  header.swarm = swarm;
  const std::string progress_path = out_dir + "/" + kProgressFile;
  if (resume && std::filesystem::exists(progress_path)) {
    // Seeds an interrupted sweep finished: the same scenario, version and slice, or nothing.
    reports::SweepHeader saved;
    reports::SweepLayout saved_layout;
    std::vector<reports::SeedRecord> saved_records;
    reports::parse_seeds_file(read_json_file(progress_path), saved, saved_layout, saved_records);
    if (saved.scenario_sha256 != header.scenario_sha256 || saved.faultline_version != header.faultline_version ||
        saved.slice_first != header.slice_first || saved.slice_last != header.slice_last || saved.swarm != header.swarm) {
      throw CommandUsageError("--resume: " + progress_path + " belongs to another sweep (scenario, version or seeds differ)");
    }
    options.done = std::move(saved_records);
    if (!options.done.empty()) options.done_layout = std::move(saved_layout);
    std::cerr << "faultline: resuming: " << options.done.size() << " of " << slice.count() << " seeds already done\n";
  }
  const SweepRun run = run_sweep(scenario, slice, options);
  if (!run.complete) {
    // An interrupted sweep is incomplete: writing its aggregate would pass off a part as the
    // whole. The finished seeds are kept so that --resume can finish the same aggregate.
    if (run.has_layout && !run.records.empty()) {
      write_atomically(progress_path, reports::render_seeds_file(header, run.layout, run.records));
    }
    std::cerr << "faultline: sweep interrupted";
    if (const int signal = interrupted(); signal != 0) std::cerr << " by signal " << signal;
    std::cerr << " after " << run.records.size() << " of " << slice.count() << " seeds; no aggregate written."
              << " Finish it with the same command and --resume.\n";
    return kExitLimit;
  }
  std::error_code ignored;
  std::filesystem::remove(progress_path, ignored);

  json sweep;
  write_sweep_outputs(files, out_dir, header, run.layout, run.records, sweep);
  std::cout << reports::render_sweep_text(sweep);
  if (sweep["seeds_stopped_by_limit"].get<std::uint64_t>() > 0) {
    std::cerr << "faultline: some seeds hit a limit (see \"stop\" in " << out_dir << "/" << kSweepFile
              << "); raise it with --max-events\n";
    return kExitLimit;
  }
  return sweep["passed"].get<bool>() ? kExitPassed : kExitFailed;
}

std::vector<std::size_t> check_shard_parts(const std::vector<ShardPart>& parts, const std::string& items) {
  std::vector<std::size_t> order(parts.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return parts[a].header.shard_index < parts[b].header.shard_index; });
  const ShardPart& first = parts[order.front()];
  std::map<std::uint64_t, std::string> seen;
  for (const std::size_t k : order) {
    const ShardPart& p = parts[k];
    auto differs = [&](const std::string& what) {
      return InputError(p.path, {}, "", "not from the same run as " + first.path + ": " + what + " differs");
    };
    if (p.header.faultline_version != first.header.faultline_version) throw differs("the faultline version");
    if (p.header.scenario_sha256 != first.header.scenario_sha256) throw differs("the scenario (sha256)");
    if (p.header.first_seed != first.header.first_seed || p.header.last_seed != first.header.last_seed) {
      throw differs(items == "seeds" ? "the seed range" : "the range of " + items);
    }
    if (p.header.shard_count != first.header.shard_count) throw differs("the number of shards");
    if (p.header.swarm != first.header.swarm) throw differs("--swarm");
    if (!p.same_layout) throw differs("the assertions or metrics");
    if (p.header.shard_count == 0 && parts.size() > 1) {
      throw InputError(p.path, {}, "/shard", "is a whole run, not a shard; merge only the shards of one run");
    }
    if (!seen.emplace(p.header.shard_index, p.path).second) {
      throw InputError(p.path, {}, "/shard/index",
                       "shard " + std::to_string(p.header.shard_index) + " is given twice (also " + seen[p.header.shard_index] + ")");
    }
    const SeedRange expected = p.header.shard_count == 0 ? SeedRange{p.header.first_seed, p.header.last_seed}
                                                         : shard_slice({p.header.first_seed, p.header.last_seed},
                                                                       {p.header.shard_index, p.header.shard_count});
    bool complete = p.items.size() == expected.count();
    for (std::size_t i = 0; complete && i < p.items.size(); ++i) complete = p.items[i] == expected.first + i;
    if (!complete) {
      throw InputError(p.path, {}, "/runs", "does not hold exactly the " + items + " of its slice (a partial or edited shard)");
    }
  }
  if (first.header.shard_count > 0 && parts.size() != first.header.shard_count) {
    std::string missing;
    for (std::uint64_t k = 1; k <= first.header.shard_count; ++k) {
      if (seen.count(k) == 0) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
    }
    throw InputError(first.path, {}, "/shard", "the run has " + std::to_string(first.header.shard_count) +
                                                   " shards; missing: " + missing);
  }
  return order;
}

int command_merge(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string out_dir;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out") out_dir = flag_value(args, i);
    else if (!args[i].empty() && args[i][0] == '-') throw CommandUsageError("merge: unknown option " + args[i]);
    else inputs.push_back(args[i]);
  }
  if (inputs.empty()) throw CommandUsageError("merge: which shard folders? (faultline merge DIR... --out DIR)");
  if (out_dir.empty()) throw CommandUsageError("merge: where to? (--out DIR)");

  struct Part {
    std::string path;
    reports::SweepHeader header;
    reports::SweepLayout layout;
    std::vector<reports::SeedRecord> records;
  };
  if (is_explore_output(inputs.front())) return merge_explore(inputs, out_dir);
  // The out folder must not be one of the shards (checked again, with the files, before writing).
  OutputSet files;
  for (const std::string& input : inputs) {
    files.add_input(input);
    files.add_input(input + "/" + kSeedsFile);
  }
  std::vector<Part> parts;
  for (const std::string& input : inputs) {
    Part part;
    part.path = std::filesystem::is_directory(input) ? input + "/" + kSeedsFile : input;
    const json document = read_json_file(part.path);
    try {
      reports::parse_seeds_file(document, part.header, part.layout, part.records);
    } catch (const std::exception& e) {
      throw InputError(part.path, {}, "", e.what());
    }
    parts.push_back(std::move(part));
  }
  std::vector<ShardPart> checked;
  for (const Part& p : parts) {
    ShardPart part{p.path, p.header, {}, p.layout == parts.front().layout};
    for (const reports::SeedRecord& r : p.records) part.items.push_back(r.seed);
    checked.push_back(std::move(part));
  }
  const std::vector<std::size_t> order = check_shard_parts(checked, "seeds");
  std::vector<Part> sorted;
  for (const std::size_t k : order) sorted.push_back(std::move(parts[k]));
  parts = std::move(sorted);
  const Part& first = parts.front();
  reports::SweepHeader header = first.header;
  header.shard_index = header.shard_count = 0;
  header.slice_first = header.first_seed;
  header.slice_last = header.last_seed;
  std::vector<reports::SeedRecord> records;
  for (Part& p : parts) {
    for (reports::SeedRecord& r : p.records) records.push_back(std::move(r));
  }
  prepare_out_dir(files, out_dir);
  json sweep;
  write_sweep_outputs(files, out_dir, header, first.layout, records, sweep);
  std::cout << reports::render_sweep_text(sweep);
  return kExitPassed;
}

}  // namespace faultline::harness
