// The HTML run report. Layout: a header with the verdict, summary cards, the assertions, the
// charts per client and service, the timeline, the topology, the faults, and the scenario.
#include "reports/html.hpp"

#include <algorithm>

#include "reports/format.hpp"
#include "reports/live_account.hpp"
#include "reports/html_charts.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;
using html::AxisUnit;

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }
std::string esc(const std::string& text) { return xml_escape(text); }

const char* kStyle = R"css(
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:#fff;font:14px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","Liberation Sans",Helvetica,Arial,sans-serif}
header{background:#0d1b2a;color:#e6edf3;padding:22px 0 20px}
.wrap{max-width:1240px;margin:0 auto;padding:0 28px}
header .kicker{font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:#8fa3b8}
header h1{margin:4px 0 6px;font-size:26px;font-weight:650;display:flex;align-items:center;gap:14px}
header p{margin:0;color:#b6c3d1;max-width:980px}
.meta{margin-top:10px;font-size:12.5px;color:#8fa3b8}
.meta code{color:#c9d4df}
.badge{font-size:13px;font-weight:700;letter-spacing:.06em;padding:3px 10px;border-radius:999px;color:#fff}
.badge.pass{background:var(--ok)}.badge.fail{background:var(--bad)}
main{padding:8px 0 40px}
h2{font-size:18px;font-weight:650;margin:30px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:0;font-weight:650}
.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px;margin-top:18px}
.card{border:1px solid var(--line);border-radius:10px;padding:12px 14px;background:#fff}
.card .label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.card .value{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}
.card .sub{font-size:12.5px;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;background:var(--soft)}
td.num,th.num{text-align:right}
td.name{min-width:190px;font-weight:500}
tr.failed td{background:#fff5f5}
.pill{display:inline-block;font-size:12px;font-weight:700;padding:1px 8px;border-radius:999px}
.pill.pass{background:#dafbe1;color:#116329}.pill.fail{background:#ffebe9;color:#a40e26}
.good{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}
.worse{color:var(--bad);font-weight:600}.better{color:var(--ok);font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:12.5px;color:var(--muted);margin:6px 0 4px}
.legend span{display:inline-flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px}
.ln{display:inline-block;width:16px;height:0;border-top:2px solid}
.entity{border:1px solid var(--line);border-radius:10px;padding:12px 14px 6px;margin:12px 0}
.entity .head{display:flex;align-items:baseline;gap:12px;flex-wrap:wrap}
.entity .kind{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:#fff;background:#57606a;border-radius:4px;padding:1px 6px}
.entity .kind.client{background:var(--accent)}
.entity .stats{font-size:12.5px;color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(3,1fr);gap:10px}
svg{display:block;width:100%;height:auto;font-family:inherit}
svg text{fill:#59636e;font-size:10.5px}
svg .ct{fill:#1f2328;font-weight:650;font-size:12px}
svg .lg{font-size:10.5px}
svg .ay{text-anchor:end}
svg .ax{text-anchor:middle}
svg .grid{stroke:#eaeef2;stroke-width:1}
svg .axis,svg .tick{stroke:#8c959f;stroke-width:1}
svg.topology{margin:8px 0}
svg .edge{fill:none;stroke:#8c959f;stroke-width:1.4}
svg .el{text-anchor:middle;font-size:10.5px;fill:#57606a;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
svg .nc{fill:#ddf4ff;stroke:#54aeff}
svg .ns{fill:#f6f8fa;stroke:#afb8c1}
svg .nn{fill:#1f2328;font-weight:650;font-size:13px}
svg .nd{font-size:11px}
svg .rl{font-size:11.5px;fill:#1f2328}
details{margin:10px 0}
summary{cursor:pointer;color:var(--accent);font-weight:600}
pre{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:12px;overflow:auto;font-size:12px;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:12px;padding:14px 0 30px}
@media (max-width:900px){.charts{grid-template-columns:1fr}}
@page{size:A4;margin:12mm 11mm}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-size:11.5px}
.wrap{max-width:none;padding:0 2mm}
header{padding:10px 0 12px}
h2{margin:16px 0 8px;break-after:avoid}
h3{break-after:avoid}
.cards{grid-template-columns:repeat(4,1fr)}
.card,.entity,.charts,svg,tr,pre code{break-inside:avoid}
.entity{padding:8px 10px 4px;margin:8px 0}
.charts{grid-template-columns:repeat(3,1fr);gap:6px}
table{break-inside:auto}
thead{display:table-header-group}
details::details-content{content-visibility:visible;display:block}
details>summary{list-style:none;color:var(--fg);cursor:auto}
details>summary::-webkit-details-marker{display:none}
pre{white-space:pre-wrap;overflow:visible;word-break:break-all}
footer{break-before:avoid}
}
)css";

// With fallbacks: how many ok requests were degraded, and the availability without them.
std::string degraded_text(const json& entity) {
  if (!entity.contains("availability_without_degraded")) return "";
  return count_text(entity["totals"]["degraded"].get<std::uint64_t>()) + " degraded (" +
         percent(entity["availability_without_degraded"].get<double>()) + " ok without them) · ";
}

std::string health_class(double availability) {
  return availability >= 0.999 ? "good" : availability >= 0.99 ? "warn" : "bad";
}

std::string header_html(const json& report, const std::string& replay_command) {
  const bool passed = report["passed"].get<bool>();
  const double duration_s = report_seconds(report["simulated_until"]).value_or(0.0);
  std::string out = "<header><div class=\"wrap\"><div class=\"kicker\">faultline resilience report</div>\n<h1>" +
                    esc(text_of(report["scenario"]["name"])) + "<span class=\"badge " + (passed ? "pass" : "fail") + "\">" +
                    (passed ? "PASS" : "FAIL") + "</span></h1>\n";
  const std::string description = report["scenario"].value("description", "");
  if (!description.empty()) out += "<p>" + esc(description) + "</p>\n";
  if (report.contains("trace_hash")) {
    out += "<div class=\"meta\">seed <code>" + esc(text_of(report["seed"])) + "</code> · simulated " +
           esc(seconds_text_short(duration_s)) + " · " + count_text(report["events"].get<std::uint64_t>()) +
           " events · trace <code>" + esc(text_of(report["trace_hash"])) + "</code> · faultline " +
           esc(text_of(report["faultline_version"])) + "</div>\n";
  } else {  // a live run ("mode": "live") has no event count or trace hash
    out += "<div class=\"meta\">live run · seed <code>" + esc(text_of(report["seed"])) + "</code> · " +
           esc(seconds_text_short(duration_s)) + " · faultline " + esc(text_of(report["faultline_version"])) + "</div>\n";
  }
  if (!replay_command.empty()) out += "<div class=\"meta\">replay: <code>" + esc(replay_command) + "</code></div>\n";
  return out + "</div></header>\n";
}

std::string cards_html(const json& report) {
  std::string out = "<div class=\"cards\">\n";
  auto card = [&](const std::string& label, const std::string& value, const std::string& sub, const std::string& cls) {
    out += "<div class=\"card\"><div class=\"label\">" + esc(label) + "</div><div class=\"value " + cls + "\">" + esc(value) +
           "</div><div class=\"sub\">" + esc(sub) + "</div></div>\n";
  };
  std::size_t failed = 0;
  for (const json& a : report["assertions"]) failed += a["passed"].get<bool>() ? 0 : 1;
  const std::size_t total = report["assertions"].size();
  card("assertions", std::to_string(total - failed) + " / " + std::to_string(total), failed ? std::to_string(failed) + " failed" : "all hold",
       failed ? "bad" : "good");
  for (const json& c : report["clients"]) {
    const double a = c["availability"].get<double>();
    card("client " + text_of(c["name"]), percent(a), count_text(c["totals"]["requests"].get<std::uint64_t>()) +
         " requests · p99 " + latency_text(c["latency"]["p99_ms"].get<double>()), health_class(a));
  }
  std::uint64_t opens = 0;
  for (const json& b : report["breakers"]) opens += b["opens"].get<std::uint64_t>();
  card("faults", std::to_string(report["faults"].size()), std::to_string(opens) + " breaker openings", "");
  return out + "</div>\n";
}

std::string assertions_html(const json& report) {
  const json& assertions = report["assertions"];
  if (assertions.empty()) return "<h2 id=\"assertions\">Assertions</h2><p class=\"muted\">The scenario has no assertions.</p>\n";
  std::string out = "<h2 id=\"assertions\">Assertions</h2>\n<table><thead><tr><th></th><th>assertion</th><th>type</th><th>expected</th>"
                    "<th>observed</th></tr></thead><tbody>\n";
  for (const json& a : assertions) {
    const bool ok = a["passed"].get<bool>();
    out += std::string("<tr") + (ok ? "" : " class=\"failed\"") + "><td><span class=\"pill " + (ok ? "pass" : "fail") +
           "\">" + (ok ? "PASS" : "FAIL") + "</span></td><td class=\"name\">" + esc(text_of(a["name"])) + "</td><td>" +
           esc(text_of(a["type"])) + "</td><td>" + esc(text_of(a["expected"])) + "</td><td>" + esc(text_of(a["observed"])) +
           "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::vector<html::ChartBand> fault_bands(const json& report, double end_s) {
  std::vector<html::ChartBand> bands;
  const json& faults = report["faults"];
  for (std::size_t f = 0; f < faults.size(); ++f) {
    const auto start = report_seconds(faults[f]["start"]);
    if (!start) continue;
    // A fault's band ends at its end, or for a crash when its instances were back (the
    // report's "restored", analysis::FaultWindow), or else at the end of the run.
    const auto end = report_seconds(faults[f]["end"]);
    const auto restored = faults[f].contains("restored") ? report_seconds(faults[f]["restored"]) : std::nullopt;
    bands.push_back({*start, end.value_or(restored.value_or(end_s)), html::fault_color(f),
                     "fault " + text_of(faults[f]["name"]) + " (" + text_of(faults[f]["kind"]) + ")", !end && !restored});
  }
  return bands;
}

constexpr std::size_t kMaxMarks = 400;   // breaker marks per chart
constexpr std::size_t kMaxPoints = 300;  // per chart line
constexpr std::size_t kMaxOpeningLines = 12;
constexpr std::size_t kOpenServices = 12;

struct BreakerMarks {
  std::vector<html::ChartMarker> openings;
  std::vector<html::ChartBand> spans;  // open and half-open periods
};

// Breakers that concern `name`: as the caller (the report's caller_entity: the client, or the
// service whichever of its instances holds the breaker) or as the callee. Thousands of
// flapping transitions are capped; the timeline lists them all.
BreakerMarks breaker_marks(const json& report, const std::string& name) {
  BreakerMarks marks;
  const double end_s = report_seconds(report["simulated_until"]).value_or(0.0);
  for (const json& b : report["breakers"]) {
    const std::string breaker = text_of(b["name"]);
    if (!b.contains("caller_entity") || !b.contains("callee")) continue;  // a report older than these fields
    if (text_of(b["caller_entity"]) != name && text_of(b["callee"]) != name) continue;
    const json& transitions = b["transitions"];
    for (std::size_t i = 0; i < transitions.size() && marks.spans.size() < kMaxMarks; ++i) {
      const std::string to = text_of(transitions[i]["to"]);
      const double at = report_seconds(transitions[i]["at"]).value_or(0.0);
      if (to == "closed") continue;
      const double until = i + 1 < transitions.size() ? report_seconds(transitions[i + 1]["at"]).value_or(end_s) : end_s;
      const std::string label = "breaker " + breaker + " " + to + " from " + text_of(transitions[i]["at"]) + " s";
      marks.spans.push_back({at, until, to == "open" ? "#cf222e" : "#d4a72c", label, false});
      if (to == "open") marks.openings.push_back({at, "#cf222e", label, false});
    }
  }
  // A few openings read as lines through the plot; many would hatch it, so then the strip alone shows them.
  if (marks.openings.size() > kMaxOpeningLines) marks.openings.clear();
  // Half-open periods first, so an open breaker's red is drawn over another's amber.
  std::stable_partition(marks.spans.begin(), marks.spans.end(), [](const html::ChartBand& s) { return s.color != "#cf222e"; });
  return marks;
}

std::string entity_html(const json& report, const json& totals, const json& series, const char* kind) {
  const double bucket_s = report["timeseries"]["bucket_ms"].get<double>() / 1000.0;
  const double end_s = report_seconds(report["simulated_until"]).value_or(0.0);
  const std::string name = text_of(series["name"]);
  const std::size_t n = series["requests"].size();
  // A chart is about 340 px wide: long runs are drawn from groups of buckets, at most
  // kMaxPoints points. Rates and ratios are recomputed from the group's sums; the p99 shown is
  // the group's worst, the p50 its mean.
  const std::size_t group = std::max<std::size_t>(1, (n + kMaxPoints - 1) / kMaxPoints);
  const double point_s = bucket_s * static_cast<double>(group);
  html::ChartSeries throughput{"requests/s", "#0969da", {}, false, false};
  html::ChartSeries failed_rate{"failed/s", "#cf222e", {}, false, false};
  html::ChartSeries error_ratio{"failed share", "#cf222e", {}, false, true};
  html::ChartSeries p99{"p99", "#8250df", {}, false, false};
  html::ChartSeries p50{"p50", "#54aeff", {}, true, false};
  for (std::size_t first = 0; first < n; first += group) {
    double requests = 0, failed = 0, ok = 0, worst_p99 = 0, p50_sum = 0, p50_count = 0;
    for (std::size_t i = first; i < std::min(n, first + group); ++i) {
      requests += series["requests"][i].get<double>();
      failed += series["errors"][i].get<double>() + series["timeouts"][i].get<double>() + series["rejected"][i].get<double>();
      if (series["ok"][i].get<double>() > 0) {
        ok += series["ok"][i].get<double>();
        worst_p99 = std::max(worst_p99, series["p99_ms"][i].get<double>());
        p50_sum += series["p50_ms"][i].get<double>();
        ++p50_count;
      }
    }
    throughput.values.push_back(requests / point_s);
    failed_rate.values.push_back(failed / point_s);
    error_ratio.values.push_back(ok + failed > 0 ? std::optional<double>(failed / (ok + failed)) : std::nullopt);
    p99.values.push_back(ok > 0 ? std::optional<double>(worst_p99) : std::nullopt);
    p50.values.push_back(ok > 0 ? std::optional<double>(p50_sum / p50_count) : std::nullopt);
  }
  const auto bands = fault_bands(report, end_s);
  const BreakerMarks marks = breaker_marks(report, name);
  auto chart = [&](const char* title, AxisUnit unit, std::vector<html::ChartSeries> s) {
    return html::render_line_chart({title, unit, point_s, end_s, std::move(s), bands, marks.openings, marks.spans});
  };
  const double availability = totals["availability"].get<double>();
  // A live run counts a service's requests at its proxies but does not time them there.
  const bool latency_measured = !(report.contains("live") && std::string(kind) == "service");
  std::string out = "<section class=\"entity\"><div class=\"head\"><span class=\"kind " + std::string(kind) + "\">" + kind +
                    "</span><h3>" + esc(name) + "</h3><span class=\"stats\"><span class=\"" + health_class(availability) +
                    "\">" + percent(availability) + " ok</span> · " + degraded_text(totals) +
                    count_text(totals["totals"]["requests"].get<std::uint64_t>()) + " requests · ";
  out += latency_measured ? "p50 " + latency_text(totals["latency"]["p50_ms"].get<double>()) + " · p99 " +
                                latency_text(totals["latency"]["p99_ms"].get<double>()) + " · max " +
                                latency_text(totals["latency"]["max_ms"].get<double>())
                          : std::string("latency not measured live");
  out += "</span></div>\n<div class=\"charts\">\n";
  out += chart("Throughput", AxisUnit::per_second, {throughput, failed_rate});
  out += chart("Error ratio", AxisUnit::ratio, {error_ratio});
  if (latency_measured) out += chart("Latency (ok requests)", AxisUnit::milliseconds, {p99, p50});
  return out + "</div></section>\n";
}

std::string charts_html(const json& report) {
  std::string out = std::string("<h2 id=\"charts\">") + (report.contains("live") ? "Over time" : "Over simulated time") +
                    "</h2>\n<div class=\"legend\">";
  const json& faults = report["faults"];
  for (std::size_t f = 0; f < faults.size(); ++f) {
    out += "<span><i class=\"sw\" style=\"background:" + html::fault_color(f) + ";opacity:.45\"></i>fault " +
           esc(text_of(faults[f]["name"])) + " (" + esc(text_of(faults[f]["kind"])) + ")</span>";
  }
  out += "<span><i class=\"sw\" style=\"background:#cf222e;height:5px\"></i><i class=\"sw\" "
         "style=\"background:#d4a72c;height:5px\"></i>breakers open / half-open (strip above a chart)</span>"
         "<span><i class=\"ln\" style=\"border-color:#cf222e;opacity:.5;width:2px;height:12px;border-top:0;"
         "border-left:1px solid #cf222e\"></i>a breaker opens</span>";
  const double bucket_s = report["timeseries"]["bucket_ms"].get<double>() / 1000.0;
  const std::size_t buckets = report["timeseries"]["clients"].empty() ? 0 : report["timeseries"]["clients"][0]["requests"].size();
  const std::size_t group = std::max<std::size_t>(1, (buckets + kMaxPoints - 1) / kMaxPoints);
  out += "<span>one point per " + esc(seconds_text_short(bucket_s * static_cast<double>(group))) +
         (group > 1 ? " (" + std::to_string(group) + " buckets)" : std::string(" bucket")) + "</span></div>\n";
  const json& ts = report["timeseries"];
  for (std::size_t c = 0; c < ts["clients"].size(); ++c) out += entity_html(report, report["clients"][c], ts["clients"][c], "client");
  // Many services would make a very long page: past kOpenServices their charts are folded.
  const std::size_t services = ts["services"].size();
  if (services > kOpenServices) {
    out += "<details><summary>Charts of the " + std::to_string(services) + " services</summary>\n";
  }
  for (std::size_t s = 0; s < services; ++s) {
    out += entity_html(report, report["services"][s], ts["services"][s], "service");
  }
  if (services > kOpenServices) out += "</details>\n";
  return out;
}

std::string event_text(const json& e) {
  const std::string kind = text_of(e["kind"]);
  if (kind == "fault_start") return "fault <b>" + esc(text_of(e["fault"])) + "</b> (" + esc(text_of(e["fault_kind"])) + ") starts";
  if (kind == "fault_end") return "fault <b>" + esc(text_of(e["fault"])) + "</b> ends";
  if (kind == "breaker") {
    std::string text = "breaker " + esc(text_of(e["breaker"])) + ": " + esc(text_of(e["from"])) + " → <b>" +
                       esc(text_of(e["to"])) + "</b>";
    if (e.contains("why") && e["why"].is_string() && !e["why"].get<std::string>().empty()) {
      text += " (" + esc(e["why"].get<std::string>()) + ")";
    }
    return text;
  }
  if (kind == "instance") return "instance " + esc(text_of(e["instance"])) + " is <b>" + esc(text_of(e["state"])) + "</b>";
  if (kind == "registry") return "registry: " + esc(text_of(e["instance"])) + " " + esc(text_of(e["change"]));
  if (kind == "ejection") return esc(text_of(e["caller"])) + " ejects " + esc(text_of(e["instance"]));
  if (kind == "ejection_end") return esc(text_of(e["caller"])) + " takes back " + esc(text_of(e["instance"]));
  return esc(kind);
}

std::string timeline_html(const json& report) {
  std::vector<std::string> colors;
  for (std::size_t f = 0; f < report["faults"].size(); ++f) colors.push_back(html::fault_color(f));
  std::string out = "<h2 id=\"timeline\">Timeline</h2>\n<div class=\"legend\"><span><i class=\"sw\" "
                    "style=\"background:#cf222e\"></i>breaker open</span><span><i class=\"sw\" style=\"background:#d4a72c\">"
                    "</i>half-open</span><span><i class=\"sw\" style=\"background:#424a53\"></i>instance not up</span>"
                    "<span>faults in their own colours; a paler bar was never reverted</span></div>\n" +
                    html::render_timeline_strip(report, colors);
  const json& timeline = report["timeline"];
  constexpr std::size_t kMaxRows = 2000;
  out += "<details><summary>All events (" + std::to_string(timeline.size()) + ")</summary>\n";
  out += "<table><thead><tr><th class=\"num\">at</th><th>event</th></tr></thead><tbody>\n";
  std::size_t shown = 0;
  for (const json& e : timeline) {
    if (shown++ == kMaxRows) break;
    out += "<tr><td class=\"num\">" + fixed(report_seconds(e["at"]).value_or(0.0), 3) + " s</td><td>" + event_text(e) +
           "</td></tr>\n";
  }
  out += "</tbody></table>\n";
  if (timeline.size() > kMaxRows) {
    out += "<p class=\"muted\">" + std::to_string(timeline.size() - kMaxRows) + " more events are in the JSON report.</p>\n";
  }
  return out + "</details>\n";
}

std::string faults_html(const json& report) {
  const json& faults = report["faults"];
  if (faults.empty()) return "";
  std::string out = "<h2 id=\"faults\">Faults and recovery</h2>\n<table><thead><tr><th>fault</th><th>kind</th><th class=\"num\">start</th>"
                    "<th class=\"num\">end</th><th class=\"num\">clients recovered</th><th class=\"num\">lowest availability</th>"
                    "</tr></thead><tbody>\n";
  for (std::size_t f = 0; f < faults.size(); ++f) {
    const json& fault = faults[f];
    const auto start = report_seconds(fault["start"]);
    const auto end = report_seconds(fault["end"]);
    std::string recovered = "—", lowest = "—";
    if (fault.contains("recovery")) {
      const json& r = fault["recovery"];
      if (const auto after = json_number(r["recovered_after_s"])) {
        recovered = seconds_text_short(*after) + " after its " + text_of(r["measured_from"]);
      } else if (start) {
        recovered = "not by the end";
      }
      if (const auto low = json_number(r["min_availability"])) {
        lowest = "<span class=\"" + health_class(*low) + "\">" + percent(*low) + "</span>";
      }
    }
    out += "<tr><td><i class=\"sw\" style=\"background:" + html::fault_color(f) + "\"></i> " + esc(text_of(fault["name"])) +
           "</td><td>" + esc(text_of(fault["kind"])) + "</td><td class=\"num\">" +
           (start ? seconds_text_short(*start) : "never") + "</td><td class=\"num\">" +
           (end ? seconds_text_short(*end) : "—") + "</td><td class=\"num\">" + esc(recovered) + "</td><td class=\"num\">" +
           lowest + "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

// A live run's own account (reports/live_account.hpp), as the Markdown summary gives it.
std::string live_html(const json& report) {
  const std::optional<LiveAccount> account = live_account(report);
  if (!account) return "";
  std::string out = "<h2 id=\"live\">Live run</h2>\n<p class=\"muted\">Started " + esc(account->started_at) + " on <code>" +
                    esc(account->host) + "</code>. " + esc(live_reproducibility("report")) + "</p>\n";
  if (!account->kept_schedule) {
    out += std::string("<p class=\"bad\"><b>") + kLiveFellBehind + "</b>: " + esc(kLiveFellBehindWhy) + "</p>\n";
  }
  auto row = [&](const std::string& label, const std::string& value_html) {
    out += "<tr><td>" + esc(label) + "</td><td class=\"num\">" + value_html + "</td></tr>\n";
  };
  out += "<table><thead><tr><th>load generator</th><th class=\"num\"></th></tr></thead><tbody>\n";
  row("kept its schedule", account->kept_schedule ? "<span class=\"good\">yes</span>" : "<span class=\"bad\">no</span>");
  for (const auto& [label, value] : account->generator) row(label, esc(value));
  out += "</tbody></table>\n";
  if (!account->proxies.empty()) {
    out += "<table><thead><tr>";
    for (std::size_t i = 0; i < account->proxy_columns.size(); ++i) {
      out += std::string(i < 3 ? "<th>" : "<th class=\"num\">") + esc(account->proxy_columns[i]) + "</th>";
    }
    out += "</tr></thead><tbody>\n";
    for (const auto& cells : account->proxies) {
      out += "<tr>";
      for (std::size_t i = 0; i < cells.size(); ++i) out += std::string(i < 3 ? "<td>" : "<td class=\"num\">") + esc(cells[i]) + "</td>";
      out += "</tr>\n";
    }
    out += "</tbody></table>\n";
  }
  if (!account->skipped_faults.empty()) {
    std::string skipped;
    for (const std::string& f : account->skipped_faults) skipped += (skipped.empty() ? "" : ", ") + esc(f);
    out += "<p class=\"muted\">Skipped (no live meaning, <code>--skip-unsupported</code>): " + skipped + "</p>\n";
  }
  return out;
}

// Per client, the user impact the sweep aggregates (the report's clients[].impact).
std::string impact_html(const json& report) {
  if (report["clients"].empty() || !report["clients"][0].contains("impact")) return "";
  std::string out = "<h2 id=\"impact\">User impact</h2>\n<p class=\"muted\">Time in buckets whose availability was below 99%, "
                    "the longest unbroken stretch of them, and each client's failed requests in each fault's window.</p>\n"
                    "<table><thead><tr><th>client</th><th class=\"num\">below 99%</th><th class=\"num\">longest stretch</th>"
                    "<th>failed requests during faults</th></tr></thead><tbody>\n";
  for (const json& c : report["clients"]) {
    const json& i = c["impact"];
    const double below = i["below_99_s"].get<double>();
    std::string longest = "—", failed;
    if (const auto from = report_seconds(i["longest_from"])) {
      longest = seconds_text_short(i["longest_below_99_s"].get<double>()) + " from " + seconds_text_short(*from);
    }
    for (const json& f : i["failed_during_faults"]) {
      failed += (failed.empty() ? "" : " · ") + esc(text_of(f["fault"])) + ": " + count_text(f["failed_requests"].get<std::uint64_t>());
    }
    out += "<tr><td>" + esc(text_of(c["name"])) + "</td><td class=\"num\"><span class=\"" + (below > 0 ? "bad" : "good") + "\">" +
           esc(seconds_text_short(below)) + "</span></td><td class=\"num\">" + esc(longest) + "</td><td>" +
           (failed.empty() ? "—" : failed) + "</td></tr>\n";
  }
  return out + "</tbody></table>\n";
}

}  // namespace

std::string html_page(const std::string& title, const std::string& body_html) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"generator\" content=\"faultline\">\n<title>" +
         esc(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" + body_html + "</body>\n</html>\n";
}

std::string render_html(const json& report, const std::string& replay_command) {
  std::string body = header_html(report, replay_command);
  body += "<main class=\"wrap\">\n" + cards_html(report) + assertions_html(report) + charts_html(report) +
          timeline_html(report) + "<h2 id=\"topology\">Topology</h2>\n<p class=\"muted\">Clients on the left; each arrow is a call with "
          "its timeout, attempts and breaker. The stripe on each box shows its availability.</p>\n" +
          html::render_topology(report) + live_html(report) + faults_html(report) + impact_html(report);
  body += "<h2 id=\"scenario\">Scenario</h2>\n<details><summary>Scenario file (sha256 " + esc(text_of(report["scenario"]["sha256"])) +
          ")</summary>\n<pre><code>" + esc(report["scenario"].value("source", "")) + "</code></pre></details>\n</main>\n";
  body += "<footer><div class=\"wrap\">Generated by faultline " + esc(text_of(report["faultline_version"])) +
          (report.contains("live") ? ". A live run: measured on real services, so no two runs give the same file."
                                   : ". The same scenario, seed and version always give this same file.") +
          "</div></footer>\n";
  return html_page(text_of(report["scenario"]["name"]) + " — faultline report", body);
}

}  // namespace faultline::reports
