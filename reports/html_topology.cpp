// The topology drawing and the fault/breaker/instance timeline strip of the HTML report.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

#include "reports/analysis/measures.hpp"
#include "reports/format.hpp"
#include "reports/html_charts.hpp"

namespace faultline::reports::html {
namespace {

using json = nlohmann::ordered_json;

std::string px(double v) { return fixed(v, 1); }

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

// Green, amber or red by availability, the same thresholds as the tables use.
std::string health_color(std::optional<double> availability) {
  if (!availability) return "#8c959f";
  if (*availability >= 0.999) return "#1a7f37";
  if (*availability >= 0.99) return "#9a6700";
  return "#cf222e";
}

std::optional<double> availability_of(const json& report, const char* list, const std::string& name) {
  for (const json& e : report[list]) {
    if (e["name"] == name) return json_number(e["availability"]);
  }
  return std::nullopt;
}

// Two short lines describing a call policy: the timeout, then attempts and breaker.
std::pair<std::string, std::string> policy_text(const json& policy) {
  std::pair<std::string, std::string> out;
  const double timeout_ms = policy.value("timeout_ms", 0.0);
  out.first = timeout_ms > 0 ? "timeout " + latency_text(timeout_ms) : "no timeout";
  const auto attempts = policy.value("max_attempts", 1u);
  if (attempts > 1) out.second = std::to_string(attempts) + " attempts";
  if (policy.value("breaker", false)) out.second += std::string(out.second.empty() ? "" : " · ") + "breaker";
  return out;
}

// At most `width` characters (code points), with an ellipsis when cut; the full text is in a tooltip.
// What the caller saw on one arrow (all call sites from `caller` to `callee` together): the share
// of attempts that succeeded, and what never reached the callee. Empty for a report without
// call_sites (older reports).
struct EdgeFigures {
  std::string line;     // drawn under the policy
  std::string tooltip;  // every counter
};

EdgeFigures edge_figures(const json& report, const std::string& caller, const std::string& callee) {
  if (!report.contains("call_sites")) return {};
  std::uint64_t attempts = 0, ok = 0, error = 0, timeout = 0, unavailable = 0, short_circuited = 0, shed = 0,
                retries = 0, opens = 0, refused = 0;
  bool refused_present = false;  // a policy of the call names connection_refused
  // Counters of features off by default, present where a feature is on.
  static constexpr const char* kOptional[] = {"degraded", "fallbacks", "hedged", "rate_limited", "throttled",
                                              "bulkhead_full", "cancelled", "deadline_exceeded"};
  std::uint64_t optional[std::size(kOptional)] = {};
  bool present[std::size(kOptional)] = {};
  constexpr std::size_t kOnTheLine = 2;  // degraded and fallbacks are drawn under the policy too
  for (const json& site : report["call_sites"]) {
    if (site["caller"] != caller || site["callee"] != callee) continue;
    attempts += site["attempts"].get<std::uint64_t>();
    ok += site["ok"].get<std::uint64_t>();
    error += site["failed"]["error"].get<std::uint64_t>();
    if (site["failed"].contains("connection_refused")) {
      refused_present = true;
      refused += site["failed"]["connection_refused"].get<std::uint64_t>();
    }
    timeout += site["failed"]["timeout"].get<std::uint64_t>();
    unavailable += site["failed"]["unavailable"].get<std::uint64_t>();
    short_circuited += site["short_circuited"].get<std::uint64_t>();
    shed += site["shed"].get<std::uint64_t>();
    retries += site["retries"].get<std::uint64_t>();
    opens += site["breaker_opens"].get<std::uint64_t>();
    for (std::size_t k = 0; k < std::size(kOptional); ++k) {
      if (!site.contains(kOptional[k])) continue;
      present[k] = true;
      optional[k] += site[kOptional[k]].get<std::uint64_t>();
    }
  }
  if (attempts == 0) return {};
  EdgeFigures out;
  out.line = fixed(100.0 * static_cast<double>(ok) / static_cast<double>(attempts), 1) + "% ok";
  if (short_circuited > 0) out.line += " · " + std::to_string(short_circuited) + " short-circuited";
  if (shed > 0) out.line += " · " + std::to_string(shed) + " shed";
  for (std::size_t k = 0; k < std::size(kOptional); ++k) {
    if (k < kOnTheLine && optional[k] > 0) out.line += " · " + std::to_string(optional[k]) + " " + kOptional[k];
  }
  out.tooltip = caller + " → " + callee + " (caller's side): " + std::to_string(attempts) + " attempts, " +
                std::to_string(ok) + " ok, " + std::to_string(error) + " error" +
                (refused_present ? " (" + std::to_string(refused) + " refused connections)" : std::string()) + ", " +
                std::to_string(timeout) +
                " timeout, " + std::to_string(unavailable) + " unavailable, " + std::to_string(short_circuited) +
                " short-circuited, " + std::to_string(shed) + " shed, " + std::to_string(retries) + " retries, " +
                std::to_string(opens) + " breaker openings";
  for (std::size_t k = 0; k < std::size(kOptional); ++k) {
    if (present[k]) out.tooltip += ", " + std::to_string(optional[k]) + " " + kOptional[k];
  }
  return out;
}

std::string fit(const std::string& text, std::size_t width) {
  std::size_t count = 0, cut = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (count == width - 1) cut = i;
    ++count;
  }
  return count <= width ? text : text.substr(0, cut) + "…";
}

struct Box {
  std::string name, line2, line3, color;
  bool client = false;
  int column = 0, row = 0;
};

// Column of each service: its call depth (analysis::call_depths, as the GUI draws it).
std::vector<std::uint32_t> service_depths(const json& services) {
  std::map<std::string, std::size_t> service_index;
  for (std::size_t s = 0; s < services.size(); ++s) service_index[services[s]["name"].get<std::string>()] = s;
  std::vector<analysis::CallEdge> calls;
  for (std::size_t s = 0; s < services.size(); ++s) {
    for (const json& call : services[s]["calls"]) {
      const auto it = service_index.find(call["service"].get<std::string>());
      if (it != service_index.end()) calls.push_back({static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(it->second)});
    }
  }
  return analysis::call_depths(services.size(), calls);
}

Box client_box(const json& report, const json& c) {
  Box b;
  b.name = c["name"].get<std::string>();
  b.client = true;
  b.line2 = "client · zone " + text_of(c["zone"]);
  b.line3 = text_of(c["workload"]) == "closed_loop" ? text_of(c["users"]) + " users (closed loop)" : "open loop";
  b.color = health_color(availability_of(report, "clients", b.name));
  return b;
}

Box service_box(const json& report, const json& service) {
  Box b;
  b.name = service["name"].get<std::string>();
  std::uint64_t instances = 0;
  std::string zones;
  for (const json& g : service["placement"]) {
    instances += g["count"].get<std::uint64_t>();
    zones += (zones.empty() ? "" : " · ") + text_of(g["zone"]) + " ×" + text_of(g["count"]);
  }
  b.line2 = std::to_string(instances) + (instances == 1 ? " instance" : " instances") + " × " + text_of(service["workers"]) +
            " workers";
  b.line3 = zones;
  b.color = health_color(availability_of(report, "services", b.name));
  return b;
}

// Clients in the first column, each service in the column of its call depth, rows in order.
std::vector<Box> layout_boxes(const json& report) {
  const json& services = report["topology"]["services"];
  const std::vector<std::uint32_t> depth = service_depths(services);
  std::vector<Box> boxes;
  std::vector<int> rows_in_column(services.size() + 2, 0);
  for (const json& c : report["topology"]["clients"]) {
    boxes.push_back(client_box(report, c));
    boxes.back().row = rows_in_column[0]++;
  }
  for (std::size_t s = 0; s < services.size(); ++s) {
    boxes.push_back(service_box(report, services[s]));
    boxes.back().column = static_cast<int>(depth[s]);
    boxes.back().row = rows_in_column[depth[s]]++;
  }
  return boxes;
}

// The topology as SVG: arrows (with their policies and figures as labels, drawn after every
// arrow so no arrow crosses a label), then the boxes.
class TopologySvg {
 public:
  static constexpr double kBoxW = 200, kBoxH = 66, kColW = 330, kRowH = 92, kPad = 16;
  static constexpr std::size_t kMaxLabelledEdges = 24;

