// The report writers, read back: JUnit against the schema, the Markdown summary, the time
// series (CSV and OpenMetrics), the HTML report in headless Chromium, GitHub annotations and
// the step summary, and re-running a report's embedded scenario.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <vector>

#include "cli_helpers.hpp"
#include "reports/junit.hpp"
#include "reports/markdown.hpp"
#include "reports/timeseries.hpp"

using faultline::test::contains;
using faultline::test::count_of;
using faultline::test::run_faultline;
using faultline::test::fixture;
using faultline::test::read_file;
using faultline::test::run_command;
using faultline::test::ScratchDir;
using json = nlohmann::ordered_json;

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

const std::string kXmllint = "/usr/bin/xmllint";

std::string find_chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

// Runs the demo scenario once with every writer and returns the report.
json run_demo(const ScratchDir& dir, const std::string& extra = "") {
  const auto result = run_faultline("run " + fixture("demo-shop.json") + " --report " + (dir / "r.json") + " --junit " +
                                    (dir / "j.xml") + " --summary " + (dir / "s.md") + " --html " + (dir / "h.html") +
                                    " --timeseries " + (dir / "t.csv") + " " + extra,
                                dir);
  REQUIRE(result.exit_code == 1);  // the demo fails two assertions on purpose
  return json::parse(read_file(dir / "r.json"));
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string current;
  for (const char c : text) {
    if (c == separator) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

}  // namespace

TEST_CASE("the JUnit output is valid against the common JUnit schema", "[writers][junit]") {
  REQUIRE(::access(kXmllint.c_str(), X_OK) == 0);  // CI installs libxml2-utils
  ScratchDir dir("junit");
  const json report = run_demo(dir);
  const auto check = run_command(kXmllint + " --noout --schema " + faultline::test::kSourceDir + "/tests/data/junit.xsd " +
                                     (dir / "j.xml"),
                                 dir);
  INFO(check.err);
  CHECK(check.exit_code == 0);
  const auto count = run_command(kXmllint + " --xpath 'count(//testsuite/testcase)' " + (dir / "j.xml"), dir);
  CHECK(trimmed(count.out) == std::to_string(report["assertions"].size()));
  const auto failures = run_command(kXmllint + " --xpath 'count(//testcase/failure)' " + (dir / "j.xml"), dir);
  CHECK(trimmed(failures.out) == "2");
  const auto suites = run_command(kXmllint + " --xpath 'count(//testsuite)' " + (dir / "j.xml"), dir);
  CHECK(trimmed(suites.out) == "1");
}

TEST_CASE("a JUnit testcase is named after its assertion with the scenario as class and simulated seconds as time",
          "[writers][junit]") {
  ScratchDir dir("junit-names");
  run_demo(dir);
  const std::string xml = read_file(dir / "j.xml");
  CHECK(contains(xml, "<testcase classname=\"demo-shop\" name=\"web p99 under 150ms\" file=\"" + fixture("demo-shop.json") +
                          "\" line=\"36\" time=\"60.000\"/>"));
  CHECK(contains(xml, "<testsuite name=\"demo-shop\" tests=\"4\" failures=\"2\""));
}

TEST_CASE("a JUnit failure carries expected and observed in its text as well as its message", "[writers][junit]") {
  ScratchDir dir("junit-failure");
  run_demo(dir);
  const auto text = run_command(kXmllint + " --xpath \"string(//testcase[@name='web availability']/failure)\" " + (dir / "j.xml"), dir);
  CHECK(contains(text.out, "expected: >= 99% of client web requests ok"));
  CHECK(contains(text.out, "observed: "));
  CHECK(contains(text.out, "replay: faultline run "));
  const auto message =
      run_command(kXmllint + " --xpath \"string(//testcase[@name='web availability']/failure/@message)\" " + (dir / "j.xml"), dir);
  CHECK(contains(message.out, "expected >= 99% of client web requests ok, observed "));
}

TEST_CASE("JUnit escapes markup and control characters in names so the file stays valid", "[writers][junit]") {
  ScratchDir dir("junit-escape");
  json report = run_demo(dir);
  report["scenario"]["name"] = "a<b>&\"c\"";
  report["assertions"][0]["name"] = "x < y & \x01 z";
  report["assertions"][0]["observed"] = "]]> <![CDATA[";
  faultline::test::ScratchDir out("junit-escape-out");
  faultline::reports::JunitOptions options;
  options.replay_command = "faultline run 'x y.json' --seed 7";
  options.scenario_file = "dir/<a&b>\"q\".json";
  options.assertion_lines = {3, 4};
  std::ofstream(out / "e.xml") << faultline::reports::render_junit(report, options);
  const auto check = run_command(kXmllint + " --noout --schema " + faultline::test::kSourceDir + "/tests/data/junit.xsd " +
                                     (out / "e.xml"),
                                 out);
  INFO(check.err);
  CHECK(check.exit_code == 0);
}

TEST_CASE("the Markdown summary has the verdict table, totals, faults and details", "[writers][markdown]") {
  ScratchDir dir("summary");
  run_demo(dir);
  const std::string md = read_file(dir / "s.md");
  CHECK(md.rfind("## ❌ demo-shop failed: 2 of 4 assertions failed", 0) == 0);
  CHECK(contains(md, "| | assertion | expected | observed |"));
  CHECK(contains(md, "| ❌ **fail** | web availability |"));
  CHECK(contains(md, "| client | web | "));
  CHECK(contains(md, "### Traffic and latency"));
  CHECK(contains(md, "| service | catalog |"));
  CHECK(contains(md, "### Faults"));
  CHECK(contains(md, "| catalog-errors | error_ratio | 30s | 36s |"));
  CHECK(contains(md, "<details><summary>Event timeline"));
  CHECK(count_of(md, "<details>") == count_of(md, "</details>"));
  // Failures come before passes in the verdict table.
  CHECK(md.find("❌ **fail**") < md.find("✅ pass"));
}

TEST_CASE("the Markdown summary drops details to stay under its byte limit", "[writers][markdown]") {
  ScratchDir dir("summary-limit");
  const json report = run_demo(dir);
  const std::string full = faultline::reports::render_summary(report);
  const std::size_t limit = full.size() - 200;
  const std::string small = faultline::reports::render_summary(report, {"", limit});
  CHECK(small.size() <= limit);
  CHECK(contains(small, "## ❌ demo-shop failed"));
  CHECK(contains(small, "| ❌ **fail** | web availability |"));
  const std::string tiny = faultline::reports::render_summary(report, {"", 300});
  CHECK(tiny.size() <= 300);
}

TEST_CASE("with GITHUB_STEP_SUMMARY set the summary is appended to it", "[writers][markdown][github]") {
  ScratchDir dir("step-summary");
  std::ofstream(dir / "step.md") << "previous step\n";
  const auto result = run_command("GITHUB_STEP_SUMMARY=" + (dir / "step.md") + " " + faultline::test::kBinary + " run " +
                                      fixture("demo-shop.json") + " --summary " + (dir / "s.md"),
                                  dir);
  CHECK(result.exit_code == 1);
  const std::string step = read_file(dir / "step.md");
  CHECK(step.rfind("previous step\n", 0) == 0);
  CHECK(contains(step, "## ❌ demo-shop failed"));
  CHECK(step.size() < (1u << 20));
}

TEST_CASE("with --github, run prints an ::error annotation with file, line and column for each failed assertion",
          "[writers][github]") {
  ScratchDir dir("github");
  const auto result = run_faultline("run " + fixture("demo-shop.json") + " --github", dir);
  CHECK(result.exit_code == 1);
  CHECK(count_of(result.out, "::error file=") == 2);
  CHECK(contains(result.out, "::error file=" + fixture("demo-shop.json") + ",line="));
  CHECK(contains(result.out, ",col="));
  CHECK(contains(result.out, "title=faultline%3A web availability failed::demo-shop: assertion \"web availability\" failed"));
  // A percent sign in the message is escaped as GitHub asks.
  CHECK(contains(result.out, ">= 99%25 of client web requests ok"));
}

TEST_CASE("with --github, run annotates a scenario error at its file, line and column", "[writers][github]") {
  ScratchDir dir("github-input");
  std::ofstream(dir / "bad.json") << "{\n  \"version\": 1,\n  \"name\": \"bad\",\n  \"duration\": \"soon\"\n}\n";
  const auto result = run_faultline("run " + (dir / "bad.json") + " --github", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.out, "::error file=" + (dir / "bad.json") + ",line="));
  CHECK(contains(result.out, ",col="));
  CHECK(contains(result.err, "bad.json:"));
}

