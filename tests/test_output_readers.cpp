// faultline's outputs read by the tools their readers use: JUnit by xmllint against the common
// schema and by two JUnit readers from npm (junit2json, test-results-parser; installed into
// tools/node by scripts/install-node-tools.sh), the time series by promtool (check metrics,
// and a backfill into a Prometheus TSDB), and the trace by the rules of the trace-event format
// that Chrome's trace viewer and Perfetto share.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

using namespace faultline::test;
using json = nlohmann::json;

namespace {

const std::string kDemo = fixture("demo-shop.json");
const std::string kNodeTools = kSourceDir + "/tools/node/node_modules";

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A client whose only service crashes at 4 s and never comes back: from then on no request
// succeeds, so those buckets have no latency at all.
std::string write_outage_scenario(const ScratchDir& dir) {
  const std::string path = dir / "outage.json";
  std::ofstream(path) << R"({
  "version": 1, "name": "outage", "duration": "10s", "zones": ["z"],
  "services": [{"name": "api", "instances": 1, "workers": 4, "service_time": "2ms"}],
  "clients": [{"name": "web", "zone": "z", "service": "api", "open_loop": {"rate": 200}, "timeout": "100ms"}],
  "faults": [{"name": "api-crash", "kind": "crash", "target": {"service": "api"}, "at": "4s"}],
  "assertions": [{"name": "web availability", "type": "availability", "client": "web", "min": "99%"}]
})";
  return path;
}

}  // namespace

// ---- JUnit ----

TEST_CASE("every JUnit testcase carries the scenario path and its assertion's line", "[readers][junit]") {
  ScratchDir dir("junit-lines");
  const auto run = run_faultline("run " + kDemo + " --junit " + (dir / "j.xml"), dir);
  REQUIRE(run.exit_code == 1);
  const std::string xml = read_file(dir / "j.xml");
  // demo-shop.json has its four assertions on lines 35 to 38.
  CHECK(contains(xml, "name=\"web availability\" file=\"" + kDemo + "\" line=\"35\""));
  CHECK(contains(xml, "name=\"web p99 under 150ms\" file=\"" + kDemo + "\" line=\"36\""));
  CHECK(contains(xml, "name=\"recovers after the error burst\" file=\"" + kDemo + "\" line=\"38\""));
  CHECK(count_of(xml, " file=\"") == count_of(xml, "<testcase "));
  REQUIRE(executable("/usr/bin/xmllint"));
  const auto valid = run_command("/usr/bin/xmllint --noout --schema " + kSourceDir + "/tests/data/junit.xsd " + (dir / "j.xml"), dir);
  INFO(valid.err);
  CHECK(valid.exit_code == 0);
}

TEST_CASE("JUnit readers from npm see each failure with its file and line", "[readers][junit][npm]") {
  REQUIRE(executable("/usr/bin/node"));
  // scripts/install-deps.sh (run by test.sh and setup.sh) installs them.
  REQUIRE(std::filesystem::exists(kNodeTools + "/junit2json"));
  REQUIRE(std::filesystem::exists(kNodeTools + "/test-results-parser"));
  ScratchDir dir("junit-npm");
  REQUIRE(run_faultline("run " + kDemo + " --junit " + (dir / "j.xml"), dir).exit_code == 1);

  const auto converted = run_command("node " + kNodeTools + "/junit2json/dist/esm/cli.js " + (dir / "j.xml"), dir);
  INFO(converted.err);
  REQUIRE(converted.exit_code == 0);
  const json parsed = json::parse(converted.out);
  const json& cases = parsed.at("testsuite").at(0).at("testcase");
  REQUIRE(cases.size() == 4);
  std::map<std::string, std::pair<std::string, long>> failed;
  for (const json& c : cases) {
    if (!c.contains("failure")) continue;
    const json& line = c.at("line");
    failed[c.at("name").get<std::string>()] = {c.at("file").get<std::string>(),
                                                line.is_string() ? std::stol(line.get<std::string>()) : line.get<long>()};
  }
  REQUIRE(failed.size() == 2);
  CHECK(failed["web availability"] == std::make_pair(kDemo, 35L));
  for (const auto& [name, where] : failed) {
    INFO(name);
    CHECK(where.first == kDemo);
    CHECK(where.second >= 35);
    CHECK(where.second <= 38);
  }

  // test-results-parser (what testbeats and several CI reporters use) counts the same.
  const std::string script =
      "const {parse} = require('" + kNodeTools + "/test-results-parser');"
      "const r = parse({type: 'junit', files: [process.argv[2]]});"
      "console.log(JSON.stringify({total: r.total, failed: r.failed, passed: r.passed,"
      " failures: r.suites[0].cases.filter(c => c.status === 'FAIL').map(c => c.failure)}));";
  std::ofstream(dir / "read.cjs") << script;
  const auto summary = run_command("node " + (dir / "read.cjs") + " " + (dir / "j.xml"), dir);
  INFO(summary.err);
  REQUIRE(summary.exit_code == 0);
  const json counts = json::parse(summary.out);
  CHECK(counts.at("total") == 4);
  CHECK(counts.at("failed") == 2);
  CHECK(counts.at("passed") == 2);
  CHECK(contains(counts.at("failures").dump(), "expected >= 99% of client web requests ok"));
}

