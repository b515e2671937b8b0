// `faultline compare SIM.json LIVE.json` through the real program: prediction against
// measurement, a tolerance the user sets, and the plain statement it ends with. The live report
// here is a simulated one marked live and then changed where the test says, so every figure
// the comparison reads is known (no network).
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

namespace faultline::test {
namespace {

using Json = nlohmann::ordered_json;

const std::string kScenario = kSourceDir + "/tests/data/live/direct-faults.json";

Json read_json_file(const std::string& path) { return Json::parse(read_file(path)); }
void write_json(const std::string& path, const Json& value) { std::ofstream(path, std::ios::binary) << value.dump(2) << "\n"; }

// The simulated report as a live run would have written it, figure for figure.
Json as_live(Json report) {
  report["mode"] = "live";
  report.erase("trace_hash");
  report["live"] = {{"started_at", "2026-11-29T07:00:00Z"}, {"host", "test"},
                    {"generator", {{"bottleneck", false}}}};
  return report;
}

}  // namespace

TEST_CASE("compare sim live: agreement within a tolerance, differences listed plainly, exit 1 on them", "[live][compare]") {
  ScratchDir scratch("compare-live");
  REQUIRE(run_faultline("run " + kScenario + " --report " + (scratch / "sim.json"), scratch).exit_code == 0);
  const Json sim = read_json_file(scratch / "sim.json");

  SECTION("the same figures agree, in either order") {
    write_json(scratch / "live.json", as_live(sim));
    for (const std::string& order : {(scratch / "sim.json") + " " + (scratch / "live.json"), (scratch / "live.json") + " " + (scratch / "sim.json")}) {
      const CommandResult same = run_faultline("compare " + order, scratch);
      INFO(same.out << same.err);
      CHECK(same.exit_code == 0);
      CHECK(contains(same.out, "prediction (simulated, seed 3) against measurement (live, 2026-11-29T07:00:00Z on test)"));
      for (const char* metric : {"availability", "failed requests", "p50 latency", "p99 latency", "recovered after", "lowest availability",
                                 "impact ended after"}) {
        CHECK(contains(same.out, metric));
      }
      CHECK(contains(same.out, "The model and reality agree within the tolerance on all "));
      CHECK_FALSE(contains(same.out, "BEYOND TOLERANCE"));
    }
  }

  SECTION("a slower, less available reality is beyond a tight tolerance and within a loose one") {
    Json live = as_live(sim);
    Json& client = live["clients"][0];
    client["latency"]["p99_ms"] = client["latency"]["p99_ms"].get<double>() * 3 + 10;
    const std::uint64_t failed = 40;
    client["totals"]["ok"] = client["totals"]["ok"].get<std::uint64_t>() - failed;
    client["totals"]["errors"] = client["totals"]["errors"].get<std::uint64_t>() + failed;
    write_json(scratch / "live.json", live);
    const CommandResult tight = run_faultline("compare " + (scratch / "sim.json") + " " + (scratch / "live.json") + " --tolerance 20%", scratch);
    INFO(tight.out << tight.err);
    CHECK(tight.exit_code == 1);
    CHECK(contains(tight.out, "tolerance: 20.0% relative"));
    CHECK(contains(tight.out, "The model and reality differ beyond the tolerance on "));
    CHECK(contains(tight.out, "\n  - client users p99 latency: predicted "));
    CHECK(contains(tight.out, "\n  - client users failed requests: predicted "));
    const CommandResult loose = run_faultline("compare " + (scratch / "sim.json") + " " + (scratch / "live.json") +
                                                  " --tolerance 500% --availability-tolerance 50", scratch);
    INFO(loose.out << loose.err);
    CHECK(loose.exit_code == 0);
    CHECK(contains(loose.out, "agree within the tolerance"));
  }

  SECTION("users who stop seeing a fault while it lasts, against a model that predicts they see it to its end") {
    Json live = as_live(sim);
    // The error fault lasts 1s-2.5s (500ms buckets 2-4); reality served everything from 2s on.
    Json& series = live["timeseries"]["clients"][0];
    series["ok"][4] = series["requests"][4];
    write_json(scratch / "live.json", live);
    const CommandResult result = run_faultline("compare " + (scratch / "sim.json") + " " + (scratch / "live.json"), scratch);
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK(contains(result.out, "\n  - fault errors impact ended after: predicted not while active, measured 1.000 s"));
  }

  SECTION("reports of different scenarios are refused") {
    Json live = as_live(sim);
    live["scenario"]["sha256"] = std::string(64, '0');
    write_json(scratch / "live.json", live);
    const CommandResult refused = run_faultline("compare " + (scratch / "sim.json") + " " + (scratch / "live.json"), scratch);
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "different scenarios"));
  }
}

}  // namespace faultline::test
