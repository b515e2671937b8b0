// JUnit XML in the shape Jenkins, GitLab and GitHub test reporters read (the common Ant/Jenkins
// schema): <testsuites><testsuite><properties/><testcase><failure/></testcase></testsuite>.
// Each testcase's time is the simulated duration in seconds. A failure carries expected vs
// observed both in its message attribute and in its text, because GitLab shows only the text.
// Each testcase carries `file` and `line` (the scenario and the assertion's line in it), the
// attributes GitLab, Jenkins and the GitHub JUnit actions use to link a result to its source.
#include "reports/junit.hpp"

#include "reports/format.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

std::string attribute(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value) + "\"";
}

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

// ` file="..." line="N"` for a testcase, as far as they are known.
std::string location(const JunitOptions& options, std::uint32_t line) {
  if (options.scenario_file.empty()) return {};
  std::string out = attribute("file", options.scenario_file);
  if (line > 0) out += attribute("line", std::to_string(line));
  return out;
}

// What stopped a run early, for people: the limit and the flag that raises it.
std::string stop_text(const json& report) {
  const std::string stop = text_of(report["stop"]);
  if (stop == "event_limit") return "the event limit (max_events; raise it with --max-events)";
  if (stop == "in_flight_limit") return "the in-flight limit (max_in_flight; raise it with --max-in-flight)";
  if (stop == "stopped") return "the wall-clock limit (max_wall; raise it with --max-wall)";
  return stop;
}

}  // namespace

std::string render_junit(const json& report, const JunitOptions& options) {
  const std::string scenario = text_of(report["scenario"]["name"]);
  const double duration_s = report_seconds(report["simulated_until"]).value_or(0.0);
  const std::string time = fixed(duration_s, 3);
  const json& assertions = report["assertions"];
  std::size_t failures = 0;
  for (const json& a : assertions) failures += a["passed"].get<bool>() ? 0 : 1;
  // A run that stopped early is an error of the whole suite, not of one assertion.
  const bool stopped_early = report.value("stop", "finished") != "finished";
  const std::size_t errors = stopped_early ? 1 : 0;
  const std::size_t tests = assertions.size() + errors;

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attribute("name", "faultline") + attribute("tests", std::to_string(tests)) +
         attribute("failures", std::to_string(failures)) + attribute("errors", std::to_string(errors)) +
         attribute("time", time) + ">\n";
  out += "  <testsuite" + attribute("name", scenario) + attribute("tests", std::to_string(tests)) +
         attribute("failures", std::to_string(failures)) + attribute("errors", std::to_string(errors)) +
         attribute("skipped", "0") + attribute("time", time) + ">\n";
  out += "    <properties>\n";
  auto property = [&](std::string_view name, const std::string& value) {
    out += "      <property" + attribute("name", name) + attribute("value", value) + "/>\n";
  };
  property("seed", text_of(report["seed"]));
  property("scenario.sha256", text_of(report["scenario"]["sha256"]));
  if (report.contains("trace_hash")) property("trace_hash", text_of(report["trace_hash"]));
  if (report.contains("mode")) property("mode", text_of(report["mode"]));
  property("faultline_version", text_of(report["faultline_version"]));
  out += "    </properties>\n";
  for (std::size_t i = 0; i < assertions.size(); ++i) {
    const json& a = assertions[i];
    const std::string name = text_of(a["name"]);
    const std::uint32_t line = i < options.assertion_lines.size() ? options.assertion_lines[i] : 0;
    out += "    <testcase" + attribute("classname", scenario) + attribute("name", name) + location(options, line) +
           attribute("time", time);
    if (a["passed"].get<bool>()) {
      out += "/>\n";
      continue;
    }
    const std::string expected = text_of(a["expected"]);
    const std::string observed = text_of(a["observed"]);
    out += ">\n      <failure" + attribute("message", "expected " + expected + ", observed " + observed) +
           attribute("type", text_of(a["type"])) + ">";
    std::string body = "expected: " + expected + "\nobserved: " + observed + "\nseed: " + text_of(report["seed"]) + "\n";
    if (!options.replay_command.empty()) body += "replay: " + options.replay_command + "\n";
    out += xml_escape(body) + "</failure>\n    </testcase>\n";
  }
  if (stopped_early) {
    const std::string why = "the run was stopped by " + stop_text(report) + " at simulated time " +
                            text_of(report["simulated_until"]) + " s of " + text_of(report["duration"]) + " s";
    std::string body = why + "\nseed: " + text_of(report["seed"]) + "\n";
    if (!options.replay_command.empty()) body += "replay: " + options.replay_command + "\n";
    out += "    <testcase" + attribute("classname", scenario) + attribute("name", "simulation completes") +
           location(options, options.run_line) + attribute("time", time) + ">\n      <error" +
           attribute("message", why) + attribute("type", text_of(report["stop"])) + ">" + xml_escape(body) +
           "</error>\n    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace faultline::reports
