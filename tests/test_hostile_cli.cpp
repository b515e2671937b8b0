// Hostile command lines and files through the real program (issue 11 §3-§5): runs that cannot
// advance, the wall-clock and memory budgets, seeds, name lengths, Markdown escaping and caps,
// sweep --resume limits and compare of unrelated reports.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "cli_helpers.hpp"

using namespace faultline::test;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::string kHostile = kSourceDir + "/tests/data/hostile/";
const std::string kSmall = kHostile + "arithmetic/think-time-max.json";

json small_scenario() { return json::parse(read_file(kSmall)); }

void write_json(const std::string& path, const json& document) { std::ofstream(path) << document.dump(1); }

}  // namespace

TEST_CASE("closed-loop users whose requests fail at once with no think time stop the run, naming the client",
          "[cli][hostile]") {
  ScratchDir dir("no-progress");
  const auto result = run_faultline("run " + kHostile + "progress/closed-loop-fails-at-once.json --report " + (dir / "r.json"), dir);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "no progress"));
  CHECK(contains(result.err, "impatient-users"));
  CHECK(contains(result.err, "think_time"));
  CHECK_FALSE(fs::exists(dir / "r.json"));
}

TEST_CASE("the wall-clock budget of --max-wall bounds the phases after the simulation too", "[cli][hostile]") {
  ScratchDir dir("max-wall-phases");
  // A budget spent before the run ends: the event loop may finish, the later phases may not.
  const auto result = run_faultline("run " + kSmall + " --max-wall 1ns --report " + (dir / "r.json"), dir);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "max_wall"));
  CHECK_FALSE(fs::exists(dir / "r.json"));
}

TEST_CASE("the seed flag accepts what a scenario's seed accepts, up to 2^53, and no more", "[cli][hostile]") {
  ScratchDir dir("seed-limit");
  CHECK(run_faultline("run " + kSmall + " --seed 9007199254740992", dir).exit_code == 0);
  auto result = run_faultline("run " + kSmall + " --seed 9007199254740993", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "9007199254740992"));
  result = run_faultline("run " + kSmall + " --seed 18446744073709551615", dir);
  CHECK(result.exit_code == 2);
  result = run_faultline("sweep " + kSmall + " --seeds 9007199254740992-9007199254740993 --out " + (dir / "s"), dir);
  CHECK(result.exit_code == 2);
}

TEST_CASE("name lengths count characters of the whole string: 201 emoji exceed 200", "[cli][hostile]") {
  ScratchDir dir("name-length");
  auto result = run_faultline("run " + kHostile + "names/scenario-name-201-emoji.json", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "at /name"));
  result = run_faultline("run " + kHostile + "names/assertion-name-201-emoji.json", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "at /assertions/0/name"));
  // 200 emoji are within the limit.
  json scenario = json::parse(read_file(kHostile + "names/scenario-name-201-emoji.json"));
  std::string name = scenario["name"];
  scenario["name"] = name.substr(4);
  write_json(dir / "s.json", scenario);
  CHECK(run_faultline("run " + (dir / "s.json"), dir).exit_code == 0);
}

TEST_CASE("a scenario path with a backtick, a newline and HTML stays inside the replay command's code span",
          "[cli][hostile]") {
  ScratchDir dir("markdown-path");
  const std::string path = dir / "we`ird\n<b>name<i>.json";
  fs::copy_file(kSmall, path);
  const auto result = run_faultline("run '" + path + "' --summary " + (dir / "s.md"), dir);
  REQUIRE(result.exit_code == 0);
  const std::string summary = read_file(dir / "s.md");
  const auto at = summary.find("Replay: ");
  REQUIRE(at != std::string::npos);
  const std::string line = summary.substr(at, summary.find('\n', at) - at);
  INFO(line);
  CHECK(contains(line, "``"));            // a fence longer than the backtick inside
  CHECK(contains(line, "\\n<b>name<i>"));  // the newline shown, the HTML inside the span
  CHECK(line.substr(line.size() - 2) == "``");
}

