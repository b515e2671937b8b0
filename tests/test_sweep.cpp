// Seed sweeps: seed ranges and shards, byte-identical aggregates across --jobs and across
// sharded runs merged, replay commands, merge's refusals, and the aggregate's statistics.
#include <catch2/catch.hpp>

#include <fstream>

#include "cli_helpers.hpp"
#include "harness/sweep.hpp"
#include "reports/sweep_report.hpp"

using faultline::harness::UsageError;
using faultline::harness::parse_seed_range;
using faultline::harness::SeedRange;
using faultline::harness::shard_slice;
using faultline::test::contains;
using faultline::test::fixture;
using faultline::test::read_file;
using faultline::test::run_command;
using faultline::test::run_faultline;
using faultline::test::ScratchDir;
using json = nlohmann::ordered_json;

namespace {

const std::string kScenario = fixture("tiny-sweep.json");

void require_same_outputs(const std::string& a, const std::string& b) {
  for (const char* file : {"/sweep.json", "/seeds.json", "/summary.md"}) {
    INFO(file);
    CHECK(read_file(a + file) == read_file(b + file));
  }
}

}  // namespace

TEST_CASE("seed ranges parse as A-B or a single seed", "[sweep]") {
  CHECK(parse_seed_range("1-1000").first == 1);
  CHECK(parse_seed_range("1-1000").last == 1000);
  CHECK(parse_seed_range("42").count() == 1);
  CHECK_THROWS_AS(parse_seed_range("10-1"), UsageError);
  CHECK_THROWS_AS(parse_seed_range("a-b"), UsageError);
  CHECK_THROWS_AS(parse_seed_range("1-"), UsageError);
  CHECK_THROWS_AS(parse_seed_range("0-99999999999"), UsageError);
}

TEST_CASE("shards are disjoint contiguous slices that cover the seed range", "[sweep]") {
  const SeedRange range{5, 104};  // 100 seeds
  for (std::uint64_t n : {1u, 3u, 7u, 100u}) {
    std::uint64_t expected_first = range.first;
    for (std::uint64_t k = 1; k <= n; ++k) {
      const SeedRange slice = shard_slice(range, {k, n});
      CHECK(slice.first == expected_first);
      CHECK(slice.count() >= 100 / n);
      CHECK(slice.count() <= 100 / n + 1);
      expected_first = slice.last + 1;
    }
    CHECK(expected_first == range.last + 1);
  }
  CHECK_THROWS_AS(shard_slice({1, 3}, {1, 4}), UsageError);
}

TEST_CASE("a sweep's outputs are byte-identical whatever the number of jobs", "[sweep]") {
  ScratchDir dir("sweep-jobs");
  const auto one = run_faultline("sweep " + kScenario + " --seeds 1-12 --jobs 1 --out " + (dir / "one"), dir);
  const auto four = run_faultline("sweep " + kScenario + " --seeds 1-12 --jobs 4 --out " + (dir / "four"), dir);
  CHECK(one.exit_code == four.exit_code);
  CHECK(one.out == four.out);
  require_same_outputs(dir / "one", dir / "four");
  // Not a terminal: plain progress lines, no escape codes (test_sweep_ci.cpp has the rest).
  CHECK(contains(one.err, "seeds done"));
  CHECK_FALSE(contains(one.err, "\x1b"));
}

TEST_CASE("merged shards give the same outputs as one unsharded sweep, byte for byte", "[sweep][merge]") {
  ScratchDir dir("sweep-merge");
  const auto whole = run_faultline("sweep " + kScenario + " --seeds 3-13 --jobs 2 --out " + (dir / "whole"), dir);
  for (int k = 1; k <= 3; ++k) {
    const auto shard = run_faultline("sweep " + kScenario + " --seeds 3-13 --shard " + std::to_string(k) + "/3 --out " +
                                         (dir / ("s" + std::to_string(k))),
                                     dir);
    CHECK(json::parse(read_file(dir / ("s" + std::to_string(k) + "/sweep.json")))["shard"]["index"] == k);
    CHECK(shard.exit_code <= 1);
  }
  // The order the shards are named in does not matter.
  const auto merged = run_faultline("merge " + (dir / "s2") + " " + (dir / "s3") + " " + (dir / "s1") + " --out " + (dir / "merged"), dir);
  CHECK(merged.exit_code == 0);
  require_same_outputs(dir / "whole", dir / "merged");
  CHECK(merged.out == whole.out);
}

