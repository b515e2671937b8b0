// The JSON Schema (scenarios/faultline.schema.json) as editors and linters use it, read by
// python-jsonschema (Debian python3-jsonschema, Draft 7), against `faultline validate`: they
// agree on every malformed file in tests/data/bad/ except those that need rules a JSON Schema
// cannot state, listed here with the reason; and both accept every shipped scenario, with or
// without the x-* notes and descriptions the format allows.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

using namespace faultline::test;

namespace {

const std::string kSchema = kSourceDir + "/scenarios/faultline.schema.json";

// Files the schema accepts and only the loader refuses, with why no JSON Schema can refuse them.
const std::map<std::string, std::string> kLoaderOnly{
    {"backoff-max-below-base.json", "compares two fields (backoff max >= base)"},
    {"call-cycle-to-itself.json", "a call graph cycle (references between services)"},
    {"call-cycle.json", "a call graph cycle (references between services)"},
    {"duplicate-assertion-name.json", "unique names across objects (uniqueItems compares whole items)"},
    {"duplicate-client-name.json", "unique names across objects"},
    {"duplicate-fault-name.json", "unique names across objects"},
    {"duplicate-key.json", "a duplicate key is gone once parsed: JSON parsers keep one of the two"},
    {"duplicate-operation-name.json", "unique names across objects"},
    {"duplicate-service-name.json", "unique names across objects"},
    {"duration-overflows-int64.json", "the value of a duration (beyond 2^63 ns), not its spelling"},
    {"empirical-first-quantile-not-zero.json", "compares array items (quantiles start at 0)"},
    {"empirical-quantiles-not-increasing.json", "compares array items (increasing)"},
    {"empirical-values-falling.json", "compares array items (non-decreasing)"},
    {"fault-after-end-of-run.json", "compares a fault's start with the run's duration"},
    {"instance-index-out-of-range.json", "an index checked against another object's instance count"},
    {"limit-simulated-time.json", "the value of a duration against a limit (24 h), not its spelling"},
    {"lognormal-p99-below-median.json", "compares two fields (p99 >= median)"},
    {"partition-within-one-zone.json", "compares two fields (from_zone != to_zone)"},
    {"schedule-unsorted.json", "compares array items (increasing \"at\")"},
    {"uniform-min-above-max.json", "compares two fields (min <= max)"},
    {"unknown-client-in-assertion.json", "a reference to a client by name"},
    {"unknown-fault-in-assertion.json", "a reference to a fault by name"},
    {"unknown-operation-in-call.json", "a reference to another service's operation"},
    {"unknown-service-in-call.json", "a reference to a service by name"},
    {"unknown-service-in-client.json", "a reference to a service by name"},
    {"unknown-service-in-fault.json", "a reference to a service by name"},
    {"unknown-zone-in-client.json", "a reference to a zone by name"},
    {"unknown-zone-in-placement.json", "a reference to a zone by name"},
};

// python-jsonschema's verdict per file: "valid", "invalid" or "not JSON".
std::map<std::string, std::string> jsonschema_verdicts(const std::vector<std::string>& files, const ScratchDir& dir) {
  std::string command = "python3 " + kSourceDir + "/tests/jsonschema_check.py " + kSchema;
  for (const std::string& file : files) command += " '" + file + "'";
  const CommandResult result = run_command("timeout -k 10 300 " + command, dir);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::map<std::string, std::string> verdicts;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    for (const std::string verdict : {": valid", ": invalid", ": not JSON"}) {
      const auto at = line.find(verdict);
      if (at != std::string::npos && verdicts.count(line.substr(0, at)) == 0) verdicts[line.substr(0, at)] = verdict.substr(2);
    }
  }
  return verdicts;
}