TEST_CASE("the CSV time series reads back with one row per bucket, metric and entity", "[writers][timeseries]") {
  ScratchDir dir("csv");
  const json report = run_demo(dir);
  const std::vector<std::string> lines = split(read_file(dir / "t.csv"), '\n');
  REQUIRE(!lines.empty());
  CHECK(lines[0] == "time,metric,labels,value");
  double requests = 0;
  std::size_t request_rows = 0;
  std::set<std::string> metrics;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto fields = split(lines[i], ',');
    if (lines[i].back() == ',') fields.push_back("");  // a latency with no sample: empty
    REQUIRE(fields.size() == 4);
    if (fields[3].empty()) {
      CHECK((fields[1] == "p50_seconds" || fields[1] == "p99_seconds"));
      continue;
    }
    metrics.insert(fields[1]);
    if (fields[1] == "requests" && fields[2] == "client=web") {
      requests += std::stod(fields[3]);
      ++request_rows;
    }
    if (fields[1] == "error_ratio") CHECK((std::stod(fields[3]) >= 0 && std::stod(fields[3]) <= 1));
  }
  CHECK(request_rows == report["timeseries"]["clients"][0]["requests"].size());
  CHECK(requests == report["clients"][0]["totals"]["requests"].get<double>());
  CHECK(metrics.count("throughput_per_s") == 1);
  CHECK(metrics.count("p99_seconds") == 1);
  CHECK(metrics.count("queue_depth") == 1);
}

