// Shrinking a failing run: materialise its fault schedule, then delta-debug it (Zeller's ddmin
// over the faults, then shorter windows, then later instants), re-running the scenario for
// every trial. Faults keep their names, so each keeps its own random streams ("fault/NAME"):
// removing one never changes what another draws, which is what makes a removal a fair trial.
#include "harness/shrink.hpp"

#include <algorithm>
#include <iostream>
#include <optional>
#include <thread>

#include "harness/cli.hpp"
#include "harness/cmd_common.hpp"
#include "harness/cmd_run_outputs.hpp"
#include "harness/duration.hpp"
#include "harness/explore_space.hpp"
#include "harness/loader.hpp"
#include "harness/output.hpp"
#include "harness/parallel.hpp"

namespace faultline::harness {
namespace {

using json = nlohmann::ordered_json;

struct ShrinkOptions {
  std::string scenario_path, from_report, out_path, assertion;
  std::optional<std::uint64_t> seed;
  std::uint64_t seeds = 1;
  std::uint64_t min_fail = 1;
  std::uint64_t max_runs = 5000;
  unsigned jobs = 1;
  LoadLimits load;
  RunLimits limits;
};

ShrinkOptions parse_options(const std::vector<std::string>& args) {
  ShrinkOptions o;
  o.jobs = std::max(1u, std::thread::hardware_concurrency());
  bool min_fail_given = false;
  ArgParser parser("shrink", args);
  while (!parser.done()) {
    std::string value;
    if (parser.option("--out", o.out_path) || parser.option("--from-report", o.from_report) ||
        parser.option("--assertion", o.assertion)) {
    } else if (parser.option("--seed", value)) {
      o.seed = parse_u64("--seed", value);
    } else if (parser.option("--seeds", value)) {
      o.seeds = parse_u64("--seeds", value);
    } else if (parser.option("--min-fail", value)) {
      o.min_fail = parse_u64("--min-fail", value);
      min_fail_given = true;
    } else if (parser.option("--max-runs", value)) {
      o.max_runs = parse_u64("--max-runs", value);
    } else if (parser.option("--jobs", value)) {
      const std::uint64_t jobs = parse_u64("--jobs", value);
      if (jobs == 0 || jobs > 4096) throw UsageError("--jobs: expected 1 to 4096 worker threads");
      o.jobs = static_cast<unsigned>(jobs);
    } else if (parser.option("--max-events", value)) {
      o.limits.engine.max_events = parse_u64("--max-events", value);
    } else if (parser.operand(value)) {
      if (!o.scenario_path.empty()) parser.unexpected(value, "shrink takes one scenario");
      o.scenario_path = value;
    } else if (!parser.done()) {
      parser.reject();
    }
  }
  if (o.scenario_path.empty() == o.from_report.empty()) {
    throw UsageError("shrink: a scenario or --from-report REPORT.json (one of them)");
  }
  if (o.out_path.empty()) throw UsageError("shrink: where to? (--out MIN.json)");
  if (o.seeds == 0 || o.seeds > 1000) throw UsageError("--seeds: expected 1 to 1000 seeds");
  if (o.min_fail == 0) throw UsageError("--min-fail: expected at least 1");
  if (o.min_fail > o.seeds) {
    throw UsageError("--min-fail " + std::to_string(o.min_fail) + " is larger than --seeds " +
                            std::to_string(o.seeds) + (min_fail_given ? "" : " (give --seeds K)") +
                            ": the result must fail on at least m of the K seeds, so m <= K");
  }
  if (o.max_runs == 0) throw UsageError("--max-runs: expected at least 1");
  return o;
}

// Runs trial scenarios and judges them: does the target assertion fail on >= m of K seeds?
class Trials {
 public:
  Trials(const ShrinkOptions& options, const json& document, std::string file)
      : options_(options), document_(document), file_(std::move(file)) {}

  std::string assertion;  // the target assertion's name
  std::uint64_t runs = 0;

  json document_with(const std::vector<json>& faults) const { return candidate_document(document_, faults, false); }

  // How many of the K seeds fail the target assertion (an empty target: any assertion).
  std::uint64_t failures(const std::vector<json>& faults) {
    const std::string text = document_with(faults).dump(2) + "\n";
    const Scenario scenario = load_scenario(JsonSource::parse(file_, text), options_.load);
    std::vector<char> failed(options_.seeds, 0);
    run_parallel(options_.seeds, options_.jobs, [&](std::size_t k) {
      const RunResult result = run_scenario(scenario, *options_.seed + k, options_.limits);
      for (const auto& a : result.assertions) {
        if ((assertion.empty() || a.name == assertion) && !a.passed) failed[k] = 1;
      }
    });
    runs += options_.seeds;
    return static_cast<std::uint64_t>(std::count(failed.begin(), failed.end(), 1));
  }