std::vector<std::string> json_files_in(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const std::string path = entry.path().string();
    if (entry.path().extension() == ".json" && path.find(".schema.json") == std::string::npos) files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("python-jsonschema and faultline validate agree on every malformed scenario", "[schema][jsonschema]") {
  ScratchDir dir("schema-agreement");
  const std::vector<std::string> files = json_files_in(kSourceDir + "/tests/data/bad");
  REQUIRE(files.size() > 50);
  const auto verdicts = jsonschema_verdicts(files, dir);
  std::set<std::string> loader_only_seen;
  for (const std::string& file : files) {
    const std::string name = std::filesystem::path(file).filename().string();
    INFO(name);
    const CommandResult faultline = run_faultline("validate '" + file + "'", dir);
    CHECK((faultline.exit_code == 2 || faultline.exit_code == 4));  // faultline refuses every one
    REQUIRE(verdicts.count(file) == 1);
    const std::string& verdict = verdicts.at(file);
    if (kLoaderOnly.count(name) != 0) {
      INFO("listed as loader-only: " << kLoaderOnly.at(name));
      CHECK(verdict == "valid");  // a file listed here that the schema now refuses: take it off the list
      loader_only_seen.insert(name);
    } else {
      CHECK(verdict != "valid");
    }
  }
  CHECK(loader_only_seen.size() == kLoaderOnly.size());
}

TEST_CASE("every shipped scenario is valid for python-jsonschema and for faultline", "[schema][jsonschema]") {
  ScratchDir dir("schema-good");
  std::vector<std::string> files = json_files_in(kSourceDir + "/scenarios");
  for (const std::string& file : json_files_in(kSourceDir + "/bench")) files.push_back(file);
  REQUIRE(files.size() >= 10);
  const auto verdicts = jsonschema_verdicts(files, dir);
  for (const std::string& file : files) {
    INFO(file);
    CHECK(verdicts.at(file) == "valid");
    CHECK(run_faultline("validate '" + file + "'", dir).exit_code == 0);
  }
}

TEST_CASE("x-* keys on every object and descriptions on services, clients, faults and assertions are allowed and ignored",
          "[schema][jsonschema][loader]") {
  ScratchDir dir("extensions");
  nlohmann::ordered_json plain = nlohmann::ordered_json::parse(read_file(fixture("demo-shop.json")));
  nlohmann::ordered_json noted = plain;
  noted["x-owner"] = "team-shop";
  noted["metrics"]["x-dashboard"] = "https://grafana.example/d/shop";
  noted["network"]["x-measured"] = {{"on", "2024-05-01"}};
  noted["discovery"]["x-note"] = "consul";
  for (auto& service : noted["services"]) {
    service["description"] = "the " + service["name"].get<std::string>() + " service";
    service["x-repo"] = "git@example:shop.git";
  }
  noted["services"][0]["calls"][0]["x-why"] = "catalog is the slow one";
  noted["services"][0]["calls"][0]["retry"]["x-note"] = "as in prod";
  noted["services"][0]["calls"][0]["breaker"]["x-note"] = "gobreaker defaults";
  noted["services"][0]["calls"][0]["breaker"]["trip"]["x-note"] = "5 in a row";
  for (auto& client : noted["clients"]) {
    client["description"] = "browser traffic";
    client["open_loop"]["x-source"] = "access logs";
  }
  for (auto& fault : noted["faults"]) {
    fault["description"] = "what we saw in the incident";
    fault["x-incident"] = "INC-1234";
    fault["target"]["x-note"] = "all instances";
  }
  for (auto& assertion : noted["assertions"]) {
    assertion["description"] = "the SLO";
    assertion["x-slo"] = "shop-availability";
  }
  std::ofstream(dir / "noted.json") << noted.dump(2);
  std::ofstream(dir / "plain.json") << plain.dump(2);
  const auto verdicts = jsonschema_verdicts({dir / "noted.json"}, dir);
  CHECK(verdicts.at(dir / "noted.json") == "valid");
  const auto validated = run_faultline("validate " + (dir / "noted.json"), dir);
  INFO(validated.err);
  CHECK(validated.exit_code == 0);
  // The notes change nothing that is simulated or judged.
  REQUIRE(run_faultline("run " + (dir / "noted.json") + " --report " + (dir / "noted-report.json"), dir).exit_code == 1);
  REQUIRE(run_faultline("run " + (dir / "plain.json") + " --report " + (dir / "plain-report.json"), dir).exit_code == 1);
  auto a = nlohmann::json::parse(read_file(dir / "noted-report.json"));
  auto b = nlohmann::json::parse(read_file(dir / "plain-report.json"));
  CHECK(a["trace_hash"] == b["trace_hash"]);
  CHECK(a["assertions"] == b["assertions"]);

  SECTION("a key that is neither known nor x-* is still refused, by both") {
    noted["services"][0]["y-note"] = "typo of x-";
    std::ofstream(dir / "typo.json") << noted.dump(2);
    CHECK(jsonschema_verdicts({dir / "typo.json"}, dir).at(dir / "typo.json") == "invalid");
    const auto refused = run_faultline("validate " + (dir / "typo.json"), dir);
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "unknown key \"y-note\""));
  }
  SECTION("description is not a fault option: a number there is refused") {
    noted["faults"][0]["description"] = 3;
    std::ofstream(dir / "number.json") << noted.dump(2);
    CHECK(run_faultline("validate " + (dir / "number.json"), dir).exit_code == 2);
  }
}

TEST_CASE("the schema wraps every $ref that has its own description, so editors show it", "[schema]") {
  const auto schema = nlohmann::json::parse(read_file(kSchema));
  std::size_t wrapped = 0, bare_with_siblings = 0;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& node) {
    if (node.is_object()) {
      if (node.contains("$ref") && node.size() > 1) ++bare_with_siblings;
      if (node.contains("allOf") && node.contains("description") && node["allOf"][0].contains("$ref")) ++wrapped;
      for (const auto& [key, value] : node.items()) walk(value);
    } else if (node.is_array()) {
      for (const auto& value : node) walk(value);
    }
  };
  walk(schema);
  CHECK(bare_with_siblings == 0);
  CHECK(wrapped > 90);
}