TEST_CASE("merge refuses missing, repeated and foreign shards", "[sweep][merge]") {
  ScratchDir dir("sweep-merge-refuse");
  for (int k = 1; k <= 3; ++k) {
    run_faultline("sweep " + kScenario + " --seeds 1-6 --shard " + std::to_string(k) + "/3 --out " + (dir / ("s" + std::to_string(k))),
                  dir);
  }
  run_faultline("sweep " + kScenario + " --seeds 1-7 --shard 3/3 --out " + (dir / "other"), dir);
  const auto missing = run_faultline("merge " + (dir / "s1") + " " + (dir / "s3") + " --out " + (dir / "m"), dir);
  CHECK(missing.exit_code == 2);
  CHECK(contains(missing.err, "missing: 2"));
  const auto twice = run_faultline("merge " + (dir / "s1") + " " + (dir / "s1") + " " + (dir / "s2") + " --out " + (dir / "m"), dir);
  CHECK(twice.exit_code == 2);
  CHECK(contains(twice.err, "given twice"));
  const auto foreign = run_faultline("merge " + (dir / "s1") + " " + (dir / "s2") + " " + (dir / "other") + " --out " + (dir / "m"), dir);
  CHECK(foreign.exit_code == 2);
  CHECK(contains(foreign.err, "seed range differs"));
  CHECK_FALSE(std::filesystem::exists(dir / "m/sweep.json"));
}

TEST_CASE("every failing seed is listed with a command that replays it exactly", "[sweep]") {
  ScratchDir dir("sweep-replay");
  const auto sweep = run_faultline("sweep " + kScenario + " --seeds 1-10 --out " + (dir / "out"), dir);
  const json aggregate = json::parse(read_file(dir / "out/sweep.json"));
  const json seeds = json::parse(read_file(dir / "out/seeds.json"));
  // The scenario is tuned so that some seeds fail its availability bound and some pass.
  REQUIRE(aggregate["seeds_failed"].get<int>() > 0);
  REQUIRE(aggregate["seeds_passed"].get<int>() > 0);
  CHECK(sweep.exit_code == 1);
  CHECK(aggregate["failures"].size() == aggregate["seeds_failed"].get<std::size_t>());
  const json& failure = aggregate["failures"][0];
  const std::string replay = failure["replay"].get<std::string>();
  CHECK(replay == "faultline run " + kScenario + " --seed " + std::to_string(failure["seed"].get<int>()));
  const auto again = run_command(faultline::test::kBinary + replay.substr(std::string("faultline").size()), dir);
  CHECK(again.exit_code == 1);
  CHECK(contains(again.out, "trace_hash " + failure["trace_hash"].get<std::string>()));
  CHECK(contains(sweep.out, "replay: " + replay));
  // The sweep report embeds its scenario, so it replays a seed without the original file.
  const auto embedded = run_faultline("run --from-report " + (dir / "out/sweep.json") + " --seed " +
                                          std::to_string(failure["seed"].get<int>()),
                                      dir);
  CHECK(contains(embedded.out, "trace_hash " + failure["trace_hash"].get<std::string>()));
  // A sweep of only passing seeds exits 0.
  for (const json& run : seeds["runs"]) {
    if (!run["passed"].get<bool>()) continue;
    const auto pass = run_faultline("sweep " + kScenario + " --seeds " + std::to_string(run["seed"].get<int>()) + " --out " +
                                        (dir / "pass"),
                                    dir);
    CHECK(pass.exit_code == 0);
    break;
  }
}

