// Fault-space exploration and shrinking through the real program: the matrix and its outputs,
// replay of a failing candidate, byte-identical jobs and shards, pair pruning, bad input, and
// shrinking a chaos monkey's schedule to the few kills that matter.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

using faultline::test::contains;
using faultline::test::count_of;
using faultline::test::read_file;
using faultline::test::run_command;
using faultline::test::run_faultline;
using faultline::test::ScratchDir;
using json = nlohmann::ordered_json;

namespace {

const std::string kCluster = faultline::test::kSourceDir + "/tests/data/explore/tiny-cluster.json";
const std::string kMonkey = faultline::test::kSourceDir + "/tests/data/explore/tiny-monkey.json";

json read_json(const std::string& path) { return json::parse(read_file(path)); }

void write_json(const std::string& path, const json& document) {
  std::ofstream(path) << document.dump(2) << "\n";
}

void require_same_outputs(const std::string& a, const std::string& b) {
  for (const char* file : {"/runs.json", "/explore.json", "/summary.md", "/explore.html", "/junit.xml"}) {
    INFO(file);
    CHECK(read_file(a + file) == read_file(b + file));
  }
}

// The timeline entries of the given instance state ("hung", "crashed"), as "at instance" lines.
std::vector<std::string> state_changes(const json& report, const std::string& state) {
  std::vector<std::string> out;
  for (const json& e : report["timeline"]) {
    if (e["kind"] == "instance" && e["state"] == state) out.push_back(e["at"].get<std::string>() + " " + e["instance"].get<std::string>());
  }
  return out;
}

}  // namespace

TEST_CASE("explore runs every single fault and ranks the failing candidates first", "[explore]") {
  ScratchDir dir("explore-single");
  const auto result = run_faultline("explore " + kCluster + " --space single --seeds 3 --jobs 2 --out " + dir / "out", dir);
  INFO(result.err);
  REQUIRE(result.exit_code == 1);
  const json report = read_json(dir / "out/explore.json");
  CHECK(report["kind"] == "faultline-explore");
  // 4 instances x crash/hang/slowdown, 2 zones, 1 zone pair, 2 dependencies x slow/erroring, the registry.
  REQUIRE(report["matrix"].size() == 12 + 2 + 1 + 4 + 1);
  CHECK(report["seeds"]["count"] == 3);
  // Without --keep-faults the assertion naming the scenario's own fault is left out.
  REQUIRE(report["assertions_left_out"].size() == 1);
  CHECK(report["assertions"].size() == 2);
  bool seen_pass = false;
  std::size_t failing = 0;
  for (const json& row : report["matrix"]) {
    if (row["passed"].get<bool>()) seen_pass = true;
    else {
      ++failing;
      CHECK_FALSE(seen_pass);  // every failing candidate ranks above every passing one
      CHECK(row.contains("replay"));
    }
    CHECK(row["failure_ratios"].size() == 2);
  }
  CHECK(failing == report["candidates_failing"].get<std::size_t>());
  CHECK(failing > 0);
  CHECK(failing < report["matrix"].size());
  // The slow database breaks availability on every seed; losing one api instance does not.
  for (const json& row : report["matrix"]) {
    if (row["id"] == "latency db +100ms") CHECK(row["verdict"] == "fails on 3 of 3 seeds");
    if (row["id"] == "crash api#0") CHECK(row["passed"].get<bool>());
  }
  // One JUnit testcase per candidate; failures only for failing ones.
  const std::string junit = read_file(dir / "out/junit.xml");
  CHECK(count_of(junit, "<testcase ") == report["matrix"].size());
  CHECK(count_of(junit, "<failure ") == failing);
  CHECK(contains(junit, "name=\"tolerates crash api#0\""));
  const std::string html = read_file(dir / "out/explore.html");
  CHECK(contains(html, "<table>"));
  CHECK(contains(html, "background:#f0"));  // a heat-map cell for a failure
  CHECK(contains(read_file(dir / "out/summary.md"), "| rank | candidate | verdict |"));
  CHECK(contains(result.out, "FAIL"));
}