  bool fails(const std::vector<json>& faults) {
    if (runs >= options_.max_runs) return false;  // out of budget: keep what we have
    return failures(faults) >= options_.min_fail;
  }

 private:
  const ShrinkOptions& options_;
  const json& document_;
  std::string file_;
};

std::vector<json> join(const std::vector<json>& pinned, const std::vector<json>& free) {
  std::vector<json> out = pinned;
  out.insert(out.end(), free.begin(), free.end());
  return out;
}

// Zeller's ddmin over `free` (the pinned faults always stay): returns a 1-minimal subset.
std::vector<json> ddmin(Trials& trials, const std::vector<json>& pinned, std::vector<json> free) {
  if (!free.empty() && trials.fails(pinned)) return {};
  std::size_t n = 2;
  while (free.size() >= 2) {
    const std::size_t size = free.size();
    std::vector<std::vector<json>> chunks;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t begin = size * k / n, end = size * (k + 1) / n;
      chunks.emplace_back(free.begin() + static_cast<std::ptrdiff_t>(begin), free.begin() + static_cast<std::ptrdiff_t>(end));
    }
    bool reduced = false;
    for (const auto& chunk : chunks) {
      if (trials.fails(join(pinned, chunk))) {
        free = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && n > 2) {
      for (std::size_t k = 0; k < n && !reduced; ++k) {
        std::vector<json> complement;
        for (std::size_t j = 0; j < n; ++j) {
          if (j != k) complement.insert(complement.end(), chunks[j].begin(), chunks[j].end());
        }
        if (trials.fails(join(pinned, complement))) {
          free = std::move(complement);
          n = std::max<std::size_t>(n - 1, 2);
          reduced = true;
        }
      }
    }
    if (!reduced) {
      if (n >= size) break;
      n = std::min(size, n * 2);
    }
  }
  return free;
}

std::optional<TimeNs> duration_of(const json& fault, const char* key) {
  if (!fault.contains(key) || !fault[key].is_string()) return std::nullopt;
  return parse_go_duration(fault[key].get<std::string>());
}

// Halves `key` (a window: duration, or a crash's restart_after) while the failure holds.
std::size_t shorten_windows(Trials& trials, std::vector<json>& faults) {
  std::size_t shortened = 0;
  for (std::size_t f = 0; f < faults.size(); ++f) {
    for (const char* key : {"duration", "restart_after"}) {
      auto value = duration_of(faults[f], key);
      if (!value || *value <= sim::kMillisecond) continue;
      bool changed = false;
      for (int step = 0; step < 8 && *value > sim::kMillisecond; ++step) {
        const TimeNs shorter = std::max<TimeNs>(*value / 2 / sim::kMillisecond * sim::kMillisecond, sim::kMillisecond);
        std::vector<json> trial = faults;
        trial[f][key] = format_go_duration(shorter);
        if (!trials.fails(trial)) break;
        faults = std::move(trial);
        *value = shorter;
        changed = true;
      }
      shortened += changed ? 1 : 0;
    }
  }
  return shortened;
}

// Moves each fault's start later (halfway to the end of the run, repeatedly) while it fails.
std::size_t move_instants_later(Trials& trials, std::vector<json>& faults, TimeNs run_ns) {
  std::size_t moved = 0;
  for (std::size_t f = 0; f < faults.size(); ++f) {
    auto at = duration_of(faults[f], "at");
    if (!at) continue;
    const TimeNs window = duration_of(faults[f], "duration").value_or(0);
    bool changed = false;
    for (int step = 0; step < 6; ++step) {
      const TimeNs room = run_ns - window - *at;
      if (room < 2 * sim::kMillisecond) break;
      const TimeNs later = *at + room / 2 / sim::kMillisecond * sim::kMillisecond;
      std::vector<json> trial = faults;
      trial[f]["at"] = format_go_duration(later);
      if (!trials.fails(trial)) break;
      faults = std::move(trial);
      *at = later;
      changed = true;
    }
    moved += changed ? 1 : 0;
  }
  return moved;
}

// Names of faults an assertion refers to (they must stay for the assertion to exist).
std::vector<std::string> referenced_faults(const json& document, const std::string& assertion) {
  std::vector<std::string> names;
  for (const json& a : document.value("assertions", json::array())) {
    if (a.value("name", "") != assertion) continue;
    for (const char* key : {"fault", "during"}) {
      if (a.contains(key) && a[key].is_string()) names.push_back(a[key].get<std::string>());
    }
  }
  return names;
}

std::string names_text(const std::vector<std::string>& names, std::size_t max = 12) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > max) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

}  // namespace