TEST_CASE("the aggregate gives min, median, p95, max and the pass ratio of the seeds' values", "[sweep]") {
  ScratchDir dir("sweep-stats");
  run_faultline("sweep " + kScenario + " --seeds 1-9 --out " + (dir / "out"), dir);
  const json aggregate = json::parse(read_file(dir / "out/sweep.json"));
  const json seeds = json::parse(read_file(dir / "out/seeds.json"));
  std::size_t index = 0;
  const json& keys = seeds["metrics"];
  while (index < keys.size() && keys[index] != "clients/web/availability") ++index;
  REQUIRE(index < keys.size());
  std::vector<double> values;
  std::size_t passed = 0;
  for (const json& run : seeds["runs"]) {
    values.push_back(run["metrics"][index].get<double>());
    passed += run["assertions"][0].get<bool>() ? 1 : 0;
  }
  std::sort(values.begin(), values.end());
  const json& stats = aggregate["clients"][0]["availability"];
  CHECK(stats["count"] == 9);
  CHECK(stats["min"].get<double>() == values.front());
  CHECK(stats["max"].get<double>() == values.back());
  CHECK(stats["median"].get<double>() == Approx(values[4]));
  CHECK(stats["p95"].get<double>() == values[8]);  // nearest rank: ceil(0.95 * 9) = 9
  CHECK(aggregate["assertions"][0]["pass_ratio"].get<double>() == Approx(passed / 9.0).margin(1e-6));
}

TEST_CASE("sweep statistics use the nearest rank for p95 and the middle for the median", "[sweep]") {
  faultline::reports::SweepLayout layout;
  layout.assertions.push_back({"a", "count", "x"});
  layout.metrics.push_back({"clients", "web", "p99_ms"});
  std::vector<faultline::reports::SeedRecord> records;
  for (int seed = 1; seed <= 20; ++seed) {
    faultline::reports::SeedRecord r;
    r.seed = static_cast<std::uint64_t>(seed);
    r.passed = seed % 4 != 0;
    r.stop = "finished";
    r.trace_hash = "0x0";
    r.assertions_passed = {r.passed};
    r.assertion_values = {static_cast<double>(seed)};
    r.metrics = {seed == 20 ? std::nullopt : std::optional<double>(21 - seed)};  // 20..2, one missing
    records.push_back(r);
  }
  faultline::reports::SweepHeader header;
  header.first_seed = header.slice_first = 1;
  header.last_seed = header.slice_last = 20;
  header.scenario_file = "s.json";
  const json sweep = faultline::reports::build_sweep_report(header, layout, records);
  const json& p99 = sweep["clients"][0]["p99_ms"];
  CHECK(p99["count"] == 19);
  CHECK(p99["missing"] == 1);
  CHECK(p99["min"] == 2.0);
  CHECK(p99["max"] == 20.0);
  CHECK(p99["median"] == 11.0);
  CHECK(p99["p95"] == 20.0);  // nearest rank: the ceil(0.95 * 19) = 19th of 19 sorted values
  CHECK(sweep["assertions"][0]["pass_ratio"] == 0.75);
  CHECK(sweep["assertions"][0]["observed_value"]["median"] == 10.5);
  CHECK(sweep["failures"].size() == 5);
  CHECK(sweep["failures"][0]["replay"] == "faultline run s.json --seed 4");
}

TEST_CASE("sweep usage errors exit 2 and name the problem", "[sweep]") {
  ScratchDir dir("sweep-usage");
  const auto reversed = run_faultline("sweep " + kScenario + " --seeds 9-2 --out " + (dir / "x"), dir);
  CHECK(reversed.exit_code == 2);
  CHECK(contains(reversed.err, "--seeds"));
  const auto shard = run_faultline("sweep " + kScenario + " --seeds 1-2 --shard 3/3 --out " + (dir / "x"), dir);
  CHECK(shard.exit_code == 2);
  const auto no_out = run_faultline("sweep " + kScenario + " --seeds 1-2", dir);
  CHECK(no_out.exit_code == 2);
  CHECK(contains(no_out.err, "--out"));
}

