// Values at the extremes of time arithmetic, through the real program: each scenario in
// tests/data/hostile/arithmetic runs to its end and its report shows what such a value means
// (a delay beyond the range of time is "never"), never an overflow that wraps to "at once".
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

using namespace faultline::test;

namespace {

struct Totals {
  std::uint64_t requests = 0, ok = 0, timeouts = 0, rejected = 0, unavailable = 0;
};

Totals run_hostile(const std::string& name, ScratchDir& dir) {
  const std::string file = kSourceDir + "/tests/data/hostile/arithmetic/" + name + ".json";
  const auto result = run_faultline("run " + file + " --report " + (dir / "r.json"), dir);
  INFO(name << ": " << result.err);
  REQUIRE((result.exit_code == 0 || result.exit_code == 1));
  const auto report = nlohmann::json::parse(read_file(dir / "r.json"));
  REQUIRE(report["stop"] == "finished");
  const auto& t = report["clients"][0]["totals"];
  return {t["requests"], t["ok"], t["timeouts"], t["rejected"], t["unavailable"]};
}

}  // namespace

TEST_CASE("a service time of about 292 years never completes: every request times out or is rejected", "[cli][hostile]") {
  ScratchDir dir("hostile-service-time");
  const Totals t = run_hostile("service-time-max", dir);
  CHECK(t.requests > 900);
  CHECK(t.ok == 0);
  CHECK(t.timeouts + t.rejected == t.requests);
}

TEST_CASE("a timeout of about 292 years never fires: every request succeeds", "[cli][hostile]") {
  ScratchDir dir("hostile-timeout");
  const Totals t = run_hostile("timeout-max", dir);
  CHECK(t.requests > 900);
  CHECK(t.ok == t.requests);
  CHECK(t.timeouts == 0);
}

TEST_CASE("a think time of about 292 years lets each closed-loop user send one request", "[cli][hostile]") {
  ScratchDir dir("hostile-think-time");
  const Totals t = run_hostile("think-time-max", dir);
  CHECK(t.requests == 3);
  CHECK(t.ok == 3);
}

TEST_CASE("a slowdown by 1e308 stops the service from completing anything after the fault", "[cli][hostile]") {
  ScratchDir dir("hostile-slowdown");
  const Totals t = run_hostile("slowdown-1e308", dir);
  CHECK(t.ok > 200);            // the first 5 s, at 50 requests/s
  CHECK(t.ok < 300);            // nothing after
  CHECK(t.timeouts + t.rejected == t.requests - t.ok);
}

TEST_CASE("a shutdown whose drain lasts about 292 years keeps the instances serving what they hold", "[cli][hostile]") {
  ScratchDir dir("hostile-shutdown");
  const Totals t = run_hostile("shutdown-period-max", dir);
  // Deregistered at 5 s, so new requests find no instance; the instances never stop.
  CHECK(t.ok > 200);
  CHECK(t.unavailable > 0);
  CHECK(t.timeouts == 0);
}

TEST_CASE("a crash restarting after about 292 years stays down for the rest of the run", "[cli][hostile]") {
  ScratchDir dir("hostile-restart");
  const Totals t = run_hostile("restart-after-max", dir);
  CHECK(t.ok > 200);
  CHECK(t.ok < 300);
}

TEST_CASE("a chaos monkey whose interval is about 292 years acts once and the run ends", "[cli][hostile]") {
  ScratchDir dir("hostile-chaos");
  const Totals t = run_hostile("chaos-interval-max", dir);
  CHECK(t.requests > 900);
}

TEST_CASE("a link of 5e-324 messages per second passes nothing after the fault starts", "[cli][hostile]") {
  ScratchDir dir("hostile-bandwidth");
  const Totals t = run_hostile("bandwidth-5e-324", dir);
  CHECK(t.ok > 200);
  CHECK(t.ok < 300);
  CHECK(t.timeouts > 0);
}
