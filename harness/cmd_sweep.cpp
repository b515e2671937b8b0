// `faultline sweep` (many seeds, possibly one shard of them) and `faultline merge` (shards
// back into the aggregate of one whole sweep, byte for byte).
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

#include "harness/cli.hpp"
#include "harness/cmd_limits.hpp"
#include "harness/cmd_run_outputs.hpp"
#include "harness/commands.hpp"
#include "harness/interrupt.hpp"
#include "harness/loader.hpp"
#include "harness/output.hpp"
#include "harness/explore.hpp"
#include "harness/swarm.hpp"
#include "harness/sweep.hpp"
#include "reports/report.hpp"
#include "reports/report_view.hpp"
#include "reports/sha256.hpp"
#include "reports/sweep_junit.hpp"

namespace faultline::harness {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kSeedsFile = "seeds.json";
constexpr const char* kSweepFile = "sweep.json";
constexpr const char* kProgressFile = "progress.json";
constexpr const char* kSummaryFile = "summary.md";

// Reads a sweep's seeds.json (merge's shards, sweep --resume's progress); a missing or
// ill-typed field is an input error naming the file and the JSON pointer.
void read_seeds_file(const std::string& path, const json& document, reports::SweepHeader& header,
                     reports::SweepLayout& layout, std::vector<reports::SeedRecord>& records) {
  try {
    reports::parse_seeds_file(document, header, layout, records);
  } catch (const reports::ReportError& e) {
    throw InputError(path, {}, e.pointer,
                     "at " + (e.pointer.empty() ? std::string("(document root)") : e.pointer) + ": " + e.what() +
                         " (expected a seeds.json written by faultline sweep)");
  }
}

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

// Stages the files (the caller commits them with the rest: all of them or none).
void stage_sweep_outputs(OutputSet& files, const std::string& dir, const reports::SweepHeader& header,
                         const reports::SweepLayout& layout, const std::vector<reports::SeedRecord>& records, json& sweep) {
  stage_swarm_draws(files, dir, header, records);
  sweep = reports::build_sweep_report(header, layout, records);
  files.stage(dir + "/" + kSeedsFile, reports::render_seeds_file(header, layout, records));
  files.stage(dir + "/" + kSweepFile, reports::render_json(sweep));
  files.stage(dir + "/" + kSummaryFile, reports::render_sweep_markdown(sweep));
}

// The limit flags of a sweep: a resumed sweep must use the same ones, or it would mix seeds
// stopped by one limit with seeds finished under another.
json limit_flags(const SweepRunOptions& options) {
  json limits;
  limits["max_events"] = options.limits.engine.max_events;
  limits["max_in_flight"] = options.limits.engine.max_in_flight;
  limits["max_wall"] = options.limits.max_wall_s;
  limits["max_memory"] = options.limits.max_memory_bytes;
  return limits;
}

std::string limits_text(const json& limits) {
  if (!limits.is_object()) return "(not recorded)";
  std::string text;
  for (const auto& [name, value] : limits.items()) {
    std::string flag = "--" + name;
    for (char& c : flag) c = c == '_' ? '-' : c;
    text += (text.empty() ? "" : " ") + flag + " " + value.dump();
  }
  return text;
}

}  // namespace

