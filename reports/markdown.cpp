// Markdown summary: GitHub-flavoured tables, short enough for a job summary.
#include "reports/markdown.hpp"

#include <algorithm>

#include "reports/format.hpp"
#include "reports/live_account.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

std::string verdict_section(const json& report, const SummaryOptions& options) {
  const bool passed = report["passed"].get<bool>();
  std::size_t failed = 0;
  const json& assertions = report["assertions"];
  for (const json& a : assertions) failed += a["passed"].get<bool>() ? 0 : 1;
  std::string out = "## " + std::string(passed ? "✅ " : "❌ ") + markdown_cell(text_of(report["scenario"]["name"])) +
                    (passed ? " passed" : " failed");
  const bool stopped = report.value("stop", "finished") != "finished";
  if (stopped) {
    // A limit stopped the run: that is the verdict; assertions judged on part of a run say little.
    out += ": the run stopped early (" + text_of(report["stop"]) + ") at " +
           seconds_text_short(report_seconds(report["simulated_until"]).value_or(0.0)) + " of " +
           seconds_text_short(report_seconds(report["duration"]).value_or(0.0));
    if (failed > 0) out += "; " + std::to_string(failed) + " of " + std::to_string(assertions.size()) + " assertions failed on the part simulated";
  } else if (failed > 0) {
    out += ": " + std::to_string(failed) + " of " + std::to_string(assertions.size()) + " assertions failed";
  }
  out += "\n\n";
  const double duration_s = report_seconds(report["simulated_until"]).value_or(0.0);
  if (report.contains("trace_hash")) {
    out += "seed " + text_of(report["seed"]) + " · simulated " + seconds_text_short(duration_s) + " · " +
           count_text(report["events"].get<std::uint64_t>()) + " events · faultline " +
           text_of(report["faultline_version"]) + " · trace `" + text_of(report["trace_hash"]) + "`\n\n";
  } else {  // a live run ("mode": "live") has no event count or trace hash
    out += "live run · seed " + text_of(report["seed"]) + " · " + seconds_text_short(duration_s) + " · faultline " +
           text_of(report["faultline_version"]) + "\n\n";
  }
  if (!options.replay_command.empty()) out += "Replay: " + markdown_code(options.replay_command) + "\n\n";
  if (assertions.empty()) return out + "_The scenario has no assertions._\n\n";
  out += "| | assertion | expected | observed |\n| --- | --- | --- | --- |\n";
  // Failures first, so the reader sees what broke without scrolling.
  for (const bool want : {false, true}) {
    for (const json& a : assertions) {
      if (a["passed"].get<bool>() != want) continue;
      out += std::string("| ") + (want ? "✅ pass" : "❌ **fail**") + " | " + markdown_cell(text_of(a["name"])) + " | " +
             markdown_cell(text_of(a["expected"])) + " | " + markdown_cell(text_of(a["observed"])) + " |\n";
    }
  }
  return out + "\n";
}

// `timed`: false for a live run's services, whose requests the proxies count but do not time.
std::string entity_row(const char* kind, const json& e, bool timed = true) {
  const json& t = e["totals"];
  const json& l = e["latency"];
  const std::string latencies = timed ? latency_text(l["p50_ms"].get<double>()) + " | " + latency_text(l["p99_ms"].get<double>()) +
                                            " | " + latency_text(l["p99_9_ms"].get<double>()) + " | " +
                                            latency_text(l["max_ms"].get<double>())
                                      : std::string("— | — | — | —");
  return std::string("| ") + kind + " | " + markdown_cell(text_of(e["name"])) + " | " +
         count_text(t["requests"].get<std::uint64_t>()) + " | " + percent(e["availability"].get<double>()) + " | " +
         count_text(t["errors"].get<std::uint64_t>() + t["unavailable"].get<std::uint64_t>()) + " | " +
         count_text(t["timeouts"].get<std::uint64_t>()) + " | " + count_text(t["rejected"].get<std::uint64_t>()) + " | " +
         count_text(t["retries"].get<std::uint64_t>()) + " | " + latencies + " |\n";
}

std::string totals_section(const json& report) {
  std::string out = "### Traffic and latency\n\n";
  out += "| | name | requests | availability | errors | timeouts | rejected | retries | p50 | p99 | p99.9 | max |\n";
  out += "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const json& c : report["clients"]) out += entity_row("client", c);
  for (const json& s : report["services"]) out += entity_row("service", s, !report.contains("live"));
  out += "\n";
  if (report.contains("live") && !report["services"].empty()) {
    out += "A live run counts the services' requests at their proxies but does not time them (—).\n\n";
  }
  // With fallbacks, the ok requests include degraded ones (answered in part by a fallback).
  if (!report["clients"].empty() && report["clients"][0].contains("availability_without_degraded")) {
    out += "Degraded requests (answered with a fallback somewhere on the way) count as ok above.\n\n";
    out += "| | name | ok | degraded | availability without degraded |\n| --- | --- | ---: | ---: | ---: |\n";
    auto row = [&](const char* kind, const json& e) {
      out += std::string("| ") + kind + " | " + markdown_cell(text_of(e["name"])) + " | " +
             count_text(e["totals"]["ok"].get<std::uint64_t>()) + " | " + count_text(e["totals"]["degraded"].get<std::uint64_t>()) +
             " | " + percent(e["availability_without_degraded"].get<double>()) + " |\n";
    };
    for (const json& c : report["clients"]) row("client", c);
    for (const json& s : report["services"]) row("service", s);
    out += "\n";
  }
  return out;
}

