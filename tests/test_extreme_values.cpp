// Every numeric key of the scenario schema at the extremes, through the real program. The keys
// come from the schema itself (scenarios/faultline.schema.json); each is set, one at a time, in
// a scenario that uses every one of them (tests/data/hostile/extremes/base.json) to 0, its
// minimum, its maximum, just over it, 1e308, 5e-324 and, for durations, INT64_MAX nanoseconds.
// Each run must be refused with a located message (exit 2, or 4 for a limit) or finish with a
// plausible report. The sanitizer build runs this too, which is where overflow shows.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "cli_helpers.hpp"

using namespace faultline::test;
using json = nlohmann::json;

namespace {

struct NumericKey {
  std::string kind;  // integer, number, number-or-string, duration, ratio
  std::vector<std::string> patterns;  // schema paths with * for array items
  std::optional<double> minimum, maximum;
};

// Walks the schema; a key is named by the definition that holds it and its path inside it
// (e.g. "retry/max_attempts"), so a definition used in many places is one key.
void walk(const json& defs, const json& node, const std::string& path, const std::string& owner, const std::string& relative,
          std::set<std::string> seen, std::map<std::string, NumericKey>& keys) {
  if (!node.is_object()) return;
  if (node.contains("$ref")) {
    const std::string ref = node["$ref"].get<std::string>().substr(std::string("#/definitions/").size());
    if (ref == "duration" || ref == "ratio") {
      NumericKey& key = keys[owner + relative];
      key.kind = ref;
      key.patterns.push_back(path);
      return;
    }
    if (seen.insert(ref).second) walk(defs, defs[ref], path, ref, "", seen, keys);
  }
  const json type = node.value("type", json());
  const bool numeric = type == "number" || type == "integer" ||
                       (type.is_array() && std::find(type.begin(), type.end(), "number") != type.end());
  if (numeric && !node.contains("enum")) {
    NumericKey& key = keys[owner + relative];
    key.kind = type.is_array() ? "number-or-string" : type.get<std::string>();
    key.patterns.push_back(path);
    if (node.contains("minimum")) key.minimum = node["minimum"].get<double>();
    if (node.contains("exclusiveMinimum")) key.minimum = node["exclusiveMinimum"].get<double>();
    if (node.contains("maximum")) key.maximum = node["maximum"].get<double>();
  }
  if (node.contains("properties")) {
    for (const auto& [name, child] : node["properties"].items()) walk(defs, child, path + "/" + name, owner, relative + "/" + name, seen, keys);
  }
  if (node.contains("items")) walk(defs, node["items"], path + "/*", owner, relative + "/*", seen, keys);
  for (const char* combinator : {"oneOf", "anyOf", "allOf"}) {
    if (node.contains(combinator)) {
      for (const json& branch : node[combinator]) walk(defs, branch, path, owner, relative, seen, keys);
    }
  }
}

// Every pointer in the document, with its pattern (array indices as *).
void pointers(const json& value, const std::string& pointer, const std::string& pattern,
              std::vector<std::pair<std::string, std::string>>& out) {
  out.emplace_back(pointer, pattern);
  if (value.is_object()) {
    for (const auto& [name, child] : value.items()) pointers(child, pointer + "/" + name, pattern + "/" + name, out);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) pointers(value[i], pointer + "/" + std::to_string(i), pattern + "/*", out);
  }
}

std::string number_text(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

// The extreme values of a key, as JSON text.
std::vector<std::string> extremes(const NumericKey& key) {
  std::vector<std::string> values{"0", "1e308", "5e-324"};
  if (key.kind == "duration") {
    return {"\"0s\"", "\"1ns\"", "\"9223372036854775807ns\"", "\"2562047h47m16.854775807s\"", "\"9223372036854775808ns\"",
            "1e308", "5e-324"};
  }
  if (key.kind == "ratio") return {"0", "1", "\"100%\"", "1.0000001", "1e308", "5e-324"};
  if (key.kind == "number-or-string") {
    return {"0", "1e308", "5e-324", "18446744073709551615", "\"9223372036854775807ns\"", "\"100%\""};
  }
  if (key.minimum) values.push_back(number_text(*key.minimum));
  if (key.maximum) {
    values.push_back(key.kind == "integer" ? std::to_string(static_cast<std::uint64_t>(*key.maximum)) : number_text(*key.maximum));
    values.push_back(key.kind == "integer" ? std::to_string(static_cast<std::uint64_t>(*key.maximum) + 1)
                                           : number_text(*key.maximum * (1 + 1e-9)));
  } else {
    values.push_back("4294967296");            // just over 32 bits
    values.push_back("18446744073709551615");  // the largest unsigned 64-bit integer
  }
  return values;
}

struct Case {
  std::string key, pointer, value;
};

// Checks one finished run's report for plausibility; returns what is wrong, or "".
std::string implausible(const json& report) {
  if (report["stop"] != "finished") return "stop is " + report["stop"].dump() + " with exit 0 or 1";
  for (const char* group : {"clients", "services"}) {
    for (const json& e : report[group]) {
      const json& t = e["totals"];
      if (std::string(group) == "clients") {
        const auto answered = t["ok"].get<std::uint64_t>() + t["errors"].get<std::uint64_t>() + t["timeouts"].get<std::uint64_t>() +
                              t["rejected"].get<std::uint64_t>() + t["unavailable"].get<std::uint64_t>();
        if (answered != t["requests"].get<std::uint64_t>()) return std::string(group) + " totals do not add up: " + t.dump();
      }
      const double availability = e["availability"].get<double>();
      if (!(availability >= 0 && availability <= 1)) return "availability " + std::to_string(availability);
      const json& l = e["latency"];
      if (!(l["p50_ms"].get<double>() <= l["p99_ms"].get<double>() && l["p99_ms"].get<double>() <= l["max_ms"].get<double>() &&
            l["p50_ms"].get<double>() >= 0)) {
        return "latency percentiles out of order: " + l.dump();
      }
    }
  }
  return "";
}

}  // namespace