TEST_CASE("a Markdown summary over its cap says what it left out", "[cli][hostile]") {
  ScratchDir dir("markdown-cap");
  json scenario = small_scenario();
  scenario["assertions"] = json::array();
  for (int i = 0; i < 5000; ++i) {
    scenario["assertions"].push_back({{"name", "assertion " + std::to_string(i) + " " + std::string(180, 'x')},
                                      {"type", "count"}, {"client", "c"}, {"metric", "requests"}, {"max", 1}});
  }
  write_json(dir / "s.json", scenario);
  const auto result = run_faultline("run " + (dir / "s.json") + " --summary " + (dir / "s.md"), dir);
  REQUIRE(result.exit_code == 1);
  const std::string summary = read_file(dir / "s.md");
  CHECK(summary.size() <= 1u << 20);
  CHECK(contains(summary, "left out"));
  CHECK(summary.back() == '\n');
}

TEST_CASE("compare of two reports with nothing in common is exit 2", "[cli][hostile]") {
  ScratchDir dir("compare-nothing");
  json other = small_scenario();
  other["name"] = "other";
  other["services"][0]["name"] = "backend";
  other["clients"][0]["name"] = "batch";
  other["clients"][0]["service"] = "backend";
  write_json(dir / "other.json", other);
  REQUIRE(run_faultline("run " + kSmall + " --report " + (dir / "a.json"), dir).exit_code == 0);
  REQUIRE(run_faultline("run " + (dir / "other.json") + " --report " + (dir / "b.json"), dir).exit_code == 0);
  const auto result = run_faultline("compare " + (dir / "a.json") + " " + (dir / "b.json"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "nothing to compare"));
  // Reports of the same system still compare.
  CHECK(run_faultline("compare " + (dir / "a.json") + " " + (dir / "a.json"), dir).exit_code == 0);
}

TEST_CASE("sweep --resume refuses limit flags that differ from the interrupted sweep's", "[cli][hostile]") {
  ScratchDir dir("resume-limits");
  REQUIRE(run_faultline("sweep " + kSmall + " --seeds 1-3 --jobs 1 --out " + (dir / "s"), dir).exit_code == 0);
  // An interrupted sweep's progress file: the seeds done so far and the limits it ran with.
  std::string progress = read_file(dir / "s/seeds.json");
  progress.insert(2, "  \"limits\": {\"max_events\":1000000,\"max_in_flight\":5000000,\"max_wall\":0.0,"
                     "\"max_memory\":4294967296},\n");
  std::ofstream(dir / "s/progress.json") << progress;
  auto result = run_faultline("sweep " + kSmall + " --seeds 1-3 --jobs 1 --resume --out " + (dir / "s"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "--max-events 1000000"));
  result = run_faultline("sweep " + kSmall + " --seeds 1-3 --jobs 1 --resume --max-events 1000000 --out " + (dir / "s"), dir);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "3 of 3 seeds already done"));
}

TEST_CASE("a model over the memory budget is refused before the run, naming the budget, the cause and the flag",
          "[cli][hostile][memory]") {
  ScratchDir dir("memory-budget");
  json scenario = small_scenario();
  // 200 call sites from each of 1000 instances towards 1000 instances: each calling instance
  // keeps a view of every callee instance, 200 million entries.
  scenario["services"] = json::array({{{"name", "a"}, {"instances", 1000}, {"service_time", "1ms"}, {"calls", json::array()}},
                                      {{"name", "b"}, {"instances", 1000}, {"service_time", "1ms"}}});
  for (int i = 0; i < 200; ++i) scenario["services"][0]["calls"].push_back({{"service", "b"}});
  scenario["clients"] = json::array({{{"name", "c"}, {"zone", "z1"}, {"service", "a"}, {"open_loop", {{"rate", 1}}}}});
  scenario.erase("faults");
  scenario.erase("assertions");
  write_json(dir / "s.json", scenario);
  auto result = run_faultline("run " + (dir / "s.json") + " --report " + (dir / "r.json"), dir);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "max_memory"));
  CHECK(contains(result.err, "callers' views"));
  CHECK(contains(result.err, "4.0 GiB"));
  CHECK(contains(result.err, "--max-memory"));
  CHECK_FALSE(fs::exists(dir / "r.json"));
  result = run_faultline("run " + kSmall + " --max-memory 1MiB", dir);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "max_memory"));
  CHECK(run_faultline("run " + kSmall + " --max-memory 64MiB", dir).exit_code == 0);
  CHECK(run_faultline("run " + kSmall + " --max-memory lots", dir).exit_code == 2);
}

