// Seed records and the sweep aggregate. Everything here is a function of the records in seed
// order, so the number of jobs and the sharding never change a byte of the output.
#include "reports/sweep_report.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "reports/json_reader.hpp"
#include "reports/report_view.hpp"
#include "reports/sha256.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

// User impact per client (issue 12 §5), as each run's report has it under the client's
// "impact": the seconds spent in buckets below 99% availability, and the longest run of such
// buckets.
constexpr const char* kClientImpact[] = {"below_99_s", "longest_below_99_s"};
// The clients' failed requests in the buckets overlapping the fault's window (the report's
// faults[].failed_requests).
constexpr const char* kFaultImpact[] = {"failed_requests"};
// Per caller -> callee pair (its call sites summed), counted on the caller's side (issue 12 §4).
constexpr const char* kCallMetrics[] = {"breaker_opens", "short_circuited"};

std::string call_pair(const json& site) {
  return site.at("caller").get<std::string>() + " → " + site.at("callee").get<std::string>();
}

std::optional<double> optional_number(const json& object, const char* key) {
  if (!object.contains(key) || !object.at(key).is_number()) return std::nullopt;
  return object.at(key).get<double>();
}

std::optional<double> entity_metric(const json& entity, const std::string& metric) {
  const json& totals = entity.at("totals");
  const json& latency = entity.at("latency");
  if (metric == "availability") return entity.at("availability").get<double>();
  if (metric == "errors") return totals.at("errors").get<double>() + totals.at("unavailable").get<double>();
  if (totals.contains(metric)) return totals.at(metric).get<double>();
  if (latency.contains(metric)) return latency.at(metric).get<double>();
  if (entity.contains(metric) && entity.at(metric).is_number()) return entity.at(metric).get<double>();
  return std::nullopt;
}

}  // namespace

std::optional<double> run_metric(const json& report, const SweepLayout::Metric& m) {
  if (m.group == "call_sites") {
    if (!report.contains("call_sites")) return std::nullopt;
    std::optional<double> sum;
    for (const json& site : report.at("call_sites")) {
      if (call_pair(site) == m.entity) sum = sum.value_or(0.0) + site.at(m.name).get<double>();
    }
    return sum;
  }
  for (const json& e : report.at(m.group)) {
    if (e.at("name") != m.entity) continue;
    if (m.group == "clients" && (m.name == "below_99_s" || m.name == "longest_below_99_s")) {
      if (!e.contains("impact")) return std::nullopt;
      return e.at("impact").at(m.name).get<double>();
    }
    if (m.group == "faults" && m.name == "failed_requests") return optional_number(e, "failed_requests");
    if (m.group == "faults") {
      if (!e.contains("recovery")) return std::nullopt;
      const json& v = e.at("recovery").at(m.name);
      return v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt;
    }
    return entity_metric(e, m.name);
  }
  return std::nullopt;
}

namespace {

json optional_json(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

std::optional<double> optional_from(const json& value) {
  return value.is_number() ? std::optional<double>(value.get<double>()) : std::nullopt;
}

double rounded(double value) { return std::round(value * 1e6) / 1e6; }

// min / median / p95 / max (nearest rank), mean and sample standard deviation of the values
// present; `missing` counts seeds without a value.
json stats_json(const std::vector<std::optional<double>>& values) {
  std::vector<double> present;
  double sum = 0;
  for (const auto& v : values) {
    if (!v) continue;
    present.push_back(*v);
    sum += *v;  // in seed order, so the sum rounds the same way every time
  }
  json out;
  out["count"] = present.size();
  out["missing"] = values.size() - present.size();
  if (present.empty()) {
    for (const char* key : {"min", "median", "p95", "max", "mean", "stddev"}) out[key] = nullptr;
    return out;
  }
  const double mean = sum / static_cast<double>(present.size());
  double squares = 0;
  for (const double v : present) squares += (v - mean) * (v - mean);
  std::sort(present.begin(), present.end());
  const std::size_t n = present.size();
  const double median = n % 2 == 1 ? present[n / 2] : (present[n / 2 - 1] + present[n / 2]) / 2.0;
  const std::size_t p95_rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(n)));
  out["min"] = present.front();
  out["median"] = rounded(median);
  out["p95"] = present[std::max<std::size_t>(p95_rank, 1) - 1];
  out["max"] = present.back();
  out["mean"] = rounded(mean);
  out["stddev"] = n > 1 ? rounded(std::sqrt(squares / static_cast<double>(n - 1))) : 0.0;
  return out;
}