TEST_CASE("every numeric key of the schema at its extremes is refused with a location or simulated plausibly",
          "[cli][hostile][extremes]") {
  const json schema = json::parse(read_file(kSourceDir + "/scenarios/faultline.schema.json"));
  std::map<std::string, NumericKey> keys;
  walk(schema["definitions"], schema, "", "root", "", {}, keys);
  REQUIRE(keys.size() >= 60);

  const json base = json::parse(read_file(kSourceDir + "/tests/data/hostile/extremes/base.json"));
  std::vector<std::pair<std::string, std::string>> in_base;
  pointers(base, "", "", in_base);

  // One place in the base scenario per key; a key the base does not use fails the test, so the
  // base grows with the schema.
  std::vector<Case> cases;
  std::vector<std::string> uncovered;
  for (const auto& [name, key] : keys) {
    // The explore and swarm blocks are read by `explore` and `sweep --swarm` only; `run`
    // ignores them, so their extremes are not this test's.
    if (name.rfind("root/explore/", 0) == 0 || name.rfind("root/swarm/", 0) == 0) continue;
    std::optional<std::string> where;
    for (const auto& [pointer, pattern] : in_base) {
      if (std::find(key.patterns.begin(), key.patterns.end(), pattern) != key.patterns.end()) {
        where = pointer;
        break;
      }
    }
    if (!where) {
      uncovered.push_back(name);
      continue;
    }
    for (const std::string& value : extremes(key)) cases.push_back({name, *where, value});
  }
  // The sanitizer pass (scripts/sanitize-and-cross-check.sh) runs every Nth case of this list
  // from case FAULTLINE_EXTREMES_OFFSET (cases are grouped by key, so the sample still reaches
  // every part of the schema; the pass sets the offset from the commit, so that successive
  // commits sample different cases), since a run there costs about ten times as much; the
  // Release pass runs them all.
  if (const char* every = std::getenv("FAULTLINE_EXTREMES_EVERY")) {
    const std::size_t n = std::max<std::size_t>(1, std::strtoul(every, nullptr, 10));
    const char* offset = std::getenv("FAULTLINE_EXTREMES_OFFSET");
    const std::size_t first = offset != nullptr ? std::strtoul(offset, nullptr, 10) % n : 0;
    std::vector<Case> sample;
    for (std::size_t i = first; i < cases.size(); i += n) sample.push_back(cases[i]);
    INFO("sampled every " << n << "th case from case " << first << ": " << sample.size() << " of " << cases.size());
    CHECK(!sample.empty());
    cases.swap(sample);
  }
  INFO("keys the base scenario does not use: " << uncovered.size());
  for (const std::string& name : uncovered) UNSCOPED_INFO(name);
  CHECK(uncovered.empty());

  // Two workers, each with its own folder; every case is its own run of the real program.
  std::mutex mutex;
  std::vector<std::string> failures;
  std::size_t next = 0, refused = 0, simulated = 0;
  const std::regex located(R"(:[0-9]+:[0-9]+: at /)");
  auto worker = [&](int id) {
    ScratchDir dir("extremes-" + std::to_string(id));
    for (;;) {
      Case c;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next == cases.size()) return;
        c = cases[next++];
      }
      json scenario = base;
      scenario[json::json_pointer(c.pointer)] = json::parse(c.value);
      std::ofstream(dir / "s.json") << scenario.dump(2);
      std::filesystem::remove(dir / "r.json");
      const auto result = run_faultline("run " + (dir / "s.json") + " --report " + (dir / "r.json") + " --max-events 300000", dir);
      std::string wrong;
      bool was_refused = false;
      if (result.exit_code == 2) {
        was_refused = true;
        if (!std::regex_search(result.err, located)) wrong = "exit 2 without a located message: " + result.err;
        if (std::filesystem::exists(dir / "r.json")) wrong = "exit 2 but a report was written";
      } else if (result.exit_code == 4) {
        was_refused = true;
        if (result.err.find("limit") == std::string::npos && result.err.find("no progress") == std::string::npos) {
          wrong = "exit 4 without naming a limit: " + result.err;
        }
      } else if (result.exit_code == 0 || result.exit_code == 1) {
        try {
          wrong = implausible(json::parse(read_file(dir / "r.json")));
        } catch (const std::exception& e) {
          wrong = std::string("no readable report: ") + e.what();
        }
      } else {
        wrong = "exit " + std::to_string(result.exit_code) + ": " + result.err;
      }
      std::lock_guard<std::mutex> lock(mutex);
      (was_refused ? refused : simulated) += 1;
      if (!wrong.empty()) failures.push_back(c.key + " at " + c.pointer + " = " + c.value + ": " + wrong);
    }
  };
  std::thread first(worker, 1), second(worker, 2);
  first.join();
  second.join();
  INFO(cases.size() << " runs: " << refused << " refused, " << simulated << " simulated");
  for (const std::string& failure : failures) UNSCOPED_INFO(failure);
  CHECK(failures.empty());
  CHECK(refused > 0);
  CHECK(simulated > 0);
}