namespace {

struct SweepFlags {
  std::string scenario_path, out_dir, seeds_text, junit_path, summary_path;
  std::optional<Shard> shard;
  bool resume = false;
  bool swarm = false;
  bool github = false;
  bool quiet = false;  // no progress lines
  LimitFlags limits;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
};

SweepFlags parse_sweep_flags(const std::vector<std::string>& raw) {
  SweepFlags flags;
  ArgParser args("sweep", raw);
  while (!args.done()) {
    std::string value;
    if (take_limit_flag(args, flags.limits)) continue;
    if (args.option("--seeds", flags.seeds_text) || args.option("--out", flags.out_dir) ||
        args.option("--junit", flags.junit_path) || args.option("--summary", flags.summary_path) ||
        args.flag("--resume", flags.resume) || args.flag("--swarm", flags.swarm) || args.flag("--github", flags.github) ||
        args.flag("--quiet", flags.quiet)) {
    } else if (args.option("--jobs", value)) {
      const std::uint64_t jobs = parse_u64("--jobs", value);
      if (jobs == 0 || jobs > 4096) throw UsageError("--jobs: expected 1 to 4096 worker threads");
      flags.jobs = static_cast<unsigned>(jobs);
    } else if (args.option("--shard", value)) {
      flags.shard = parse_shard(value);
    } else if (args.operand(value)) {
      if (!flags.scenario_path.empty()) args.unexpected(value, "sweep takes one scenario");
      flags.scenario_path = value;
    } else if (!args.done()) {
      args.reject();
    }
  }
  if (flags.scenario_path.empty()) throw UsageError("sweep: which scenario? (faultline sweep SCENARIO.json --seeds 1-100 --out DIR)");
  if (flags.seeds_text.empty()) throw UsageError("sweep: which seeds? (--seeds 1-100)");
  if (flags.out_dir.empty()) throw UsageError("sweep: where to? (--out DIR)");
  return flags;
}

std::vector<SourceLocation> assertion_locations(const Scenario& scenario, std::size_t count) {
  std::vector<SourceLocation> where(count);
  try {
    const JsonSource source = JsonSource::parse(scenario.file, scenario.bytes);
    for (std::size_t i = 0; i < count; ++i) where[i] = source.locate("/assertions/" + std::to_string(i));
  } catch (const InputError&) {
    // It parsed when it was loaded; without locations the outputs just name no line.
  }
  return where;
}

// --junit, --summary and the GitHub step summary.
void stage_ci_outputs(OutputSet& files, const SweepFlags& flags, const Scenario& scenario, const json& sweep) {
  if (!flags.junit_path.empty()) {
    reports::SweepJunitContext context;
    context.scenario_file = flags.scenario_path;
    for (const SourceLocation& where : assertion_locations(scenario, sweep["assertions"].size())) {
      context.assertion_lines.push_back(where.line);
    }
    files.stage(output_target(flags.junit_path), reports::render_sweep_junit(sweep, context));
  }
  if (!flags.summary_path.empty()) files.stage(output_target(flags.summary_path), reports::render_sweep_markdown(sweep));
  if (flags.github || !flags.summary_path.empty()) {
    if (const char* step = github_step_summary()) {
      append_step_summary(files, step, scenario.name, [&](std::size_t room) { return reports::render_sweep_markdown(sweep, room); });
    }
  }
}

// One ::error per assertion that failed on some seed, at the assertion in the scenario file.
void print_github_sweep_errors(std::ostream& out, const Scenario& scenario, const json& sweep) {
  const json& assertions = sweep["assertions"];
  const std::vector<SourceLocation> where = assertion_locations(scenario, assertions.size());
  for (std::size_t i = 0; i < assertions.size(); ++i) {
    const json& a = assertions[i];
    const std::uint64_t failed = a["failed"].get<std::uint64_t>();
    if (failed == 0) continue;
    const std::string name = a["name"].get<std::string>();
    const std::vector<std::uint64_t> seeds = reports::failing_seeds_of(sweep, name);
    std::string list;
    for (std::size_t k = 0; k < seeds.size() && k < 10; ++k) list += (k == 0 ? "" : ", ") + std::to_string(seeds[k]);
    if (seeds.size() > 10) list += ", ...";
    const std::string message = scenario.name + ": assertion \"" + name + "\" failed on " + std::to_string(failed) +
                                " of " + sweep["runs"].dump() + " seeds (pass ratio " + a["pass_ratio"].dump() +
                                "); failing seeds: " + list + "; replay one with faultline run " +
                                shell_quote(scenario.file) + " --seed " + (seeds.empty() ? "N" : std::to_string(seeds[0]));
    print_github_annotation(out, scenario.file, where[i], "faultline: " + name + " failed on some seeds", message);
  }
}

// Loads the scenario; with --github, an input error is also an ::error annotation.
Scenario load_sweep_scenario(const SweepFlags& flags, std::optional<JsonSource>& loaded) {
  try {
    loaded.emplace(JsonSource::load(flags.scenario_path));
    return load_scenario(*loaded, flags.limits.load);
  } catch (const InputError& e) {
    if (flags.github) print_github_input_error(std::cout, e.file, e.where, format_error(e));
    throw;
  } catch (const LimitError& e) {
    if (flags.github) print_github_input_error(std::cout, e.file, e.where, e.what());
    throw;
  }
}

// "-" is standard output for one of --junit and --summary, as for run; the sweep's text then goes
// to standard error. Returns whether an output goes there.
bool output_on_stdout(const SweepFlags& flags) {
  const bool on_stdout = is_stdout(flags.junit_path) || is_stdout(flags.summary_path);
  if (is_stdout(flags.junit_path) && is_stdout(flags.summary_path)) {
    throw UsageError("only one output can go to standard output (\"-\")");
  }
  if (on_stdout && flags.github) throw UsageError("--github writes annotations to standard output, so no output can be \"-\" with it");
  return on_stdout;
}

// Declares the input and every output, which checks them before any seed runs.
void declare_files(OutputSet& files, const SweepFlags& flags) {
  files.add_input(flags.scenario_path);
  prepare_out_dir(files, flags.out_dir);
  if (!flags.junit_path.empty()) files.add_output("--junit", output_target(flags.junit_path));
  if (!flags.summary_path.empty()) files.add_output("--summary", output_target(flags.summary_path));
  const char* step_summary = flags.github || !flags.summary_path.empty() ? github_step_summary() : nullptr;
  if (step_summary != nullptr) files.add_output("$GITHUB_STEP_SUMMARY", step_summary);
}

reports::SweepHeader sweep_header(const Scenario& scenario, const SweepFlags& flags, SeedRange range, SeedRange slice) {
  reports::SweepHeader header;
  header.faultline_version = reports::kVersion;
  header.scenario_name = scenario.name;
  header.scenario_sha256 = reports::sha256_hex(scenario.bytes);
  header.scenario_file = flags.scenario_path;
  header.scenario_source = scenario.bytes;
  header.first_seed = range.first;
  header.last_seed = range.last;
  if (flags.shard) {
    header.shard_index = flags.shard->index;
    header.shard_count = flags.shard->count;
  }
  header.slice_first = slice.first;
  header.slice_last = slice.last;
  header.swarm = flags.swarm;
  return header;
}

// --resume: the seeds an interrupted sweep finished, when they are of the same scenario,
// version, slice and limits (anything else is a usage error).
void resume_from(const std::string& progress_path, const reports::SweepHeader& header, SeedRange slice, SweepRunOptions& options) {
  reports::SweepHeader saved;
  reports::SweepLayout saved_layout;
  std::vector<reports::SeedRecord> saved_records;
  const json progress = read_json_file(progress_path);
  read_seeds_file(progress_path, progress, saved, saved_layout, saved_records);
  if (saved.scenario_sha256 != header.scenario_sha256 || saved.faultline_version != header.faultline_version ||
      saved.slice_first != header.slice_first || saved.slice_last != header.slice_last || saved.swarm != header.swarm) {
    throw UsageError("--resume: " + progress_path + " belongs to another sweep (scenario, version or seeds differ)");
  }
  const json saved_limits = progress.is_object() && progress.contains("limits") ? progress["limits"] : json();
  if (saved_limits != limit_flags(options)) {
    throw UsageError("--resume: " + progress_path + " was interrupted with " + limits_text(saved_limits) +
                            ", this command has " + limits_text(limit_flags(options)) +
                            "; resume with the same limits (or start the sweep again without --resume)");
  }
  options.done = std::move(saved_records);
  if (!options.done.empty()) options.done_layout = std::move(saved_layout);
  std::cerr << "faultline: resuming: " << options.done.size() << " of " << slice.count() << " seeds already done\n";
}

// An interrupted sweep is incomplete: writing its aggregate would pass off a part as the
// whole. The finished seeds are kept so that --resume can finish the same aggregate.
int stop_interrupted(const SweepRun& run, const reports::SweepHeader& header, const SweepRunOptions& options,
                     const std::string& progress_path, SeedRange slice) {
  if (run.has_layout && !run.records.empty()) {
    // The limits go in too (after the opening brace), so that --resume can check them.
    std::string text = reports::render_seeds_file(header, run.layout, run.records);
    text.insert(2, "  \"limits\": " + limit_flags(options).dump() + ",\n");
    write_atomically(progress_path, text);
  }
  std::cerr << "faultline: sweep interrupted";
  if (const int signal = interrupted(); signal != 0) std::cerr << " by signal " << signal;
  std::cerr << " after " << run.records.size() << " of " << slice.count() << " seeds; no aggregate written."
            << " Finish it with the same command and --resume.\n";
  return kExitLimit;
}

}  // namespace

