// `faultline explore` and the merge of its shards. Each candidate is the scenario file's own
// document with the candidate's faults in it, loaded like any file and swept over seeds 1..K
// by the sweep runner; its records are the sweep's seed records.
#include "harness/explore.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "harness/cli.hpp"
#include "harness/explore_space.hpp"
#include "harness/interrupt.hpp"
#include "harness/loader.hpp"
#include "harness/output.hpp"
#include "harness/parallel.hpp"
#include "harness/sweep.hpp"
#include "reports/explore_report.hpp"
#include "reports/report.hpp"
#include "reports/sha256.hpp"

namespace faultline::harness {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kRunsFile = "runs.json";
constexpr const char* kExploreFile = "explore.json";
constexpr const char* kSummaryFile = "summary.md";
constexpr const char* kHtmlFile = "explore.html";
constexpr const char* kJunitFile = "junit.xml";
constexpr std::uint64_t kMaxSeedsPerCandidate = 10'000;

struct ExploreOptions {
  std::string scenario_path, out_dir, space;
  std::uint64_t seeds = 3;
  unsigned jobs = 1;
  std::optional<Shard> shard;
  bool keep_faults = false;
  RunLimits limits;
  LoadLimits load;
};

ExploreOptions parse_options(const std::vector<std::string>& args) {
  ExploreOptions o;
  o.jobs = std::max(1u, std::thread::hardware_concurrency());
  ArgParser parser("explore", args);
  while (!parser.done()) {
    std::string value;
    if (parser.option("--space", o.space) || parser.option("--out", o.out_dir) ||
        parser.flag("--keep-faults", o.keep_faults)) {
    } else if (parser.option("--seeds", value)) {
      o.seeds = parse_u64("--seeds", value);
      if (o.seeds == 0 || o.seeds > kMaxSeedsPerCandidate) {
        throw UsageError("--seeds: expected how many seeds each candidate runs on, 1 to " +
                         std::to_string(kMaxSeedsPerCandidate));
      }
    } else if (parser.option("--jobs", value)) {
      const std::uint64_t jobs = parse_u64("--jobs", value);
      if (jobs == 0 || jobs > 4096) throw UsageError("--jobs: expected 1 to 4096 worker threads");
      o.jobs = static_cast<unsigned>(jobs);
    } else if (parser.option("--shard", value)) {
      o.shard = parse_shard(value);
    } else if (parser.option("--max-events", value)) {
      o.limits.engine.max_events = parse_u64("--max-events", value);
    } else if (parser.operand(value)) {
      if (!o.scenario_path.empty()) parser.unexpected(value, "explore takes one scenario");
      o.scenario_path = value;
    } else if (!parser.done()) {
      parser.reject();
    }
  }
  if (o.scenario_path.empty()) {
    throw UsageError("explore: which scenario? (faultline explore SCENARIO.json --space single --out DIR)");
  }
  if (o.space.empty()) throw UsageError("explore: which space? (--space single or --space pairs)");
  if (o.space != "single" && o.space != "pairs") {
    throw UsageError("--space: expected single or pairs, got \"" + o.space + "\"");
  }
  if (o.out_dir.empty()) throw UsageError("explore: where to? (--out DIR)");
  return o;
}

// Declares the output folder and its fixed files before any work (none may overwrite an input).
void prepare_out_dir(OutputSet& files, const std::string& dir) {
  files.add_output_folder("--out", dir, {kRunsFile, kExploreFile, kSummaryFile, kHtmlFile, kJunitFile});
}

std::string document_text(const json& document) { return document.dump(2) + "\n"; }

// The candidate's scenario, as text (what a reproducer file holds) and loaded.
struct CandidateScenario {
  std::string text;
  Scenario scenario;
};

CandidateScenario candidate_scenario(const json& document, const std::vector<json>& faults, bool keep_faults,
                                     const std::string& file, const LoadLimits& load) {
  CandidateScenario out;
  out.text = document_text(candidate_document(document, faults, keep_faults));
  out.scenario = load_scenario(JsonSource::parse(file, out.text), load);
  return out;
}

// Runs one candidate on seeds 1..K on the calling thread. Empty when interrupted.
std::optional<SweepRun> run_candidate(const json& document, const std::vector<json>& faults, const ExploreOptions& o,
                                      const std::string& file) {
  const CandidateScenario candidate = candidate_scenario(document, faults, o.keep_faults, file, o.load);
  SweepRunOptions options;
  options.jobs = 1;
  options.limits = o.limits;
  SweepRun run = run_sweep(candidate.scenario, {1, o.seeds}, options);
  if (!run.complete) return std::nullopt;
  return run;
}

reports::CandidateRecord candidate_record(std::uint64_t number, const Candidate& c, SweepRun run) {
  reports::CandidateRecord record;
  record.number = number;
  record.id = c.id;
  record.faults = json::array();
  for (const json& f : c.faults) record.faults.push_back(f);
  // Metrics differ with each candidate's faults; the matrix needs the assertions only.
  for (reports::SeedRecord& r : run.records) r.metrics.clear();
  record.runs = std::move(run.records);
  return record;
}

reports::SweepLayout assertions_only(reports::SweepLayout layout) {
  layout.metrics.clear();
  return layout;
}

// Writes every output of an exploration (or of a merge of its shards) into `dir`.
// All of them or none: staged together and committed at once.
json write_explore_outputs(OutputSet& files, const std::string& dir, const reports::ExploreHeader& header,
                           const reports::SweepLayout& layout, const std::vector<reports::CandidateRecord>& records) {
  json report = reports::build_explore_report(header, layout, records);
  // Reproducers first: a failing row's replay names its file.
  const json document = explore_base_document(json::parse(header.sweep.scenario_source));
  std::error_code error;
  std::filesystem::create_directories(dir + "/scenarios", error);
  if (error) throw OutputError("cannot create folder " + dir + "/scenarios: " + error.message());
  for (const reports::CandidateRecord& c : records) {
    bool failed = false;
    for (const reports::SeedRecord& r : c.runs) failed = failed || !r.passed;
    if (!failed) continue;
    std::vector<json> faults(c.faults.begin(), c.faults.end());
    json candidate = candidate_document(document, faults, header.keep_faults);
    candidate["description"] = "Reproduces exploration candidate " + std::to_string(c.number) + " (" + c.id + ") of " +
                               header.sweep.scenario_file + ". " + candidate.value("description", "");
    const std::string path = dir + "/" + reports::candidate_scenario_path(c.number);
    files.add_output("--out", path);
    files.stage(path, document_text(candidate));
  }
  files.stage(dir + "/" + kRunsFile, reports::render_explore_runs(header, layout, records));
  files.stage(dir + "/" + kExploreFile, reports::render_json(report));
  files.stage(dir + "/" + kSummaryFile, reports::render_explore_markdown(report));
  files.stage(dir + "/" + kHtmlFile, reports::render_explore_html(report));
  files.stage(dir + "/" + kJunitFile, reports::render_explore_junit(report));
  files.commit();
  return report;
}

int interrupted_exit(std::size_t done, std::size_t total) {
  std::cerr << "faultline: explore interrupted";
  if (const int signal = interrupted(); signal != 0) std::cerr << " by signal " << signal;
  std::cerr << " after " << done << " of " << total << " candidates; nothing was written\n";
  return kExitLimit;
}

// Instances that served no request on any baseline seed (the scenario without candidates).
std::optional<std::vector<bool>> idle_instances(const json& document, const ExploreOptions& o, const std::string& file) {
  const CandidateScenario baseline = candidate_scenario(document, {}, o.keep_faults, file + "#baseline", o.load);
  std::vector<std::uint64_t> served;
  std::vector<RunResult> results(o.seeds);
  run_parallel(o.seeds, o.jobs, [&](std::size_t k) { results[k] = run_scenario(baseline.scenario, k + 1, o.limits); });
  for (const RunResult& r : results) {
    if (!r.engine || r.interrupted) return std::nullopt;
    const auto instances = r.engine->instances();
    served.resize(instances.size(), 0);
    for (std::size_t i = 0; i < instances.size(); ++i) served[i] += instances[i].served;
  }
  std::vector<bool> idle(served.size());
  for (std::size_t i = 0; i < served.size(); ++i) idle[i] = served[i] == 0;
  return idle;
}

// The matrix's header before the candidates are known: the space, the seeds, the scenario.
reports::ExploreHeader explore_header(const ExploreOptions& o, const Scenario& scenario, const json& document, std::size_t singles) {
  reports::ExploreHeader header;
  header.space = o.space;
  header.seeds = o.seeds;
  header.keep_faults = o.keep_faults;
  candidate_document(document, {}, o.keep_faults, &header.assertions_left_out);
  header.singles = singles;
  reports::SweepHeader& s = header.sweep;
  s.faultline_version = reports::kVersion;
  s.scenario_name = scenario.name;
  s.scenario_sha256 = reports::sha256_hex(scenario.bytes);
  s.scenario_file = o.scenario_path;
  s.scenario_source = scenario.bytes;
  return header;
}

// The pairs a pruned pair space explores, appended to `candidates`: a pair whose singles all
// pass on every seed and touch no instance idle in the baseline. Runs the baseline and every
// single first (in every shard); their runs are kept in `single_runs`. Returns the exit code
// when interrupted.
std::optional<int> add_pairs(const json& document, const ExploreOptions& o, const std::string& file, const std::vector<Candidate>& singles,
                             reports::ExploreHeader& header, std::vector<Candidate>& candidates,
                             std::vector<std::optional<SweepRun>>& single_runs) {
  const auto idle = idle_instances(document, o, o.scenario_path);
  if (!idle) return interrupted_exit(0, singles.size());
  run_parallel(singles.size(), o.jobs, [&](std::size_t i) { single_runs[i] = run_candidate(document, singles[i].faults, o, file); });
  std::size_t done = 0;
  for (const auto& r : single_runs) done += r ? 1 : 0;
  if (done < singles.size()) return interrupted_exit(done, singles.size());
  for (const bool i : *idle) header.idle_instances += i ? 1 : 0;
  auto passes = [&](std::size_t i) {
    for (const auto& r : single_runs[i]->records) {
      if (!r.passed) return false;
    }
    return true;
  };
  auto touches_idle = [&](const Candidate& c) {
    for (const std::uint32_t i : c.instances) {
      if (i < idle->size() && (*idle)[i]) return true;
    }
    return false;
  };
  for (std::size_t i = 0; i < singles.size(); ++i) {
    for (std::size_t j = i + 1; j < singles.size(); ++j) {
      ++header.pairs_possible;
      if (!passes(i) || !passes(j)) ++header.pairs_pruned_failing_single;
      else if (touches_idle(singles[i]) || touches_idle(singles[j])) ++header.pairs_pruned_idle_instance;
      else candidates.push_back(pair_candidate(singles, i, j));
    }
  }
  return std::nullopt;
}

// This shard's slice of the candidates (all of them without --shard), recorded in the header.
SeedRange candidate_slice(const ExploreOptions& o, std::size_t count, reports::SweepHeader& s) {
  const SeedRange all{1, count};
  const SeedRange slice = o.shard ? shard_slice(all, *o.shard) : all;
  s.first_seed = all.first;
  s.last_seed = all.last;
  if (o.shard) {
    s.shard_index = o.shard->index;
    s.shard_count = o.shard->count;
  }
  s.slice_first = slice.first;
  s.slice_last = slice.last;
  return slice;
}

}  // namespace

