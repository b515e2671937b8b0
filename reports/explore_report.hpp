// Fault-space exploration: each candidate's runs (one SeedRecord per seed, as a sweep keeps
// them), the runs file that shards and merges carry (runs.json), and the resilience matrix
// (candidate x assertion failure ratios, worst first) in JSON, text, Markdown, HTML and JUnit.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/sweep_report.hpp"

namespace faultline::reports {

struct ExploreHeader {
  // The scenario and the sharding, as for a sweep; the "seed" range of a sweep is here the
  // range of candidate numbers (1..candidates), which shards slice exactly as they slice seeds.
  SweepHeader sweep;
  std::string space;              // "single" or "pairs"
  std::uint64_t seeds = 3;        // each candidate runs seeds 1..seeds
  bool keep_faults = false;       // the scenario's own faults stay in every candidate
  std::vector<std::string> assertions_left_out;  // they name a scenario fault that is removed
  // Pairs: how the space was pruned (zero for single).
  std::uint64_t singles = 0;
  std::uint64_t pairs_possible = 0;
  std::uint64_t pairs_pruned_failing_single = 0;
  std::uint64_t pairs_pruned_idle_instance = 0;
  std::uint64_t idle_instances = 0;
};

struct CandidateRecord {
  std::uint64_t number = 0;  // 1-based position in the space
  std::string id;
  nlohmann::ordered_json faults = nlohmann::ordered_json::array();
  std::vector<SeedRecord> runs;  // by seed
};

// runs.json: header, assertion layout, one candidate per line.
std::string render_explore_runs(const ExploreHeader& header, const SweepLayout& layout,
                                const std::vector<CandidateRecord>& candidates);
// Throws std::runtime_error describing what is wrong.
void parse_explore_runs(const nlohmann::ordered_json& document, ExploreHeader& header, SweepLayout& layout,
                        std::vector<CandidateRecord>& candidates);
bool is_explore_runs(const nlohmann::ordered_json& document);

// The reproducing scenario of a failing candidate, relative to the output folder.
std::string candidate_scenario_path(std::uint64_t number);

// explore.json: the matrix ranked worst first. `candidates` sorted by number.
nlohmann::ordered_json build_explore_report(const ExploreHeader& header, const SweepLayout& layout,
                                            const std::vector<CandidateRecord>& candidates);

std::string render_explore_text(const nlohmann::ordered_json& report, std::size_t max_listed = 15);
std::string render_explore_markdown(const nlohmann::ordered_json& report);
std::string render_explore_html(const nlohmann::ordered_json& report);
// One testcase per candidate ("tolerates crash frontend#0"), failing when any seed fails.
std::string render_explore_junit(const nlohmann::ordered_json& report);

}  // namespace faultline::reports