std::vector<json> materialised_kills(const json& monkey_fault, const RunResult& run, std::uint32_t monkey) {
  std::vector<json> kills;
  const sim::Engine& engine = *run.engine;
  const std::string name = monkey_fault.value("name", "chaos-monkey");
  for (const sim::TimelineEntry& entry : engine.results().timeline) {
    if (entry.kind != sim::TimelineKind::instance_state || entry.extra != monkey + 1 ||
        entry.detail != static_cast<std::uint32_t>(sim::InstanceStatus::crashed)) {
      continue;
    }
    const sim::InstanceRuntime& instance = engine.instances()[entry.subject];
    json kill;
    kill["name"] = name + "-kill-" + std::to_string(kills.size() + 1);
    kill["kind"] = "crash";
    kill["target"] = json{{"service", engine.config().services[instance.service].name},
                          {"instances", json::array({instance.index_in_service})}};
    kill["at"] = format_go_duration(entry.at);
    for (const char* key : {"restart_after", "warmup", "warmup_factor"}) {
      if (monkey_fault.contains(key)) kill[key] = monkey_fault[key];
    }
    kills.push_back(std::move(kill));
  }
  return kills;
}

namespace {

// What a shrink did, for the minimal scenario's description and the printed summary.
struct ShrinkResult {
  std::string origin, seed_text, target;
  std::size_t monkeys = 0, kills = 0;  // chaos monkeys made explicit, and their crashes
  std::size_t before = 0;              // faults in the concrete schedule
  std::vector<json> kept;
  std::vector<std::string> removed;
  std::size_t shortened = 0, moved = 0;
  std::uint64_t runs = 1;
  bool budget_hit = false;
};

// The assertion to keep failing: --assertion (which must exist), else the first that fails.
std::string pick_target(const ShrinkOptions& o, const RunResult& start) {
  std::string target = o.assertion;
  if (!target.empty()) {
    const bool known = std::any_of(start.assertions.begin(), start.assertions.end(), [&](const auto& a) { return a.name == target; });
    if (!known) throw UsageError("--assertion: the scenario has no assertion named \"" + target + "\"");
  } else {
    for (const auto& a : start.assertions) {
      if (!a.passed) {
        target = a.name;
        break;
      }
    }
  }
  return target;
}

bool is_pinned(const std::vector<std::string>& pinned_names, const json& fault) {
  return std::find(pinned_names.begin(), pinned_names.end(), fault.value("name", "")) != pinned_names.end();
}

// The concrete schedule: every fault as written, except each chaos monkey, replaced by its
// kills in the starting run (unless the target assertion names the monkey, which must then stay).
std::vector<json> concrete_schedule(const std::vector<json>& original, const std::vector<std::string>& pinned_names,
                                    const RunResult& start, ShrinkResult& r) {
  std::vector<json> schedule;
  for (std::uint32_t f = 0; f < original.size(); ++f) {
    if (original[f].value("kind", "") == "chaos_monkey" && !is_pinned(pinned_names, original[f])) {
      const auto explicit_kills = materialised_kills(original[f], start, f);
      schedule.insert(schedule.end(), explicit_kills.begin(), explicit_kills.end());
      ++r.monkeys;
      r.kills += explicit_kills.size();
    } else {
      schedule.push_back(original[f]);
    }
  }
  return schedule;
}

// Delta debugging over the faults not pinned by the assertion, then shorter windows and later
// instants; fills in what was kept and removed.
void minimise(Trials& trials, const std::vector<json>& schedule, const std::vector<std::string>& pinned_names, TimeNs run_ns,
              const ShrinkOptions& o, ShrinkResult& r) {
  std::vector<json> pinned, free;
  for (const json& f : schedule) (is_pinned(pinned_names, f) ? pinned : free).push_back(f);
  r.before = schedule.size();
  r.kept = join(pinned, ddmin(trials, pinned, free));
  r.shortened = shorten_windows(trials, r.kept);
  r.moved = move_instants_later(trials, r.kept, run_ns);
  r.budget_hit = trials.runs >= o.max_runs;
  r.runs += trials.runs;
  for (const json& f : schedule) {
    const std::string name = f.value("name", "");
    if (std::none_of(r.kept.begin(), r.kept.end(), [&](const json& k) { return k.value("name", "") == name; })) {
      r.removed.push_back(name);
    }
  }
}

json minimal_scenario(const Trials& trials, const json& document, const ShrinkOptions& o, const ShrinkResult& r) {
  json minimal = trials.document_with(r.kept);
  minimal["name"] = document.value("name", "scenario") + "-shrunk";
  minimal["seed"] = *o.seed;
  std::string what = "Shrunk by faultline shrink from " + r.origin + " (seed " + r.seed_text + "), still failing \"" + r.target +
                     "\" on at least " + std::to_string(o.min_fail) + " of " + std::to_string(o.seeds) + " seeds from " +
                     r.seed_text + ", in " + std::to_string(r.runs) + " runs. ";
  if (r.monkeys > 0) what += std::to_string(r.monkeys) + " chaos monkey(s) made explicit as " + std::to_string(r.kills) + " crashes. ";
  what += "Kept " + std::to_string(r.kept.size()) + " of " + std::to_string(r.before) + " faults";
  what += r.removed.empty() ? "; removed none" : "; removed " + names_text(r.removed, 1000);
  what += "; shortened " + std::to_string(r.shortened) + " window(s); moved " + std::to_string(r.moved) + " start(s) later.";
  if (r.budget_hit) what += " The --max-runs budget ran out, so this may not be minimal.";
  minimal["description"] = what + " Original description: " + document.value("description", "");
  return minimal;
}

void print_shrink(const std::string& scenario_name, const ShrinkOptions& o, const ShrinkResult& r) {
  std::cout << "shrink: " << scenario_name << " seed " << r.seed_text << ", assertion \"" << r.target << "\"\n";
  if (r.monkeys > 0) std::cout << "  materialised " << r.monkeys << " chaos monkey(s) into " << r.kills << " crashes\n";
  std::cout << "  faults: " << r.before << " -> " << r.kept.size() << " (removed " << r.removed.size() << ")";
  std::cout << ", windows shortened " << r.shortened << ", starts moved later " << r.moved << "\n";
  for (const json& f : r.kept) std::cout << "  kept: " << f.value("name", "") << " (" << f.value("kind", "") << " at " << f.value("at", "0s") << ")\n";
  std::cout << "  runs: " << r.runs << (r.budget_hit ? " (budget --max-runs reached; may not be minimal)" : "") << "\n";
  std::cout << "  replay: faultline run " << shell_quote(o.out_path) << " --seed " << r.seed_text << "\n";
}

}  // namespace