TEST_CASE("a failing candidate's reproducer replays its recorded run exactly", "[explore]") {
  ScratchDir dir("explore-replay");
  REQUIRE(run_faultline("explore " + kCluster + " --space single --seeds 2 --out " + dir / "out", dir).exit_code == 1);
  const json report = read_json(dir / "out/explore.json");
  const json& worst = report["matrix"][0];
  REQUIRE_FALSE(worst["passed"].get<bool>());
  const std::string replay = worst["replay"][0].get<std::string>();  // "faultline run scenarios/... --seed S"
  const auto run = run_command("cd " + dir / "out" + " && timeout 300 " + faultline::test::kBinary + replay.substr(9) +
                                   " --report replay.json",
                               dir);
  REQUIRE(run.exit_code == 1);
  const json replayed = read_json(dir / "out/replay.json");
  std::string recorded;
  for (const std::string& line : {read_file(dir / "out/runs.json")}) {
    const json runs = json::parse(line);
    for (const json& c : runs["runs"]) {
      if (c["candidate"] != worst["candidate"]) continue;
      for (const json& r : c["runs"]) {
        if (r["seed"] == replayed["seed"]) recorded = r["trace_hash"].get<std::string>();
      }
    }
  }
  CHECK(replayed["trace_hash"].get<std::string>() == recorded);
}

TEST_CASE("explore outputs are byte-identical across jobs and across merged shards", "[explore]") {
  ScratchDir dir("explore-shards");
  for (const char* space : {"single", "pairs"}) {
    INFO(space);
    const std::string base = kCluster + " --space " + space + " --seeds 2";
    REQUIRE(run_faultline("explore " + base + " --jobs 1 --out " + dir / (std::string(space) + "-one"), dir).exit_code == 1);
    REQUIRE(run_faultline("explore " + base + " --jobs 2 --out " + dir / (std::string(space) + "-two"), dir).exit_code == 1);
    require_same_outputs(dir / (std::string(space) + "-one"), dir / (std::string(space) + "-two"));
    std::string shards;
    for (int k = 1; k <= 3; ++k) {
      const std::string out = dir / (std::string(space) + "-shard" + std::to_string(k));
      const auto shard = run_faultline("explore " + base + " --jobs 2 --shard " + std::to_string(k) + "/3 --out " + out, dir);
      REQUIRE((shard.exit_code == 0 || shard.exit_code == 1));
      shards = out + " " + shards;  // merge in any order
    }
    const std::string merged = dir / (std::string(space) + "-merged");
    const auto merge = run_faultline("merge " + shards + "--out " + merged, dir);
    INFO(merge.err);
    REQUIRE(merge.exit_code == 0);
    require_same_outputs(dir / (std::string(space) + "-one"), merged);
    CHECK(read_file(dir / (std::string(space) + "-one/scenarios/candidate-0017.json")) ==
          read_file(merged + "/scenarios/candidate-0017.json"));
  }
  // A shard missing is refused.
  const auto partial = run_faultline("merge " + dir / "single-shard1" + " " + dir / "single-shard2" + " --out " + dir / "x", dir);
  CHECK(partial.exit_code == 2);
  CHECK(contains(partial.err, "missing: 3"));
}