  TopologySvg(const json& report, const std::vector<Box>& boxes) : report_(report) {
    int columns = 1, rows = 1;
    for (const Box& b : boxes) {
      columns = std::max(columns, b.column + 1);
      rows = std::max(rows, b.row + 1);
    }
    const double width = kPad * 2 + (columns - 1) * kColW + kBoxW;
    const double height = kPad * 2 + (rows - 1) * kRowH + kBoxH;
    out_ = "<svg class=\"topology\" viewBox=\"0 0 " + px(width) + " " + px(height) + "\" style=\"max-width:" + px(width) +
           "px\" role=\"img\" aria-label=\"topology\">\n";
    out_ += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
            "orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#6e7781\"/></marker></defs>\n";
  }

  void edge(const Box& from, const Box& to, std::pair<std::string, std::string> label) {
    const double x0 = box_x(from) + kBoxW, y0 = box_y(from) + kBoxH / 2;
    const double x1 = box_x(to) - 2, y1 = box_y(to) + kBoxH / 2;
    ++edges_;
    const double mid_x = (x0 + x1) / 2, mid_y = (y0 + y1) / 2;
    const EdgeFigures figures = edge_figures(report_, from.name, to.name);
    if (!figures.line.empty()) label.second += (label.second.empty() ? "" : " · ") + figures.line;
    out_ += "<path class=\"edge\" d=\"M" + px(x0) + " " + px(y0) + "C" + px(mid_x) + " " + px(y0) + " " + px(mid_x) + " " +
            px(y1) + " " + px(x1) + " " + px(y1) + "\" marker-end=\"url(#arrow)\">" +
            (figures.tooltip.empty() ? "" : "<title>" + xml_escape(figures.tooltip) + "</title>") + "</path>\n";
    // The label sits on the middle of the curve, over a white halo so the line does not cross it.
    const double label_y = mid_y - (label.second.empty() ? 6 : 18);
    labels_ += "<text class=\"el\" x=\"" + px(mid_x) + "\" y=\"" + px(label_y) + "\">" + xml_escape(label.first) + "</text>\n";
    if (!label.second.empty()) {
      labels_ += "<text class=\"el\" x=\"" + px(mid_x) + "\" y=\"" + px(label_y + 12) + "\">" + xml_escape(label.second) +
                 "</text>\n";
    }
  }