TEST_CASE("resident memory over the budget during the run stops it with exit 4", "[cli][hostile][memory]") {
  ScratchDir dir("memory-during");
  // Requests pile up without end: 20,000/s offered to a server of 10/s, no timeout, a deep queue.
  json scenario = small_scenario();
  scenario["duration"] = "200s";
  scenario["services"][0]["queue_capacity"] = 10000000;
  scenario["services"][0]["service_time"] = "100ms";
  scenario["services"][0]["instances"] = 1;
  scenario["services"][0]["workers"] = 1;
  scenario["clients"][0] = {{"name", "c"}, {"zone", "z1"}, {"service", "api"}, {"open_loop", {{"rate", 20000}}}};
  write_json(dir / "s.json", scenario);
  const auto result = run_faultline("run " + (dir / "s.json") + " --max-memory 96MiB --report " + (dir / "r.json"), dir);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "max_memory"));
  CHECK_FALSE(fs::exists(dir / "r.json"));
}

TEST_CASE("10,000 zones run in memory proportional to the zones, with the results of a few zones",
          "[cli][hostile][memory]") {
  ScratchDir dir("many-zones");
  // Three instances land in zones 0, 1 and 2 either way; the zones nobody uses cost nothing.
  json scenario = small_scenario();
  scenario.erase("faults");
  scenario.erase("assertions");
  scenario["zones"] = json::array({"z0", "z1", "z2"});
  scenario["services"][0].erase("zone");
  scenario["services"][0]["instances"] = 3;
  scenario["clients"][0] = {{"name", "c"}, {"zone", "z0"}, {"service", "api"}, {"open_loop", {{"rate", 50}}}};
  // A partition picks its two links directly (it walked every zone pair: 10^8 of them here).
  scenario["faults"] = json::array({{{"name", "cut"}, {"kind", "partition"}, {"at", "5s"}, {"duration", "5s"},
                                     {"target", {{"from_zone", "z0"}, {"to_zone", "z1"}}}}});
  write_json(dir / "few.json", scenario);
  for (int i = 3; i < 10000; ++i) scenario["zones"].push_back("z" + std::to_string(i));
  write_json(dir / "many.json", scenario);
  const auto few = run_faultline("run " + (dir / "few.json") + " --report " + (dir / "few.r.json"), dir);
  const auto many = run_faultline("run " + (dir / "many.json") + " --max-memory 256MiB --report " + (dir / "many.r.json"), dir);
  REQUIRE(few.exit_code == 0);
  REQUIRE(many.exit_code == 0);
  const json a = json::parse(read_file(dir / "few.r.json"));
  const json b = json::parse(read_file(dir / "many.r.json"));
  CHECK(a["clients"] == b["clients"]);
  CHECK(a["services"] == b["services"]);
  CHECK(a["events"] == b["events"]);
  CHECK(a["faults"] == b["faults"]);
}

TEST_CASE("zone lists are checked in linear time: 300,000 zones are refused at the cap, a duplicate among 65,536 is named",
          "[cli][hostile]") {
  // The schema's uniqueItems, left to the validator, compared every pair: a 3 MB file of
  // 300,000 zones kept faultline busy for over 14 minutes (SIGTERM deferred all along).
  ScratchDir dir("zones-linear");
  json scenario = small_scenario();
  scenario["zones"] = json::array();
  for (int i = 0; i < 300000; ++i) scenario["zones"].push_back("z" + std::to_string(i));
  std::ofstream(dir / "over.json") << scenario.dump();
  auto result = run_faultline("run " + (dir / "over.json"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "at /zones"));
  CHECK(contains(result.err, "65536"));
  json& zones = scenario["zones"];
  zones.erase(zones.begin() + 65536, zones.end());
  scenario["zones"][65535] = "z1";
  std::ofstream(dir / "duplicate.json") << scenario.dump();
  result = run_faultline("run " + (dir / "duplicate.json"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "at /zones/65535"));
  CHECK(contains(result.err, "duplicate zone name \"z1\""));
}

