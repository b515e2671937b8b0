// Helpers for model tests that run a scenario through the real program and read its report.
#pragma once
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

namespace faultline::test {

inline nlohmann::json load_story(const std::string& name) {
  return nlohmann::json::parse(read_file(kSourceDir + "/scenarios/" + name));
}

// Runs `scenario` (written into `dir`) and returns its report; the exit code must match.
inline nlohmann::json run_scenario(const nlohmann::json& scenario, const ScratchDir& dir, int expected_exit = 0) {
  {
    std::ofstream out(dir / "scenario.json");
    out << scenario.dump(2);
  }
  const auto result = run_faultline("run " + dir / "scenario.json" + " --report " + dir / "report.json", dir);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == expected_exit);
  return nlohmann::json::parse(read_file(dir / "report.json"));
}

inline const nlohmann::json& call_site(const nlohmann::json& report, const std::string& caller, const std::string& callee) {
  for (const nlohmann::json& s : report["call_sites"]) {
    if (s["caller"] == caller && s["callee"] == callee) return s;
  }
  FAIL("no call site " << caller << " -> " << callee);
  static const nlohmann::json none;
  return none;
}

inline const nlohmann::json& entity(const nlohmann::json& report, const std::string& group, const std::string& name) {
  for (const nlohmann::json& e : report[group]) {
    if (e["name"] == name) return e;
  }
  FAIL("no " << group << " entry " << name);
  static const nlohmann::json none;
  return none;
}

}  // namespace faultline::test
