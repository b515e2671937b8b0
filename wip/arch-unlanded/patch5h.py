def sub(p, a, b, count=1):
    s=open(p).read()
    assert a in s, (p,a[:60])
    s=s.replace(a,b,count); open(p,'w').write(s)
sub('harness/runner.hpp','''  std::size_t record_spans = 0;  // >0: record up to this many served requests (--trace)
};''','''  std::size_t record_spans = 0;  // >0: record up to this many served requests (--trace)
  bool check_invariants = false;  // run the invariant checker (--check-invariants; sweeps always)
};

// An engine invariant failed (sim::InvariantViolation) during a run: a simulator bug. The
// message names the seed, the simulated time and the command that replays the run; the CLI
// exits 3 with it.
struct InvariantFailure : std::runtime_error {
  InvariantFailure(const std::string& message, std::uint64_t seed_value, sim::TimeNs at)
      : std::runtime_error(message), seed(seed_value), at_ns(at) {}
  std::uint64_t seed;
  sim::TimeNs at_ns;
};''')
sub('harness/runner.hpp','#include <memory>\n','#include <memory>\n#include <stdexcept>\n')
sub('harness/runner.cpp','''  if (limits.record_spans > 0) run.engine->record_spans(limits.record_spans);''','''  if (limits.record_spans > 0) run.engine->record_spans(limits.record_spans);
  run.engine->set_invariant_checks(limits.check_invariants);''')
sub('harness/runner.cpp','''  std::uint64_t steps = 0;
  while (engine.step()) {
    if ((++steps & 0xffff) != 0) continue;
    if (interrupted() != 0) {
      stopped_by_signal = true;
      break;
    }
    // The wall clock is looked at by the harness only, and never changes what is simulated.
    if (limits.max_wall_s > 0) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
      if (elapsed > limits.max_wall_s) {
        wall_limit_hit = true;
        break;
      }
    }
  }
  if (wall_limit_hit || stopped_by_signal) engine.mark_stopped();
  RunResult result = finish_run(scenario, seed, std::move(run));''','''  std::uint64_t steps = 0;
  RunResult result;
  try {
    while (engine.step()) {
      if ((++steps & 0xffff) != 0) continue;
      if (interrupted() != 0) {
        stopped_by_signal = true;
        break;
      }
      // The wall clock is looked at by the harness only, and never changes what is simulated.
      if (limits.max_wall_s > 0) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        if (elapsed > limits.max_wall_s) {
          wall_limit_hit = true;
          break;
        }
      }
    }
    if (wall_limit_hit || stopped_by_signal) engine.mark_stopped();
    result = finish_run(scenario, seed, std::move(run));
  } catch (const sim::InvariantViolation& e) {
    throw invariant_failure(scenario, seed, engine.now(), e.what());
  }''')
sub('harness/runner.cpp','''namespace faultline::harness {
''','''namespace faultline::harness {

InvariantFailure invariant_failure(const Scenario& scenario, std::uint64_t seed, sim::TimeNs at_ns, const std::string& what) {
  char at[48];
  std::snprintf(at, sizeof at, "%lld.%09llds", static_cast<long long>(at_ns / sim::kSecond),
                static_cast<long long>(at_ns % sim::kSecond));
  const std::string file = scenario.file.empty() ? std::string("SCENARIO.json") : scenario.file;
  return InvariantFailure(what + "\\n  seed " + std::to_string(seed) + ", simulated time " + at +
                              "\\n  replay: faultline run " + file + " --seed " + std::to_string(seed) +
                              " --check-invariants\\nThis is a bug in faultline; please report the scenario, the seed "
                              "and this message.",
                          seed, at_ns);
}
''')
sub('harness/runner.cpp','#include <deque>\n','#include <cstdio>\n#include <deque>\n')
sub('harness/runner.cpp','#include "harness/interrupt.hpp"\n','#include "harness/interrupt.hpp"\n#include "sim/check.hpp"\n')
sub('harness/runner.hpp','''// Simulates `scenario` with `seed` to the end''','''// The failure for a violation seen at `at_ns` (message, seed, time, replay command).
InvariantFailure invariant_failure(const Scenario& scenario, std::uint64_t seed, sim::TimeNs at_ns, const std::string& what);

// Simulates `scenario` with `seed` to the end''')
sub('harness/cli.cpp','''    else if (args[i] == "--check-determinism") check = true;''','''    else if (args[i] == "--check-determinism") check = true;
    else if (args[i] == "--check-invariants") flags.run.check_invariants = true;''')
sub('harness/cli.cpp','''[--check-determinism] [--github] [--stats] [limits]\\n"''','''[--check-determinism] [--check-invariants] [--github] [--stats] [limits]\\n"''')
sub('harness/cli.cpp','''    "                         --check-determinism runs twice in lock step and compares every event\\n"''','''    "                         --check-determinism runs twice in lock step and compares every event;\\n"
    "                         --check-invariants checks conservation at every bucket (violation: exit 3)\\n"''')
sub('harness/sweep.cpp','''  auto worker = [&]() {''','''  // Sweeps always run the invariant checker: its cost is small next to a run, and a sweep is
  // where a rare simulator bug would show.
  RunLimits limits = options.limits;
  limits.check_invariants = true;
  auto worker = [&]() {''')
sub('harness/sweep.cpp','''        const RunResult result = run_scenario(scenario, slice.first + index, options.limits);''','''        const RunResult result = run_scenario(scenario, slice.first + index, limits);''')
sub('tests/fault_support.hpp','''      : faults(std::move(specs)), engine(model), injector(faults, engine) {}''','''      : faults(std::move(specs)), engine(model), injector(faults, engine) {
    engine.set_invariant_checks(true);  // conservation checked at every bucket in every fault test
  }''')
