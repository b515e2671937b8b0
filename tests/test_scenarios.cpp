// The scenario library: every scenarios/*.json is validated and run through the real
// `faultline` binary. Each story must pass its own assertions, except the documented "before"
// variants (*-before.json), which must fail, and fail exactly the assertions that tell their
// story (listed below).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

// The assertions each "before" variant is expected to fail; all its others must hold.
const std::map<std::string, std::set<std::string>>& expected_failures() {
  static const std::map<std::string, std::set<std::string>> failures{
      {"slow-dependency-breaker-before.json",
       {"pages keep being served while recommendations crawl", "no page request times out",
        "a storefront breaker opens within 5s of the slowdown and all close within 15s of its end"}},
      {"retry-storm-before.json",
       {"availability is back above 99% within 30s of the slowdown's end",
        "retries stay within the budget (10% of 105000 requests + 10/s)",
        "the brief slowdown costs at most 15% of the run's requests"}},
      {"registry-outage-outlier-detection-before.json",
       {"availability holds through the outage", "the web tier ejects both dead instances",
        "at most a few hundred requests fail"}},
      {"rolling-restart-before.json", {"no request fails: the error budget is untouched", "no connection is refused"}},
      {"per-process-round-robin-before.json",
       {"no orders breaker opens", "about 1/6 of the requests after the crash fail (5000, plus Poisson noise)",
        "availability stays near 5/6 once payments#3 is dead (86%)"}},
      {"slow-inventory-deadlines-before.json",
       {"users are fully served again within 5s of the slowdown's end", "users spend at most 25s below 99% availability"}},
      {"bulkhead-payments-before.json",
       {"browsing stays available while payments crawls",
        "browsing stays fast while payments crawls (p99 of ok requests within 50ms)"}},
      {"fallback-recommendations-before.json",
       {"pages are served while recommendations is down", "at most 100 page requests fail in the whole run"}},
      {"overload-shedding-before.json",
       {"the capacity left serves users during the slowdown (400/s of 700/s: at least 50%)",
        "users are fully served again within 2s of the slowdown's end"}},
      {"hedged-requests-before.json", {"searches stay fast while one instance crawls (p99 of ok requests within 100ms)"}},
      {"rate-limited-importer-before.json",
       {"users are served while api runs on 10 workers an instance", "users spend at most 5s below 99% availability",
        "the importer gets at most its 300/s and its burst of 50 (24,050 requests in 80s)"}},
      {"retry-refused-payments-before.json",
       {"checkouts are served while payments#2 is dead (at least 99.5% during the crash)",
        "the crash costs at most 0.5% of the run's checkouts",
        "declined payments are not retried: errors stay near the declines (0.3% of 36,000: 108, plus Poisson noise)"}},
      {"breaker-ignores-rate-limits-before.json",
       {"users lose no more than the export's 10s of 429s (at most 12s below 99%)",
        "users keep 90% availability over the run"}},
  };
  return failures;
}

std::vector<fs::path> library() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(FAULTLINE_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() == ".json" && entry.path().filename() != "faultline.schema.json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool is_before_variant(const fs::path& file) {
  const std::string name = file.filename().string();
  return name.size() > 12 && name.compare(name.size() - 12, 12, "-before.json") == 0;
}

