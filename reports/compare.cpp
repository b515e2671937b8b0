// Building a comparison: which metrics, which direction is better, thresholds and seed noise.
#include "reports/compare.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <tuple>

#include "reports/report_view.hpp"
#include "reports/sweep_report.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

struct MetricName {
  const char* spec;  // as written in --fail-on
  const char* key;   // in reports
  enum Unit { ratio, latency, seconds, count } unit;
};
constexpr MetricName kMetricNames[] = {
    {"availability", "availability", MetricName::ratio},   {"errors", "errors", MetricName::count},
    {"timeouts", "timeouts", MetricName::count},           {"rejected", "rejected", MetricName::count},
    {"retries", "retries", MetricName::count},             {"p50", "p50_ms", MetricName::latency},
    {"p90", "p90_ms", MetricName::latency},                {"p99", "p99_ms", MetricName::latency},
    {"p99.9", "p99_9_ms", MetricName::latency},            {"max", "max_ms", MetricName::latency},
    {"recovery", "recovered_after_s", MetricName::seconds}, {"breaker_opens", "breaker_opens", MetricName::count},
    {"ejections", "ejections", MetricName::count},         {"min_availability", "min_availability", MetricName::ratio},
};

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

Threshold parse_one(const std::string& part) {
  const auto equals = part.find('=');
  if (equals == std::string::npos) {
    throw std::invalid_argument("\"" + part + "\": expected METRIC=AMOUNT, e.g. p99=+10%");
  }
  Threshold t;
  t.text = part;
  std::string name = trim(part.substr(0, equals));
  if (const auto at = name.find('@'); at != std::string::npos) {
    t.entity = name.substr(at + 1);
    name.resize(at);
    if (t.entity.empty()) throw std::invalid_argument("\"" + part + "\": expected a client, service or fault name after @");
  }
  const MetricName* metric = nullptr;
  for (const MetricName& m : kMetricNames) {
    if (name == m.spec) metric = &m;
  }
  if (metric == nullptr) {
    std::string known;
    for (const MetricName& m : kMetricNames) known += std::string(known.empty() ? "" : ", ") + m.spec;
    throw std::invalid_argument("\"" + part + "\": unknown metric \"" + name + "\"; expected one of " + known);
  }
  t.metric = metric->key;
  std::string amount = trim(part.substr(equals + 1));
  t.direction = -metric_direction(t.metric);  // by default the direction that is worse
  if (!amount.empty() && (amount[0] == '+' || amount[0] == '-')) {
    t.direction = amount[0] == '+' ? 1 : -1;
    amount.erase(0, 1);
  }
  double number = 0;
  const auto [end, error] = std::from_chars(amount.data(), amount.data() + amount.size(), number);
  if (error != std::errc() || !(number >= 0) || std::isinf(number)) {
    throw std::invalid_argument("\"" + part + "\": expected a non-negative amount like 10%, 5s or 20ms after =");
  }
  const std::string unit = amount.substr(static_cast<std::size_t>(end - amount.data()));
  static const std::map<std::string, double> kSeconds = {{"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3},
                                                          {"s", 1.0},   {"m", 60.0},  {"h", 3600.0}};
  const bool is_duration = kSeconds.count(unit) != 0;
  switch (metric->unit) {
    case MetricName::ratio:
      // Availability is itself a percentage: "-0.1%" is a drop of 0.1 percentage points.
      if (unit == "%") t.amount = number / 100.0;
      else if (unit.empty()) t.amount = number;
      else throw std::invalid_argument("\"" + part + "\": " + name + " takes percentage points (0.1%) or a ratio (0.001)");
      break;
    case MetricName::latency:
    case MetricName::seconds:
      if (unit == "%") {
        t.relative = true;
        t.amount = number / 100.0;
      } else if (is_duration) {
        t.amount = number * kSeconds.at(unit) * (metric->unit == MetricName::latency ? 1000.0 : 1.0);
      } else {
        throw std::invalid_argument("\"" + part + "\": " + name + " takes a duration (20ms, 5s) or a percentage (10%)");
      }
      break;
    case MetricName::count:
      if (unit == "%") {
        t.relative = true;
        t.amount = number / 100.0;
      } else if (unit.empty()) {
        t.amount = number;
      } else {
        throw std::invalid_argument("\"" + part + "\": " + name + " takes a count (10) or a percentage (10%)");
      }
      break;
  }
  return t;
}

// A side of the comparison: each metric's value (the median for sweeps), with mean, standard
// deviation and count for sweeps.
struct SideValue {
  bool present = false;
  std::optional<double> value;
  double mean = 0, stddev = 0, count = 0;
  bool has_stats = false;
};

using Key = std::tuple<std::string, std::string, std::string>;

void add_value(std::vector<Key>& order, std::map<Key, SideValue>& out, const Key& key, SideValue value) {
  if (out.count(key) == 0) out[key] = value;
  bool known = false;
  for (const Key& k : order) known = known || k == key;
  if (!known) order.push_back(key);
}

// A client's or service's metric as a sweep records it (errors count unavailable too).
std::optional<double> entity_metric(const EntityView& e, const std::string& metric) {
  if (metric == "availability") return e.availability;
  if (metric == "errors") return e.totals.at("errors") + e.totals.at("unavailable");
  if (const auto t = e.totals.find(metric); t != e.totals.end()) return t->second;
  if (const auto l = e.latency.find(metric); l != e.latency.end()) return l->second;
  if (const auto x = e.extra.find(metric); x != e.extra.end()) return x->second;
  return std::nullopt;
}

void collect_run(const RunReportView& report, std::vector<Key>& order, std::map<Key, SideValue>& out) {
  auto add = [&](const char* group, const std::string& entity, const char* metric, std::optional<double> value) {
    SideValue v;
    v.present = true;
    v.value = value;
    add_value(order, out, {group, entity, metric}, v);
  };
  for (const EntityView& c : report.clients) {
    for (const char* m : kClientMetrics) add("clients", c.name, m, entity_metric(c, m));
    if (c.impact) {  // named as the sweep names them, so runs compare as sweeps do
      add("clients", c.name, "below_99_s", c.impact->below_s);
      add("clients", c.name, "longest_below_99_s", c.impact->longest_below_s);
    }
  }
  for (const EntityView& s : report.services) {
    for (const char* m : kClientMetrics) add("services", s.name, m, entity_metric(s, m));
    for (const char* m : kServiceExtraMetrics) add("services", s.name, m, entity_metric(s, m));
  }
  for (const FaultView& f : report.faults) {
    add("faults", f.name, "recovered_after_s", f.has_recovery ? f.recovered_after_s : std::nullopt);
    add("faults", f.name, "min_availability", f.has_recovery ? f.min_availability : std::nullopt);
    if (f.failed_requests) add("faults", f.name, "failed_requests", f.failed_requests);
  }
}

void collect_sweep(const SweepReportView& report, std::vector<Key>& order, std::map<Key, SideValue>& out) {
  const std::pair<const char*, const std::vector<SweepEntityView>*> groups[] = {
      {"clients", &report.clients}, {"services", &report.services}, {"faults", &report.faults}};
  for (const auto& [group, entities] : groups) {
    for (const SweepEntityView& entity : *entities) {
      for (const auto& [name, stats] : entity.metrics) {
        SideValue v;
        v.present = true;
        v.value = stats.median;
        if (stats.mean) {
          v.has_stats = true;
          v.mean = *stats.mean;
          v.stddev = stats.stddev;
          v.count = stats.count;
        }
        add_value(order, out, {group, entity.name, name}, v);
      }
    }
  }
}

void collect(const ReportView& report, std::vector<Key>& order, std::map<Key, SideValue>& out) {
  if (report.sweep) collect_sweep(report.sweep_report, order, out);
  else collect_run(report.run, order, out);
}

std::string seeds_text(const ReportView& report) {
  if (!report.sweep) return std::to_string(report.run.seed);
  return std::to_string(report.sweep_report.first_seed) + "-" + std::to_string(report.sweep_report.last_seed);
}

const ScenarioView& scenario_of(const ReportView& r) { return r.sweep ? r.sweep_report.scenario : r.run.scenario; }
const std::string& version_of(const ReportView& r) { return r.sweep ? r.sweep_report.faultline_version : r.run.faultline_version; }
const std::vector<AssertionView>& assertions_of(const ReportView& r) { return r.sweep ? r.sweep_report.assertions : r.run.assertions; }

// Recovery that never happened counts as worse than any time.
double comparable(const std::string& metric, const std::optional<double>& value) {
  if (value) return *value;
  return metric == "recovered_after_s" ? std::numeric_limits<double>::infinity() : 0.0;
}

bool crosses(const Threshold& t, const MetricDelta& d) {
  if (!t.entity.empty() && t.entity != d.entity) return false;
  if (t.metric != d.metric || !d.base_present || !d.candidate_present) return false;
  if (!d.base && !d.candidate) return false;
  const double base = comparable(d.metric, d.base), candidate = comparable(d.metric, d.candidate);
  if (std::isinf(base) && std::isinf(candidate)) return false;
  const double change = t.direction * (candidate - base);
  if (std::isinf(change)) return change > 0;
  const double limit = t.relative ? t.amount * std::fabs(base) : t.amount;
  return change > limit + 1e-12;
}

}  // namespace

