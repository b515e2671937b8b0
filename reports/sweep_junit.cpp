// JUnit XML for a sweep, in the same Ant/Jenkins shape as a run's (reports/junit.cpp).
#include "reports/sweep_junit.hpp"

#include "reports/format.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

std::string attribute(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value) + "\"";
}

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

std::string seed_list(const std::vector<std::uint64_t>& seeds, std::size_t max_listed) {
  std::string text;
  for (std::size_t i = 0; i < seeds.size() && i < max_listed; ++i) text += (i == 0 ? "" : ", ") + std::to_string(seeds[i]);
  if (seeds.size() > max_listed) text += " and " + std::to_string(seeds.size() - max_listed) + " more";
  return text;
}

}  // namespace

std::vector<std::uint64_t> failing_seeds_of(const json& sweep, const std::string& name) {
  std::vector<std::uint64_t> seeds;
  for (const json& failure : sweep["failures"]) {
    for (const json& failed : failure["failed_assertions"]) {
      if (failed.get<std::string>() == name) {
        seeds.push_back(failure["seed"].get<std::uint64_t>());
        break;
      }
    }
  }
  return seeds;
}

std::string render_sweep_junit(const json& sweep, const SweepJunitContext& context) {
  const std::string scenario = text_of(sweep["scenario"]["name"]);
  const json& assertions = sweep["assertions"];
  std::size_t failures = 0;
  for (const json& a : assertions) failures += a["failed"].get<std::uint64_t>() > 0 ? 1 : 0;
  const std::uint64_t limited = sweep["seeds_stopped_by_limit"].get<std::uint64_t>();
  const std::size_t errors = limited > 0 ? 1 : 0;
  const std::size_t tests = assertions.size() + errors;
  const std::string runs = text_of(sweep["runs"]);

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attribute("name", "faultline sweep") + attribute("tests", std::to_string(tests)) +
         attribute("failures", std::to_string(failures)) + attribute("errors", std::to_string(errors)) +
         attribute("time", "0") + ">\n";
  out += "  <testsuite" + attribute("name", scenario + " (seeds " + text_of(sweep["seeds"]["first"]) + "-" +
                                                text_of(sweep["seeds"]["last"]) + ")") +
         attribute("tests", std::to_string(tests)) + attribute("failures", std::to_string(failures)) +
         attribute("errors", std::to_string(errors)) + attribute("skipped", "0") + attribute("time", "0") + ">\n";
  out += "    <properties>\n";
  auto property = [&](std::string_view name, const std::string& value) {
    out += "      <property" + attribute("name", name) + attribute("value", value) + "/>\n";
  };
  property("runs", runs);
  property("pass_ratio", text_of(sweep["pass_ratio"]));
  property("scenario.sha256", text_of(sweep["scenario"]["sha256"]));
  property("sweep_hash", text_of(sweep["sweep_hash"]));
  property("faultline_version", text_of(sweep["faultline_version"]));
  out += "    </properties>\n";
  for (std::size_t i = 0; i < assertions.size(); ++i) {
    const json& a = assertions[i];
    const std::string name = text_of(a["name"]);
    const std::uint32_t line = i < context.assertion_lines.size() ? context.assertion_lines[i] : 0;
    const std::string ratio = "passed on " + text_of(a["passed"]) + " of " + runs + " seeds (pass ratio " +
                              text_of(a["pass_ratio"]) + ")";
    out += "    <testcase" + attribute("classname", scenario) + attribute("name", name) + attribute("time", "0") +
           attribute("file", context.scenario_file);
    if (line > 0) out += attribute("line", std::to_string(line));
    out += ">\n";
    if (a["failed"].get<std::uint64_t>() > 0) {
      const std::vector<std::uint64_t> seeds = failing_seeds_of(sweep, name);
      const std::string message = ratio + "; failing seeds: " + seed_list(seeds, context.max_seeds_listed);
      std::string body = "expected: " + text_of(a["expected"]) + "\n" + message + "\n";
      for (const json& failure : sweep["failures"]) {
        if (!seeds.empty() && failure["seed"].get<std::uint64_t>() == seeds.front()) {
          body += "replay: " + text_of(failure["replay"]) + "\n";
        }
      }
      out += "      <failure" + attribute("message", message) + attribute("type", text_of(a["type"])) + ">" +
             xml_escape(body) + "</failure>\n";
    }
    out += "      <system-out>" + xml_escape(ratio + "\n") + "</system-out>\n    </testcase>\n";
  }
  if (errors > 0) {
    const std::string why = std::to_string(limited) + " of " + runs + " seeds stopped at a resource limit (see \"stop\" in sweep.json)";
    out += "    <testcase" + attribute("classname", scenario) + attribute("name", "every seed completes") +
           attribute("time", "0") + ">\n      <error" + attribute("message", why) + attribute("type", "limit") + ">" +
           xml_escape(why) + "</error>\n    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace faultline::reports