TEST_CASE("a run stopped by a resource limit still writes its JUnit and summary, with the run in error",
          "[readers][junit][limits]") {
  ScratchDir dir("junit-limit");
  const auto run = run_faultline("run " + kDemo + " --max-events 20000 --junit " + (dir / "j.xml") + " --summary " +
                                     (dir / "s.md") + " --report " + (dir / "r.json"),
                                 dir);
  CHECK(run.exit_code == 4);
  CHECK(contains(run.err, "--max-events"));
  CHECK_FALSE(std::filesystem::exists(dir / "r.json"));  // no verdict, so no report
  const std::string xml = read_file(dir / "j.xml");
  CHECK(contains(xml, "<testcase classname=\"demo-shop\" name=\"simulation completes\" file=\"" + kDemo + "\" line=\"6\""));
  CHECK(contains(xml, "<error message=\"the run was stopped by the event limit (max_events; raise it with --max-events)"));
  CHECK(contains(xml, "errors=\"1\""));
  const auto valid = run_command("/usr/bin/xmllint --noout --schema " + kSourceDir + "/tests/data/junit.xsd " + (dir / "j.xml"), dir);
  INFO(valid.err);
  CHECK(valid.exit_code == 0);
  const auto errors = run_command("/usr/bin/xmllint --xpath 'count(//testcase/error)' " + (dir / "j.xml"), dir);
  CHECK(trimmed(errors.out) == "1");
  const std::string summary = read_file(dir / "s.md");
  CHECK(contains(summary, "demo-shop"));
  CHECK(contains(summary, "stopped early (event_limit)"));
}

TEST_CASE("a JUnit file of a run from a report names the report, without a line", "[readers][junit]") {
  ScratchDir dir("junit-from-report");
  REQUIRE(run_faultline("run " + kDemo + " --report " + (dir / "r.json"), dir).exit_code == 1);
  REQUIRE(run_faultline("run --from-report " + (dir / "r.json") + " --junit " + (dir / "j.xml"), dir).exit_code == 1);
  const std::string xml = read_file(dir / "j.xml");
  CHECK(count_of(xml, " file=\"" + (dir / "r.json") + "\"") == 4);
  CHECK_FALSE(contains(xml, " line=\""));
}

// ---- time series ----

TEST_CASE("a bucket without a successful request has no latency: empty in CSV, NaN in OpenMetrics and Prometheus",
          "[readers][timeseries]") {
  ScratchDir dir("nan-latency");
  const std::string scenario = write_outage_scenario(dir);
  REQUIRE(run_faultline("run " + scenario + " --timeseries " + (dir / "t.csv"), dir).exit_code == 1);
  REQUIRE(run_faultline("run " + scenario + " --timeseries " + (dir / "t.om") + " --metrics-format openmetrics", dir).exit_code == 1);
  REQUIRE(run_faultline("run " + scenario + " --timeseries " + (dir / "t.prom") + " --metrics-format prometheus", dir).exit_code == 1);
  std::size_t empty = 0, measured = 0;
  for (const std::string& line : lines_of(read_file(dir / "t.csv"))) {
    if (line.rfind("2,p99_seconds,client=web,", 0) == 0) CHECK(line != "2,p99_seconds,client=web,");  // before the crash
    if (!contains(line, ",p99_seconds,client=web,")) continue;
    if (line.back() == ',') ++empty;
    else ++measured;
    CHECK_FALSE(contains(line, ",p99_seconds,client=web,0\n"));
  }
  CHECK(measured >= 3);
  CHECK(empty >= 5);  // 5 s to 10 s, after the crash
  const std::string om = read_file(dir / "t.om");
  CHECK(contains(om, "faultline_request_duration_seconds{client=\"web\",quantile=\"0.99\"} NaN 8\n"));
  CHECK_FALSE(contains(om, "faultline_request_duration_seconds{client=\"web\",quantile=\"0.99\"} 0 8\n"));
  const std::string prom = read_file(dir / "t.prom");
  CHECK(contains(prom, "faultline_request_duration_seconds{client=\"web\",quantile=\"0.99\"} NaN 8000\n"));
}

