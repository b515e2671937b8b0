// The runs file of an exploration and its resilience matrix. Everything here is a function of
// the candidate records in candidate order, so jobs and shards never change a byte.
#include "reports/explore_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "reports/format.hpp"
#include "reports/sha256.hpp"

namespace faultline::reports {
namespace {

using json = nlohmann::ordered_json;

double rounded(double value) { return std::round(value * 1e6) / 1e6; }

json range_json(std::uint64_t first, std::uint64_t last) {
  json out;
  out["first"] = first;
  out["last"] = last;
  out["count"] = last - first + 1;
  return out;
}

json header_json(const ExploreHeader& header) {
  const SweepHeader& s = header.sweep;
  json head;
  head["kind"] = "faultline-explore-runs";
  head["faultline_version"] = s.faultline_version;
  head["scenario"] = json{{"name", s.scenario_name}, {"sha256", s.scenario_sha256}, {"file", s.scenario_file},
                          {"source", s.scenario_source}};
  head["space"] = header.space;
  head["keep_faults"] = header.keep_faults;
  head["seeds"] = range_json(1, header.seeds);
  head["candidates"] = range_json(s.first_seed, s.last_seed);
  head["shard"] = s.shard_count > 0 ? json{{"index", s.shard_index}, {"count", s.shard_count}} : json(nullptr);
  head["slice"] = range_json(s.slice_first, s.slice_last);
  head["assertions_left_out"] = header.assertions_left_out;
  json pruning;
  pruning["singles"] = header.singles;
  pruning["pairs_possible"] = header.pairs_possible;
  pruning["pruned_failing_single"] = header.pairs_pruned_failing_single;
  pruning["pruned_idle_instance"] = header.pairs_pruned_idle_instance;
  pruning["idle_instances"] = header.idle_instances;
  head["pruning"] = std::move(pruning);
  return head;
}

// The failure ratio of each assertion over a candidate's seeds, and its failing seed count.
struct CandidateSummary {
  std::size_t failed_seeds = 0;
  std::vector<std::size_t> failed_by_assertion;
  double worst_ratio = 0;
  double ratio_sum = 0;
};

CandidateSummary summarise(const CandidateRecord& c, std::size_t assertions) {
  CandidateSummary s;
  s.failed_by_assertion.assign(assertions, 0);
  for (const SeedRecord& r : c.runs) {
    if (!r.passed) ++s.failed_seeds;
    for (std::size_t a = 0; a < assertions; ++a) s.failed_by_assertion[a] += r.assertions_passed[a] ? 0 : 1;
  }
  for (const std::size_t failed : s.failed_by_assertion) {
    const double ratio = c.runs.empty() ? 0.0 : static_cast<double>(failed) / static_cast<double>(c.runs.size());
    s.worst_ratio = std::max(s.worst_ratio, ratio);
    s.ratio_sum += ratio;
  }
  return s;
}

std::string verdict_text(std::size_t failed, std::size_t seeds) {
  return failed == 0 ? "passes on all " + std::to_string(seeds) + " seeds"
                     : "fails on " + std::to_string(failed) + " of " + std::to_string(seeds) + " seeds";
}

// A heat-map colour for a failure ratio: white (0) through amber to red (1).
std::string heat_colour(double ratio) {
  if (ratio <= 0) return "#f4fbf4";
  const int green = static_cast<int>(std::lround(220.0 - 170.0 * ratio));
  const int blue = static_cast<int>(std::lround(120.0 - 90.0 * ratio));
  char text[16];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", 240, green, blue);
  return text;
}

}  // namespace

std::string candidate_scenario_path(std::uint64_t number) {
  char name[48];
  std::snprintf(name, sizeof name, "scenarios/candidate-%04llu.json", static_cast<unsigned long long>(number));
  return name;
}

bool is_explore_runs(const json& document) {
  return document.is_object() && document.value("kind", "") == "faultline-explore-runs";
}

std::string render_explore_runs(const ExploreHeader& header, const SweepLayout& layout,
                                const std::vector<CandidateRecord>& candidates) {
  json head = header_json(header);
  json assertions = json::array();
  for (const auto& a : layout.assertions) assertions.push_back(json{{"name", a.name}, {"type", a.type}, {"expected", a.expected}});
  head["assertions"] = std::move(assertions);
  std::string text = head.dump(2);
  text.pop_back();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  text += ",\n  \"runs\": [";
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const CandidateRecord& c = candidates[i];
    json line;
    line["candidate"] = c.number;
    line["id"] = c.id;
    line["faults"] = c.faults;
    json runs = json::array();
    for (const SeedRecord& r : c.runs) runs.push_back(seed_record_json(r));
    line["runs"] = std::move(runs);
    text += (i == 0 ? "\n    " : ",\n    ") + line.dump();
  }
  text += candidates.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return text;
}

