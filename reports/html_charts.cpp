// Line charts as inline SVG. Coordinates are in a fixed viewBox; the page scales the SVG to
// its column width. Numbers are printed with one decimal so the file stays small and stable.
#include "reports/html_charts.hpp"

#include <algorithm>
#include <cmath>

#include "reports/format.hpp"

namespace faultline::reports::html {
namespace {

constexpr double kWidth = 400, kHeight = 210;
constexpr double kLeft = 52, kRight = 12, kTop = 34, kBottom = 26;

std::string px(double v) { return fixed(v, 1); }

// A "nice" step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` intervals.
double nice_step(double span, int ticks) {
  if (!(span > 0)) return 1;
  const double raw = span / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / magnitude;
  const double nice = r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10;
  return nice * magnitude;
}

int decimals_for(double step) {
  int decimals = 0;
  while (decimals < 6 && std::fabs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-9) {
    ++decimals;
  }
  return decimals;
}

std::string trimmed(double value, int decimals) {
  std::string text = fixed(value, decimals);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

std::string time_label(double seconds, double step) {
  if (step >= 1) return seconds_text_short(seconds);
  return trimmed(seconds, decimals_for(step)) + "s";
}

const std::string kPalette[] = {"#e16f24", "#8250df", "#bf3989", "#0a7ea4", "#9a6700", "#57606a", "#1a7f37", "#cf222e"};

}  // namespace

const std::string& fault_color(std::size_t index) { return kPalette[index % std::size(kPalette)]; }

double nice_time_step(double span_s, int ticks) {
  // Steps a clock reads well: 1-2-5 below a second, then 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10,
  // 15, 30 min, 1, 2, 3, 6, 12 h.
  static constexpr double kSteps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200};
  const double raw = span_s / ticks;
  if (raw < 1) return nice_step(span_s, ticks);
  for (const double step : kSteps) {
    if (step >= raw) return step;
  }
  return std::ceil(raw / 86400.0) * 86400.0;
}

std::string axis_label(AxisUnit unit, double value, double step) {
  switch (unit) {
    case AxisUnit::per_second: return trimmed(value, decimals_for(step)) + "/s";
    case AxisUnit::ratio: return trimmed(value * 100.0, decimals_for(step * 100.0)) + "%";
    case AxisUnit::milliseconds:
      if (step >= 1000) return trimmed(value / 1000.0, decimals_for(step / 1000.0)) + " s";
      if (step < 1) return trimmed(value * 1000.0, decimals_for(step * 1000.0)) + " µs";
      return trimmed(value, decimals_for(step)) + " ms";
  }
  return "";
}

namespace {

// The plot area of a chart and its scales: time on x, the unit's values on y from 0 to y_top.
struct ChartFrame {
  double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  double end_s = 1;
  double y_step = 1, y_top = 1;