json header_scenario(const SweepHeader& header) {
  json scenario;
  scenario["name"] = header.scenario_name;
  scenario["sha256"] = header.scenario_sha256;
  scenario["file"] = header.scenario_file;
  scenario["source"] = header.scenario_source;
  return scenario;
}

json range_json(std::uint64_t first, std::uint64_t last) {
  json out;
  out["first"] = first;
  out["last"] = last;
  out["count"] = last - first + 1;
  return out;
}

std::string replay(const SweepHeader& header, std::uint64_t seed) {
  // A swarm seed ran the scenario drawn for it, kept in the sweep folder.
  if (header.swarm) return "faultline run swarm/seed-" + std::to_string(seed) + ".json --seed " + std::to_string(seed);
  std::string file = header.scenario_file;
  if (file.empty() || file.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") !=
                          std::string::npos) {
    std::string quoted = "'";
    for (const char c : file) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    file = quoted + "'";
  }
  return "faultline run " + file + " --seed " + std::to_string(seed);
}

}  // namespace

bool SweepLayout::operator==(const SweepLayout& other) const {
  if (assertions.size() != other.assertions.size() || metrics.size() != other.metrics.size()) return false;
  for (std::size_t i = 0; i < assertions.size(); ++i) {
    const auto &a = assertions[i], &b = other.assertions[i];
    if (a.name != b.name || a.type != b.type || a.expected != b.expected) return false;
  }
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const auto &a = metrics[i], &b = other.metrics[i];
    if (a.group != b.group || a.entity != b.entity || a.name != b.name) return false;
  }
  return true;
}

SweepLayout sweep_layout(const json& report) {
  SweepLayout layout;
  for (const json& a : report.at("assertions")) {
    layout.assertions.push_back({a.at("name").get<std::string>(), a.at("type").get<std::string>(), a.at("expected").get<std::string>()});
  }
  for (const json& c : report.at("clients")) {
    for (const char* m : kClientMetrics) layout.metrics.push_back({"clients", c.at("name").get<std::string>(), m});
    for (const char* m : kClientImpact) layout.metrics.push_back({"clients", c.at("name").get<std::string>(), m});
  }
  for (const json& s : report.at("services")) {
    for (const char* m : kClientMetrics) layout.metrics.push_back({"services", s.at("name").get<std::string>(), m});
    for (const char* m : kServiceExtraMetrics) layout.metrics.push_back({"services", s.at("name").get<std::string>(), m});
  }
  for (const json& f : report.at("faults")) {
    for (const char* m : kFaultMetrics) layout.metrics.push_back({"faults", f.at("name").get<std::string>(), m});
    for (const char* m : kFaultImpact) layout.metrics.push_back({"faults", f.at("name").get<std::string>(), m});
  }
  if (report.contains("call_sites")) {
    std::vector<std::string> pairs;
    for (const json& site : report.at("call_sites")) {
      const std::string pair = call_pair(site);
      if (std::find(pairs.begin(), pairs.end(), pair) != pairs.end()) continue;
      pairs.push_back(pair);
      for (const char* m : kCallMetrics) layout.metrics.push_back({"call_sites", pair, m});
    }
  }
  return layout;
}

SeedRecord seed_record(const json& report, const SweepLayout& layout) {
  SeedRecord record;
  record.seed = report.at("seed").get<std::uint64_t>();
  record.passed = report.at("passed").get<bool>();
  record.stop = report.at("stop").get<std::string>();
  record.trace_hash = report.at("trace_hash").get<std::string>();
  for (const json& a : report.at("assertions")) {
    record.assertions_passed.push_back(a.at("passed").get<bool>());
    record.assertion_values.push_back(a.contains("observed_value") ? optional_from(a.at("observed_value")) : std::nullopt);
  }
  for (const SweepLayout::Metric& m : layout.metrics) record.metrics.push_back(run_metric(report, m));
  return record;
}