TEST_CASE("promtool accepts the Prometheus text format and backfills the OpenMetrics file into a TSDB",
          "[readers][timeseries][promtool]") {
  REQUIRE(executable("/usr/bin/promtool"));  // Debian package prometheus
  ScratchDir dir("promtool");
  for (const std::string& scenario : {kDemo, kSourceDir + "/scenarios/retry-storm.json"}) {
    INFO(scenario);
    run_faultline("run " + scenario + " --timeseries " + (dir / "m.prom") + " --metrics-format prometheus", dir);
    run_faultline("run " + scenario + " --timeseries " + (dir / "m.om") + " --metrics-format openmetrics", dir);
    const std::string prom = read_file(dir / "m.prom");
    REQUIRE(contains(prom, "# HELP faultline_requests_total "));
    CHECK(contains(prom, "# TYPE faultline_requests_total counter\n"));
    CHECK_FALSE(contains(prom, "# EOF"));
    CHECK_FALSE(contains(prom, "# UNIT"));
    const auto lint = run_command("promtool check metrics < " + (dir / "m.prom"), dir);
    INFO(lint.out << lint.err);
    CHECK(lint.exit_code == 0);
    CHECK(trimmed(lint.out + lint.err).empty());

    // Every sample of the OpenMetrics file lands in the TSDB.
    std::size_t samples = 0;
    std::set<std::string> series;
    for (const std::string& line : lines_of(read_file(dir / "m.om"))) {
      if (line.empty() || line[0] == '#') continue;
      ++samples;
      series.insert(line.substr(0, line.find("} ") + 1));
    }
    std::filesystem::remove_all(dir / "tsdb");
    const auto backfill = run_command("promtool tsdb create-blocks-from openmetrics " + (dir / "m.om") + " " + (dir / "tsdb"), dir);
    INFO(backfill.out << backfill.err);
    REQUIRE(backfill.exit_code == 0);
    // The last line of its table: ULID, min time, max time, duration, samples, chunks, series, size.
    std::vector<std::string> fields;
    std::istringstream last(lines_of(backfill.out).back());
    for (std::string field; last >> field;) fields.push_back(field);
    REQUIRE(fields.size() == 8);
    CHECK(fields[4] == std::to_string(samples));
    CHECK(fields[6] == std::to_string(series.size()));
    CHECK(fields[1] == "1000");  // the first bucket ends at 1 s of simulated time
  }
}

TEST_CASE("the shipped Grafana dashboard queries only series the exports contain", "[readers][timeseries][grafana]") {
  const json dashboard = json::parse(read_file(kSourceDir + "/docs/grafana/faultline-dashboard.json"));
  ScratchDir dir("grafana");
  run_faultline("run " + kDemo + " --timeseries " + (dir / "m.prom") + " --metrics-format prometheus", dir);
  const std::string prom = read_file(dir / "m.prom");
  std::size_t queries = 0;
  for (const json& panel : dashboard.at("panels")) {
    if (!panel.contains("targets")) continue;
    for (const json& target : panel.at("targets")) {
      const std::string expr = target.at("expr");
      ++queries;
      // Every metric name in the query is one faultline writes.
      for (std::size_t at = expr.find("faultline_"); at != std::string::npos; at = expr.find("faultline_", at + 1)) {
        std::size_t end = at;
        while (end < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[end])) || expr[end] == '_')) ++end;
        INFO(expr);
        CHECK(contains(prom, "\n" + expr.substr(at, end - at) + "{"));
        at = end;
      }
    }
  }
  CHECK(queries >= 6);
}

// ---- trace ----

namespace {

struct Slice {
  double begin_us;
  double end_us;
};

// The trace-event format's rules that both Chrome's trace viewer and Perfetto rely on to draw
// requests as slices: complete events with a duration, slices on one thread never overlapping
// partially, and every thread that carries slices named.
void check_trace_is_drawable(const json& trace, std::size_t& slices) {
  std::map<std::pair<long long, long long>, std::vector<Slice>> by_thread;
  std::set<std::pair<long long, long long>> named;
  for (const json& e : trace.at("traceEvents")) {
    const std::string ph = e.at("ph");
    CHECK(ph != "b");
    CHECK(ph != "e");
    const auto thread = std::make_pair(e.at("pid").get<long long>(), e.at("tid").get<long long>());
    if (ph == "M" && e.at("name") == "thread_name") named.insert(thread);
    if (ph != "X") continue;
    const double ts = e.at("ts"), dur = e.at("dur");
    CHECK(dur >= 0);
    by_thread[thread].push_back({ts, ts + dur});
  }
  slices = 0;
  for (auto& [thread, list] : by_thread) {
    CHECK(named.count(thread) == 1);
    std::sort(list.begin(), list.end(), [](const Slice& a, const Slice& b) { return a.begin_us < b.begin_us; });
    for (std::size_t i = 1; i < list.size(); ++i) CHECK(list[i].begin_us >= list[i - 1].end_us);
    slices += list.size();
  }
}

}  // namespace