void parse_explore_runs(const json& document, ExploreHeader& header, SweepLayout& layout,
                        std::vector<CandidateRecord>& candidates) {
  if (!is_explore_runs(document)) {
    throw std::runtime_error("expected a runs.json written by faultline explore (\"kind\": \"faultline-explore-runs\")");
  }
  SweepHeader& s = header.sweep;
  s.faultline_version = document.at("faultline_version").get<std::string>();
  const json& scenario = document.at("scenario");
  s.scenario_name = scenario.at("name").get<std::string>();
  s.scenario_sha256 = scenario.at("sha256").get<std::string>();
  s.scenario_file = scenario.at("file").get<std::string>();
  s.scenario_source = scenario.at("source").get<std::string>();
  header.space = document.at("space").get<std::string>();
  header.keep_faults = document.at("keep_faults").get<bool>();
  header.seeds = document.at("seeds").at("last").get<std::uint64_t>();
  s.first_seed = document.at("candidates").at("first").get<std::uint64_t>();
  s.last_seed = document.at("candidates").at("last").get<std::uint64_t>();
  if (document.at("shard").is_object()) {
    s.shard_index = document.at("shard").at("index").get<std::uint64_t>();
    s.shard_count = document.at("shard").at("count").get<std::uint64_t>();
  } else {
    s.shard_index = s.shard_count = 0;
  }
  s.slice_first = document.at("slice").at("first").get<std::uint64_t>();
  s.slice_last = document.at("slice").at("last").get<std::uint64_t>();
  header.assertions_left_out.clear();
  for (const json& name : document.at("assertions_left_out")) header.assertions_left_out.push_back(name.get<std::string>());
  const json& pruning = document.at("pruning");
  header.singles = pruning.at("singles").get<std::uint64_t>();
  header.pairs_possible = pruning.at("pairs_possible").get<std::uint64_t>();
  header.pairs_pruned_failing_single = pruning.at("pruned_failing_single").get<std::uint64_t>();
  header.pairs_pruned_idle_instance = pruning.at("pruned_idle_instance").get<std::uint64_t>();
  header.idle_instances = pruning.at("idle_instances").get<std::uint64_t>();
  layout = {};
  for (const json& a : document.at("assertions")) {
    layout.assertions.push_back({a.at("name").get<std::string>(), a.at("type").get<std::string>(), a.at("expected").get<std::string>()});
  }
  candidates.clear();
  for (const json& line : document.at("runs")) {
    CandidateRecord c;
    c.number = line.at("candidate").get<std::uint64_t>();
    c.id = line.at("id").get<std::string>();
    c.faults = line.at("faults");
    for (const json& run : line.at("runs")) c.runs.push_back(seed_record_from_json(run, layout));
    if (c.runs.size() != header.seeds) {
      throw std::runtime_error("candidate " + std::to_string(c.number) + " does not hold one run per seed");
    }
    candidates.push_back(std::move(c));
  }
}

