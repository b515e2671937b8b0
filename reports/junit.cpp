// JUnit XML in the shape Jenkins, GitLab and GitHub test reporters read (the common Ant/Jenkins
// schema): <testsuites><testsuite><properties/><testcase><failure/></testcase></testsuite>.
// Each testcase's time is the simulated duration in seconds. A failure carries expected vs
// observed both in its message attribute and in its text, because GitLab shows only the text.
#include "reports/junit.hpp"

#include "reports/format.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

std::string attribute(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value) + "\"";
}

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

}  // namespace

std::string render_junit(const json& report, std::string_view replay_command) {
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
  for (const json& a : assertions) {
    const std::string name = text_of(a["name"]);
    out += "    <testcase" + attribute("classname", scenario) + attribute("name", name) + attribute("time", time);
    if (a["passed"].get<bool>()) {
      out += "/>\n";
      continue;
    }
    const std::string expected = text_of(a["expected"]);
    const std::string observed = text_of(a["observed"]);
    out += ">\n      <failure" + attribute("message", "expected " + expected + ", observed " + observed) +
           attribute("type", text_of(a["type"])) + ">";
    std::string body = "expected: " + expected + "\nobserved: " + observed + "\nseed: " + text_of(report["seed"]) + "\n";
    if (!replay_command.empty()) body += "replay: " + std::string(replay_command) + "\n";
    out += xml_escape(body) + "</failure>\n    </testcase>\n";
  }
  if (stopped_early) {
    const std::string why = "the run stopped early (" + text_of(report["stop"]) + ") at simulated time " +
                            text_of(report["simulated_until"]) + " s";
    out += "    <testcase" + attribute("classname", scenario) + attribute("name", "simulation completes") +
           attribute("time", time) + ">\n      <error" + attribute("message", why) + attribute("type", "limit") + ">" +
           xml_escape(why) + "</error>\n    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace faultline::reports