TEST_CASE("the OpenMetrics output follows the exposition format with Prometheus names", "[writers][timeseries]") {
  ScratchDir dir("openmetrics");
  run_demo(dir);
  const auto result = run_faultline("run " + fixture("demo-shop.json") + " --timeseries " + (dir / "m.txt") +
                                    " --metrics-format openmetrics",
                                dir);
  CHECK(result.exit_code == 1);
  const std::string text = read_file(dir / "m.txt");
  REQUIRE(text.size() > 6);
  CHECK(text.substr(text.size() - 6) == "# EOF\n");
  CHECK(contains(text, "# TYPE faultline_requests counter\n"));
  CHECK(contains(text, "# TYPE faultline_request_duration_seconds summary\n# UNIT faultline_request_duration_seconds seconds\n"));
  CHECK(contains(text, "faultline_requests_total{client=\"web\",outcome=\"ok\"} "));
  CHECK(contains(text, "faultline_request_duration_seconds{service=\"catalog\",quantile=\"0.99\"} "));
  // Every family is declared once, before its samples, and its samples are contiguous.
  std::set<std::string> declared, finished;
  std::string current;
  std::map<std::string, double> last_time, last_counter;
  for (const std::string& line : split(text, '\n')) {
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string family = split(line, ' ')[2];
      CHECK(declared.insert(family).second);
      if (!current.empty()) finished.insert(current);
      current = family;
      continue;
    }
    if (line[0] == '#') continue;
    const auto brace = line.find('{');
    REQUIRE(brace != std::string::npos);
    const std::string name = line.substr(0, brace);
    CHECK(name.rfind(current, 0) == 0);
    CHECK(finished.count(current) == 0);
    const auto close = line.find("} ");
    REQUIRE(close != std::string::npos);
    const auto fields = split(line.substr(close + 2), ' ');
    REQUIRE(fields.size() == 2);
    const std::string series = line.substr(0, close + 1);
    const double value = std::stod(fields[0]), time = std::stod(fields[1]);
    // Timestamps rise within a series; counters never go down.
    if (last_time.count(series) != 0) CHECK(time > last_time[series]);
    last_time[series] = time;
    if (name == "faultline_requests_total") {
      if (last_counter.count(series) != 0) CHECK(value >= last_counter[series]);
      last_counter[series] = value;
    }
    if (name == "faultline_error_ratio") CHECK((value >= 0 && value <= 1));
  }
}

TEST_CASE("the HTML report is one self-contained file without scripts or network", "[writers][html]") {
  ScratchDir dir("html-self");
  run_demo(dir);
  const std::string html = read_file(dir / "h.html");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_FALSE(contains(html, "<script"));
  CHECK_FALSE(contains(html, "http://"));
  CHECK_FALSE(contains(html, "https://"));
  CHECK_FALSE(contains(html, "<link"));
  CHECK_FALSE(contains(html, "<img"));
  CHECK(count_of(html, "<svg class=\"chart\"") == 3 * 4);  // three charts for one client and three services
  CHECK(contains(html, "<svg class=\"topology\""));
  CHECK(contains(html, "<svg class=\"strip\""));
  CHECK(contains(html, "class=\"band\""));  // fault windows shaded
  CHECK(contains(html, "class=\"mk\""));    // breaker transitions marked
}