namespace {

// What the space was: its kind, seeds, the candidates of this shard, and for pairs the pruning.
void add_space(json& report, const ExploreHeader& header) {
  const SweepHeader& s = header.sweep;
  report["space"] = header.space;
  report["keep_faults"] = header.keep_faults;
  report["seeds"] = range_json(1, header.seeds);
  report["candidates"] = range_json(s.slice_first, s.slice_last);
  if (s.shard_count > 0) {
    report["shard"] = json{{"index", s.shard_index}, {"count", s.shard_count}, {"of_candidates", range_json(s.first_seed, s.last_seed)}};
  }
  if (header.space != "pairs") return;
  json pruning;
  pruning["rule"] =
      "a pair is explored only when both its singles pass on every seed, and only when neither fault acts on an "
      "instance that served no request in the baseline (the scenario without candidate faults)";
  pruning["singles"] = header.singles;
  pruning["pairs_possible"] = header.pairs_possible;
  pruning["pruned_failing_single"] = header.pairs_pruned_failing_single;
  pruning["pruned_idle_instance"] = header.pairs_pruned_idle_instance;
  pruning["pairs_explored"] = header.pairs_possible - header.pairs_pruned_failing_single - header.pairs_pruned_idle_instance;
  pruning["idle_instances"] = header.idle_instances;
  report["pruning"] = std::move(pruning);
}

// Totals over every candidate's runs; returns each candidate's summary, in the space's order.
std::vector<CandidateSummary> add_totals(json& report, const SweepLayout& layout, const std::vector<CandidateRecord>& candidates) {
  std::vector<CandidateSummary> summaries;
  std::string hashes;
  std::size_t failing = 0, runs = 0;
  for (const CandidateRecord& c : candidates) {
    summaries.push_back(summarise(c, layout.assertions.size()));
    failing += summaries.back().failed_seeds > 0 ? 1 : 0;
    for (const SeedRecord& r : c.runs) {
      hashes += std::to_string(c.number) + " " + std::to_string(r.seed) + " " + r.trace_hash + "\n";
      ++runs;
    }
  }
  report["passed"] = failing == 0;
  report["runs"] = runs;
  report["candidates_failing"] = failing;
  report["candidates_passing"] = candidates.size() - failing;
  report["explore_hash"] = sha256_hex(hashes);
  return summaries;
}

// Worst first: more failing seeds, then the worst assertion's ratio, then the sum of ratios;
// ties keep the order of the space.
std::vector<std::size_t> worst_first(const std::vector<CandidateSummary>& summaries) {
  std::vector<std::size_t> order(summaries.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const CandidateSummary &x = summaries[a], &y = summaries[b];
    if (x.failed_seeds != y.failed_seeds) return x.failed_seeds > y.failed_seeds;
    if (x.worst_ratio != y.worst_ratio) return x.worst_ratio > y.worst_ratio;
    return x.ratio_sum > y.ratio_sum;
  });
  return order;
}

// One row of the resilience matrix.
json matrix_row(std::size_t rank, const CandidateRecord& c, const CandidateSummary& summary, const SweepLayout& layout) {
  json row;
  row["rank"] = rank + 1;
  row["candidate"] = c.number;
  row["id"] = c.id;
  row["passed"] = summary.failed_seeds == 0;
  row["failed_seeds"] = summary.failed_seeds;
  row["verdict"] = verdict_text(summary.failed_seeds, c.runs.size());
  json ratios = json::array(), failed = json::array();
  for (std::size_t a = 0; a < layout.assertions.size(); ++a) {
    const double ratio = c.runs.empty() ? 0.0 : static_cast<double>(summary.failed_by_assertion[a]) / static_cast<double>(c.runs.size());
    ratios.push_back(rounded(ratio));
    if (summary.failed_by_assertion[a] > 0) failed.push_back(layout.assertions[a].name);
  }
  row["failure_ratios"] = std::move(ratios);
  row["failed_assertions"] = std::move(failed);
  row["faults"] = c.faults;
  if (summary.failed_seeds > 0) {
    row["scenario_file"] = candidate_scenario_path(c.number);
    json replays = json::array();
    for (const SeedRecord& r : c.runs) {
      if (!r.passed) replays.push_back("faultline run " + candidate_scenario_path(c.number) + " --seed " + std::to_string(r.seed));
    }
    row["replay"] = std::move(replays);
  }
  return row;
}

}  // namespace

