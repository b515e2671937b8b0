// A comparison as text, Markdown, JSON and HTML. Verdict changes come first, then one block per
// client, service and fault with only the rows that changed (JSON keeps every row).
#include <cmath>

#include "reports/compare.hpp"
#include "reports/format.hpp"
#include "reports/html.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

std::string metric_label(const std::string& metric) {
  if (metric == "p99_9_ms") return "p99.9";
  if (metric.size() > 3 && metric.compare(metric.size() - 3, 3, "_ms") == 0) return metric.substr(0, metric.size() - 3);
  if (metric == "recovered_after_s") return "recovery";
  if (metric == "min_availability") return "lowest availability";
  if (metric == "breaker_opens") return "breaker openings";
  return metric;
}

bool is_latency(const std::string& metric) { return metric.size() > 3 && metric.compare(metric.size() - 3, 3, "_ms") == 0; }
bool is_ratio(const std::string& metric) { return metric == "availability" || metric == "min_availability"; }

std::string value_text(const std::string& metric, const std::optional<double>& value, bool present) {
  if (!present) return "absent";
  if (!value) return metric == "recovered_after_s" ? "never" : "—";
  if (is_ratio(metric)) return percent(*value, 3);
  if (is_latency(metric)) return latency_text(*value);
  if (metric == "recovered_after_s") return seconds_text_short(*value);
  if (*value == std::floor(*value) && std::fabs(*value) < 1e15) return count_text(static_cast<std::uint64_t>(std::fabs(*value)));
  return fixed(*value, 1);
}

std::string delta_text(const MetricDelta& d) {
  if (!d.base_present || !d.candidate_present) return "";
  if (!d.base || !d.candidate) return d.base == d.candidate ? "" : "n/a";
  const double delta = *d.candidate - *d.base;
  if (delta == 0) return "0";
  const std::string sign = delta > 0 ? "+" : "-";
  std::string out;
  if (is_ratio(d.metric)) return sign + fixed(std::fabs(delta) * 100.0, 3) + " pp";
  if (is_latency(d.metric)) out = sign + latency_text(std::fabs(delta));
  else if (d.metric == "recovered_after_s") out = sign + seconds_text_short(std::fabs(delta));
  else out = sign + (std::fabs(delta) == std::floor(std::fabs(delta)) ? count_text(static_cast<std::uint64_t>(std::fabs(delta)))
                                                                       : fixed(std::fabs(delta), 1));
  if (*d.base != 0) out += " (" + sign + fixed(std::fabs(delta) / std::fabs(*d.base) * 100.0, 1) + "%)";
  return out;
}

std::string verdict_word(const MetricDelta& d) {
  if (!d.base_present) return "added";
  if (!d.candidate_present) return "removed";
  if (d.verdict == 0) return d.base == d.candidate ? "same" : "changed";
  if (d.noise_known && d.within_noise) return "within seed noise";
  return d.verdict > 0 ? "better" : "worse";
}

bool changed(const MetricDelta& d) { return d.verdict != 0 || !d.breached.empty() || d.base_present != d.candidate_present || (d.metric == "requests" && d.base != d.candidate); }

std::string verdict_value(const Comparison& c, const std::optional<double>& v) {
  if (!v) return "absent";
  if (c.kind == "run") return *v > 0 ? "pass" : "FAIL";
  return percent(*v, 1) + " pass";
}

std::string entity_title(const MetricDelta& d) { return d.group.substr(0, d.group.size() - 1) + " " + d.entity; }

std::string pad(const std::string& text, std::size_t width) {
  // Pads by code points, so "µs" and "—" line up.
  std::size_t length = 0;
  for (const char ch : text) length += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
  return text + std::string(length < width ? width - length : 1, ' ');
}

std::string seeds_label(const Comparison& c, const std::string& seeds) {
  return (c.kind == "sweep" ? "seeds " : "seed ") + seeds;
}

std::string headline(const Comparison& c) {
  return c.regressions == 0 ? "no regression" : std::to_string(c.regressions) + (c.regressions == 1 ? " regression" : " regressions");
}

}  // namespace

