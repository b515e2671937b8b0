// Inline SVG drawings for the HTML report: time-series line charts with fault windows and
// breaker transitions, the topology, and the fault/breaker timeline. No script, no network.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace faultline::reports::html {

enum class AxisUnit { per_second, ratio, milliseconds };

struct ChartSeries {
  std::string name;
  std::string color;
  std::vector<std::optional<double>> values;  // one per bucket; nullopt leaves a gap
  bool dashed = false;
  bool filled = false;  // a light area under the line
};

// A window of simulated time shaded behind the lines (a fault while it is active).
struct ChartBand {
  double start_s = 0;
  double end_s = 0;
  std::string color;
  std::string label;
  bool open_ended = false;  // the fault was never reverted
};

// A vertical mark at one instant (a breaker transition).
struct ChartMarker {
  double at_s = 0;
  std::string color;
  std::string label;
  bool dashed = false;
};

struct LineChart {
  std::string title;
  AxisUnit unit = AxisUnit::per_second;
  double bucket_s = 1;
  double end_s = 0;  // simulated duration
  std::vector<ChartSeries> series;
  std::vector<ChartBand> bands;
  std::vector<ChartMarker> markers;
  // Breaker states drawn as a thin strip above the plot: open (red) and half-open (amber).
  std::vector<ChartBand> breaker_spans;
};

std::string render_line_chart(const LineChart& chart);

// Clients and services in columns by call depth, with the calls between them as arrows.
// `report` supplies "topology" and the per-entity availability used to colour the boxes.
std::string render_topology(const nlohmann::ordered_json& report);

// A Gantt-style strip: faults, breaker open periods and instance outages over simulated time.
std::string render_timeline_strip(const nlohmann::ordered_json& report, const std::vector<std::string>& fault_colors);

// The colour of the fault at `index`, from a palette that reads on white.
const std::string& fault_color(std::size_t index);

// A tick step for a time axis of `span_s` seconds with about `ticks` intervals (15 s, 1 min, ...).
double nice_time_step(double span_s, int ticks);

// "12 ms", "40%", "300/s": a value in the chart's unit.
std::string axis_label(AxisUnit unit, double value, double step);

}  // namespace faultline::reports::html