int command_sweep(const std::vector<std::string>& raw) {
  const SweepFlags flags = parse_sweep_flags(raw);
  SweepRunOptions options;
  options.jobs = flags.jobs;
  options.limits = flags.limits.run;
  const SeedRange range = parse_seed_range(flags.seeds_text);
  const SeedRange slice = flags.shard ? shard_slice(range, *flags.shard) : range;
  std::optional<JsonSource> loaded;
  const Scenario scenario = load_sweep_scenario(flags, loaded);
  std::optional<SwarmPlan> plan;
  if (flags.swarm) {
    plan = read_swarm_plan(*loaded, scenario);
    options.scenario_for_seed = [&](std::uint64_t seed) { return load_swarm_draw(*plan, *loaded, seed); };
  }
  const bool text_to_stderr = output_on_stdout(flags);
  OutputSet files;
  declare_files(files, flags);
  options.progress = progress_style_for_stderr(flags.quiet);
  const reports::SweepHeader header = sweep_header(scenario, flags, range, slice);
  const std::string progress_path = flags.out_dir + "/" + kProgressFile;
  if (flags.resume && std::filesystem::exists(progress_path)) resume_from(progress_path, header, slice, options);
  const SweepRun run = run_sweep(scenario, slice, options);
  if (!run.complete) return stop_interrupted(run, header, options, progress_path, slice);
  std::error_code ignored;
  std::filesystem::remove(progress_path, ignored);

  json sweep;
  stage_sweep_outputs(files, flags.out_dir, header, run.layout, run.records, sweep);
  stage_ci_outputs(files, flags, scenario, sweep);
  files.commit();
  (text_to_stderr ? std::cerr : std::cout) << reports::render_sweep_text(sweep);
  if (flags.github) print_github_sweep_errors(std::cout, scenario, sweep);
  if (sweep["seeds_stopped_by_limit"].get<std::uint64_t>() > 0) {
    std::cerr << "faultline: some seeds hit a limit (see \"stop\" in " << flags.out_dir << "/" << kSweepFile
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

int command_merge(const std::vector<std::string>& raw) {
  std::vector<std::string> inputs;
  std::string out_dir;
  ArgParser args("merge", raw);
  while (!args.done()) {
    std::string value;
    if (args.option("--out", out_dir)) continue;
    if (args.operand(value)) inputs.push_back(value);
    else if (!args.done()) args.reject();
  }
  if (inputs.empty()) throw UsageError("merge: which shard folders? (faultline merge DIR... --out DIR)");
  if (out_dir.empty()) throw UsageError("merge: where to? (--out DIR)");

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
    read_seeds_file(part.path, document, part.header, part.layout, part.records);
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
  stage_sweep_outputs(files, out_dir, header, first.layout, records, sweep);
  files.commit();
  std::cout << reports::render_sweep_text(sweep);
  return kExitPassed;
}

}  // namespace faultline::harness