int command_explore(const std::vector<std::string>& args) {
  ExploreOptions o = parse_options(args);
  const JsonSource source = JsonSource::load(o.scenario_path);
  const Scenario scenario = load_scenario(source, o.load);
  const ExploreSettings settings = read_explore_settings(source, scenario);
  const std::vector<Candidate> singles = single_candidates(source, scenario, settings);
  // Parsed again from the bytes, exactly as the reproducers and a merge will parse them.
  const json document = explore_base_document(json::parse(scenario.bytes));
  OutputSet files;
  files.add_input(o.scenario_path);
  prepare_out_dir(files, o.out_dir);
  reports::ExploreHeader header = explore_header(o, scenario, document, singles.size());
  const std::string file = o.scenario_path + "#candidate";

  std::vector<Candidate> candidates = singles;
  std::vector<std::optional<SweepRun>> single_runs(singles.size());
  if (o.space == "pairs") {
    if (const auto stopped = add_pairs(document, o, file, singles, header, candidates, single_runs)) return *stopped;
  }
  const SeedRange slice = candidate_slice(o, candidates.size(), header.sweep);
  std::vector<std::optional<SweepRun>> runs(slice.count());
  run_parallel(slice.count(), o.jobs, [&](std::size_t k) {
    const std::size_t index = slice.first - 1 + k;
    if (index < single_runs.size() && single_runs[index]) runs[k] = single_runs[index];
    else runs[k] = run_candidate(document, candidates[index].faults, o, file);
  });
  std::vector<reports::CandidateRecord> records;
  std::optional<reports::SweepLayout> layout;
  bool limited = false;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    if (!runs[k]) return interrupted_exit(records.size(), runs.size());
    if (!layout && runs[k]->has_layout) layout = assertions_only(runs[k]->layout);
    for (const auto& r : runs[k]->records) limited = limited || r.stop != "finished";
    records.push_back(candidate_record(slice.first + k, candidates[slice.first - 1 + k], std::move(*runs[k])));
  }
  const json report = write_explore_outputs(files, o.out_dir, header, layout.value_or(reports::SweepLayout{}), records);
  std::cout << reports::render_explore_text(report);
  if (limited) {
    std::cerr << "faultline: some runs hit a limit (their \"stop\" in " << o.out_dir << "/" << kRunsFile
              << "); raise it with --max-events\n";
    return kExitLimit;
  }
  return report["passed"].get<bool>() ? kExitPassed : kExitFailed;
}