std::string render_comparison_text(const Comparison& c) {
  std::string out = "compare " + c.kind + "s: base " + c.base_name + " (" + seeds_label(c, c.base_seeds) + ") vs candidate " +
                    c.candidate_name + " (" + seeds_label(c, c.candidate_seeds) + ")\n";
  for (const std::string& note : c.notes) out += "note: " + note + "\n";
  out += "\nassertions\n";
  if (c.verdicts.empty()) out += "  (none)\n";
  for (const bool regressions_first : {true, false}) {
    for (const VerdictChange& v : c.verdicts) {
      if (v.regression != regressions_first) continue;
      std::string change = v.regression ? "REGRESSION: " + v.change : v.change;
      if (c.kind == "sweep" && v.within_noise && v.change != "unchanged") change += " (within seed noise)";
      out += "  " + pad(v.name, 28) + pad(verdict_value(c, v.base) + " -> " + verdict_value(c, v.candidate), 26) + change;
      if (!v.base_observed.empty() && !v.candidate_observed.empty() && v.base_observed != v.candidate_observed) {
        out += "\n  " + std::string(28, ' ') + "observed " + v.base_observed + " -> " + v.candidate_observed;
      }
      out += "\n";
    }
  }
  std::string current;
  std::size_t unchanged = 0;
  auto close_entity = [&]() {
    if (!current.empty() && unchanged > 0) out += "  (" + std::to_string(unchanged) + " more unchanged)\n";
    unchanged = 0;
  };
  for (const MetricDelta& d : c.metrics) {
    const std::string title = entity_title(d);
    if (title != current) {
      close_entity();
      current = title;
      out += "\n" + pad(title, 24) + pad(c.kind == "sweep" ? "base median" : "base", 16) +
             pad(c.kind == "sweep" ? "candidate median" : "candidate", 18) + "delta\n";
    }
    if (!changed(d)) {
      ++unchanged;
      continue;
    }
    out += "  " + pad(metric_label(d.metric), 22) + pad(value_text(d.metric, d.base, d.base_present), 16) +
           pad(value_text(d.metric, d.candidate, d.candidate_present), 18) + pad(delta_text(d), 24) + verdict_word(d);
    if (!d.breached.empty()) {
      out += d.regression ? "  REGRESSION (" : "  crosses (";
      for (std::size_t i = 0; i < d.breached.size(); ++i) out += (i ? ", " : "") + d.breached[i];
      out += d.regression ? ")" : ") but within seed noise";
    }
    out += "\n";
  }
  close_entity();
  out += "\n" + std::string(c.regressions == 0 ? "OK: " : "FAIL: ") + headline(c) + "\n";
  return out;
}

std::string render_comparison_markdown(const Comparison& c) {
  std::string out = "## " + std::string(c.regressions == 0 ? "✅ " : "❌ ") + "faultline compare: " + headline(c) + "\n\n";
  out += "base **" + markdown_cell(c.base_name) + "** (" + seeds_label(c, c.base_seeds) + ") · candidate **" +
         markdown_cell(c.candidate_name) + "** (" + seeds_label(c, c.candidate_seeds) + ")\n\n";
  for (const std::string& note : c.notes) out += "> " + markdown_cell(note) + "\n\n";
  if (!c.verdicts.empty()) {
    out += "| assertion | base | candidate | change |\n| --- | --- | --- | --- |\n";
    for (const bool regressions_first : {true, false}) {
      for (const VerdictChange& v : c.verdicts) {
        if (v.regression != regressions_first) continue;
        std::string change = v.regression ? "❌ **" + v.change + "**" : v.change;
        if (c.kind == "sweep" && v.within_noise && v.change != "unchanged") change += " (within seed noise)";
        out += "| " + markdown_cell(v.name) + " | " + verdict_value(c, v.base) + " | " + verdict_value(c, v.candidate) + " | " +
               change + " |\n";
      }
    }
    out += "\n";
  }
  out += "| | metric | base | candidate | delta | |\n| --- | --- | ---: | ---: | ---: | --- |\n";
  std::size_t rows = 0;
  for (const MetricDelta& d : c.metrics) {
    if (!changed(d)) continue;
    ++rows;
    std::string word = verdict_word(d);
    if (d.regression) word = "❌ **regression** (" + d.breached.front() + ")";
    else if (word == "worse") word = "🔺 worse";
    else if (word == "better") word = "🟢 better";
    out += "| " + markdown_cell(entity_title(d)) + " | " + metric_label(d.metric) + " | " +
           value_text(d.metric, d.base, d.base_present) + " | " + value_text(d.metric, d.candidate, d.candidate_present) + " | " +
           delta_text(d) + " | " + word + " |\n";
  }
  if (rows == 0) out += "| | every metric is unchanged | | | | |\n";
  return out + "\n";
}

