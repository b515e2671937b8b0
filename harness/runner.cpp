// One run: build the engine, attach the fault injector, simulate, judge, report.
#include "harness/runner.hpp"

#include <chrono>
#include <cstdlib>
#include <deque>

#include "harness/assertions.hpp"
#include "harness/interrupt.hpp"
#include "harness/memory_budget.hpp"
#include "reports/analysis/measures.hpp"
#include "sim/check.hpp"
#include "sim/invariant_checker.hpp"

namespace faultline::harness {
// This weak definition is the only one in `faultline`, so the shipped program cannot break
// an invariant on purpose; tests/hooks/break_invariant.cpp overrides it in faultline-test-hooks.
__attribute__((weak)) bool break_invariant_for_test() { return false; }

bool invariant_checks_from_environment() {
  const char* value = std::getenv("FAULTLINE_CHECK_INVARIANTS");
  return value != nullptr && std::string(value) == "1";
}

InvariantFailure invariant_failure(const Scenario& scenario, std::uint64_t seed, sim::TimeNs at_ns, const std::string& what) {
  const std::string file = scenario.file.empty() ? std::string("SCENARIO.json") : scenario.file;
  return InvariantFailure("invariant violated: " + what + "\n  seed " + std::to_string(seed) + ", simulated time " +
                              sim::simulated_time_text(at_ns) + "\n  replay: faultline run " + file + " --seed " +
                              std::to_string(seed) + " --check-invariants\nThis is a bug in faultline; please report "
                              "the scenario, the seed and this message.",
                          seed, at_ns);
}

PreparedRun prepare_run(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits) {
  PreparedRun run;
  sim::ModelConfig model = scenario.model;
  model.seed = seed;
  run.engine = std::make_unique<sim::Engine>(model, limits.engine);
  run.engine->set_invariant_checks(limits.check_invariants || invariant_checks_from_environment());
  if (break_invariant_for_test()) run.engine->break_conservation_for_test(0, 0);
  if (limits.record_spans > 0) {
    run.engine->record_spans(limits.record_spans, limits.span_window_from_ns, limits.span_window_to_ns);
  }
  run.injector = std::make_unique<faults::Injector>(scenario.faults, *run.engine);
  return run;
}

Judgement judge_run(const Scenario& scenario, std::uint64_t seed, const sim::Engine& engine) {
  Judgement out;
  out.assertions = evaluate_assertions(scenario, engine);
  check_wall_budget("evaluating assertions");
  reports::RunInput input;
  input.scenario_name = scenario.name;
  input.scenario_description = scenario.description;
  input.scenario_bytes = scenario.bytes;
  input.seed = seed;
  input.engine = &engine;
  input.faults = scenario.faults;
  input.assertions = out.assertions;
  out.report = reports::build_run_report(input);
  check_wall_budget("building the report");
  out.passed = analysis::run_passed(engine.results().stop, out.assertions);
  return out;
}

RunResult finish_run(const Scenario& scenario, std::uint64_t seed, PreparedRun run) {
  RunResult result;
  sim::Engine& engine = *run.engine;
  engine.finish();
  check_wall_budget("finishing the run");
  Judgement judged = judge_run(scenario, seed, engine);
  result.assertions = std::move(judged.assertions);
  result.report = std::move(judged.report);
  result.passed = judged.passed;
  run.injector.reset();  // detaches from the engine before the engine moves on
  result.engine = std::move(run.engine);
  return result;
}

namespace {

// Why stepping stopped before the end of the run (all false: it reached the end).
struct StepStop {
  bool wall_limit_hit = false;
  bool memory_limit_hit = false;
  bool interrupted = false;
};

// Steps the engine to the end or a limit. The wall clock is looked at by the harness only,
// and never changes what is simulated.
StepStop step_to_end(sim::Engine& engine, const RunLimits& limits, std::chrono::steady_clock::time_point wall_start) {
  StepStop stop;
  std::uint64_t steps = 0;
  while (engine.step()) {
    if ((++steps & 0xffff) != 0) continue;
    if (interrupted() != 0) {
      stop.interrupted = true;
      break;
    }
    if (limits.max_wall_s > 0) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      if (elapsed > limits.max_wall_s || wall_budget_spent()) {
        stop.wall_limit_hit = true;
        break;
      }
    }
    // The estimate before the run can be wrong (a queue that grows without bound): this is
    // the check of what is actually used.
    if (limits.max_memory_bytes > 0 && resident_bytes() > limits.max_memory_bytes) {
      stop.memory_limit_hit = true;
      break;
    }
  }
  return stop;
}

}  // namespace