std::string faults_section(const json& report) {
  const json& faults = report["faults"];
  if (faults.empty()) return "### Faults\n\n_No faults were injected._\n\n";
  std::string out = "### Faults\n\n| fault | kind | start | end | clients recovered | lowest availability |\n";
  out += "| --- | --- | ---: | ---: | ---: | ---: |\n";
  for (const json& f : faults) {
    const auto start = report_seconds(f["start"]);
    const auto end = report_seconds(f["end"]);
    std::string recovered = "—", lowest = "—";
    if (f.contains("recovery")) {
      const json& r = f["recovery"];
      if (const auto after = json_number(r["recovered_after_s"])) {
        recovered = seconds_text_short(*after) + " after its " + text_of(r["measured_from"]);
      } else if (start) {
        recovered = "not by the end";
      }
      if (const auto low = json_number(r["min_availability"])) lowest = percent(*low);
    }
    out += "| " + markdown_cell(text_of(f["name"])) + " | " + markdown_cell(text_of(f["kind"])) + " | " +
           (start ? seconds_text_short(*start) : "never") + " | " + (end ? seconds_text_short(*end) : "—") + " | " +
           recovered + " | " + lowest + " |\n";
  }
  return out + "\n";
}

// A live run's own account (reports/live_account.hpp): whether the load generator kept its
// schedule (else the latencies hold its delay, not only the system's), its connections, and
// what each proxy saw.
std::string live_section(const json& report) {
  const std::optional<LiveAccount> account = live_account(report);
  if (!account) return "";
  std::string out = "### Live run\n\nStarted " + account->started_at + " on " + markdown_code(account->host) + ". " +
                    live_reproducibility("summary") + "\n\n";
  if (!account->kept_schedule) out += std::string("**") + kLiveFellBehind + "**: " + kLiveFellBehindWhy + "\n\n";
  out += "| load generator | |\n| --- | ---: |\n";
  out += std::string("| kept its schedule | ") + (account->kept_schedule ? "yes" : "**no**") + " |\n";
  for (const auto& [label, value] : account->generator) out += "| " + label + " | " + value + " |\n";
  out += "\n";
  if (!account->proxies.empty()) {
    std::string rule;
    for (std::size_t i = 0; i < account->proxy_columns.size(); ++i) {
      out += "| " + account->proxy_columns[i] + " ";
      rule += i < 3 ? "| --- " : "| ---: ";
    }
    out += "|\n" + rule + "|\n";
    for (const auto& row : account->proxies) {
      for (const std::string& cell : row) out += "| " + markdown_cell(cell) + " ";
      out += "|\n";
    }
    out += "\n";
  }
  if (!account->skipped_faults.empty()) {
    std::string skipped;
    for (const std::string& f : account->skipped_faults) skipped += (skipped.empty() ? "" : ", ") + markdown_cell(f);
    out += "Skipped (no live meaning, `--skip-unsupported`): " + skipped + "\n\n";
  }
  return out;
}

// Per client, the user impact the sweep aggregates (the report's clients[].impact): time in
// buckets below 99% availability, the longest stretch and its start, failed requests per fault.
std::string impact_section(const json& report) {
  if (report["clients"].empty() || !report["clients"][0].contains("impact")) return "";
  std::string out = "### User impact\n\nTime in buckets whose availability was below 99%, and each client's failed requests "
                    "in each fault's window.\n\n| client | below 99% | longest stretch | failed requests during faults |\n"
                    "| --- | ---: | ---: | --- |\n";
  for (const json& c : report["clients"]) {
    const json& i = c["impact"];
    std::string longest = "—", failed;
    if (const auto from = report_seconds(i["longest_from"])) {
      longest = seconds_text_short(i["longest_below_99_s"].get<double>()) + " from " + seconds_text_short(*from);
    }
    for (const json& f : i["failed_during_faults"]) {
      failed += (failed.empty() ? "" : ", ") + markdown_cell(text_of(f["fault"])) + ": " +
                count_text(f["failed_requests"].get<std::uint64_t>());
    }
    out += "| " + markdown_cell(text_of(c["name"])) + " | " + seconds_text_short(i["below_99_s"].get<double>()) + " | " + longest +
           " | " + (failed.empty() ? "—" : failed) + " |\n";
  }
  return out + "\n";
}