TEST_CASE("time series over the bucket cap are widened with a note, unless an assertion reads them bucket by bucket",
          "[cli][hostile][memory]") {
  ScratchDir dir("bucket-cap");
  json scenario = small_scenario();
  scenario.erase("faults");
  scenario.erase("assertions");
  scenario["duration"] = "10s";
  scenario["metrics"] = {{"bucket", "1ms"}};
  scenario["clients"][0] = {{"name", "c"}, {"zone", "z1"}, {"service", "api"}, {"open_loop", {{"rate", 50}}}};
  write_json(dir / "s.json", scenario);
  // 10,000 buckets of 1ms over a cap of 1,000: 10ms buckets, said on stderr and in the report.
  auto result = run_faultline("run " + (dir / "s.json") + " --max-buckets 1000 --report " + (dir / "r.json"), dir);
  REQUIRE(result.exit_code == 0);
  CHECK(contains(result.err, "note: /metrics/bucket"));
  CHECK(contains(result.err, "10ms wide"));
  const json report = json::parse(read_file(dir / "r.json"));
  CHECK(report["timeseries"]["bucket_ms"] == 10.0);
  CHECK(report["timeseries"]["requested_bucket_ms"] == 1.0);
  CHECK(report["timeseries"]["clients"][0]["requests"].size() == 1000);
  CHECK(contains(report["timeseries"]["note"].get<std::string>(), "widened"));
  // Under the cap nothing changes and nothing is said.
  result = run_faultline("run " + (dir / "s.json") + " --report " + (dir / "r2.json"), dir);
  REQUIRE(result.exit_code == 0);
  CHECK_FALSE(contains(result.err, "note:"));
  CHECK_FALSE(json::parse(read_file(dir / "r2.json"))["timeseries"].contains("note"));
  // A window assertion would change its verdict with wider buckets: exit 4 naming the cap.
  scenario["assertions"] = json::array({{{"name", "every 50ms window"}, {"type", "availability"}, {"client", "c"},
                                         {"min", "90%"}, {"window", "50ms"}}});
  write_json(dir / "w.json", scenario);
  result = run_faultline("run " + (dir / "w.json") + " --max-buckets 1000 --report " + (dir / "w.r.json"), dir);
  CHECK(result.exit_code == 4);
  CHECK(contains(result.err, "--max-buckets"));
  CHECK(contains(result.err, "every 50ms window"));
  CHECK_FALSE(fs::exists(dir / "w.r.json"));
}

namespace {
// "the model needs about 66 MiB" or "peak memory 49.5 MiB" -> MiB.
double mib_after(const std::string& text, const std::string& marker) {
  const auto at = text.find(marker);
  if (at == std::string::npos) return -1;
  const double value = std::strtod(text.c_str() + at + marker.size(), nullptr);
  const std::string unit = text.substr(text.find(' ', at + marker.size()) + 1, 3);
  return unit == "GiB" ? value * 1024 : unit == "KiB" ? value / 1024 : value;
}
}  // namespace

TEST_CASE("the estimate of a model over the memory budget is within a factor of two of the measured peak",
          "[cli][hostile][memory]") {
  ScratchDir dir("memory-estimate");
  // 2,000 services of one instance and 2,000 clients: the services, clients and their time
  // series dominate the program's own memory.
  json scenario = small_scenario();
  scenario.erase("faults");
  scenario.erase("network");
  scenario["duration"] = "10s";
  scenario["services"] = json::array();
  scenario["clients"] = json::array();
  for (int i = 0; i < 2000; ++i) {
    const std::string n = std::to_string(i);
    scenario["services"].push_back({{"name", "s" + n}, {"instances", 1}, {"service_time", "1ms"}});
    scenario["clients"].push_back({{"name", "c" + n}, {"zone", "z1"}, {"service", "s" + n}, {"open_loop", {{"rate", 1}}}});
  }
  write_json(dir / "s.json", scenario);
  const auto refused = run_faultline("run " + (dir / "s.json") + " --max-memory 1MiB", dir);
  REQUIRE(refused.exit_code == 4);
  const double estimate = mib_after(refused.err, "needs about ");
  const auto ran = run_faultline("run " + (dir / "s.json") + " --stats", dir);
  REQUIRE(ran.exit_code == 0);
  const double peak = mib_after(ran.err, "peak memory ");
  INFO("estimate " << estimate << " MiB, peak " << peak << " MiB");
  CHECK(estimate >= peak / 2);
  CHECK(estimate <= peak * 2);
}
