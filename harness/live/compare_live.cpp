// Prediction against measurement (see harness/live/compare_live.hpp).
#include "harness/live/compare_live.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace faultline::live {
namespace {

using Json = nlohmann::ordered_json;

struct Row {
  std::string subject;
  std::string metric;
  std::string predicted;
  std::string measured;
  std::string delta;
  bool beyond = false;
};

std::string number(double value, const char* unit, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f%s", decimals, value, unit);
  return text;
}

double availability_of(const Json& entity) {
  const Json& t = entity.at("totals");
  const double ok = t.at("ok").get<double>();
  const double answered = ok + t.at("errors").get<double>() + t.at("timeouts").get<double>() +
                          t.at("rejected").get<double>() + t.at("unavailable").get<double>();
  return answered == 0 ? 1.0 : ok / answered;
}

void add_relative(std::vector<Row>& rows, const std::string& subject, const std::string& metric, double sim, double live,
                  const char* unit, double floor, const CalibrationTolerance& tolerance) {
  Row row{subject, metric, number(sim, unit, 3), number(live, unit, 3), "", false};
  const double diff = live - sim;
  const double relative = sim != 0 ? diff / std::fabs(sim) : (diff == 0 ? 0.0 : INFINITY);
  row.delta = (diff >= 0 ? "+" : "") + number(diff, unit, 3) +
              (std::isfinite(relative) ? " (" + std::string(relative >= 0 ? "+" : "") + number(relative * 100, "%", 1) + ")" : "");
  row.beyond = std::fabs(diff) > floor && std::fabs(diff) > tolerance.relative * std::fabs(sim);
  rows.push_back(std::move(row));
}

// Combined availability of the clients in each time-series bucket (-1: no request ended in it).
std::vector<double> bucket_availability(const Json& report) {
  std::vector<double> ok, all;
  for (const Json& c : report.at("timeseries").at("clients")) {
    const Json& requests = c.at("requests");
    const Json& oks = c.at("ok");
    if (ok.size() < requests.size()) {
      ok.resize(requests.size(), 0.0);
      all.resize(requests.size(), 0.0);
    }
    for (std::size_t b = 0; b < requests.size(); ++b) {
      all[b] += requests[b].get<double>();
      ok[b] += oks.at(b).get<double>();
    }
  }
  std::vector<double> out(all.size());
  for (std::size_t b = 0; b < all.size(); ++b) out[b] = all[b] == 0 ? -1.0 : ok[b] / all[b];
  return out;
}

double seconds_of(const Json& instant) {
  return instant.is_string() ? std::stod(instant.get<std::string>()) : instant.get<double>();
}

// For a fault with an end: how long after its start the users stopped seeing it while it was
// still active (the callers' detection: health checks ejecting, breakers opening, retries
// going elsewhere), to the start of the first bucket back at or above kUnimpaired after the
// first bucket below it. Negative when it never impaired them; NaN when they saw it to its end.
constexpr double kUnimpaired = 0.99;

double impact_ended_after(const Json& report, const Json& fault) {
  const double bucket_s = report.at("timeseries").at("bucket_ms").get<double>() / 1000.0;
  const double start = seconds_of(fault.at("start"));
  const double end = seconds_of(fault.at("end"));
  const std::vector<double> availability = bucket_availability(report);
  const auto first = static_cast<std::size_t>(start / bucket_s);
  const auto last = std::min(availability.size(), static_cast<std::size_t>(std::ceil(end / bucket_s)));
  bool impaired = false;
  for (std::size_t b = first; b < last; ++b) {
    const double a = availability[b];
    if (!impaired) {
      impaired = a >= 0 && a < kUnimpaired;
    } else if (a < 0 || a >= kUnimpaired) {
      return std::max(0.0, static_cast<double>(b) * bucket_s - start);
    }
  }
  return impaired ? NAN : -1.0;
}

// One row per client: availability, failed requests and the latency percentiles.
void add_client_rows(std::vector<Row>& rows, const Json& sim, const Json& live, const CalibrationTolerance& tolerance) {
  const Json& sim_clients = sim.at("clients");
  const Json& live_clients = live.at("clients");
  for (std::size_t c = 0; c < sim_clients.size() && c < live_clients.size(); ++c) {
    const std::string name = "client " + sim_clients[c].at("name").get<std::string>();
    const double a_sim = availability_of(sim_clients[c]) * 100, a_live = availability_of(live_clients[c]) * 100;
    Row row{name, "availability", number(a_sim, "%", 3), number(a_live, "%", 3),
            (a_live - a_sim >= 0 ? "+" : "") + number(a_live - a_sim, " pp", 3), std::fabs(a_live - a_sim) > tolerance.availability_points};
    rows.push_back(std::move(row));
    const Json& t_sim = sim_clients[c].at("totals");
    const Json& t_live = live_clients[c].at("totals");
    const double failed_sim = t_sim.at("requests").get<double>() - t_sim.at("ok").get<double>();
    const double failed_live = t_live.at("requests").get<double>() - t_live.at("ok").get<double>();
    add_relative(rows, name, "failed requests", failed_sim, failed_live, "", 2.0, tolerance);
    for (const char* p : {"p50_ms", "p90_ms", "p99_ms"}) {
      add_relative(rows, name, std::string(p).substr(0, 3) + " latency", sim_clients[c].at("latency").at(p).get<double>(),
                   live_clients[c].at("latency").at(p).get<double>(), " ms", tolerance.absolute_ms, tolerance);
    }
  }
}

// How long after a fault's start the users stopped seeing it, predicted against measured.
void add_impact_row(std::vector<Row>& rows, const std::string& name, const Json& sim, const Json& live,
                    const Json& sim_fault, const Json& live_fault, const CalibrationTolerance& tolerance) {
  const double d_sim = impact_ended_after(sim, sim_fault);
  const double d_live = impact_ended_after(live, live_fault);
  auto text = [](double d) { return std::isnan(d) ? std::string("not while active") : d < 0 ? std::string("no impact") : number(d, " s", 3); };
  if (d_sim >= 0 && d_live >= 0) {  // NaN compares false: both are times here
    add_relative(rows, name, "impact ended after", d_sim, d_live, " s", tolerance.absolute_ms / 1000.0 + 1e-9, tolerance);
  } else if (std::isnan(d_sim) && std::isnan(d_live)) {
    rows.push_back({name, "impact ended after", text(d_sim), text(d_live), "", false});
  } else if (!(d_sim < 0 && d_live < 0)) {  // one impaired the users, the other did not or differently
    rows.push_back({name, "impact ended after", text(d_sim), text(d_live), "differs", true});
  }
}

// One group of rows per fault: recovery, when the impact ended, the lowest availability.
void add_fault_rows(std::vector<Row>& rows, const Json& sim, const Json& live, const CalibrationTolerance& tolerance) {
  const Json& sim_faults = sim.at("faults");
  const Json& live_faults = live.at("faults");
  for (std::size_t f = 0; f < sim_faults.size() && f < live_faults.size(); ++f) {
    const std::string name = "fault " + sim_faults[f].at("name").get<std::string>();
    const Json& r_sim = sim_faults[f].at("recovery");
    const Json& r_live = live_faults[f].at("recovery");
    if (r_sim.at("recovered_after_s").is_number() && r_live.at("recovered_after_s").is_number()) {
      add_relative(rows, name, "recovered after", r_sim["recovered_after_s"].get<double>(),
                   r_live["recovered_after_s"].get<double>(), " s", tolerance.absolute_ms / 1000.0 + 1e-9, tolerance);
    } else if (!r_sim.at("recovered_after_s").is_null() || !r_live.at("recovered_after_s").is_null()) {
      rows.push_back({name, "recovered after", r_sim.at("recovered_after_s").dump(), r_live.at("recovered_after_s").dump(),
                      "one never recovered", true});
    }
    if (!sim_faults[f].at("end").is_null() && !live_faults[f].at("end").is_null()) {
      add_impact_row(rows, name, sim, live, sim_faults[f], live_faults[f], tolerance);
    }
    if (r_sim.at("min_availability").is_number() && r_live.at("min_availability").is_number()) {
      const double s = r_sim["min_availability"].get<double>() * 100, l = r_live["min_availability"].get<double>() * 100;
      rows.push_back({name, "lowest availability", number(s, "%", 3), number(l, "%", 3),
                      (l - s >= 0 ? "+" : "") + number(l - s, " pp", 3),
                      std::fabs(l - s) > std::max(tolerance.availability_points, tolerance.relative * 100)});
    }
  }
}

// Breaker openings are observable live for the clients' own breakers only.
void add_breaker_rows(std::vector<Row>& rows, const Json& sim, const Json& live, const CalibrationTolerance& tolerance) {
  for (const Json& b : live.at("breakers")) {
    double predicted = 0;
    for (const Json& s : sim.at("breakers")) {
      if (s.at("name") == b.at("name")) predicted = s.at("opens").get<double>();
    }
    add_relative(rows, "breaker " + b.at("name").get<std::string>(), "openings", predicted, b.at("opens").get<double>(), "",
                 0.0, tolerance);
  }
}

// The rows as an aligned table, the ones beyond the tolerance marked.
std::string table_of(const std::vector<Row>& rows) {
  std::size_t widths[5] = {7, 6, 9, 8, 5};
  for (const Row& r : rows) {
    widths[0] = std::max(widths[0], r.subject.size());
    widths[1] = std::max(widths[1], r.metric.size());
    widths[2] = std::max(widths[2], r.predicted.size());
    widths[3] = std::max(widths[3], r.measured.size());
    widths[4] = std::max(widths[4], r.delta.size());
  }
  auto line = [&](const std::string& a, const std::string& b, const std::string& c, const std::string& d,
                  const std::string& e, const std::string& mark) {
    char text[512];
    std::snprintf(text, sizeof text, "%-*s  %-*s  %*s  %*s  %*s  %s\n", static_cast<int>(widths[0]), a.c_str(),
                  static_cast<int>(widths[1]), b.c_str(), static_cast<int>(widths[2]), c.c_str(), static_cast<int>(widths[3]),
                  d.c_str(), static_cast<int>(widths[4]), e.c_str(), mark.c_str());
    return std::string(text);
  };
  std::string out = line("subject", "metric", "predicted", "measured", "delta", "");
  for (const Row& r : rows) out += line(r.subject, r.metric, r.predicted, r.measured, r.delta, r.beyond ? "BEYOND TOLERANCE" : "");
  return out;
}

// The comparison's text: what was compared, the table, and the plain statement at its end.
Calibration render_calibration(const std::vector<Row>& rows, const Json& sim, const Json& live,
                               const CalibrationTolerance& tolerance) {
  Calibration out;
  out.text = "prediction (simulated, seed " + sim.at("seed").dump() + ") against measurement (live, " +
             live.at("live").at("started_at").get<std::string>() + " on " + live.at("live").at("host").get<std::string>() + ")\n";
  out.text += "tolerance: " + number(tolerance.relative * 100, "%", 1) + " relative (latency, times, counts), " +
              number(tolerance.availability_points, " percentage points", 2) + " for availability\n\n";
  out.text += table_of(rows);
  std::string beyond;
  for (const Row& r : rows) {
    if (!r.beyond) continue;
    ++out.differences;
    beyond += "\n  - " + r.subject + " " + r.metric + ": predicted " + r.predicted + ", measured " + r.measured;
  }
  if (live.at("live").at("generator").at("bottleneck").get<bool>()) {
    out.text += "\nNote: the live load generator fell behind its schedule; measured latencies include its own delay.\n";
  }
  if (out.differences == 0) {
    out.text += "\nThe model and reality agree within the tolerance on all " + std::to_string(rows.size()) + " compared figures.\n";
  } else {
    out.text += "\nThe model and reality differ beyond the tolerance on " + std::to_string(out.differences) + " of " +
                std::to_string(rows.size()) + " figures:" + beyond + "\nCalibrate the scenario (service times, network, policies) where they differ.\n";
  }
  return out;
}

}  // namespace

Calibration compare_sim_live(const Json& first, const Json& second, const CalibrationTolerance& tolerance) {
  const bool first_live = first.value("mode", "") == "live";
  const bool second_live = second.value("mode", "") == "live";
  if (first_live == second_live) throw std::invalid_argument("expected one simulated and one live report");
  const Json& sim = first_live ? second : first;
  const Json& live = first_live ? first : second;
  if (sim.at("scenario").at("sha256") != live.at("scenario").at("sha256")) {
    throw std::invalid_argument("the reports are of different scenarios (scenario.sha256 differs)");
  }
  std::vector<Row> rows;
  add_client_rows(rows, sim, live, tolerance);
  add_fault_rows(rows, sim, live, tolerance);
  add_breaker_rows(rows, sim, live, tolerance);
  return render_calibration(rows, sim, live, tolerance);
}

}  // namespace faultline::live