TEST_CASE("pairs are pruned when a single fails or a fault hits an idle instance, and the pruning is counted", "[explore]") {
  ScratchDir dir("explore-pairs");
  json scenario = read_json(kCluster);
  // A service nobody calls: its instance serves nothing in the baseline.
  scenario["services"].push_back(json{{"name", "batch"}, {"instances", 1}, {"service_time", "1ms"}});
  scenario["explore"] = json{{"kinds", json::array({"crash", "error_ratio"})}};
  write_json(dir / "idle.json", scenario);
  const auto result = run_faultline("explore " + dir / "idle.json" + " --space pairs --seeds 2 --out " + dir / "out", dir);
  INFO(result.err);
  REQUIRE((result.exit_code == 0 || result.exit_code == 1));
  const json report = read_json(dir / "out/explore.json");
  const json& pruning = report["pruning"];
  // crash api#0, api#1, db#0, db#1, batch#0; error_ratio api, db (batch is no dependency).
  const std::size_t singles = 7;
  CHECK(pruning["singles"] == singles);
  CHECK(pruning["pairs_possible"] == singles * (singles - 1) / 2);
  CHECK(pruning["idle_instances"] == 1);
  CHECK(pruning["pruned_idle_instance"].get<std::size_t>() > 0);
  const std::size_t explored = pruning["pairs_explored"].get<std::size_t>();
  CHECK(explored + pruning["pruned_failing_single"].get<std::size_t>() + pruning["pruned_idle_instance"].get<std::size_t>() ==
        pruning["pairs_possible"].get<std::size_t>());
  CHECK(report["matrix"].size() == singles + explored);
  std::size_t failing_singles = 0;
  for (const json& row : report["matrix"]) {
    const std::string id = row["id"].get<std::string>();
    if (!contains(id, " + ")) failing_singles += row["passed"].get<bool>() ? 0 : 1;
    if (contains(id, " + ")) CHECK_FALSE(contains(id, "batch#0"));
  }
  // Each failing single removes its pairs with every other single.
  if (failing_singles > 0) CHECK(pruning["pruned_failing_single"].get<std::size_t>() >= singles - 1);
  CHECK(contains(read_file(dir / "out/summary.md"), "pruned because a single fails"));
}

TEST_CASE("explore keeps the scenario's faults, and the assertions naming them, with --keep-faults", "[explore]") {
  ScratchDir dir("explore-keep");
  json scenario = read_json(kCluster);
  scenario["explore"] = json{{"kinds", json::array({"registry_outage"})}, {"durations", json::array({"1s", "2s"})}};
  write_json(dir / "keep.json", scenario);
  const auto result = run_faultline("explore " + dir / "keep.json" + " --space single --seeds 1 --keep-faults --out " + dir / "out", dir);
  INFO(result.err);
  REQUIRE((result.exit_code == 0 || result.exit_code == 1));
  const json report = read_json(dir / "out/explore.json");
  CHECK(report["assertions_left_out"].empty());
  CHECK(report["assertions"].size() == 3);
  REQUIRE(report["matrix"].size() == 2);  // one candidate per declared duration
  CHECK(contains(report["matrix"][0]["id"].get<std::string>(), "registry_outage for "));
}

TEST_CASE("explore refuses a space naming unknown services, an empty space and bad flags", "[explore][bad-input]") {
  ScratchDir dir("explore-bad");
  json scenario = read_json(kCluster);
  scenario["explore"] = json{{"services", json::array({"api", "payments"})}};
  write_json(dir / "unknown.json", scenario);
  auto result = run_faultline("explore " + dir / "unknown.json" + " --space single --out " + dir / "out1", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "unknown.json:"));
  CHECK(contains(result.err, "/explore/services/1"));
  CHECK(contains(result.err, "payments"));
  CHECK_FALSE(std::filesystem::exists(dir / "out1/explore.json"));

  // One zone: no zone pair to partition, so a space of partitions only is empty.
  json single_zone = read_json(kCluster);
  single_zone["zones"] = json::array({"za"});
  for (json& s : single_zone["services"]) s["instances"] = 1;
  single_zone["faults"] = json::array();
  single_zone["assertions"].erase(2);
  single_zone["explore"] = json{{"kinds", json::array({"partition"})}};
  write_json(dir / "empty.json", single_zone);
  result = run_faultline("explore " + dir / "empty.json" + " --space single --out " + dir / "out2", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "empty.json:"));
  CHECK(contains(result.err, "fault space is empty"));
  CHECK_FALSE(std::filesystem::exists(dir / "out2/explore.json"));

  CHECK(run_faultline("explore " + kCluster + " --out " + dir / "out3", dir).exit_code == 2);                  // no --space
  CHECK(run_faultline("explore " + kCluster + " --space triples --out " + dir / "out3", dir).exit_code == 2);  // unknown space
  CHECK(run_faultline("explore " + kCluster + " --space single --seeds 0 --out " + dir / "out3", dir).exit_code == 2);
}