  // In a large mesh the labels would pile up over each other; the scenario has the policies.
  void labels() {
    if (edges_ <= kMaxLabelledEdges) out_ += labels_;
  }

  void node(const Box& b) {
    const double x = box_x(b), y = box_y(b);
    out_ += "<g class=\"node\"><rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(kBoxW) + "\" height=\"" +
            px(kBoxH) + "\" rx=\"8\" class=\"" + (b.client ? "nc" : "ns") + "\"/>";
    out_ += "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"5\" height=\"" + px(kBoxH) + "\" rx=\"2\" fill=\"" +
            b.color + "\"/>";
    out_ += "<text class=\"nn\" x=\"" + px(x + 16) + "\" y=\"" + px(y + 22) + "\">" + xml_escape(fit(b.name, 24)) + "</text>";
    out_ += "<text class=\"nd\" x=\"" + px(x + 16) + "\" y=\"" + px(y + 40) + "\">" + xml_escape(fit(b.line2, 30)) + "</text>";
    out_ += "<text class=\"nd\" x=\"" + px(x + 16) + "\" y=\"" + px(y + 56) + "\">" + xml_escape(fit(b.line3, 30)) +
            "</text><title>" + xml_escape(b.name + "\n" + b.line2 + "\n" + b.line3) + "</title></g>\n";
  }

  std::string finish() { return std::move(out_) + "</svg>\n"; }

 private:
  static double box_x(const Box& b) { return kPad + b.column * kColW; }
  static double box_y(const Box& b) { return kPad + b.row * kRowH; }

  const json& report_;
  std::string out_;
  std::string labels_;
  std::size_t edges_ = 0;
};

}  // namespace