json build_explore_report(const ExploreHeader& header, const SweepLayout& layout, const std::vector<CandidateRecord>& candidates) {
  const SweepHeader& s = header.sweep;
  json report;
  report["kind"] = "faultline-explore";
  report["faultline_version"] = s.faultline_version;
  report["scenario"] = json{{"name", s.scenario_name}, {"sha256", s.scenario_sha256}, {"file", s.scenario_file}};
  add_space(report, header);
  json assertions = json::array();
  for (const auto& a : layout.assertions) assertions.push_back(json{{"name", a.name}, {"type", a.type}, {"expected", a.expected}});
  report["assertions"] = std::move(assertions);
  report["assertions_left_out"] = header.assertions_left_out;
  const std::vector<CandidateSummary> summaries = add_totals(report, layout, candidates);
  const std::vector<std::size_t> order = worst_first(summaries);
  json matrix = json::array();
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    matrix.push_back(matrix_row(rank, candidates[order[rank]], summaries[order[rank]], layout));
  }
  report["matrix"] = std::move(matrix);
  return report;
}

std::string render_explore_text(const json& report, std::size_t max_listed) {
  std::string out = "explore: " + report["scenario"]["name"].get<std::string>() + ", space " +
                    report["space"].get<std::string>() + ", " + std::to_string(report["matrix"].size()) + " candidates x " +
                    std::to_string(report["seeds"]["count"].get<std::uint64_t>()) + " seeds";
  if (report.contains("shard")) {
    out += " (shard " + std::to_string(report["shard"]["index"].get<std::uint64_t>()) + "/" +
           std::to_string(report["shard"]["count"].get<std::uint64_t>()) + ")";
  }
  out += "\n";
  if (report.contains("pruning")) {
    const json& p = report["pruning"];
    out += "  pairs: " + std::to_string(p["pairs_possible"].get<std::uint64_t>()) + " possible, " +
           std::to_string(p["pruned_failing_single"].get<std::uint64_t>()) + " pruned (a single fails), " +
           std::to_string(p["pruned_idle_instance"].get<std::uint64_t>()) + " pruned (idle instance), " +
           std::to_string(p["pairs_explored"].get<std::uint64_t>()) + " explored\n";
  }
  out += "  " + std::to_string(report["candidates_failing"].get<std::uint64_t>()) + " of " +
         std::to_string(report["matrix"].size()) + " candidates fail\n";
  std::size_t listed = 0;
  for (const json& row : report["matrix"]) {
    if (row["passed"].get<bool>()) break;
    if (listed++ == max_listed) {
      out += "  ... and more in explore.json\n";
      break;
    }
    std::string what;
    for (const json& name : row["failed_assertions"]) what += (what.empty() ? "" : ", ") + name.get<std::string>();
    out += "  #" + std::to_string(row["rank"].get<std::uint64_t>()) + " " + row["id"].get<std::string>() + ": " +
           row["verdict"].get<std::string>() + " (" + what + ")\n    replay: " + row["replay"][0].get<std::string>() + "\n";
  }
  out += report["passed"].get<bool>() ? "PASS" : "FAIL";
  out += "  explore_hash " + report["explore_hash"].get<std::string>().substr(0, 16) + "\n";
  return out;
}

