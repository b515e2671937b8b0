// `faultline run` as a user meets it: determinism check, trace output, limits and interrupts.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_helpers.hpp"

using namespace faultline::test;

namespace {

const std::string kReference = kSourceDir + "/bench/reference-chain.json";

// A scenario whose clients never time out towards a blackholed service: calls pile up.
std::string write_unbounded_scenario(const ScratchDir& dir) {
  const std::string path = dir / "unbounded.json";
  std::ofstream(path) << R"({
  "version": 1, "name": "unbounded", "duration": "600s", "zones": ["z"],
  "services": [{"name": "black", "instances": 1, "service_time": "1ms"}],
  "clients": [{"name": "c", "zone": "z", "service": "black", "open_loop": {"rate": 100000}}],
  "faults": [{"name": "hole", "kind": "blackhole", "target": {"service": "black"}, "at": "0s"}]
})";
  return path;
}

}  // namespace

TEST_CASE("run --check-determinism runs twice and says the runs are identical", "[cli]") {
  ScratchDir dir("determinism");
  const auto result = run_faultline("run " + kSourceDir + "/scenarios/crash-discovery.json --check-determinism --report " +
                                        (dir / "r.json"),
                                    dir);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "determinism check passed"));
  CHECK(std::filesystem::exists(dir / "r.json"));
}

TEST_CASE("run --trace writes Chrome trace events with complete spans, fault instants and counters", "[cli]") {
  ScratchDir dir("trace");
  const auto result = run_faultline(
      "run " + kSourceDir + "/scenarios/slow-dependency-breaker.json --trace " + (dir / "t.json") + " --trace-max-events 5000",
      dir);
  REQUIRE(result.exit_code == 0);
  const auto trace = nlohmann::json::parse(read_file(dir / "t.json"));
  const auto& events = trace.at("traceEvents");
  std::size_t complete = 0, instants = 0, counters = 0, budget = 0;
  for (const auto& e : events) {
    const std::string ph = e.at("ph");
    if (ph == "X") ++complete;
    if (ph == "i") ++instants;
    if (ph == "C") ++counters;
    // A request's complete event counts as the two events (begin, end) it stands for.
    if (ph != "M") budget += ph == "X" ? 2 : 1;
  }
  CHECK(complete > 100);
  CHECK(instants >= 2);  // the fault's start and end
  CHECK(counters > 10);  // breaker states and queue depths
  CHECK(budget <= 5000);
  CHECK(trace.at("otherData").at("events_dropped").get<std::uint64_t>() > 0);
}

TEST_CASE("hitting the event limit exits 4, names the flag, and writes no report", "[cli][limits]") {
  ScratchDir dir("events");
  const auto result = run_faultline("run " + kReference + " --max-events 10000 --report " + (dir / "r.json"), dir);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "max_events"));
  CHECK(contains(result.err, "--max-events"));
  CHECK_FALSE(std::filesystem::exists(dir / "r.json"));
}

TEST_CASE("a workload that outruns capacity without timeouts stops at the in-flight limit", "[cli][limits]") {
  ScratchDir dir("inflight");
  const auto scenario = write_unbounded_scenario(dir);
  const auto result = run_faultline("run " + scenario + " --max-in-flight 100000 --report " + (dir / "r.json"), dir);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "--max-in-flight"));
  CHECK_FALSE(std::filesystem::exists(dir / "r.json"));
}

TEST_CASE("the wall-clock limit stops a long run with exit 4", "[cli][limits]") {
  ScratchDir dir("wall");
  const auto result = run_faultline("run " + kReference + " --max-wall 1ms --report " + (dir / "r.json"), dir);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "--max-wall"));
  CHECK_FALSE(std::filesystem::exists(dir / "r.json"));
}

TEST_CASE("SIGINT stops a run, keeps the previous report intact and writes nothing", "[cli][limits]") {
  ScratchDir dir("sigint");
  const std::string report = dir / "r.json";
  std::ofstream(report) << "previous report\n";
  const std::string big = dir / "big.json";
  // The reference chain for 10 simulated hours: long enough to interrupt.
  auto scenario = nlohmann::json::parse(read_file(kReference));
  scenario["duration"] = "10h";
  scenario["clients"][0].erase("stop");
  std::ofstream(big) << scenario.dump();
  const pid_t child = spawn_faultline({"run", big, "--report", report});
  const int status = interrupt_when(child, [] { return true; });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 4);
  CHECK(read_file(report) == "previous report\n");
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    CHECK(entry.path().filename().string().find(".tmp.") == std::string::npos);
  }
}