TEST_CASE("the trace draws requests as complete events on non-overlapping lanes", "[readers][trace]") {
  ScratchDir dir("trace-x");
  const auto run = run_faultline("run " + kDemo + " --trace " + (dir / "t.json") + " --trace-window 0s..8s", dir);
  REQUIRE(run.exit_code == 1);
  CHECK_FALSE(contains(run.err, "left out"));  // 8 s of demo-shop fit in the default cap
  const json trace = json::parse(read_file(dir / "t.json"));
  std::size_t slices = 0;
  check_trace_is_drawable(trace, slices);
  CHECK(slices > 1000);
  CHECK(trace.at("otherData").at("events_dropped") == 0);
  // Nothing starts at or after the window's end.
  for (const json& e : trace.at("traceEvents")) {
    if (e.at("ph") == "X") CHECK(e.at("ts").get<double>() < 8e6);
  }
}

TEST_CASE("by default the trace starts shortly before the first fault, and a cut trace says so on stderr",
          "[readers][trace]") {
  ScratchDir dir("trace-default");
  // demo-shop without its first fault: the first is now the error burst at 30 s.
  json late = json::parse(read_file(kDemo));
  late["faults"].erase(late["faults"].begin());
  std::ofstream(dir / "late.json") << late.dump(2);
  REQUIRE(run_faultline("run " + (dir / "late.json") + " --trace " + (dir / "d.json"), dir).exit_code == 1);
  const json by_default = json::parse(read_file(dir / "d.json"));
  double earliest_default = 1e18;
  std::size_t errors_default = 0;
  for (const json& e : by_default.at("traceEvents")) {
    if (e.at("ph") != "X") continue;
    earliest_default = std::min(earliest_default, e.at("ts").get<double>());
    if (e.at("args").at("outcome") == "error") ++errors_default;
  }
  CHECK(earliest_default >= 19e6);  // requests overlapping 20 s, 10 s before the fault
  CHECK(earliest_default < 21e6);
  CHECK(errors_default > 0);         // the fault is in the trace

  const auto run = run_faultline("run " + kDemo + " --trace " + (dir / "t.json") + " --trace-max-events 4000", dir);
  REQUIRE(run.exit_code == 1);
  const json trace = json::parse(read_file(dir / "t.json"));
  double last = 0;
  std::size_t fault_starts = 0;
  for (const json& e : trace.at("traceEvents")) {
    if (e.at("ph") == "X") last = std::max(last, e.at("ts").get<double>() + e.at("dur").get<double>());
    if (e.at("ph") == "i" && e.at("cat") == "fault" && contains(e.at("name"), "fault start")) ++fault_starts;
  }
  CHECK(fault_starts == 3);  // every fault's instant, even those after the cut
  std::size_t slices = 0;
  check_trace_is_drawable(trace, slices);
  CHECK(slices * 2 <= 4000);
  const std::uint64_t dropped = trace.at("otherData").at("events_dropped");
  CHECK(dropped > 0);
  CHECK(contains(run.err, std::to_string(dropped) + " more were left out"));
  CHECK(contains(run.err, "--trace-max-events"));
  CHECK(contains(run.err, "--trace-window"));

  // A window from 29 s on covers the error burst at 30 s, which the cut default trace misses.
  const auto windowed = run_faultline("run " + kDemo + " --trace " + (dir / "w.json") + " --trace-max-events 4000 --trace-window 29s..", dir);
  REQUIRE(windowed.exit_code == 1);
  const json later = json::parse(read_file(dir / "w.json"));
  double earliest = 1e18;
  std::size_t errors = 0;
  for (const json& e : later.at("traceEvents")) {
    if (e.at("ph") != "X") continue;
    earliest = std::min(earliest, e.at("ts").get<double>() + e.at("dur").get<double>());
    if (e.at("args").at("outcome") == "error") ++errors;
  }
  CHECK(earliest >= 29e6);
  CHECK(errors > 0);
  CHECK(last < 29e6);
}

TEST_CASE("a malformed --trace-window is a usage error", "[readers][trace]") {
  ScratchDir dir("trace-window-bad");
  for (const char* bad : {"10s", "20s..10s", "x..1s", "1s..1s", "-1s..2s"}) {
    INFO(bad);
    const auto run = run_faultline("run " + kDemo + " --trace " + (dir / "t.json") + " --trace-window " + std::string(bad), dir);
    CHECK(run.exit_code == 2);
    CHECK(contains(run.err, "--trace-window"));
    CHECK_FALSE(std::filesystem::exists(dir / "t.json"));
  }
}