std::string render_topology(const json& report) {
  if (!report.contains("topology")) return "<p class=\"muted\">This report has no topology (it predates it).</p>\n";
  const json& services = report["topology"]["services"];
  const json& clients = report["topology"]["clients"];
  const std::vector<Box> boxes = layout_boxes(report);
  std::map<std::string, const Box*> service_boxes;
  std::map<std::string, const Box*> client_boxes;
  for (const Box& b : boxes) (b.client ? client_boxes : service_boxes)[b.name] = &b;
  TopologySvg svg(report, boxes);
  for (const json& c : clients) {
    const auto to = service_boxes.find(c["service"].get<std::string>());
    if (to != service_boxes.end()) svg.edge(*client_boxes[c["name"].get<std::string>()], *to->second, policy_text(c["policy"]));
  }
  for (const json& s : services) {
    std::map<std::string, std::pair<std::string, std::string>> seen;  // one arrow per callee, whatever the operation
    for (const json& call : s["calls"]) {
      const std::string callee = call["service"].get<std::string>();
      if (seen.count(callee) != 0) continue;
      seen[callee] = policy_text(call["policy"]);
      const auto to = service_boxes.find(callee);
      if (to != service_boxes.end()) svg.edge(*service_boxes[s["name"].get<std::string>()], *to->second, seen[callee]);
    }
  }
  svg.labels();
  for (const Box& b : boxes) svg.node(b);
  return svg.finish();
}