json seed_record_json(const SeedRecord& r) {
  json line;
  line["seed"] = r.seed;
  line["passed"] = r.passed;
  line["stop"] = r.stop;
  line["trace_hash"] = r.trace_hash;
  line["assertions"] = r.assertions_passed;
  json values = json::array(), metrics_line = json::array();
  for (const auto& v : r.assertion_values) values.push_back(optional_json(v));
  for (const auto& v : r.metrics) metrics_line.push_back(optional_json(v));
  line["assertion_values"] = std::move(values);
  line["metrics"] = std::move(metrics_line);
  return line;
}

SeedRecord seed_record_from_json(const json& line, const SweepLayout& layout, const std::string& pointer) {
  const JsonReader in(line, pointer);
  SeedRecord r;
  r.seed = in.unsigned_number("seed");
  r.passed = in.boolean("passed");
  r.stop = in.text("stop");
  r.trace_hash = in.text("trace_hash");
  for (const JsonReader& a : in.items("assertions")) r.assertions_passed.push_back(a.as_boolean());
  for (const JsonReader& v : in.items("assertion_values")) r.assertion_values.push_back(v.as_number_or_null());
  for (const JsonReader& v : in.items("metrics")) r.metrics.push_back(v.as_number_or_null());
  if (r.assertions_passed.size() != layout.assertions.size() || r.assertion_values.size() != layout.assertions.size() ||
      r.metrics.size() != layout.metrics.size()) {
    throw ReportError(pointer, "the run of seed " + std::to_string(r.seed) + " does not match the file's layout");
  }
  return r;
}

std::string render_seeds_file(const SweepHeader& header, const SweepLayout& layout, const std::vector<SeedRecord>& records) {
  json head;
  head["kind"] = "faultline-sweep-seeds";
  head["faultline_version"] = header.faultline_version;
  head["scenario"] = header_scenario(header);
  head["seeds"] = range_json(header.first_seed, header.last_seed);
  if (header.shard_count > 0) {
    json shard;
    shard["index"] = header.shard_index;
    shard["count"] = header.shard_count;
    head["shard"] = std::move(shard);
  } else {
    head["shard"] = nullptr;
  }
  head["slice"] = range_json(header.slice_first, header.slice_last);
  if (header.swarm) head["swarm"] = true;  // absent otherwise, so plain sweeps keep their bytes
  json assertions = json::array();
  for (const auto& a : layout.assertions) assertions.push_back(json{{"name", a.name}, {"type", a.type}, {"expected", a.expected}});
  head["assertions"] = std::move(assertions);
  json metrics = json::array();
  for (const auto& m : layout.metrics) metrics.push_back(m.group + "/" + m.entity + "/" + m.name);
  head["metrics"] = std::move(metrics);
  // The header pretty, then one run per line: readable, and diffable seed by seed.
  std::string text = head.dump(2);
  text.pop_back();  // the closing brace
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  text += ",\n  \"runs\": [";
  for (std::size_t i = 0; i < records.size(); ++i) {
    text += (i == 0 ? "\n    " : ",\n    ") + seed_record_json(records[i]).dump();
  }
  text += records.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return text;
}