json comparison_json(const Comparison& c) {
  json out;
  out["kind"] = "faultline-comparison";
  out["compares"] = c.kind;
  out["base"] = json{{"scenario", c.base_name}, {"sha256", c.base_sha256}, {"seeds", c.base_seeds}};
  out["candidate"] = json{{"scenario", c.candidate_name}, {"sha256", c.candidate_sha256}, {"seeds", c.candidate_seeds}};
  out["same_scenario"] = c.same_scenario;
  out["notes"] = c.notes;
  out["regressions"] = c.regressions;
  json thresholds = json::array();
  for (const Threshold& t : c.thresholds) {
    thresholds.push_back(json{{"text", t.text}, {"metric", t.metric}, {"entity", t.entity.empty() ? json(nullptr) : json(t.entity)},
                              {"direction", t.direction > 0 ? "increase" : "decrease"}, {"amount", t.amount}, {"relative", t.relative}});
  }
  out["thresholds"] = std::move(thresholds);
  auto optional = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json verdicts = json::array();
  for (const VerdictChange& v : c.verdicts) {
    verdicts.push_back(json{{"name", v.name}, {"base", optional(v.base)}, {"candidate", optional(v.candidate)},
                            {"change", v.change}, {"within_noise", v.within_noise}, {"regression", v.regression}});
  }
  out["assertions"] = std::move(verdicts);
  json metrics = json::array();
  for (const MetricDelta& d : c.metrics) {
    json row{{"group", d.group}, {"name", d.entity}, {"metric", d.metric}, {"base", optional(d.base)},
             {"candidate", optional(d.candidate)}};
    row["delta"] = d.base && d.candidate ? json(*d.candidate - *d.base) : json(nullptr);
    row["verdict"] = verdict_word(d);
    if (c.kind == "sweep") row["within_noise"] = d.noise_known ? json(d.within_noise) : json(nullptr);
    row["breached"] = d.breached;
    row["regression"] = d.regression;
    metrics.push_back(std::move(row));
  }
  out["metrics"] = std::move(metrics);
  return out;
}

std::string render_comparison_html(const Comparison& c) {
  auto esc = [](const std::string& s) { return xml_escape(s); };
  std::string body = "<header><div class=\"wrap\"><div class=\"kicker\">faultline comparison</div><h1>" + esc(c.candidate_name) +
                     " vs baseline<span class=\"badge " + (c.regressions == 0 ? "pass" : "fail") + "\">" +
                     esc(c.regressions == 0 ? "NO REGRESSION" : headline(c)) + "</span></h1><div class=\"meta\">base " +
                     esc(c.base_name) + " (" + esc(seeds_label(c, c.base_seeds)) + ") · candidate " + esc(c.candidate_name) +
                     " (" + esc(seeds_label(c, c.candidate_seeds)) + ")</div></div></header>\n<main class=\"wrap\">\n";
  for (const std::string& note : c.notes) body += "<p class=\"warn\">" + esc(note) + "</p>\n";
  body += "<h2>Assertions</h2><table><thead><tr><th>assertion</th><th>base</th><th>candidate</th><th>change</th></tr></thead><tbody>\n";
  for (const bool regressions_first : {true, false}) {
    for (const VerdictChange& v : c.verdicts) {
      if (v.regression != regressions_first) continue;
      body += std::string("<tr") + (v.regression ? " class=\"failed\"" : "") + "><td>" + esc(v.name) + "</td><td>" +
              esc(verdict_value(c, v.base)) + "</td><td>" + esc(verdict_value(c, v.candidate)) + "</td><td>" +
              (v.regression ? "<span class=\"worse\">" + esc(v.change) + "</span>" : esc(v.change)) + "</td></tr>\n";
    }
  }
  body += "</tbody></table>\n<h2>Metrics</h2><table><thead><tr><th></th><th>metric</th><th class=\"num\">base</th>"
          "<th class=\"num\">candidate</th><th class=\"num\">delta</th><th></th></tr></thead><tbody>\n";
  for (const MetricDelta& d : c.metrics) {
    const std::string word = verdict_word(d);
    const std::string cls = d.regression || word == "worse" ? "worse" : word == "better" ? "better" : "muted";
    body += std::string("<tr") + (d.regression ? " class=\"failed\"" : "") + "><td>" + esc(entity_title(d)) + "</td><td>" +
            esc(metric_label(d.metric)) + "</td><td class=\"num\">" + esc(value_text(d.metric, d.base, d.base_present)) +
            "</td><td class=\"num\">" + esc(value_text(d.metric, d.candidate, d.candidate_present)) + "</td><td class=\"num\">" +
            esc(delta_text(d)) + "</td><td class=\"" + cls + "\">" + esc(d.regression ? "regression (" + d.breached.front() + ")" : word) +
            "</td></tr>\n";
  }
  body += "</tbody></table>\n</main>\n";
  return html_page("faultline compare: " + c.candidate_name, body);
}

}  // namespace faultline::reports
