// Reports that are JSON but not what faultline wrote: compare and merge answer with exit 2
// naming the file, never crash (a fuzzer found compare reading a missing key).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

using namespace faultline::test;

TEST_CASE("compare gives exit 2 for reports with missing or mistyped keys", "[compare][corpus]") {
  ScratchDir dir("bad-reports");
  const std::string header = R"("scenario": {"name": "s", "sha256": "abc"}, )";
  const std::vector<std::string> documents = {
      "{" + header + R"("assertions": [{}]})",
      "{" + header + R"("assertions": [1, 2]})",
      "{" + header + R"("assertions": [{"name": "a"}]})",
      "{" + header + R"("assertions": [], "clients": [{"name": 3}]})",
      "{" + header + R"("assertions": [], "kind": "faultline-sweep"})",
      "{" + header + R"("assertions": [], "seed": 1, "faultline_version": 7})",
  };
  for (std::size_t i = 0; i < documents.size(); ++i) {
    INFO(documents[i]);
    const std::string path = dir / ("r" + std::to_string(i) + ".json");
    std::ofstream(path) << documents[i];
    const auto result = run_faultline("compare " + path + " " + path, dir);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, path));
  }
}

TEST_CASE("merge gives exit 2 for a seeds file with missing keys", "[sweep][corpus]") {
  ScratchDir dir("bad-seeds");
  std::filesystem::create_directories(dir / "shard");
  std::ofstream(dir / "shard/seeds.json") << R"({"kind": "faultline-sweep-seeds", "faultline_version": "0.1.0"})";
  const auto result = run_faultline("merge " + (dir / "shard") + " --out " + (dir / "out"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, dir / "shard/seeds.json"));
  CHECK(contains(result.err, "at /scenario: missing"));
}

TEST_CASE("merge reads seeds.json through the typed reader: a broken field is exit 2 with file and pointer",
          "[sweep][corpus]") {
  ScratchDir dir("typed-seeds");
  const auto sweep = run_faultline("sweep " + fixture("demo-shop.json") + " --seeds 1-2 --out " + (dir / "shard"), dir);
  REQUIRE(sweep.exit_code <= 1);
  const std::string good = read_file(dir / "shard/seeds.json");
  const std::vector<std::pair<std::string, std::function<void(nlohmann::json&)>>> breaks = {
      {"/runs/1/metrics/0", [](nlohmann::json& d) { d["runs"][1]["metrics"][0] = "fast"; }},
      {"/runs/0/passed", [](nlohmann::json& d) { d["runs"][0].erase("passed"); }},
      {"/seeds/first", [](nlohmann::json& d) { d["seeds"]["first"] = -1; }},
      {"/metrics/0", [](nlohmann::json& d) { d["metrics"][0] = "no-slashes"; }},
  };
  for (const auto& [pointer, edit] : breaks) {
    INFO(pointer);
    nlohmann::json document = nlohmann::json::parse(good);
    edit(document);
    std::ofstream(dir / "shard/seeds.json") << document.dump(2);
    const auto result = run_faultline("merge " + (dir / "shard") + " --out " + (dir / "out"), dir);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, dir / "shard/seeds.json"));
    CHECK(contains(result.err, "at " + pointer + ":"));
  }
}

namespace {

// A real report of a small scenario, broken at one JSON pointer by `edit`.
std::string broken_report(const ScratchDir& dir, const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
  static const std::string good = [] {
    ScratchDir tmp("typed-view-source");
    const auto r = run_faultline("run " + fixture("demo-shop.json") + " --seed 1 --report " + (tmp / "r.json"), tmp);
    REQUIRE(r.exit_code <= 1);
    return read_file(tmp / "r.json");
  }();
  nlohmann::json report = nlohmann::json::parse(good);
  edit(report);
  const std::string path = dir / name;
  std::ofstream(path) << report.dump(2);
  return path;
}

}  // namespace

TEST_CASE("reports are read through the typed view: a missing or ill-typed field is exit 2 naming file and pointer",
          "[compare][corpus]") {
  ScratchDir dir("typed-view");
  const std::string good = broken_report(dir, "good.json", [](nlohmann::json&) {});
  {
    const nlohmann::json report = nlohmann::json::parse(read_file(good));
    CHECK(report["report_format"] == 1);  // every report says which layout it has
    CHECK(run_faultline("compare " + good + " " + good, dir).exit_code == 0);
  }
  struct Case {
    std::string pointer;
    std::function<void(nlohmann::json&)> edit;
  };
  const std::vector<Case> cases = {
      {"/clients/0/totals/ok", [](nlohmann::json& r) { r["clients"][0]["totals"].erase("ok"); }},
      {"/assertions/0/passed", [](nlohmann::json& r) { r["assertions"][0]["passed"] = "yes"; }},
      {"/services/1/latency/p99_ms", [](nlohmann::json& r) { r["services"][1]["latency"]["p99_ms"] = nullptr; }},
      {"/faults/0/recovery/recovered_after_s", [](nlohmann::json& r) { r["faults"][0]["recovery"]["recovered_after_s"] = "5s"; }},
      {"/seed", [](nlohmann::json& r) { r["seed"] = -1; }},
      {"/report_format", [](nlohmann::json& r) { r["report_format"] = 99; }},
      {"/scenario/sha256", [](nlohmann::json& r) { r["scenario"].erase("sha256"); }},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO(cases[i].pointer);
    const std::string bad = broken_report(dir, "bad" + std::to_string(i) + ".json", cases[i].edit);
    const auto compared = run_faultline("compare " + good + " " + bad, dir);
    CHECK(compared.exit_code == 2);
    CHECK(contains(compared.err, bad));
    CHECK(contains(compared.err, cases[i].pointer));
    const auto rerun = run_faultline("run --from-report " + bad + " --report " + (dir / "out.json"), dir);
    CHECK(rerun.exit_code == 2);
    CHECK(contains(rerun.err, cases[i].pointer));
    CHECK_FALSE(std::filesystem::exists(dir / "out.json"));
  }
  // A newer layout is refused with what to do about it.
  const std::string newer = broken_report(dir, "newer.json", [](nlohmann::json& r) { r["report_format"] = 99; });
  CHECK(contains(run_faultline("compare " + newer + " " + newer, dir).err, "newer than this faultline reads"));
}
