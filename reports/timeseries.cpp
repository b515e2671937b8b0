// Time-series export. Both formats come from the report's "timeseries" block, so they can be
// produced again from a saved report.
#include "reports/timeseries.hpp"

#include <cmath>
#include <algorithm>
#include <functional>
#include <vector>

#include "reports/format.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

struct Entity {
  const char* label;  // "client" or "service"
  const json* series;
};

std::vector<Entity> entities_of(const json& report) {
  std::vector<Entity> out;
  const json& ts = report["timeseries"];
  for (const json& c : ts["clients"]) out.push_back({"client", &c});
  for (const json& s : ts["services"]) out.push_back({"service", &s});
  return out;
}

double bucket_seconds(const json& report) { return report["timeseries"]["bucket_ms"].get<double>() / 1000.0; }

double bucket_seconds(const json& report);

// Buckets that started before the run ended (a run stopped early leaves later ones empty, and
// their end times would repeat the run's end).
std::size_t bucket_count(const json& report, const Entity& e) {
  const std::size_t stored = (*e.series)["requests"].size();
  const double width_s = bucket_seconds(report);
  const double end_s = report_seconds(report["simulated_until"]).value_or(0.0);
  if (!(width_s > 0)) return stored;
  const auto started = static_cast<std::size_t>(std::ceil(end_s / width_s - 1e-9));
  return std::min(stored, std::max<std::size_t>(started, 1));
}

double at(const json& array, std::size_t i) { return i < array.size() ? array[i].get<double>() : 0.0; }

// The simulated time at the end of bucket i, never past the end of the run.
double bucket_end(const json& report, std::size_t i) {
  const double end = report_seconds(report["simulated_until"]).value_or(0.0);
  const double t = static_cast<double>(i + 1) * bucket_seconds(report);
  return t < end ? t : end;
}

// Milliseconds with microsecond precision as seconds that print cleanly ("0.013271").
double seconds_of_ms(double ms) { return std::round(ms * 1000.0) / 1e6; }

// Latency exists only for buckets with at least one successful request; an empty bucket's
// stored 0 is not a measurement (charting it draws latency falling to zero in an outage).
bool has_latency(const json& s, std::size_t i) { return at(s["ok"], i) > 0; }

double failed_in(const json& s, std::size_t i) { return at(s["errors"], i) + at(s["timeouts"], i) + at(s["rejected"], i); }