TEST_CASE("shrink turns a chaos monkey into explicit kills and keeps only the faults the failure needs", "[shrink]") {
  ScratchDir dir("shrink");
  const auto result = run_faultline("shrink " + kMonkey + " --seed 1 --out " + dir / "min.json", dir);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(contains(result.out, "materialised 1 chaos monkey(s)"));
  CHECK(contains(result.out, "replay: faultline run "));
  CHECK(contains(result.out, "runs: "));
  const json minimal = read_json(dir / "min.json");
  const json original = read_json(kMonkey);
  REQUIRE(minimal["faults"].size() >= 1);
  CHECK(minimal["faults"].size() < original["faults"].size());
  for (const json& f : minimal["faults"]) {
    CHECK(f["kind"] != "chaos_monkey");
    CHECK_FALSE(contains(f["name"].get<std::string>(), "decoy"));  // the harmless decoys are dropped
  }
  CHECK(contains(minimal["description"].get<std::string>(), "removed decoy-slowdown"));
  // The minimal scenario still fails the same assertion on the same seed.
  const auto replay = run_faultline("run " + dir / "min.json" + " --seed 1 --report " + dir / "r.json", dir);
  CHECK(replay.exit_code == 1);
  const json report = read_json(dir / "r.json");
  for (const json& a : report["assertions"]) {
    if (a["name"] == "users availability") CHECK_FALSE(a["passed"].get<bool>());
  }
  // Also from a run report, which embeds the scenario and its seed.
  REQUIRE(run_faultline("run " + kMonkey + " --seed 1 --report " + dir / "start.json", dir).exit_code == 1);
  const auto from_report = run_faultline("shrink --from-report " + dir / "start.json" + " --out " + dir / "min2.json", dir);
  CHECK(from_report.exit_code == 0);
  CHECK(read_json(dir / "min2.json")["faults"] == minimal["faults"]);
}

TEST_CASE("shrink across seeds keeps a failure that holds on m of K seeds", "[shrink]") {
  ScratchDir dir("shrink-seeds");
  const auto result = run_faultline("shrink " + kMonkey + " --seed 1 --seeds 2 --min-fail 2 --out " + dir / "min.json", dir);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const json minimal = read_json(dir / "min.json");
  for (const int seed : {1, 2}) {
    CHECK(run_faultline("run " + dir / "min.json" + " --seed " + std::to_string(seed), dir).exit_code == 1);
  }
  CHECK(minimal["faults"].size() < read_json(kMonkey)["faults"].size());
}

TEST_CASE("shrink refuses a passing start and --min-fail above --seeds", "[shrink][bad-input]") {
  ScratchDir dir("shrink-bad");
  auto result = run_faultline("shrink " + kCluster + " --seed 1 --out " + dir / "min.json", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "nothing to shrink: seed 1 passes"));
  CHECK_FALSE(std::filesystem::exists(dir / "min.json"));
  result = run_faultline("shrink " + kMonkey + " --seed 1 --seeds 2 --min-fail 3 --out " + dir / "min.json", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "--min-fail 3 is larger than --seeds 2"));
  CHECK_FALSE(std::filesystem::exists(dir / "min.json"));
}