void parse_seeds_file(const json& document, SweepHeader& header, SweepLayout& layout, std::vector<SeedRecord>& records) {
  if (!document.is_object() || document.value("kind", "") != "faultline-sweep-seeds") {
    throw ReportError("/kind", "expected a seeds.json written by faultline sweep (\"kind\": \"faultline-sweep-seeds\")");
  }
  const JsonReader root(document, "");
  header.faultline_version = root.text("faultline_version");
  const JsonReader scenario = root.at("scenario");
  header.scenario_name = scenario.text("name");
  header.scenario_sha256 = scenario.text("sha256");
  header.scenario_file = scenario.text("file");
  header.scenario_source = scenario.text("source");
  header.first_seed = root.at("seeds").unsigned_number("first");
  header.last_seed = root.at("seeds").unsigned_number("last");
  if (root.has("shard") && document.at("shard").is_object()) {
    header.shard_index = root.at("shard").unsigned_number("index");
    header.shard_count = root.at("shard").unsigned_number("count");
  } else {
    header.shard_index = header.shard_count = 0;
  }
  header.slice_first = root.at("slice").unsigned_number("first");
  header.slice_last = root.at("slice").unsigned_number("last");
  header.swarm = root.has("swarm") && document.at("swarm").is_boolean() && document.at("swarm").get<bool>();
  layout = {};
  for (const JsonReader& a : root.items("assertions")) layout.assertions.push_back({a.text("name"), a.text("type"), a.text("expected")});
  for (const JsonReader& m : root.items("metrics")) {
    const std::string key = m.as_text();
    const auto first = key.find('/'), last = key.rfind('/');
    if (first == std::string::npos || first == last) throw ReportError(m.pointer(), "a metric key is not group/entity/name: " + key);
    layout.metrics.push_back({key.substr(0, first), key.substr(first + 1, last - first - 1), key.substr(last + 1)});
  }
  records.clear();
  for (const JsonReader& line : root.items("runs")) records.push_back(seed_record_from_json(line.value(), layout, line.pointer()));
}