int command_shrink(const std::vector<std::string>& args) {
  ShrinkOptions o = parse_options(args);
  std::uint64_t report_seed = 0;
  const Scenario scenario = o.from_report.empty() ? load_scenario_file(o.scenario_path, o.load)
                                                  : load_scenario_from_report(o.from_report, o.load, report_seed);
  ShrinkResult r;
  r.origin = o.from_report.empty() ? o.scenario_path : o.from_report;
  if (!o.seed) o.seed = o.from_report.empty() ? scenario.model.seed : report_seed;
  OutputSet files;
  files.add_input(o.from_report.empty() ? o.scenario_path : o.from_report);
  files.add_output("--out", o.out_path);
  json document = json::parse(scenario.bytes);
  for (const char* key : {"explore", "swarm"}) document.erase(key);
  r.seed_text = std::to_string(*o.seed);

  // The starting run, kept whole (timeline included) to materialise the monkeys' kills.
  RunLimits first_limits = o.limits;
  first_limits.engine.max_timeline = std::max<std::uint64_t>(first_limits.engine.max_timeline, 50'000'000);
  const RunResult start = run_scenario(scenario, *o.seed, first_limits);
  r.target = pick_target(o, start);
  const bool target_fails = std::any_of(start.assertions.begin(), start.assertions.end(),
                                        [&](const auto& a) { return a.name == r.target && !a.passed; });
  if (r.target.empty() || !target_fails) {
    std::cerr << "faultline: " << r.origin << ": nothing to shrink: seed " << r.seed_text << " passes"
              << (o.assertion.empty() ? "" : " \"" + o.assertion + "\"") << "\n";
    return kExitInput;
  }
  const std::vector<std::string> pinned_names = referenced_faults(document, r.target);
  const std::vector<json> original = document.value("faults", json::array()).get<std::vector<json>>();
  std::vector<json> schedule = concrete_schedule(original, pinned_names, start, r);
  Trials trials(o, document, r.origin + "#shrink");
  trials.assertion = r.target;
  const std::uint64_t initial_failures = trials.failures(schedule);
  if (initial_failures < o.min_fail) {
    if (r.monkeys > 0 && trials.failures(original) >= o.min_fail) {
      std::cerr << "faultline: " << r.origin << ": the materialised schedule of seed " << r.seed_text
                << " no longer fails \"" << r.target << "\"; shrinking the faults as written\n";
      schedule = original;
      r.monkeys = r.kills = 0;
    } else {
      std::cerr << "faultline: " << r.origin << ": nothing to shrink: \"" << r.target << "\" fails on "
                << initial_failures << " of " << o.seeds << " seeds from " << r.seed_text << ", fewer than --min-fail "
                << o.min_fail << "\n";
      return kExitInput;
    }
  }
  minimise(trials, schedule, pinned_names, scenario.model.duration_ns, o, r);
  files.stage(o.out_path, minimal_scenario(trials, document, o, r).dump(2) + "\n");
  files.commit();
  print_shrink(scenario.name, o, r);
  return kExitPassed;
}

}  // namespace faultline::harness