bool is_explore_output(const std::string& input) {
  if (std::filesystem::is_directory(input)) {
    return std::filesystem::exists(input + "/" + kRunsFile) && !std::filesystem::exists(input + "/seeds.json");
  }
  return std::filesystem::path(input).filename() == kRunsFile;
}

int merge_explore(const std::vector<std::string>& inputs, const std::string& out_dir) {
  struct Part {
    std::string path;
    reports::ExploreHeader header;
    reports::SweepLayout layout;
    std::vector<reports::CandidateRecord> records;
  };
  OutputSet files;
  for (const std::string& input : inputs) {
    files.add_input(input);
    files.add_input(input + "/" + kRunsFile);
  }
  std::vector<Part> parts;
  for (const std::string& input : inputs) {
    Part part;
    part.path = std::filesystem::is_directory(input) ? input + "/" + kRunsFile : input;
    const json document = read_json_file(part.path);
    try {
      reports::parse_explore_runs(document, part.header, part.layout, part.records);
    } catch (const std::exception& e) {
      throw InputError(part.path, {}, "", e.what());
    }
    parts.push_back(std::move(part));
  }
  std::vector<ShardPart> checked;
  for (const Part& p : parts) {
    const reports::ExploreHeader& a = p.header;
    const reports::ExploreHeader& b = parts.front().header;
    const bool same = p.layout == parts.front().layout && a.space == b.space && a.seeds == b.seeds &&
                      a.keep_faults == b.keep_faults;
    ShardPart part{p.path, p.header.sweep, {}, same};
    for (const reports::CandidateRecord& c : p.records) part.items.push_back(c.number);
    checked.push_back(std::move(part));
  }
  const std::vector<std::size_t> order = check_shard_parts(checked, "candidates");
  reports::ExploreHeader header = parts[order.front()].header;
  reports::SweepHeader& s = header.sweep;
  s.shard_index = s.shard_count = 0;
  s.slice_first = s.first_seed;
  s.slice_last = s.last_seed;
  std::vector<reports::CandidateRecord> records;
  for (const std::size_t k : order) {
    for (reports::CandidateRecord& c : parts[k].records) records.push_back(std::move(c));
  }
  prepare_out_dir(files, out_dir);
  const json report = write_explore_outputs(files, out_dir, header, parts[order.front()].layout, records);
  std::cout << reports::render_explore_text(report);
  return kExitPassed;
}

}  // namespace faultline::harness