std::string event_text(const json& e) {
  const std::string kind = text_of(e["kind"]);
  if (kind == "fault_start") return "fault **" + markdown_cell(text_of(e["fault"])) + "** (" + text_of(e["fault_kind"]) + ") starts";
  if (kind == "fault_end") return "fault **" + markdown_cell(text_of(e["fault"])) + "** ends";
  if (kind == "breaker") {
    return "breaker " + markdown_cell(text_of(e["breaker"])) + ": " + text_of(e["from"]) + " → **" + text_of(e["to"]) + "**";
  }
  if (kind == "instance") return "instance " + markdown_cell(text_of(e["instance"])) + " is " + text_of(e["state"]);
  if (kind == "registry") return "registry: " + markdown_cell(text_of(e["instance"])) + " " + text_of(e["change"]);
  if (kind == "ejection") return markdown_cell(text_of(e["caller"])) + " ejects " + markdown_cell(text_of(e["instance"]));
  if (kind == "ejection_end") return markdown_cell(text_of(e["caller"])) + " takes back " + markdown_cell(text_of(e["instance"]));
  return markdown_cell(kind);
}

// The timeline details, with at most `limit` events listed.
std::string details_section(const json& report, std::size_t limit) {
  const json& timeline = report["timeline"];
  std::string out;
  out += "<details><summary>Event timeline (" + std::to_string(timeline.size()) + " events)</summary>\n\n";
  if (timeline.empty()) {
    out += "_Nothing notable happened._\n";
  } else {
    out += "| at | event |\n| ---: | --- |\n";
    std::size_t shown = 0;
    for (const json& e : timeline) {
      if (shown == limit) break;
      out += "| " + fixed(report_seconds(e["at"]).value_or(0.0), 3) + " s | " + event_text(e) + " |\n";
      ++shown;
    }
    if (shown < timeline.size()) {
      out += "\n_" + std::to_string(timeline.size() - shown) + " more events are in the JSON and HTML reports._\n";
    }
  }
  const std::uint64_t dropped = report.value("timeline_dropped", std::uint64_t{0});
  if (dropped > 0) out += "\n_The run dropped " + std::to_string(dropped) + " events beyond the timeline limit._\n";
  out += "\n</details>\n\n";
  const json& breakers = report["breakers"];
  if (!breakers.empty()) {
    out += "<details><summary>Circuit breakers (" + std::to_string(breakers.size()) + " moved)</summary>\n\n";
    out += "| breaker | openings | transitions |\n| --- | ---: | ---: |\n";
    for (const json& b : breakers) {
      out += "| " + markdown_cell(text_of(b["name"])) + " | " + text_of(b["opens"]) + " | " +
             std::to_string(b["transitions"].size()) + " |\n";
    }
    out += "\n</details>\n\n";
  }
  return out;
}

}  // namespace

std::string render_summary(const json& report, const SummaryOptions& options) {
  const std::string head = verdict_section(report, options) + totals_section(report) + live_section(report) + faults_section(report) +
                           impact_section(report);
  const std::string tail = "<sub>faultline " + text_of(report["faultline_version"]) + " · scenario sha256 `" +
                           text_of(report["scenario"]["sha256"]).substr(0, 12) + "`</sub>\n";
  std::size_t limit = report["timeline"].size();
  while (true) {
    std::string out = head + details_section(report, limit) + tail;
    if (out.size() <= options.max_bytes) return out;
    if (limit == 0) break;
    limit /= 2;
  }
  // What is left out is said, visibly, at the end (the note's room is kept free).
  const std::string cap = count_text(options.max_bytes) + " bytes";
  const std::string no_details = "\n_The event timeline and breaker details are left out to keep this summary under " +
                                 cap + "; they are in the JSON and HTML reports._\n";
  std::string out = head + no_details + tail;
  if (out.size() <= options.max_bytes) return out;
  // Not even the tables fit: keep the verdict, which is what the reader needs most.
  const std::string no_tables = "\n_Traffic, faults and details are left out to keep this summary under " + cap +
                                "; they are in the JSON and HTML reports._\n";
  out = verdict_section(report, options);
  if (out.size() + no_tables.size() <= options.max_bytes) return out + no_tables;
  // Cut at a line end, so no table row and no UTF-8 character is left half, and say how many
  // lines were left out.
  std::size_t total_lines = static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n'));
  const std::size_t room = options.max_bytes > no_tables.size() + 96 ? options.max_bytes - no_tables.size() - 96 : 0;
  const auto line_end = room == 0 ? std::string::npos : out.rfind('\n', room - 1);
  out.resize(line_end == std::string::npos ? 0 : line_end + 1);
  const std::size_t kept_lines = static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n'));
  const std::string note = "\n_" + count_text(total_lines - kept_lines) +
                           " more lines of the verdict table, and everything after it, are left out to keep this summary under " +
                           cap + "; they are in the JSON and HTML reports._\n";
  if (out.size() + note.size() <= options.max_bytes) out += note;
  return out;
}

}  // namespace faultline::reports