TEST_CASE("the HTML report loads in headless Chromium without console errors and renders its charts",
          "[writers][html][chromium]") {
  const std::string chromium = find_chromium();
  REQUIRE_FALSE(chromium.empty());  // CI installs chromium
  ScratchDir dir("html-chromium");
  run_demo(dir);
  const std::string flags = " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
                            " --no-first-run --disable-quic --disable-sync --hide-scrollbars --user-data-dir=" +
                            (dir / "profile");
  const auto dom = run_command("timeout -k 10 300 " + chromium + flags + " --enable-logging=stderr --v=0 --dump-dom file://" + (dir / "h.html"), dir);
  CHECK(dom.exit_code == 0);
  CHECK(count_of(dom.out, "<svg class=\"chart\"") == 12);
  CHECK(contains(dom.out, "<svg class=\"topology\""));
  // Console messages (errors included) show up in Chromium's log as CONSOLE lines.
  CHECK_FALSE(contains(dom.err, "CONSOLE"));
  CHECK_FALSE(contains(dom.err, "Uncaught"));
  const auto shot = run_command("timeout -k 10 300 " + chromium + flags + " --window-size=1280,2400 --screenshot=" + (dir / "shot.png") + " file://" +
                                    (dir / "h.html"),
                                dir);
  CHECK(shot.exit_code == 0);
  const std::string png = read_file(dir / "shot.png");
  REQUIRE(png.size() > 8);
  CHECK(png.substr(1, 3) == "PNG");
  // A blank page of this size compresses to a few kilobytes; the charts make it far larger.
  CHECK(png.size() > 60'000);
}

TEST_CASE("printed to PDF by Chromium, the HTML report keeps its cards whole and its folded sections open",
          "[writers][html][chromium][print]") {
  const std::string chromium = find_chromium();
  REQUIRE_FALSE(chromium.empty());  // CI installs chromium
  REQUIRE(::access("/usr/bin/pdfinfo", X_OK) == 0);  // poppler-utils
  ScratchDir dir("html-print");
  run_demo(dir);
  const std::string html = read_file(dir / "h.html");
  CHECK(contains(html, "@media print{"));
  CHECK(contains(html, ".card,.entity,.charts,svg,tr,pre code{break-inside:avoid}"));
  CHECK(contains(html, "details::details-content{content-visibility:visible;display:block}"));
  const std::string flags = " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
                            " --no-first-run --disable-quic --disable-sync --no-pdf-header-footer --user-data-dir=" +
                            (dir / "profile");
  const auto print = run_command("timeout -k 10 300 " + chromium + flags + " --print-to-pdf=" + (dir / "h.pdf") + " file://" +
                                     (dir / "h.html"),
                                 dir);
  CHECK(print.exit_code == 0);
  const auto info = run_command("pdfinfo " + (dir / "h.pdf"), dir);
  REQUIRE(info.exit_code == 0);
  const auto at = info.out.find("Pages:");
  REQUIRE(at != std::string::npos);
  const int pages = std::stoi(info.out.substr(at + 6));
  // Four entities of three charts, the tables and the scenario: a few A4 pages, not one
  // endless page and not a page per chart.
  CHECK(pages >= 3);
  CHECK(pages <= 12);
  // What is folded on screen is printed: the event table and the scenario file.
  const auto text = run_command("pdftotext -layout " + (dir / "h.pdf") + " -", dir);
  CHECK(contains(text.out, "(slowdown) starts"));
  CHECK(contains(text.out, "\"restart_after\": \"5s\""));
}

TEST_CASE("run with --from-report re-runs the embedded scenario with the report's seed to the same report", "[writers][from-report]") {
  ScratchDir dir("from-report");
  run_demo(dir);
  const auto again = run_faultline("run --from-report " + (dir / "r.json") + " --report " + (dir / "again.json"), dir);
  CHECK(again.exit_code == 1);
  CHECK(read_file(dir / "again.json") == read_file(dir / "r.json"));
  const auto other = run_faultline("run --from-report " + (dir / "r.json") + " --seed 8 --report " + (dir / "seed8.json"), dir);
  CHECK(json::parse(read_file(dir / "seed8.json"))["seed"] == 8);
}

TEST_CASE("run with --from-report names the report and the embedded scenario's location in errors", "[writers][from-report]") {
  ScratchDir dir("from-report-errors");
  json report = run_demo(dir);
  std::string source = report["scenario"]["source"].get<std::string>();
  source.replace(source.find("\"seed\": 7"), 9, "\"seed\": \"x\"");
  report["scenario"]["source"] = source;
  std::ofstream(dir / "broken.json") << report.dump();
  const auto broken = run_faultline("run --from-report " + (dir / "broken.json"), dir);
  CHECK(broken.exit_code == 2);
  CHECK(contains(broken.err, "broken.json#/scenario/source:5:"));
  std::ofstream(dir / "plain.json") << "{\"seed\": 1}";
  const auto plain = run_faultline("run --from-report " + (dir / "plain.json"), dir);
  CHECK(plain.exit_code == 2);
  CHECK(contains(plain.err, "embeds its scenario"));
  const auto both = run_faultline("run " + fixture("demo-shop.json") + " --from-report " + (dir / "r.json"), dir);
  CHECK(both.exit_code == 2);
}

TEST_CASE("output paths are checked before the simulation starts, and nothing is written on failure", "[writers]") {
  ScratchDir dir("unwritable");
  const auto result = run_faultline("run " + fixture("demo-shop.json") + " --report " + (dir / "r.json") +
                                    " --html " + (dir / "missing/h.html"),
                                dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "missing/h.html"));
  CHECK_FALSE(std::filesystem::exists(dir / "r.json"));
  const auto format = run_faultline("run " + fixture("demo-shop.json") + " --metrics-format yaml", dir);
  CHECK(format.exit_code == 2);
}