std::string render_explore_markdown(const json& report) {
  const bool passed = report["passed"].get<bool>();
  const json& assertions = report["assertions"];
  std::string out = "## " + std::string(passed ? "✅ " : "❌ ") + markdown_cell(report["scenario"]["name"].get<std::string>()) +
                    ": " + std::to_string(report["candidates_failing"].get<std::uint64_t>()) + " of " +
                    std::to_string(report["matrix"].size()) + " " + report["space"].get<std::string>() +
                    " fault candidates break an assertion\n\n";
  out += "each candidate on seeds 1-" + std::to_string(report["seeds"]["count"].get<std::uint64_t>()) + " · faultline " +
         report["faultline_version"].get<std::string>() + " · explore hash `" +
         report["explore_hash"].get<std::string>().substr(0, 16) + "`\n\n";
  if (report.contains("pruning")) {
    const json& p = report["pruning"];
    out += "Pairs: " + std::to_string(p["pairs_possible"].get<std::uint64_t>()) + " possible, " +
           std::to_string(p["pruned_failing_single"].get<std::uint64_t>()) + " pruned because a single fails, " +
           std::to_string(p["pruned_idle_instance"].get<std::uint64_t>()) + " pruned because a fault hits an idle instance, " +
           std::to_string(p["pairs_explored"].get<std::uint64_t>()) + " explored.\n\n";
  }
  out += "| rank | candidate | verdict |";
  std::string rule = "| ---: | --- | --- |";
  for (std::size_t a = 0; a < assertions.size(); ++a) {
    out += " A" + std::to_string(a + 1) + " |";
    rule += " ---: |";
  }
  out += "\n" + rule + "\n";
  for (const json& row : report["matrix"]) {
    out += "| " + std::to_string(row["rank"].get<std::uint64_t>()) + " | " + markdown_cell(row["id"].get<std::string>()) + " | " +
           (row["passed"].get<bool>() ? "" : "**") + markdown_cell(row["verdict"].get<std::string>()) +
           (row["passed"].get<bool>() ? "" : "**") + " |";
    for (const json& ratio : row["failure_ratios"]) {
      const double r = ratio.get<double>();
      out += " " + (r > 0 ? "**" + percent(r, 1) + "**" : std::string("0%")) + " |";
    }
    out += "\n";
  }
  out += "\n";
  for (std::size_t a = 0; a < assertions.size(); ++a) {
    out += "- A" + std::to_string(a + 1) + ": " + markdown_cell(assertions[a]["name"].get<std::string>()) + " (expected " +
           markdown_cell(assertions[a]["expected"].get<std::string>()) + ")\n";
  }
  if (!report["assertions_left_out"].empty()) {
    out += "\nLeft out (they name a scenario fault the exploration removes):";
    for (const json& name : report["assertions_left_out"]) out += " " + markdown_cell(name.get<std::string>()) + ";";
    out += "\n";
  }
  return out;
}