RunResult run_scenario(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits) {
  const auto wall_start = std::chrono::steady_clock::now();
  PreparedRun run = prepare_run(scenario, seed, limits);
  sim::Engine& engine = *run.engine;
  StepStop stop;
  try {
    stop = step_to_end(engine, limits, wall_start);
    if (stop.wall_limit_hit || stop.memory_limit_hit || stop.interrupted) engine.mark_stopped();
    engine.finish();  // the checker's last look is here
  } catch (const sim::InvariantViolation& e) {
    throw invariant_failure(scenario, seed, engine.now(), e.what());
  }
  RunResult result = finish_run(scenario, seed, std::move(run));
  result.wall_limit_hit = stop.wall_limit_hit;
  result.memory_limit_hit = stop.memory_limit_hit;
  result.interrupted = stop.interrupted;
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

namespace {

// Steps two runs of one scenario together to their end; returns where they diverge with the
// events that led there, or an empty string.
std::string step_in_lock_step(PreparedRun& a, PreparedRun& b) {
  constexpr std::size_t kRing = 8;
  std::deque<std::string> recent;  // the last events both runs agreed on
  std::uint64_t count = 0;
  std::string divergence;
  for (;;) {
    const bool more_a = a.engine->step();
    const bool more_b = b.engine->step();
    if (!more_a && !more_b) break;
    ++count;
    const sim::Event& ea = a.engine->last_event();
    const sim::Event& eb = b.engine->last_event();
    const bool same = more_a == more_b && ea.time == eb.time && ea.seq_kind == eb.seq_kind && ea.a == eb.a && ea.b == eb.b &&
                      a.engine->results().trace_hash == b.engine->results().trace_hash;
    if (!same) {
      std::string text = "the runs diverge at event " + std::to_string(count) + ":\n  run 1: " +
                         (more_a ? a.engine->describe_event(ea) : std::string("(ended)")) +
                         "\n  run 2: " + (more_b ? b.engine->describe_event(eb) : std::string("(ended)")) +
                         "\nafter these events, on which both agreed:";
      for (const std::string& line : recent) text += "\n  " + line;
      divergence = text;
      break;
    }
    recent.push_back(a.engine->describe_event(ea));
    if (recent.size() > kRing) recent.pop_front();
    if ((count & 0xffff) == 0 && interrupted() != 0) break;
  }
  a.engine->finish();
  b.engine->finish();
  return divergence;
}

}  // namespace

DeterminismCheck check_determinism(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits) {
  DeterminismCheck check;
  const auto wall_start = std::chrono::steady_clock::now();
  PreparedRun a = prepare_run(scenario, seed, limits);
  PreparedRun b = prepare_run(scenario, seed, limits);
  try {
    check.divergence = step_in_lock_step(a, b);
  } catch (const sim::InvariantViolation& e) {
    throw invariant_failure(scenario, seed, a.engine->now(), e.what());
  }
  RunResult first = finish_run(scenario, seed, std::move(a));
  RunResult second = finish_run(scenario, seed, std::move(b));
  if (check.divergence.empty()) {
    const std::string bytes_a = reports::render_json(first.report);
    const std::string bytes_b = reports::render_json(second.report);
    if (bytes_a != bytes_b) {
      std::size_t at = 0;
      while (at < bytes_a.size() && at < bytes_b.size() && bytes_a[at] == bytes_b[at]) ++at;
      check.divergence = "the events agree but the report bytes differ at byte " + std::to_string(at);
    }
  }
  first.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  check.first = std::move(first);
  return check;
}

}  // namespace faultline::harness
