// Reading reports through the typed view: each field by its JSON pointer.
#include "reports/report_view.hpp"

#include "reports/json_reader.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;
using Node = JsonReader;


int report_format(const Node& root) {
  if (!root.has("report_format")) return 0;
  const Node n = root.at("report_format");
  const bool whole = n.value().is_number_unsigned() || (n.value().is_number_integer() && n.value().get<std::int64_t>() >= 0);
  if (!whole) throw ReportError(n.pointer(), "expected a non-negative integer");
  const std::uint64_t format = n.value().get<std::uint64_t>();
  if (format > static_cast<std::uint64_t>(kReportFormat)) {
    throw ReportError(n.pointer(), "report_format " + std::to_string(format) + " is newer than this faultline reads (" +
                                       std::to_string(kReportFormat) + "); use the faultline that wrote it");
  }
  return static_cast<int>(format);
}

ScenarioView scenario_of(const Node& root) {
  const Node s = root.at("scenario");
  ScenarioView out;
  out.name = s.text("name");
  out.sha256 = s.text("sha256");
  if (s.has("description")) out.description = s.text("description");
  if (s.has("source")) out.source = s.text("source");
  return out;
}

std::map<std::string, double> numbers_of(const Node& object) {
  if (!object.value().is_object()) throw ReportError(object.pointer(), "expected an object");
  std::map<std::string, double> out;
  for (const auto& [key, value] : object.value().items()) {
    if (!value.is_number()) throw ReportError(object.pointer() + "/" + key, "expected a number");
    out[key] = value.get<double>();
  }
  return out;
}

ImpactView impact_of(const Node& i) {
  ImpactView out;
  out.threshold = i.number("threshold");
  out.below_s = i.number("below_99_s");
  out.longest_below_s = i.number("longest_below_99_s");
  out.longest_from = i.text_or_null("longest_from");
  for (const Node& f : i.items("failed_during_faults")) out.failed_during_faults.emplace_back(f.text("fault"), f.number("failed_requests"));
  return out;
}

EntityView entity_of(const Node& e, bool service) {
  EntityView out;
  out.name = e.text("name");
  out.availability = e.number("availability");
  out.totals = numbers_of(e.at("totals"));
  out.latency = numbers_of(e.at("latency"));
  for (const char* key : {"requests", "ok", "errors", "timeouts", "rejected", "unavailable", "retries"}) {
    if (!out.totals.count(key)) throw ReportError(e.pointer() + "/totals/" + key, "missing; expected a number");
  }
  for (const char* key : {"p50_ms", "p90_ms", "p99_ms", "p99_9_ms", "max_ms"}) {
    if (!out.latency.count(key)) throw ReportError(e.pointer() + "/latency/" + key, "missing; expected a number");
  }
  if (!service && e.has("impact")) out.impact = impact_of(e.at("impact"));
  if (service) {
    for (const char* key : {"breaker_opens", "ejections"}) {
      if (e.has(key)) out.extra[key] = e.number(key);
    }
  }
  return out;
}

FaultView fault_of(const Node& f) {
  FaultView out;
  out.name = f.text("name");
  if (f.has("kind")) out.kind = f.text("kind");
  if (f.has("start")) out.start = f.text_or_null("start");
  if (f.has("end")) out.end = f.text_or_null("end");
  if (f.has("failed_requests")) out.failed_requests = f.number_or_null("failed_requests");
  if (f.has("recovery")) {
    const Node r = f.at("recovery");
    out.has_recovery = true;
    out.recovered_after_s = r.number_or_null("recovered_after_s");
    out.min_availability = r.number_or_null("min_availability");
  }
  return out;
}

SweepEntityView sweep_entity_of(const Node& e) {
  SweepEntityView out;
  out.name = e.text("name");
  for (const auto& [key, value] : e.value().items()) {
    if (key == "name" || !value.is_object()) continue;
    const Node stats(value, e.pointer() + "/" + key);
    SweepStats s;
    s.median = stats.number_or_null("median");
    s.mean = stats.number_or_null("mean");
    if (s.mean) {
      s.stddev = stats.number("stddev");
      s.count = stats.number("count");
    }
    out.metrics.emplace_back(key, s);
  }
  return out;
}

}  // namespace

RunReportView read_run_report(const json& document) {
  const Node root(document, "");
  if (!document.is_object()) throw ReportError("", "expected a faultline run report (an object)");
  RunReportView out;
  out.report_format = report_format(root);
  out.faultline_version = root.text("faultline_version");
  if (root.has("mode")) out.mode = root.text("mode");
  out.scenario = scenario_of(root);
  out.seed = root.unsigned_number("seed");
  out.stop = root.text("stop");
  out.passed = root.boolean("passed");
  if (root.has("trace_hash")) out.trace_hash = root.text("trace_hash");
  for (const Node& a : root.items("assertions")) {
    AssertionView v;
    v.name = a.text("name");
    v.type = a.text("type");
    v.passed = a.boolean("passed");
    v.expected = a.text("expected");
    v.observed = a.text("observed");
    if (a.has("observed_value")) v.observed_value = a.number_or_null("observed_value");
    out.assertions.push_back(std::move(v));
  }
  for (const Node& c : root.items("clients")) out.clients.push_back(entity_of(c, false));
  for (const Node& s : root.items("services")) out.services.push_back(entity_of(s, true));
  for (const Node& f : root.items("faults")) out.faults.push_back(fault_of(f));
  return out;
}

SweepReportView read_sweep_report(const json& document) {
  const Node root(document, "");
  SweepReportView out;
  out.report_format = report_format(root);
  out.faultline_version = root.text("faultline_version");
  out.scenario = scenario_of(root);
  const Node seeds = root.at("seeds");
  out.first_seed = seeds.unsigned_number("first");
  out.last_seed = seeds.unsigned_number("last");
  out.runs = root.number("runs");
  for (const Node& a : root.items("assertions")) {
    AssertionView v;
    v.name = a.text("name");
    v.pass_ratio = a.number("pass_ratio");
    if (a.has("type")) v.type = a.text("type");
    if (a.has("expected")) v.expected = a.text("expected");
    out.assertions.push_back(std::move(v));
  }
  for (const Node& c : root.items("clients")) out.clients.push_back(sweep_entity_of(c));
  for (const Node& s : root.items("services")) out.services.push_back(sweep_entity_of(s));
  for (const Node& f : root.items("faults")) out.faults.push_back(sweep_entity_of(f));
  return out;
}

ReportView read_report_view(const json& document) {
  if (!document.is_object()) throw ReportError("", "expected a faultline run report or sweep report (an object)");
  ReportView view;
  const bool has_kind = document.contains("kind");
  if (has_kind && (!document["kind"].is_string() || document["kind"] != "faultline-sweep")) {
    throw ReportError("/kind", "expected \"faultline-sweep\" (or no kind, for a run report)");
  }
  view.sweep = has_kind;
  if (view.sweep) view.sweep_report = read_sweep_report(document);
  else view.run = read_run_report(document);
  return view;
}

}  // namespace faultline::reports
