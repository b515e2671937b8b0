// The session: playback in simulated time, seeking both ways (a backward seek replays from the
// start and must land in exactly the state of a fresh run), stepping between events, and the
// background recording's checkpoints agreeing with the live engine.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <string>

#include "gui/model/document.hpp"
#include "gui/model/edge_counters.hpp"
#include "gui/model/recording.hpp"
#include "gui/model/session.hpp"
#include "gui/model/timeline.hpp"

using namespace faultline;
using namespace faultline::gui;

namespace {

std::shared_ptr<const harness::Scenario> load_example(const std::string& relative) {
  const OpenedFile file = read_input_file(std::string(FAULTLINE_SOURCE_DIR) + "/" + relative);
  Validation v = validate_scenario_text(file.path, file.scenario_text);
  REQUIRE(v.diagnostics.empty());
  return v.scenario;
}

// CPU time of this thread: the machines that run the tests are shared, so wall time would
// measure the neighbours as much as the seek.
double thread_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

Snapshot fresh_snapshot(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed, TimeNs t) {
  Run run(std::move(scenario), seed);
  run.advance_to(t);
  Snapshot s;
  run.capture(s);
  return s;
}

}  // namespace

TEST_CASE("seeking backwards lands in the same state as a fresh run to that instant") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  Session session;
  session.load(scenario, 7);
  session.seek(200 * sim::kSecond);
  session.settle();
  REQUIRE(session.snapshot_exact());
  CHECK(session.snapshot().at_ns == 200 * sim::kSecond);
  const std::uint64_t replays_before = session.replays();

  const TimeNs back = 75 * sim::kSecond + 123'456'789;
  session.seek(back);
  session.settle();
  CHECK(session.replays() == replays_before + 1);
  REQUIRE(session.snapshot_exact());
  const Snapshot fresh = fresh_snapshot(scenario, 7, back);
  CHECK(snapshot_difference(session.snapshot(), fresh) == "");
  CHECK(session.snapshot().client_totals[0].requests == fresh.client_totals[0].requests);
  CHECK(session.snapshot().client_totals[0].requests > 0);
}

TEST_CASE("a seek done in per-frame slices reaches the same state as one done at once") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  Session session;
  session.load(scenario, 7);
  // Forward to 230 s at once, then back to 45 s one slice per frame: a budget of 0 stops each
  // frame after its first slice whatever the clock says, so the count of frames is the same on
  // any machine, busy or not.
  session.seek(230 * sim::kSecond);
  session.settle();
  REQUIRE(session.cursor_ns() == 230 * sim::kSecond);
  const TimeNs target = 45 * sim::kSecond;
  session.seek(target);
  int frames = 0;
  while (session.catching_up() && frames < 1'000'000) {
    session.update(1.0 / 60, 0.0);
    ++frames;
  }
  CHECK(frames > 1);  // it really was sliced
  REQUIRE(session.snapshot_exact());
  CHECK(snapshot_difference(session.snapshot(), fresh_snapshot(scenario, 7, target)) == "");
}

TEST_CASE("while the engine catches up, the display shows the nearest checkpoint") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  Session session;
  session.load(scenario, 7);
  session.wait_for_recordings();
  REQUIRE(session.recording() != nullptr);
  session.seek(150 * sim::kSecond + 500 * sim::kMillisecond);
  session.update(1.0 / 60, 0.0);  // one slice only
  CHECK(!session.snapshot_exact());
  CHECK(session.snapshot().at_ns <= session.cursor_ns());
  CHECK(session.snapshot().at_ns > session.live_ns());
}

TEST_CASE("checkpoints of the recording equal the live engine at the same instants") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  Session session;
  session.load(scenario, 7);
  session.wait_for_recordings();
  const auto recording = session.recording();
  REQUIRE(recording != nullptr);
  REQUIRE(recording->error.empty());
  const auto& all = recording->checkpoints.all();
  REQUIRE(all.size() > 10);
  Run run(scenario, 7);
  Snapshot live;
  for (std::size_t i = 0; i < all.size(); i += all.size() / 7) {
    run.advance_to(all[i].at_ns);
    run.capture(live);
    INFO("checkpoint at " << all[i].at_ns);
    CHECK(snapshot_difference(all[i], live) == "");
  }
}