TEST_CASE("a sweep aggregates user impact and lists failing seeds worst first", "[sweep][impact]") {
  ScratchDir dir("sweep-impact");
  // The tiny scenario with an impact assertion at the sweep's own 99% threshold: the assertion
  // (computed by the engine) and the sweep's figure (from the report's time series) must agree.
  json scenario = json::parse(read_file(kScenario));
  scenario["assertions"].push_back(
      {{"name", "web below 99%"}, {"type", "impact"}, {"client", "web"}, {"below", "99%"}, {"max", "1s"}});
  {
    std::ofstream out(dir / "impact.json");
    out << scenario.dump(2);
  }
  const auto sweep = run_faultline("sweep " + (dir / "impact.json") + " --seeds 1-12 --out " + (dir / "out"), dir);
  const json aggregate = json::parse(read_file(dir / "out/sweep.json"));
  const json seeds = json::parse(read_file(dir / "out/seeds.json"));
  std::size_t below = 0, longest = 0, failed_requests = 0;
  const json& keys = seeds["metrics"];
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (keys[k] == "clients/web/below_99_s") below = k;
    if (keys[k] == "clients/web/longest_below_99_s") longest = k;
    if (keys[k] == "faults/api-errors/failed_requests") failed_requests = k;
  }
  REQUIRE(below > 0);
  REQUIRE(longest > 0);
  REQUIRE(failed_requests > 0);
  bool some_impact = false;
  for (const json& run : seeds["runs"]) {
    INFO("seed " << run["seed"]);
    CHECK(run["metrics"][below].get<double>() == run["assertion_values"][2].get<double>());
    CHECK(run["metrics"][longest].get<double>() <= run["metrics"][below].get<double>());
    some_impact = some_impact || run["metrics"][below].get<double>() > 0;
  }
  CHECK(some_impact);
  CHECK(aggregate["clients"][0].contains("below_99_s"));
  CHECK(aggregate["faults"][0]["failed_requests"]["count"] == 12);
  CHECK(contains(sweep.out, "client web time below 99% availability: min "));
  CHECK(contains(sweep.out, "fault api-errors failed requests during it: min "));
  // Breaker openings labelled caller -> callee, counted on the caller's side.
  REQUIRE(aggregate["call_sites"].size() == 1);
  CHECK(aggregate["call_sites"][0]["name"] == "web → api");
  CHECK(aggregate["call_sites"][0]["breaker_opens"]["count"] == 12);
  CHECK(contains(sweep.out, "calls web → api breaker openings (the caller's breakers): min 0"));

  // Worst first: more failed assertions, then more seconds below 99%, then lower availability.
  const json& failures = aggregate["failures"];
  REQUIRE(failures.size() >= 2);
  CHECK(contains(sweep.out, "failing seeds, worst first:"));
  for (std::size_t i = 1; i < failures.size(); ++i) {
    const json &a = failures[i - 1], &b = failures[i];
    INFO("seeds " << a["seed"] << " then " << b["seed"]);
    const auto fa = a["failed_assertions"].size(), fb = b["failed_assertions"].size();
    CHECK(fa >= fb);
    if (fa == fb) CHECK(a["below_99_s"].get<double>() >= b["below_99_s"].get<double>());
    if (fa == fb && a["below_99_s"] == b["below_99_s"]) {
      CHECK(a["lowest_availability"].get<double>() <= b["lowest_availability"].get<double>());
    }
  }

  // The fault's failed requests, as the worst seed's own run and its impact assertion count them.
  const std::string worst = std::to_string(failures[0]["seed"].get<int>());
  const auto run = run_faultline("run " + (dir / "impact.json") + " --seed " + worst + " --report " + (dir / "r.json"), dir);
  CHECK(run.exit_code == 1);
  const json report = json::parse(read_file(dir / "r.json"));
  for (const json& r : seeds["runs"]) {
    if (std::to_string(r["seed"].get<int>()) != worst) continue;
    const std::string text = "failed requests during api-errors: " +
                             std::to_string(static_cast<long long>(r["metrics"][failed_requests].get<double>()));
    CHECK(contains(report["assertions"][2]["observed"].get<std::string>(), text));
  }
}