// Runs the faultline binary with `arguments`; returns its exit code (-1 if it did not exit).
int faultline(const std::string& arguments, const fs::path& output) {
  const std::string command = std::string("\"") + FAULTLINE_BINARY + "\" " + arguments + " > \"" + output.string() + "\" 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A folder of this test process's own, so that concurrent test runs never share files.
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("faultline-test-scenarios-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST_CASE("the scenario library holds the stories and their before variants", "[scenarios]") {
  const auto files = library();
  std::set<std::string> names;
  for (const auto& file : files) names.insert(file.filename().string());
  for (const char* story : {"crash-discovery.json", "zone-outage-failover.json", "slow-dependency-breaker.json",
                            "retry-storm.json", "registry-outage-outlier-detection.json",
                            "zone-partition-split-cluster.json", "rolling-restart.json", "chaos-monkey-hour.json",
                            "per-process-round-robin.json", "slow-inventory-deadlines.json", "bulkhead-payments.json",
                            "fallback-recommendations.json", "overload-shedding.json", "hedged-requests.json",
                            "rate-limited-importer.json", "retry-refused-payments.json",
                            "breaker-ignores-rate-limits.json"}) {
    CHECK(names.count(story) == 1);
  }
  for (const auto& [before, failing] : expected_failures()) {
    INFO(before);
    CHECK(names.count(before) == 1);
    CHECK_FALSE(failing.empty());
  }
  for (const auto& file : files) {
    INFO(file.filename().string());
    if (is_before_variant(file)) {
      // Every before variant has its story beside it, and its expected failures listed above.
      std::string story = file.filename().string();
      story.replace(story.size() - 12, 12, ".json");
      CHECK(names.count(story) == 1);
      CHECK(expected_failures().count(file.filename().string()) == 1);
    }
    const auto scenario = nlohmann::json::parse(read_text(file));
    CHECK(scenario.value("$schema", "") == "./faultline.schema.json");
    CHECK(scenario.value("description", "").size() > 200);
    CHECK(scenario.contains("faults"));
    CHECK(scenario["assertions"].size() >= 2);
    const std::string text = read_text(file);
    CHECK(std::count(text.begin(), text.end(), '\n') < 600);
  }
}

TEST_CASE("every library scenario validates", "[scenarios]") {
  std::string arguments = "validate";
  for (const auto& file : library()) arguments += " \"" + file.string() + "\"";
  const fs::path output = scratch("validate.txt");
  const int code = faultline(arguments, output);
  INFO(read_text(output));
  CHECK(code == 0);
}

TEST_CASE("every library scenario tells its story: stories pass, before variants fail as described", "[scenarios]") {
  const auto files = library();
  REQUIRE(files.size() >= 8);
  for (const auto& file : files) {
    const std::string name = file.filename().string();
    DYNAMIC_SECTION(name) {
      const fs::path report = scratch(file.stem().string() + ".report.json");
      const fs::path output = scratch(file.stem().string() + ".txt");
      fs::remove(report);
      const int code = faultline("run \"" + file.string() + "\" --report \"" + report.string() + "\"", output);
      INFO(read_text(output));
      REQUIRE(fs::exists(report));
      const auto result = nlohmann::json::parse(read_text(report));
      fs::remove(report);
      std::set<std::string> failed;
      for (const auto& assertion : result["assertions"]) {
        if (!assertion["passed"].get<bool>()) failed.insert(assertion["name"].get<std::string>());
      }
      if (is_before_variant(file)) {
        CHECK(code == 1);
        CHECK_FALSE(result["passed"].get<bool>());
        const auto expected = expected_failures().find(name);
        REQUIRE(expected != expected_failures().end());
        CHECK(failed == expected->second);
      } else {
        CHECK(code == 0);
        CHECK(result["passed"].get<bool>());
        CHECK(failed.empty());
      }
    }
  }
}

TEST_CASE("the chaos monkey hour kills the same instances at the same instants for a seed", "[scenarios][chaos]") {
  const fs::path file = fs::path(FAULTLINE_SOURCE_DIR) / "scenarios" / "chaos-monkey-hour.json";
  auto kills = [&](int seed) {
    const fs::path report = scratch("chaos-" + std::to_string(seed) + ".report.json");
    const int code = faultline("run \"" + file.string() + "\" --seed " + std::to_string(seed) + " --report \"" +
                                   report.string() + "\"",
                               scratch("chaos.txt"));
    CHECK(code == 0);
    std::vector<std::string> out;
    const auto result = nlohmann::json::parse(read_text(report));
    fs::remove(report);
    for (const auto& entry : result["timeline"]) {
      if (entry["kind"] == "instance" && entry["state"] == "crashed") {
        out.push_back(entry["at"].get<std::string>() + " " + entry["instance"].get<std::string>());
      }
    }
    return out;
  };
  const auto first = kills(11);
  CHECK(first.size() > 20);
  CHECK(kills(11) == first);
  CHECK(kills(12) != first);
}