TEST_CASE("the recording matches a plain run of the harness") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  const auto recording = record_run(scenario, 7, "A");
  Run run(scenario, 7);
  run.advance_to(scenario->model.duration_ns);
  CHECK(run.at_end());
  CHECK(recording->trace_hash == run.engine().results().trace_hash);
  CHECK(recording->report["trace_hash"] == reports::hex64(recording->trace_hash));
}

TEST_CASE("stepping forward lands just after the next event, stepping back just before it") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  Session session;
  session.load(scenario, 7);
  session.wait_for_recordings();
  session.step_forward();
  session.settle();
  CHECK(session.cursor_ns() == 40 * sim::kSecond + 1);
  // The crash at 40s is visible now.
  const Topology& t = session.topology();
  const std::uint32_t checkout0 = t.services[1].first_instance;
  CHECK(session.snapshot().instances[checkout0].status == sim::InstanceStatus::crashed);
  CHECK(session.snapshot().instances[checkout0].visual == VisualState::crashed);
  session.step_back();
  session.settle();
  CHECK(session.cursor_ns() == 40 * sim::kSecond);
  CHECK(session.snapshot().instances[checkout0].status == sim::InstanceStatus::up);
}

TEST_CASE("playback advances simulated time at the chosen speed and stops at the end") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  Session session;
  session.load(scenario, 7);
  session.set_speed(10.0);
  session.play();
  // No engine budget (-1): each frame simulates all its simulated time however slow the machine.
  for (int frame = 0; frame < 60; ++frame) session.update(1.0 / 60, -1.0);
  CHECK(session.cursor_ns() == Approx(10.0 * sim::kSecond).epsilon(0.01));
  CHECK(session.snapshot_exact());
  session.set_unlimited(true);
  for (int frame = 0; frame < 100'000 && session.playing(); ++frame) session.update(1.0 / 60, -1.0);
  CHECK(!session.playing());
  CHECK(session.at_end());
  CHECK(session.cursor_ns() == scenario->model.duration_ns);
}

TEST_CASE("live verdicts are judged on the run so far") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  Session session;
  session.load(scenario, 7);
  session.seek(30 * sim::kSecond);
  session.settle();
  const auto& verdicts = session.live_verdicts();
  REQUIRE(verdicts.size() == scenario->assertions.size());
  CHECK(verdicts[0].passed);  // no fault yet: web is fully available
}

// How long the seeks take is printed, not asserted: speed is a figure (bench/ and
// faultline-gui --benchmark), and a test decides on behaviour only.
TEST_CASE("seeking anywhere in the reference chain's 10 minutes lands exactly, forward and back") {
  const auto scenario = load_example("bench/reference-chain.json");
  Session session;
  session.load(scenario, scenario->model.seed);
  session.seek(590 * sim::kSecond);
  const double start = thread_cpu_s();
  session.settle();
  const double forward_s = thread_cpu_s() - start;
  session.seek(10 * sim::kSecond);
  session.settle();
  session.seek(599 * sim::kSecond);
  const double again = thread_cpu_s();
  session.settle();
  const double replay_s = thread_cpu_s() - again;
  CHECK(session.snapshot_exact());
  CHECK(session.cursor_ns() == 599 * sim::kSecond);
  CHECK(snapshot_difference(session.snapshot(), fresh_snapshot(scenario, scenario->model.seed, 599 * sim::kSecond)) == "");
  WARN("seek to 590s: " << forward_s << " s CPU; replay to 599s: " << replay_s << " s CPU");
}