namespace {

// The seeds the sweep ran: all of them, or a shard's slice of them.
void add_seed_range(json& sweep, const SweepHeader& header) {
  if (header.shard_count > 0) {
    sweep["seeds"] = range_json(header.slice_first, header.slice_last);
    json shard;
    shard["index"] = header.shard_index;
    shard["count"] = header.shard_count;
    shard["of_seeds"] = range_json(header.first_seed, header.last_seed);
    sweep["shard"] = std::move(shard);
  } else {
    sweep["seeds"] = range_json(header.first_seed, header.last_seed);
  }
}

void add_totals(json& sweep, const SweepHeader& header, const std::vector<SeedRecord>& records) {
  std::size_t passed = 0, limited = 0;
  std::string hashes;
  for (const SeedRecord& r : records) {
    passed += r.passed ? 1 : 0;
    limited += r.stop == "finished" ? 0 : 1;
    hashes += std::to_string(r.seed) + " " + r.trace_hash + "\n";
  }
  sweep["passed"] = passed == records.size();
  sweep["runs"] = records.size();
  sweep["seeds_passed"] = passed;
  sweep["seeds_failed"] = records.size() - passed;
  sweep["seeds_stopped_by_limit"] = limited;
  if (header.swarm) sweep["swarm"] = true;
  sweep["pass_ratio"] = records.empty() ? 1.0 : rounded(static_cast<double>(passed) / static_cast<double>(records.size()));
  // One hash over every seed's trace hash: two sweeps with the same sweep_hash simulated the same.
  sweep["sweep_hash"] = sha256_hex(hashes);
}

json sweep_assertions_json(const SweepLayout& layout, const std::vector<SeedRecord>& records) {
  json assertions = json::array();
  for (std::size_t a = 0; a < layout.assertions.size(); ++a) {
    std::size_t ok = 0;
    std::vector<std::optional<double>> values;
    for (const SeedRecord& r : records) {
      ok += r.assertions_passed[a] ? 1 : 0;
      values.push_back(r.assertion_values[a]);
    }
    json item;
    item["name"] = layout.assertions[a].name;
    item["type"] = layout.assertions[a].type;
    item["expected"] = layout.assertions[a].expected;
    item["passed"] = ok;
    item["failed"] = records.size() - ok;
    item["pass_ratio"] = records.empty() ? 1.0 : rounded(static_cast<double>(ok) / static_cast<double>(records.size()));
    item["observed_value"] = stats_json(values);
    assertions.push_back(std::move(item));
  }
  return assertions;
}

// Metrics grouped the way a run report groups them: clients, services, faults, call sites
// (one entry per caller -> callee pair).
void add_metric_groups(json& sweep, const SweepLayout& layout, const std::vector<SeedRecord>& records) {
  for (const char* group : {"clients", "services", "faults", "call_sites"}) {
    json entities = json::array();
    for (std::size_t m = 0; m < layout.metrics.size(); ++m) {
      const SweepLayout::Metric& metric = layout.metrics[m];
      if (metric.group != group) continue;
      if (entities.empty() || entities.back()["name"] != metric.entity) entities.push_back(json{{"name", metric.entity}});
      std::vector<std::optional<double>> values;
      for (const SeedRecord& r : records) values.push_back(r.metrics[m]);
      entities.back()[metric.name] = stats_json(values);
    }
    sweep[group] = std::move(entities);
  }
}

struct Failing {
  const SeedRecord* record;
  std::size_t failed = 0;
  std::optional<double> below_s, lowest_availability;
};

// Failing seeds worst first: more failed assertions, then more time users spent below 99%
// availability (the most impacted client), then the lowest client availability, then the seed.
std::vector<Failing> failing_worst_first(const SweepLayout& layout, const std::vector<SeedRecord>& records) {
  std::vector<Failing> failing;
  for (const SeedRecord& r : records) {
    if (r.passed) continue;
    Failing f;
    f.record = &r;
    for (const bool ok : r.assertions_passed) f.failed += ok ? 0 : 1;
    for (std::size_t m = 0; m < layout.metrics.size(); ++m) {
      const SweepLayout::Metric& metric = layout.metrics[m];
      if (metric.group != "clients" || !r.metrics[m]) continue;
      if (metric.name == "below_99_s") f.below_s = std::max(f.below_s.value_or(0.0), *r.metrics[m]);
      if (metric.name == "availability") f.lowest_availability = std::min(f.lowest_availability.value_or(1.0), *r.metrics[m]);
    }
    failing.push_back(f);
  }
  std::stable_sort(failing.begin(), failing.end(), [](const Failing& a, const Failing& b) {
    if (a.failed != b.failed) return a.failed > b.failed;
    if (a.below_s.value_or(0.0) != b.below_s.value_or(0.0)) return a.below_s.value_or(0.0) > b.below_s.value_or(0.0);
    return a.lowest_availability.value_or(1.0) < b.lowest_availability.value_or(1.0);
  });
  return failing;
}

json failures_json(const SweepHeader& header, const SweepLayout& layout, const std::vector<SeedRecord>& records) {
  json failures = json::array();
  for (const Failing& f : failing_worst_first(layout, records)) {
    const SeedRecord& r = *f.record;
    json item;
    item["seed"] = r.seed;
    json failed = json::array();
    for (std::size_t a = 0; a < layout.assertions.size(); ++a) {
      if (!r.assertions_passed[a]) failed.push_back(layout.assertions[a].name);
    }
    item["failed_assertions"] = std::move(failed);
    if (f.below_s) item["below_99_s"] = *f.below_s;
    if (f.lowest_availability) item["lowest_availability"] = *f.lowest_availability;
    item["stop"] = r.stop;
    item["trace_hash"] = r.trace_hash;
    item["replay"] = replay(header, r.seed);
    failures.push_back(std::move(item));
  }
  return failures;
}

}  // namespace

json build_sweep_report(const SweepHeader& header, const SweepLayout& layout, const std::vector<SeedRecord>& records) {
  json sweep;
  sweep["kind"] = "faultline-sweep";
  sweep["faultline_version"] = header.faultline_version;
  sweep["report_format"] = kReportFormat;
  sweep["scenario"] = header_scenario(header);
  add_seed_range(sweep, header);
  add_totals(sweep, header, records);
  sweep["assertions"] = sweep_assertions_json(layout, records);
  add_metric_groups(sweep, layout, records);
  sweep["failures"] = failures_json(header, layout, records);
  return sweep;
}

bool is_sweep_report(const json& document) {
  return document.is_object() && document.value("kind", "") == "faultline-sweep";
}

}  // namespace faultline::reports
