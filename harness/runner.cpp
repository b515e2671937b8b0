// One run: build the engine, attach the fault injector, simulate, judge, report.
#include "harness/runner.hpp"

#include <chrono>
#include <deque>

#include "harness/assertions.hpp"
#include "harness/interrupt.hpp"
#include "harness/memory_budget.hpp"
#include "reports/analysis/measures.hpp"

namespace faultline::harness {

PreparedRun prepare_run(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits) {
  PreparedRun run;
  sim::ModelConfig model = scenario.model;
  model.seed = seed;
  run.engine = std::make_unique<sim::Engine>(model, limits.engine);
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

RunResult run_scenario(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits) {
  const auto wall_start = std::chrono::steady_clock::now();
  PreparedRun run = prepare_run(scenario, seed, limits);
  sim::Engine& engine = *run.engine;
  bool wall_limit_hit = false;
  bool memory_limit_hit = false;
  bool stopped_by_signal = false;
  std::uint64_t steps = 0;
  while (engine.step()) {
    if ((++steps & 0xffff) != 0) continue;
    if (interrupted() != 0) {
      stopped_by_signal = true;
      break;
    }
    // The wall clock is looked at by the harness only, and never changes what is simulated.
    if (limits.max_wall_s > 0) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      if (elapsed > limits.max_wall_s || wall_budget_spent()) {
        wall_limit_hit = true;
        break;
      }
    }
    // The estimate before the run can be wrong (a queue that grows without bound): this is
    // the check of what is actually used.
    if (limits.max_memory_bytes > 0 && resident_bytes() > limits.max_memory_bytes) {
      memory_limit_hit = true;
      break;
    }
  }
  if (wall_limit_hit || memory_limit_hit || stopped_by_signal) engine.mark_stopped();
  RunResult result = finish_run(scenario, seed, std::move(run));
  result.wall_limit_hit = wall_limit_hit;
  result.memory_limit_hit = memory_limit_hit;
  result.interrupted = stopped_by_signal;
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

DeterminismCheck check_determinism(const Scenario& scenario, std::uint64_t seed, const RunLimits& limits) {
  DeterminismCheck check;
  const auto wall_start = std::chrono::steady_clock::now();
  PreparedRun a = prepare_run(scenario, seed, limits);
  PreparedRun b = prepare_run(scenario, seed, limits);
  constexpr std::size_t kRing = 8;
  std::deque<std::string> recent;  // the last events both runs agreed on
  std::uint64_t count = 0;
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
      check.divergence = text;
      break;
    }
    recent.push_back(a.engine->describe_event(ea));
    if (recent.size() > kRing) recent.pop_front();
    if ((count & 0xffff) == 0 && interrupted() != 0) break;
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