namespace {

struct StripSegment {
  double start_s, end_s;
  std::string color, label;
  double opacity;
};
struct StripRow {
  std::string label;
  std::vector<StripSegment> segments;
};

// One row per fault: its window, closed at `restored` when its instances came back, faint when
// it never ended.
void add_fault_rows(std::vector<StripRow>& rows, const json& report, const std::vector<std::string>& fault_colors, double end_s) {
  const json& faults = report["faults"];
  for (std::size_t f = 0; f < faults.size(); ++f) {
    StripRow row{"fault " + text_of(faults[f]["name"]), {}};
    if (const auto start = report_seconds(faults[f]["start"])) {
      const auto end = report_seconds(faults[f]["end"]);
      const auto restored = faults[f].contains("restored") ? report_seconds(faults[f]["restored"]) : std::nullopt;
      const char* note = end ? "" : restored ? " (until its instances were back)" : " (never reverted)";
      row.segments.push_back({*start, end.value_or(restored.value_or(end_s)), fault_colors[f],
                              text_of(faults[f]["kind"]) + note, end || restored ? 0.85 : 0.45});
    }
    rows.push_back(std::move(row));
  }
}

// One row per breaker (at most kMaxBreakerRows): its open and half-open spans. Returns how many
// breakers were left out.
std::size_t add_breaker_rows(std::vector<StripRow>& rows, const json& report, double end_s) {
  constexpr std::size_t kMaxBreakerRows = 24;
  const std::size_t limit = rows.size() + kMaxBreakerRows;
  std::size_t hidden = 0;
  for (const json& b : report["breakers"]) {
    if (rows.size() >= limit) {
      ++hidden;
      continue;
    }
    StripRow row{"breaker " + text_of(b["name"]), {}};
    const json& transitions = b["transitions"];
    for (std::size_t i = 0; i < transitions.size(); ++i) {
      const std::string to = text_of(transitions[i]["to"]);
      if (to == "closed") continue;
      const double start = report_seconds(transitions[i]["at"]).value_or(0.0);
      const double end = i + 1 < transitions.size() ? report_seconds(transitions[i + 1]["at"]).value_or(end_s) : end_s;
      row.segments.push_back({start, end, to == "open" ? "#cf222e" : "#d4a72c", to, 0.9});
    }
    rows.push_back(std::move(row));
  }
  return hidden;
}

// Instances that left the "up" state, from the timeline: one row each, in order of their
// first return (then of the ones still down at the end, by name).
void add_outage_rows(std::vector<StripRow>& rows, const json& report, double end_s) {
  std::map<std::string, std::pair<double, std::string>> down_since;
  std::map<std::string, std::size_t> instance_row;
  auto row_of = [&](const std::string& name) -> StripRow& {
    std::size_t& r = instance_row[name];
    if (r == 0) {
      rows.push_back({"instance " + name, {}});
      r = rows.size();
    }
    return rows[r - 1];
  };
  for (const json& e : report["timeline"]) {
    if (e["kind"] != "instance") continue;
    const std::string name = text_of(e["instance"]), state = text_of(e["state"]);
    const double at = report_seconds(e["at"]).value_or(0.0);
    const auto open = down_since.find(name);
    if (open != down_since.end()) {
      row_of(name).segments.push_back({open->second.first, at, "#424a53", open->second.second, 0.75});
      down_since.erase(open);
    }
    if (state != "up") down_since[name] = {at, state};
  }
  for (const auto& [name, since] : down_since) row_of(name).segments.push_back({since.first, end_s, "#424a53", since.second, 0.75});
}

std::string strip_svg(const std::vector<StripRow>& rows, double end_s) {
  constexpr double kWidth = 1180, kLabelW = 250, kRight = 16, kRowH = 24, kTop = 6;
  const double plot_w = kWidth - kLabelW - kRight;
  const double height = kTop + rows.size() * kRowH + 26;
  auto x_of = [&](double t) { return kLabelW + std::clamp(t / end_s, 0.0, 1.0) * plot_w; };
  std::string out = "<svg class=\"strip\" viewBox=\"0 0 " + px(kWidth) + " " + px(height) +
                    "\" role=\"img\" aria-label=\"fault timeline\">\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = kTop + r * kRowH;
    if (r % 2 == 0) {
      out += "<rect x=\"0\" y=\"" + px(y) + "\" width=\"" + px(kWidth) + "\" height=\"" + px(kRowH) + "\" fill=\"#f6f8fa\"/>";
    }
    std::string label = rows[r].label;
    if (label.size() > 40) label = label.substr(0, 39) + "…";
    out += "<text class=\"rl\" x=\"8\" y=\"" + px(y + 16) + "\">" + xml_escape(label) + "</text>";
    for (const StripSegment& s : rows[r].segments) {
      const double x0 = x_of(s.start_s), x1 = x_of(s.end_s);
      out += "<rect x=\"" + px(x0) + "\" y=\"" + px(y + 5) + "\" width=\"" + px(std::max(2.0, x1 - x0)) +
             "\" height=\"" + px(kRowH - 10) + "\" rx=\"3\" fill=\"" + s.color + "\" fill-opacity=\"" + fixed(s.opacity, 2) +
             "\"><title>" + xml_escape(s.label + ": " + seconds_text_short(s.start_s) + " to " +
                                       seconds_text_short(s.end_s)) +
             "</title></rect>";
    }
    out += "\n";
  }
  const double axis_y = kTop + rows.size() * kRowH;
  out += "<line class=\"axis\" x1=\"" + px(kLabelW) + "\" y1=\"" + px(axis_y) + "\" x2=\"" + px(kLabelW + plot_w) +
         "\" y2=\"" + px(axis_y) + "\"/>\n";
  const double step = nice_time_step(end_s, 10);
  for (double t = 0; t <= end_s + step * 1e-6; t += step) {
    out += "<text class=\"ax\" x=\"" + px(x_of(t)) + "\" y=\"" + px(axis_y + 16) + "\">" + seconds_text_short(t) + "</text>";
  }
  out += "\n</svg>\n";
  return out;
}

}  // namespace

std::string render_timeline_strip(const json& report, const std::vector<std::string>& fault_colors) {
  const double end_s = std::max(report_seconds(report["simulated_until"]).value_or(0.0), 1e-9);
  std::vector<StripRow> rows;
  add_fault_rows(rows, report, fault_colors, end_s);
  const std::size_t hidden = add_breaker_rows(rows, report, end_s);
  add_outage_rows(rows, report, end_s);
  if (rows.empty()) return "<p class=\"muted\">No faults, breaker movements or instance outages.</p>\n";
  std::string out = strip_svg(rows, end_s);
  if (hidden > 0) {
    out += "<p class=\"muted\">" + std::to_string(hidden) + " more breakers moved; see the event table.</p>\n";
  }
  return out;
}

}  // namespace faultline::reports::html