int metric_direction(const std::string& metric) {
  if (metric == "availability" || metric == "min_availability") return 1;
  if (metric == "requests") return 0;
  return -1;
}

std::vector<Threshold> parse_thresholds(const std::string& spec) {
  std::vector<Threshold> out;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const auto comma = spec.find(',', start);
    const std::string part = trim(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (part.empty()) throw std::invalid_argument("an empty threshold in \"" + spec + "\"");
    out.push_back(parse_one(part));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

namespace {

void compare_headers(const ReportView& base, const ReportView& candidate, Comparison& c) {
  const bool sweep = base.sweep;
  c.kind = sweep ? "sweep" : "run";
  c.base_name = scenario_of(base).name;
  c.candidate_name = scenario_of(candidate).name;
  c.base_sha256 = scenario_of(base).sha256;
  c.candidate_sha256 = scenario_of(candidate).sha256;
  c.base_seeds = seeds_text(base);
  c.candidate_seeds = seeds_text(candidate);
  c.same_scenario = c.base_sha256 == c.candidate_sha256;
  if (c.base_name != c.candidate_name) {
    c.notes.push_back("These are different scenarios (" + c.base_name + " and " + c.candidate_name +
                      "): rows are matched by client, service, fault and assertion name.");
  } else if (!c.same_scenario) {
    c.notes.push_back("The scenario " + c.base_name + " changed between the two reports (sha256 " + c.base_sha256.substr(0, 12) +
                      " vs " + c.candidate_sha256.substr(0, 12) + ").");
  }
  if (c.base_seeds != c.candidate_seeds) {
    c.notes.push_back(std::string("The ") + (sweep ? "seed ranges" : "seeds") + " differ (" + c.base_seeds + " vs " +
                      c.candidate_seeds + ")" + (sweep ? "." : ": differences include seed noise; compare sweeps to tell them apart."));
  }
  if (version_of(base) != version_of(candidate)) {
    c.notes.push_back("The reports come from different faultline versions (" + version_of(base) + " and " +
                      version_of(candidate) + ").");
  }
}

// Assertion verdicts, matched by name.
void compare_verdicts(const ReportView& base, const ReportView& candidate, Comparison& c) {
  const bool sweep = base.sweep;
  std::map<std::string, const AssertionView*> base_assertions, candidate_assertions;
  for (const AssertionView& a : assertions_of(base)) base_assertions[a.name] = &a;
  for (const AssertionView& a : assertions_of(candidate)) candidate_assertions[a.name] = &a;
  auto verdict_of = [&](const AssertionView* a) -> std::optional<double> {
    if (a == nullptr) return std::nullopt;
    return sweep ? a->pass_ratio : (a->passed ? 1.0 : 0.0);
  };
  std::vector<std::string> names;
  for (const AssertionView& a : assertions_of(base)) names.push_back(a.name);
  for (const AssertionView& a : assertions_of(candidate)) {
    if (base_assertions.count(a.name) == 0) names.push_back(a.name);
  }
  for (const std::string& name : names) {
    VerdictChange v;
    v.name = name;
    const AssertionView* b = base_assertions.count(name) ? base_assertions[name] : nullptr;
    const AssertionView* k = candidate_assertions.count(name) ? candidate_assertions[name] : nullptr;
    v.base = verdict_of(b);
    v.candidate = verdict_of(k);
    if (!sweep) {
      if (b) v.base_observed = b->observed;
      if (k) v.candidate_observed = k->observed;
    }
    if (!v.base) v.change = "added";
    else if (!v.candidate) v.change = "removed";
    else if (!sweep) {
      v.change = *v.base > 0 ? (*v.candidate > 0 ? "still passing" : "newly failing")
                             : (*v.candidate > 0 ? "fixed" : "still failing");
      v.regression = v.change == "newly failing";
    } else {
      // Two proportions: the difference is seed noise when within two standard errors.
      const double nb = base.sweep_report.runs, nk = candidate.sweep_report.runs;
      const double pooled = (*v.base * nb + *v.candidate * nk) / std::max(1.0, nb + nk);
      const double se = std::sqrt(pooled * (1 - pooled) * (1 / std::max(1.0, nb) + 1 / std::max(1.0, nk)));
      const double diff = *v.candidate - *v.base;
      v.within_noise = std::fabs(diff) <= 2 * se;
      v.change = diff == 0 ? "unchanged" : diff < 0 ? "pass ratio down" : "pass ratio up";
      v.regression = diff < 0 && !v.within_noise;
    }
    c.verdicts.push_back(std::move(v));
  }
}

}  // namespace

Comparison compare_reports(const json& base, const json& candidate, const std::vector<Threshold>& thresholds) {
  return compare_reports(read_report_view(base), read_report_view(candidate), thresholds);
}

Comparison compare_reports(const ReportView& base, const ReportView& candidate, const std::vector<Threshold>& thresholds) {
  if (base.sweep != candidate.sweep) {
    throw std::invalid_argument(std::string("cannot compare a ") + (base.sweep ? "sweep" : "run") + " report with a " +
                                (candidate.sweep ? "sweep" : "run") + " report; compare two of a kind");
  }
  Comparison c;
  c.thresholds = thresholds;
  compare_headers(base, candidate, c);
  compare_verdicts(base, candidate, c);
  // Metrics.
  std::vector<Key> order;
  std::map<Key, SideValue> base_values, candidate_values;
  collect(base, order, base_values);
  collect(candidate, order, candidate_values);
  for (const Key& key : order) {
    MetricDelta d;
    std::tie(d.group, d.entity, d.metric) = key;
    const SideValue b = base_values.count(key) ? base_values[key] : SideValue{};
    const SideValue k = candidate_values.count(key) ? candidate_values[key] : SideValue{};
    d.base_present = b.present;
    d.candidate_present = k.present;
    d.base = b.value;
    d.candidate = k.value;
    if (b.present && k.present) {
      const double bv = comparable(d.metric, d.base), kv = comparable(d.metric, d.candidate);
      const int direction = metric_direction(d.metric);
      if (!(std::isinf(bv) && std::isinf(kv)) && bv != kv) d.verdict = kv > bv ? direction : -direction;
      if (b.has_stats && k.has_stats && b.count > 0 && k.count > 0) {
        d.noise_known = true;
        const double se = std::sqrt(b.stddev * b.stddev / b.count + k.stddev * k.stddev / k.count);
        d.within_noise = std::fabs(k.mean - b.mean) <= 2 * se;
      }
    }
    for (const Threshold& t : thresholds) {
      if (crosses(t, d)) d.breached.push_back(t.text);
    }
    d.regression = !d.breached.empty() && !(d.noise_known && d.within_noise);
    c.metrics.push_back(std::move(d));
  }
  for (const Threshold& t : thresholds) {
    bool applies = false;
    for (const MetricDelta& d : c.metrics) applies = applies || (d.metric == t.metric && (t.entity.empty() || d.entity == t.entity));
    if (!applies) c.notes.push_back("The threshold " + t.text + " matches nothing in these reports.");
  }
  for (const VerdictChange& v : c.verdicts) c.regressions += v.regression ? 1 : 0;
  for (const MetricDelta& d : c.metrics) c.regressions += d.regression ? 1 : 0;
  return c;
}

}  // namespace faultline::reports
