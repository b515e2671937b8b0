// Swarm sweeps: per-seed draws from the scenario's ranges, the drawn scenario of each failing
// seed kept for an exact replay (and a shrink), shards merged byte for byte, draws that do not
// depend on each other, and bad swarm blocks refused with their location.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"
#include "harness/duration.hpp"
#include "harness/loader.hpp"
#include "harness/swarm.hpp"

using faultline::test::contains;
using faultline::test::read_file;
using faultline::test::run_command;
using faultline::test::run_faultline;
using faultline::test::ScratchDir;
using json = nlohmann::ordered_json;

namespace {

const std::string kSwarm = faultline::test::kSourceDir + "/tests/data/explore/tiny-swarm.json";

json read_json(const std::string& path) { return json::parse(read_file(path)); }

json draw(const json& document, std::uint64_t seed) {
  using namespace faultline::harness;
  const std::string text = document.dump(2);
  const JsonSource source = JsonSource::parse("swarm.json", text);
  const SwarmPlan plan = read_swarm_plan(source, load_scenario(source));
  return swarm_draw(plan, seed);
}

const json& fault_named(const json& document, const std::string& name) {
  for (const json& f : document["faults"]) {
    if (f["name"] == name) return f;
  }
  FAIL("no fault " << name);
  return document;
}

}  // namespace

TEST_CASE("a swarm sweep draws each seed's faults and keeps each failing seed's draw for an exact replay", "[swarm]") {
  ScratchDir dir("swarm");
  const auto result = run_faultline("sweep " + kSwarm + " --swarm --seeds 1-16 --jobs 2 --out " + dir / "out", dir);
  INFO(result.err);
  REQUIRE(result.exit_code == 1);
  const json sweep = read_json(dir / "out/sweep.json");
  CHECK(sweep["swarm"] == true);
  REQUIRE(sweep["failures"].size() > 0);
  REQUIRE(sweep["seeds_passed"].get<int>() > 0);  // different draws, different verdicts
  const json& failure = sweep["failures"][0];
  const std::uint64_t seed = failure["seed"].get<std::uint64_t>();
  CHECK(failure["replay"] == "faultline run swarm/seed-" + std::to_string(seed) + ".json --seed " + std::to_string(seed));
  const json drawn = read_json(dir / ("out/swarm/seed-" + std::to_string(seed) + ".json"));
  CHECK(drawn["seed"] == seed);
  CHECK_FALSE(drawn.contains("swarm"));
  CHECK(contains(drawn["description"].get<std::string>(), "Swarm draw for seed " + std::to_string(seed)));
  // The replay is the very run the sweep recorded.
  const auto replay = run_command("cd " + dir / "out" + " && timeout 300 " + faultline::test::kBinary + " run swarm/seed-" +
                                      std::to_string(seed) + ".json --seed " + std::to_string(seed) + " --report replay.json",
                                  dir);
  REQUIRE(replay.exit_code == 1);
  CHECK(read_json(dir / "out/replay.json")["trace_hash"] == failure["trace_hash"]);
  // And the failing draw can be shrunk.
  const auto shrink = run_faultline("shrink " + dir / ("out/swarm/seed-" + std::to_string(seed) + ".json") + " --seed " +
                                        std::to_string(seed) + " --out " + dir / "min.json",
                                    dir);
  INFO(shrink.out << shrink.err);
  CHECK(shrink.exit_code == 0);
  // Passing seeds write no draw; shards merge into the same bytes (draws included).
  for (int k = 1; k <= 2; ++k) {
    const auto shard = run_faultline("sweep " + kSwarm + " --swarm --seeds 1-16 --shard " + std::to_string(k) + "/2 --out " +
                                         dir / ("shard" + std::to_string(k)),
                                     dir);
    REQUIRE(shard.exit_code <= 1);
  }
  REQUIRE(run_faultline("merge " + dir / "shard2" + " " + dir / "shard1" + " --out " + dir / "merged", dir).exit_code == 0);
  for (const char* file : {"/sweep.json", "/seeds.json", "/summary.md"}) {
    INFO(file);
    CHECK(read_file(dir / "out" + file) == read_file(dir / "merged" + file));
  }
  for (const json& f : sweep["failures"]) {
    const std::string name = "/swarm/seed-" + std::to_string(f["seed"].get<std::uint64_t>()) + ".json";
    CHECK(read_file(dir / "out" + name) == read_file(dir / "merged" + name));
  }
  // A plain sweep of the same file does not mix with the swarm's shards.
  REQUIRE(run_faultline("sweep " + kSwarm + " --seeds 1-16 --shard 2/2 --out " + dir / "plain2", dir).exit_code <= 1);
  const auto mixed = run_faultline("merge " + dir / "shard1" + " " + dir / "plain2" + " --out " + dir / "mixed", dir);
  CHECK(mixed.exit_code == 2);
  CHECK(contains(mixed.err, "--swarm differs"));
}

TEST_CASE("swarm draws are a function of the seed, and one fault's ranges never change another's draws", "[swarm]") {
  const json document = read_json(kSwarm);
  const json a = draw(document, 7), b = draw(document, 7), c = draw(document, 8);
  CHECK(a == b);
  CHECK(a["faults"] != c["faults"]);
  // Widen db-slow's factor range and drop the extra faults: api-blip draws exactly the same.
  json changed = document;
  changed["swarm"]["faults"][1]["factor"]["max"] = 100;
  changed["swarm"].erase("extra_faults");
  for (const std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    INFO(seed);
    CHECK(fault_named(draw(changed, seed), "api-blip") == fault_named(draw(document, seed), "api-blip"));
  }
  // Drawn values stay inside their ranges.
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const json d = draw(document, seed);
    const std::string at = fault_named(d, "api-blip")["at"].get<std::string>();
    const auto at_ns = faultline::harness::parse_go_duration(at);
    REQUIRE(at_ns);
    CHECK(*at_ns >= 1'000'000'000);
    CHECK(*at_ns <= 6'000'000'000);
  }
}

TEST_CASE("a swarm sweep refuses a scenario without a swarm block and a swarm range naming an unknown fault", "[swarm][bad-input]") {
  ScratchDir dir("swarm-bad");
  const std::string plain = faultline::test::kSourceDir + "/tests/data/explore/tiny-cluster.json";
  auto result = run_faultline("sweep " + plain + " --swarm --seeds 1-2 --out " + dir / "out", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "needs a \"swarm\" block"));
  json bad = read_json(kSwarm);
  bad["swarm"]["faults"][1]["fault"] = "db-slowness";
  std::ofstream(dir / "bad.json") << bad.dump(2);
  result = run_faultline("sweep " + dir / "bad.json" + " --swarm --seeds 1-2 --out " + dir / "out", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "bad.json:"));
  CHECK(contains(result.err, "/swarm/faults/1/fault"));
  CHECK(contains(result.err, "db-slowness"));
  CHECK_FALSE(std::filesystem::exists(dir / "out/sweep.json"));
}