// Failed share of the requests that completed in bucket i (0-1). Completions, not arrivals:
// a service counts an arrival when it comes and its failure when it happens, maybe a bucket later.
double error_ratio_in(const json& s, std::size_t i) {
  const double failed = failed_in(s, i), completed = at(s["ok"], i) + failed;
  return completed > 0 ? failed / completed : 0.0;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Label values escaped as OpenMetrics asks: backslash, double quote and newline.
std::string label_value(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string render_timeseries_csv(const json& report) {
  std::string out = "time,metric,labels,value\n";
  const double width_s = bucket_seconds(report);
  for (const Entity& e : entities_of(report)) {
    const json& s = *e.series;
    const std::string labels = csv_field(std::string(e.label) + "=" + s["name"].get<std::string>());
    const bool service = std::string(e.label) == "service";
    for (std::size_t i = 0; i < bucket_count(report, e); ++i) {
      const std::string time = number_text(bucket_end(report, i));
      auto row = [&](const char* metric, const std::string& value) {
        out += time + "," + metric + "," + labels + "," + value + "\n";
      };
      auto number_row = [&](const char* metric, double value) { row(metric, number_text(value)); };
      const double requests = at(s["requests"], i);
      number_row("requests", requests);
      number_row("ok", at(s["ok"], i));
      number_row("errors", at(s["errors"], i));
      number_row("timeouts", at(s["timeouts"], i));
      number_row("rejected", at(s["rejected"], i));
      number_row("throughput_per_s", width_s > 0 ? requests / width_s : 0.0);
      number_row("error_ratio", error_ratio_in(s, i));
      const bool latency = has_latency(s, i);
      row("p50_seconds", latency ? number_text(seconds_of_ms(at(s["p50_ms"], i))) : "");
      row("p99_seconds", latency ? number_text(seconds_of_ms(at(s["p99_ms"], i))) : "");
      number_row("in_flight", at(s["in_flight"], i));
      if (service) number_row("queue_depth", at(s["queue_depth"], i));
    }
  }
  return out;
}

namespace {

// The two text expositions differ in their headers, counter family names and timestamp units.
enum class Exposition { openmetrics, prometheus };

std::string render_exposition(const json& report, Exposition flavor) {
  const bool openmetrics = flavor == Exposition::openmetrics;
  std::string out;
  const std::vector<Entity> entities = entities_of(report);
  auto labels_of = [](const Entity& e) {
    return std::string(e.label) + "=\"" + label_value((*e.series)["name"].get<std::string>()) + "\"";
  };
  // OpenMetrics stamps samples in seconds; the Prometheus text format in integer milliseconds.
  auto stamp_of = [&](std::size_t i) {
    const double seconds = bucket_end(report, i);
    return " " + (openmetrics ? number_text(seconds) : number_text(std::round(seconds * 1000.0))) + "\n";
  };
  auto family = [&](const std::string& name, const char* type, const char* unit, const char* help) {
    // A Prometheus counter family is named as its samples are (with _total); OpenMetrics
    // names the family without it.
    const std::string declared = !openmetrics && std::string(type) == "counter" ? name + "_total" : name;
    const std::string type_line = "# TYPE " + declared + " " + type + "\n";
    const std::string help_line = "# HELP " + declared + " " + help + "\n";
    if (openmetrics) {
      out += type_line;
      if (unit[0] != '\0') out += "# UNIT " + declared + " " + unit + "\n";
      out += help_line;
    } else {
      out += help_line + type_line;
    }
  };
  // Counters are cumulative from the start of the run, as Prometheus counters are.
  family("faultline_requests", "counter", "", "Requests completed (clients) or answered (services), by outcome.");
  const char* outcomes[] = {"ok", "error", "timeout", "rejected"};
  const char* keys[] = {"ok", "errors", "timeouts", "rejected"};
  for (const Entity& e : entities) {
    for (int o = 0; o < 4; ++o) {
      double total = 0;
      for (std::size_t i = 0; i < bucket_count(report, e); ++i) {
        total += at((*e.series)[keys[o]], i);
        out += "faultline_requests_total{" + labels_of(e) + ",outcome=\"" + outcomes[o] + "\"} " + number_text(total) +
               stamp_of(i);
      }
    }
  }
  family("faultline_request_duration_seconds", "summary", "seconds",
         "Latency of successful requests in each bucket (clients end to end, services arrival to reply); NaN in a "
         "bucket without one.");
  for (const Entity& e : entities) {
    const json& s = *e.series;
    for (std::size_t i = 0; i < bucket_count(report, e); ++i) {
      const bool latency = has_latency(s, i);
      const std::string p50 = latency ? number_text(seconds_of_ms(at(s["p50_ms"], i))) : "NaN";
      const std::string p99 = latency ? number_text(seconds_of_ms(at(s["p99_ms"], i))) : "NaN";
      out += "faultline_request_duration_seconds{" + labels_of(e) + ",quantile=\"0.5\"} " + p50 + stamp_of(i);
      out += "faultline_request_duration_seconds{" + labels_of(e) + ",quantile=\"0.99\"} " + p99 + stamp_of(i);
    }
  }
  auto gauge = [&](const char* name, const char* unit, const char* help, bool services_only,
                   const std::function<double(const json&, std::size_t)>& value) {
    family(name, "gauge", unit, help);
    for (const Entity& e : entities) {
      if (services_only && std::string(e.label) != "service") continue;
      for (std::size_t i = 0; i < bucket_count(report, e); ++i) {
        out += std::string(name) + "{" + labels_of(e) + "} " + number_text(value(*e.series, i)) + stamp_of(i);
      }
    }
  };
  const double width_s = bucket_seconds(report);
  gauge("faultline_throughput_requests_per_second", "", "Requests completed per second in each bucket.", false,
        [&](const json& s, std::size_t i) { return width_s > 0 ? at(s["requests"], i) / width_s : 0.0; });
  gauge("faultline_error_ratio", "ratio", "Share (0-1) of the requests completed in each bucket that failed.", false,
        [](const json& s, std::size_t i) { return error_ratio_in(s, i); });
  gauge("faultline_in_flight_requests", "", "Requests outstanding at the end of each bucket.", false,
        [](const json& s, std::size_t i) { return at(s["in_flight"], i); });
  gauge("faultline_queue_depth_requests", "", "Requests queued over all instances of a service at the end of each bucket.",
        true, [](const json& s, std::size_t i) { return at(s["queue_depth"], i); });
  if (openmetrics) out += "# EOF\n";
  return out;
}

}  // namespace

std::string render_openmetrics(const json& report) { return render_exposition(report, Exposition::openmetrics); }

std::string render_prometheus(const json& report) { return render_exposition(report, Exposition::prometheus); }

std::string render_timeseries(const json& report, MetricsFormat format) {
  switch (format) {
    case MetricsFormat::csv: return render_timeseries_csv(report);
    case MetricsFormat::openmetrics: return render_openmetrics(report);
    case MetricsFormat::prometheus: return render_prometheus(report);
  }
  return {};
}

}  // namespace faultline::reports