TEST_CASE("the edge inspector's caller-side counters are the report's: hedged and cancelled attempts of hedged-requests") {
  const auto scenario = load_example("scenarios/hedged-requests.json");
  const std::uint64_t seed = scenario->model.seed;
  const auto recording = record_run(scenario, seed, "A");
  REQUIRE(recording->error.empty());
  Run run(scenario, seed);
  run.advance_to(scenario->model.duration_ns);
  REQUIRE(run.at_end());
  const Topology topology = build_topology(run.engine(), scenario->faults);
  REQUIRE(topology.clients.size() == 1);
  const TopoEdge& edge = topology.edges[topology.sites[topology.clients[0].site].edge];
  // The lines the inspector draws for the users -> search arrow at the end of the run.
  const CallerSide side = caller_side(edge, run.engine().results());
  REQUIRE(side.lines.size() == 4);
  INFO(side.lines[0] << "\n" << side.lines[1] << "\n" << side.lines[2] << "\n" << side.lines[3]);
  const nlohmann::ordered_json* site = nullptr;
  for (const auto& s : recording->report["call_sites"]) {
    if (s["caller"] == "users" && s["callee"] == "search") site = &s;
  }
  REQUIRE(site != nullptr);
  const auto hedged = (*site)["hedged"].get<std::uint64_t>();
  const auto cancelled = (*site)["cancelled"].get<std::uint64_t>();
  CHECK(hedged > 1000);  // the slow instance's 40 s make hedges
  CHECK(cancelled > 1000);
  CHECK(side.lines[0].rfind(std::to_string((*site)["attempts"].get<std::uint64_t>()) + " attempts, ", 0) == 0);
  CHECK(side.lines[3].find(std::to_string(hedged) + " hedged") != std::string::npos);
  CHECK(side.lines[3].find(std::to_string(cancelled) + " cancelled") != std::string::npos);
}

namespace {

// Sets an environment variable for one test and puts the previous value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (had_) setenv(name_.c_str(), old_.c_str(), 1);
    else unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::string old_;
  bool had_ = false;
};

}  // namespace

TEST_CASE("the GUI's run is prepared as the CLI's: the invariant checker follows FAULTLINE_CHECK_INVARIANTS") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  {
    ScopedEnv on("FAULTLINE_CHECK_INVARIANTS", "1");
    CHECK(Run(scenario, 7).engine().invariant_checks());
  }
  ScopedEnv off("FAULTLINE_CHECK_INVARIANTS", "0");
  CHECK_FALSE(Run(scenario, 7).engine().invariant_checks());
}

// The GUI model tests link tests/hooks/break_invariant.cpp, so FAULTLINE_TEST_BREAK_INVARIANT=1
// starts each run with one request counted that never was (as for faultline-test-hooks).
TEST_CASE("a violated invariant stops the GUI's run and its recording with the CLI's message, not a crash") {
  const auto scenario = load_example("gui/examples/failover-demo.json");
  ScopedEnv check("FAULTLINE_CHECK_INVARIANTS", "1");
  ScopedEnv bug("FAULTLINE_TEST_BREAK_INVARIANT", "1");
  Session session;
  session.load(scenario, 7);
  CHECK(session.run_error().empty());
  session.seek(60 * sim::kSecond);
  session.settle();
  // The checker fires at the first bucket boundary (1 s); the run stops there.
  CHECK(session.at_end());
  CHECK(session.live_ns() == sim::kSecond);
  CHECK(session.cursor_ns() == sim::kSecond);
  const std::string error = session.run_error();
  INFO(error);
  CHECK(error.rfind("invariant violated: conservation of requests at client ", 0) == 0);
  CHECK(error.find("\n  seed 7, simulated time 1.000000000s\n") != std::string::npos);
  CHECK(error.find("--seed 7 --check-invariants") != std::string::npos);
  // Playing from the end replays from the start, and stops at the violation again.
  session.set_unlimited(true);
  session.play();
  session.update(0.0, -1.0);
  session.update(0.0, -1.0);
  CHECK(session.replays() == 1);
  CHECK_FALSE(session.playing());
  CHECK(session.live().error() == error);
  session.wait_for_recordings();
  REQUIRE(session.recording() != nullptr);
  CHECK(session.recording()->error == error);
  CHECK(session.recording()->assertions.empty());
}