TEST_CASE("removing a fault leaves the random draws of the others unchanged (named streams)", "[shrink]") {
  ScratchDir dir("named-streams");
  json scenario = read_json(kMonkey);
  scenario["services"][1]["instances"] = 4;  // db: room for a random half to hang
  scenario["faults"] = json::array({
      json{{"name", "api-half-crash"}, {"kind", "crash"}, {"target", {{"service", "api"}, {"fraction", 0.5}}}, {"at", "2s"},
           {"restart_after", "3s"}},
      json{{"name", "db-half-hang"}, {"kind", "hang"}, {"target", {{"service", "db"}, {"fraction", 0.5}}}, {"at", "4s"},
           {"duration", "2s"}},
      json{{"name", "db-monkey"}, {"kind", "chaos_monkey"}, {"target", {{"service", "db"}}}, {"at", "1s"},
           {"interval", "900ms"}, {"probability", 0.6}, {"max_down_per_service", 4}, {"restart_after", "1s"}},
  });
  write_json(dir / "all.json", scenario);
  json without = scenario;
  without["faults"].erase(0);  // remove the api crash (the first fault: every index after it shifts)
  write_json(dir / "without.json", without);
  REQUIRE(run_faultline("run " + dir / "all.json" + " --seed 5 --report " + dir / "all-report.json", dir).exit_code <= 1);
  REQUIRE(run_faultline("run " + dir / "without.json" + " --seed 5 --report " + dir / "without-report.json", dir).exit_code <= 1);
  const json all = read_json(dir / "all-report.json");
  const json rest = read_json(dir / "without-report.json");
  const auto hung = state_changes(all, "hung");
  REQUIRE(hung.size() == 2);  // half of the four db instances
  CHECK(state_changes(rest, "hung") == hung);
  // The monkey's kills (db only) are the same instants and the same instances.
  std::vector<std::string> kills_all, kills_rest;
  for (const auto& line : state_changes(all, "crashed")) {
    if (contains(line, "db#")) kills_all.push_back(line);
  }
  for (const auto& line : state_changes(rest, "crashed")) {
    if (contains(line, "db#")) kills_rest.push_back(line);
  }
  REQUIRE(kills_all.size() >= 3);
  CHECK(kills_rest == kills_all);
}

TEST_CASE("an interrupted exploration exits 4 and writes nothing", "[explore][limits]") {
  ScratchDir dir("explore-sigint");
  const std::string flagship = faultline::test::kSourceDir + "/scenarios/zone-outage-failover.json";
  const pid_t child = faultline::test::spawn_faultline({"explore", flagship, "--space", "pairs", "--jobs", "1", "--out", dir / "out"});
  // Ready once it has declared its output folder (after loading, with its handler installed).
  const std::string out = dir / "out";
  const int status = faultline::test::interrupt_when(child, [&] { return std::filesystem::exists(out); });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 4);
  CHECK_FALSE(std::filesystem::exists(dir / "out/explore.json"));
  CHECK_FALSE(std::filesystem::exists(dir / "out/runs.json"));
}

TEST_CASE("explore.assertions narrows the matrix to the named assertions, and an unknown name is refused", "[explore]") {
  ScratchDir dir("explore-assertions");
  json scenario = read_json(kCluster);
  scenario["explore"] = json{{"assertions", json::array({"users availability"})}, {"kinds", json::array({"latency"})}};
  write_json(dir / "slo.json", scenario);
  const auto result = run_faultline("explore " + dir / "slo.json" + " --space single --seeds 1 --out " + dir / "out", dir);
  INFO(result.err);
  REQUIRE(result.exit_code == 1);
  const json report = read_json(dir / "out/explore.json");
  REQUIRE(report["assertions"].size() == 1);
  CHECK(report["assertions"][0]["name"] == "users availability");
  CHECK(read_json(dir / "out/scenarios/candidate-0002.json")["assertions"].size() == 1);
  scenario["explore"]["assertions"].push_back("users p999");
  write_json(dir / "bad.json", scenario);
  const auto bad = run_faultline("explore " + dir / "bad.json" + " --space single --out " + dir / "out2", dir);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "/explore/assertions/1"));
}