std::string render_explore_html(const json& report) {
  const json& assertions = report["assertions"];
  const std::string name = xml_escape(report["scenario"]["name"].get<std::string>());
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>faultline explore: " + name +
      "</title>\n<style>\nbody{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\n"
      "table{border-collapse:collapse}\nth,td{border:1px solid #ddd;padding:4px 8px}\n"
      "th.a{writing-mode:vertical-rl;transform:rotate(180deg);max-height:16em;font-weight:normal}\n"
      "td.r{text-align:center;min-width:3.5em}\ntd.id{font-family:monospace}\n.fail{color:#b00020;font-weight:bold}\n"
      ".legend span{display:inline-block;width:3em;text-align:center;margin-right:2px}\n</style>\n</head>\n<body>\n";
  out += "<h1>" + name + ": " + std::to_string(report["candidates_failing"].get<std::uint64_t>()) + " of " +
         std::to_string(report["matrix"].size()) + " " + xml_escape(report["space"].get<std::string>()) +
         " fault candidates break an assertion</h1>\n";
  out += "<p>Each candidate ran on seeds 1-" + std::to_string(report["seeds"]["count"].get<std::uint64_t>()) +
         "; a cell is the share of seeds on which the assertion failed. Ranked worst first. faultline " +
         xml_escape(report["faultline_version"].get<std::string>()) + ", explore hash <code>" +
         report["explore_hash"].get<std::string>().substr(0, 16) + "</code>.</p>\n";
  if (report.contains("pruning")) {
    const json& p = report["pruning"];
    out += "<p>Pairs: " + std::to_string(p["pairs_possible"].get<std::uint64_t>()) + " possible, " +
           std::to_string(p["pruned_failing_single"].get<std::uint64_t>()) + " pruned because a single fails, " +
           std::to_string(p["pruned_idle_instance"].get<std::uint64_t>()) + " pruned because a fault hits an idle instance, " +
           std::to_string(p["pairs_explored"].get<std::uint64_t>()) + " explored.</p>\n";
  }
  out += "<p class=\"legend\">failure ratio: ";
  for (const double r : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    out += "<span style=\"background:" + heat_colour(r) + "\">" + percent(r, 0) + "</span>";
  }
  out += "</p>\n<table>\n<thead><tr><th>rank</th><th>candidate</th><th>verdict</th>";
  for (const json& a : assertions) {
    out += "<th class=\"a\" title=\"expected " + xml_escape(a["expected"].get<std::string>()) + "\">" +
           xml_escape(a["name"].get<std::string>()) + "</th>";
  }
  out += "<th>replay</th></tr></thead>\n<tbody>\n";
  for (const json& row : report["matrix"]) {
    const bool passed = row["passed"].get<bool>();
    out += "<tr><td>" + std::to_string(row["rank"].get<std::uint64_t>()) + "</td><td class=\"id\">" +
           xml_escape(row["id"].get<std::string>()) + "</td><td" + (passed ? "" : " class=\"fail\"") + ">" +
           xml_escape(row["verdict"].get<std::string>()) + "</td>";
    for (const json& ratio : row["failure_ratios"]) {
      const double r = ratio.get<double>();
      out += "<td class=\"r\" style=\"background:" + heat_colour(r) + "\">" + (r > 0 ? percent(r, 0) : "") + "</td>";
    }
    out += "<td>" + (passed ? std::string() : "<code>" + xml_escape(row["replay"][0].get<std::string>()) + "</code>") +
           "</td></tr>\n";
  }
  out += "</tbody>\n</table>\n";
  if (!report["assertions_left_out"].empty()) {
    out += "<p>Left out (they name a scenario fault the exploration removes):";
    for (const json& n : report["assertions_left_out"]) out += " " + xml_escape(n.get<std::string>()) + ";";
    out += "</p>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

std::string render_explore_junit(const json& report) {
  auto attribute = [](std::string_view key, std::string_view value) {
    return " " + std::string(key) + "=\"" + xml_escape(value) + "\"";
  };
  const std::string suite = "explore " + report["space"].get<std::string>() + ": " + report["scenario"]["name"].get<std::string>();
  const std::string tests = std::to_string(report["matrix"].size());
  const std::string failures = std::to_string(report["candidates_failing"].get<std::uint64_t>());
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attribute("name", "faultline") + attribute("tests", tests) + attribute("failures", failures) +
         attribute("errors", "0") + attribute("time", "0") + ">\n";
  out += "  <testsuite" + attribute("name", suite) + attribute("tests", tests) + attribute("failures", failures) +
         attribute("errors", "0") + attribute("skipped", "0") + attribute("time", "0") + ">\n";
  // In the order of the space, so a CI history lines up candidate by candidate.
  std::vector<const json*> rows;
  for (const json& row : report["matrix"]) rows.push_back(&row);
  std::sort(rows.begin(), rows.end(), [](const json* a, const json* b) {
    return (*a)["candidate"].get<std::uint64_t>() < (*b)["candidate"].get<std::uint64_t>();
  });
  for (const json* row : rows) {
    out += "    <testcase" + attribute("classname", suite) + attribute("name", "tolerates " + (*row)["id"].get<std::string>()) +
           attribute("time", "0");
    if ((*row)["passed"].get<bool>()) {
      out += "/>\n";
      continue;
    }
    std::string what;
    for (const json& n : (*row)["failed_assertions"]) what += (what.empty() ? "" : ", ") + n.get<std::string>();
    std::string body = (*row)["verdict"].get<std::string>() + "\nfailed: " + what + "\nscenario: " +
                       (*row)["scenario_file"].get<std::string>() + "\n";
    for (const json& r : (*row)["replay"]) body += "replay: " + r.get<std::string>() + "\n";
    out += ">\n      <failure" + attribute("message", (*row)["verdict"].get<std::string>() + ": " + what) +
           attribute("type", "explore") + ">" + xml_escape(body) + "</failure>\n    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace faultline::reports