  double x_of(double t) const { return kLeft + std::clamp(t / end_s, 0.0, 1.0) * plot_w; }
  double y_of(double v) const { return kTop + plot_h - std::clamp(v / y_top, 0.0, 1.0) * plot_h; }
};

ChartFrame chart_frame(const LineChart& chart) {
  ChartFrame f;
  f.end_s = chart.end_s > 0 ? chart.end_s : 1;
  double max_value = 0;
  for (const ChartSeries& s : chart.series) {
    for (const auto& v : s.values) {
      if (v) max_value = std::max(max_value, *v);
    }
  }
  if (chart.unit == AxisUnit::ratio) max_value = std::max(max_value, 0.01);
  if (!(max_value > 0)) max_value = 1;
  f.y_step = nice_step(max_value, 4);
  f.y_top = std::ceil(max_value / f.y_step - 1e-9) * f.y_step;
  if (chart.unit == AxisUnit::ratio) f.y_top = std::min(f.y_top, 1.0);
  if (f.y_top < max_value) f.y_top = max_value;
  return f;
}

// The legend, right-aligned on the title line.
std::string legend_svg(const LineChart& chart) {
  std::string out;
  double legend_x = kWidth - kRight;
  for (auto it = chart.series.rbegin(); it != chart.series.rend(); ++it) {
    const double text_w = 6.0 * static_cast<double>(it->name.size());
    legend_x -= text_w;
    out += "<text class=\"lg\" x=\"" + px(legend_x) + "\" y=\"14\">" + xml_escape(it->name) + "</text>";
    legend_x -= 16;
    out += "<line x1=\"" + px(legend_x) + "\" y1=\"10\" x2=\"" + px(legend_x + 11) + "\" y2=\"10\" stroke=\"" + it->color +
           "\" stroke-width=\"2.5\"" + (it->dashed ? " stroke-dasharray=\"3 2\"" : "") + "/>";
    legend_x -= 10;
  }
  return out + "\n";
}

// Fault windows, drawn behind everything.
std::string bands_svg(const LineChart& chart, const ChartFrame& f) {
  std::string out;
  for (const ChartBand& band : chart.bands) {
    const double x0 = f.x_of(band.start_s), x1 = f.x_of(band.end_s);
    out += "<rect class=\"band\" x=\"" + px(x0) + "\" y=\"" + px(kTop) + "\" width=\"" + px(std::max(1.0, x1 - x0)) +
           "\" height=\"" + px(f.plot_h) + "\" fill=\"" + band.color + "\" fill-opacity=\"" + (band.open_ended ? "0.08" : "0.14") +
           "\"><title>" + xml_escape(band.label) + "</title></rect>\n";
    out += "<line x1=\"" + px(x0) + "\" y1=\"" + px(kTop) + "\" x2=\"" + px(x0) + "\" y2=\"" + px(kTop + f.plot_h) +
           "\" stroke=\"" + band.color + "\" stroke-opacity=\"0.55\" stroke-width=\"1\"/>\n";
  }
  return out;
}

// Grid lines with the value labels, time ticks and the x axis.
std::string axes_svg(const LineChart& chart, const ChartFrame& f) {
  std::string out;
  for (double v = 0; v <= f.y_top + f.y_step * 1e-6; v += f.y_step) {
    const double y = f.y_of(v);
    out += "<line class=\"grid\" x1=\"" + px(kLeft) + "\" y1=\"" + px(y) + "\" x2=\"" + px(kLeft + f.plot_w) + "\" y2=\"" +
           px(y) + "\"/><text class=\"ay\" x=\"" + px(kLeft - 6) + "\" y=\"" + px(y + 3.5) + "\">" +
           xml_escape(axis_label(chart.unit, v, f.y_step)) + "</text>\n";
  }
  const double x_step = nice_time_step(f.end_s, 6);
  for (double t = 0; t <= f.end_s + x_step * 1e-6; t += x_step) {
    const double x = f.x_of(t);
    out += "<line class=\"tick\" x1=\"" + px(x) + "\" y1=\"" + px(kTop + f.plot_h) + "\" x2=\"" + px(x) + "\" y2=\"" +
           px(kTop + f.plot_h + 4) + "\"/><text class=\"ax\" x=\"" + px(x) + "\" y=\"" + px(kTop + f.plot_h + 16) + "\">" +
           time_label(t, x_step) + "</text>\n";
  }
  out += "<line class=\"axis\" x1=\"" + px(kLeft) + "\" y1=\"" + px(kTop + f.plot_h) + "\" x2=\"" + px(kLeft + f.plot_w) +
         "\" y2=\"" + px(kTop + f.plot_h) + "\"/>\n";
  return out;
}

// One series: one path per unbroken run of values (and the area under it when filled).
std::string series_svg(const ChartSeries& s, const LineChart& chart, const ChartFrame& f) {
  std::string line, area;
  std::string run_line;
  double run_first_x = 0, run_last_x = 0;
  auto close_run = [&]() {
    if (run_line.empty()) return;
    line += run_line;
    if (s.filled) {
      area += run_line + "L" + px(run_last_x) + " " + px(kTop + f.plot_h) + "L" + px(run_first_x) + " " + px(kTop + f.plot_h) + "Z";
    }
    run_line.clear();
  };
  for (std::size_t i = 0; i < s.values.size(); ++i) {
    if (!s.values[i]) {
      close_run();
      continue;
    }
    const double t = std::min((static_cast<double>(i) + 0.5) * chart.bucket_s, f.end_s);
    const double x = f.x_of(t), y = f.y_of(*s.values[i]);
    if (run_line.empty()) run_first_x = x;
    run_line += (run_line.empty() ? "M" : "L") + px(x) + " " + px(y);
    run_last_x = x;
  }
  close_run();
  std::string out;
  if (!area.empty()) out += "<path d=\"" + area + "\" fill=\"" + s.color + "\" fill-opacity=\"0.10\" stroke=\"none\"/>\n";
  if (!line.empty()) {
    out += "<path d=\"" + line + "\" fill=\"none\" stroke=\"" + s.color +
           "\" stroke-width=\"1.6\" stroke-linejoin=\"round\" stroke-linecap=\"round\"" +
           (s.dashed ? " stroke-dasharray=\"4 3\"" : "") + "><title>" + xml_escape(s.name) + "</title></path>\n";
  }
  return out;
}

// Breaker states in a strip above the plot, so that many transitions never hide the lines;
// each opening is also a faint line through the plot (a marker).
std::string breakers_and_markers_svg(const LineChart& chart, const ChartFrame& f) {
  std::string out;
  if (!chart.breaker_spans.empty()) {
    out += "<rect x=\"" + px(kLeft) + "\" y=\"" + px(kTop - 9) + "\" width=\"" + px(f.plot_w) + "\" height=\"5\" fill=\"#eaeef2\"/>\n";
    for (const ChartBand& span : chart.breaker_spans) {
      const double x0 = f.x_of(span.start_s), x1 = f.x_of(span.end_s);
      out += "<rect class=\"bs\" x=\"" + px(x0) + "\" y=\"" + px(kTop - 9) + "\" width=\"" + px(std::max(1.0, x1 - x0)) +
             "\" height=\"5\" fill=\"" + span.color + "\"><title>" + xml_escape(span.label) + "</title></rect>\n";
    }
  }
  for (const ChartMarker& m : chart.markers) {
    const double x = f.x_of(m.at_s);
    out += "<line class=\"mk\" x1=\"" + px(x) + "\" y1=\"" + px(kTop) + "\" x2=\"" + px(x) + "\" y2=\"" + px(kTop + f.plot_h) +
           "\" stroke=\"" + m.color + "\" stroke-width=\"1\" stroke-opacity=\"0.45\"" + (m.dashed ? " stroke-dasharray=\"3 3\"" : "") +
           "><title>" + xml_escape(m.label) + "</title></line>\n";
  }
  return out;
}

}  // namespace

std::string render_line_chart(const LineChart& chart) {
  const ChartFrame frame = chart_frame(chart);
  std::string out = "<svg class=\"chart\" viewBox=\"0 0 " + px(kWidth) + " " + px(kHeight) +
                    "\" role=\"img\" aria-label=\"" + xml_escape(chart.title) + "\">\n";
  out += "<text class=\"ct\" x=\"" + px(kLeft) + "\" y=\"14\">" + xml_escape(chart.title) + "</text>\n";
  out += legend_svg(chart);
  out += bands_svg(chart, frame);
  out += axes_svg(chart, frame);
  for (const ChartSeries& s : chart.series) out += series_svg(s, chart, frame);
  out += breakers_and_markers_svg(chart, frame);
  out += "</svg>\n";
  return out;
}

}  // namespace faultline::reports::html
