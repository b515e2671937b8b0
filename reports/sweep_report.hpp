// Seed sweeps: each seed's run reduced to a small record, and the aggregate over all seeds
// (min / median / p95 / max per metric and assertion, pass ratios, failing seeds). Records are
// kept in seeds.json so shards can be merged into exactly the aggregate of one whole sweep.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace faultline::reports {

// The metrics a sweep records (and compare compares) per client, per service (the client
// metrics and these), and per fault.
inline constexpr const char* kClientMetrics[] = {"availability", "requests", "errors", "timeouts", "rejected", "retries",
                                                 "p50_ms", "p90_ms", "p99_ms", "p99_9_ms", "max_ms"};
inline constexpr const char* kServiceExtraMetrics[] = {"breaker_opens", "ejections"};
inline constexpr const char* kFaultMetrics[] = {"recovered_after_s", "min_availability"};

// What every seed of one scenario has in common: its assertions and the metrics recorded.
struct SweepLayout {
  struct Assertion {
    std::string name, type, expected;
  };
  struct Metric {
    std::string group;   // "clients", "services" or "faults"
    std::string entity;  // the client, service or fault name
    std::string name;    // e.g. "p99_ms"
  };
  std::vector<Assertion> assertions;
  std::vector<Metric> metrics;
  bool operator==(const SweepLayout& other) const;
};

struct SeedRecord {
  std::uint64_t seed = 0;
  bool passed = false;
  std::string stop;        // "finished", "event_limit", "stopped"
  std::string trace_hash;
  std::vector<bool> assertions_passed;
  std::vector<std::optional<double>> assertion_values;
  std::vector<std::optional<double>> metrics;  // in layout order; nullopt: no value (never recovered)
};

// The sweep as a whole, the same in every shard of it.
struct SweepHeader {
  std::string faultline_version;
  std::string scenario_name, scenario_sha256, scenario_file, scenario_source;
  std::uint64_t first_seed = 0, last_seed = 0;
  std::uint64_t shard_index = 0, shard_count = 0;  // 0/0: the whole range (or a merge)
  std::uint64_t slice_first = 0, slice_last = 0;   // the seeds this output holds
  bool swarm = false;  // --swarm: each seed ran its own drawn scenario (replayed from swarm/seed-N.json)
};

SweepLayout sweep_layout(const nlohmann::ordered_json& run_report);

// One metric of a run report (nullopt when the entity is absent or the value is null).
std::optional<double> run_metric(const nlohmann::ordered_json& run_report, const SweepLayout::Metric& metric);
SeedRecord seed_record(const nlohmann::ordered_json& run_report, const SweepLayout& layout);

// One seed's record as one JSON line of seeds.json, and back (throws ReportError naming the
// JSON pointer, `pointer` being the line's own, when a field is missing or ill-typed or the
// line does not match `layout`).
nlohmann::ordered_json seed_record_json(const SeedRecord& record);
SeedRecord seed_record_from_json(const nlohmann::ordered_json& line, const SweepLayout& layout,
                                 const std::string& pointer = "");

// seeds.json: the header, the layout, and one record per line.
std::string render_seeds_file(const SweepHeader& header, const SweepLayout& layout, const std::vector<SeedRecord>& records);

// Reads seeds.json back through the same field-by-pointer reader as the typed report view
// (reports/json_reader.hpp). Throws ReportError naming the JSON pointer of what is wrong.
void parse_seeds_file(const nlohmann::ordered_json& document, SweepHeader& header, SweepLayout& layout,
                      std::vector<SeedRecord>& records);

// sweep.json: the aggregate. `records` must be sorted by seed.
nlohmann::ordered_json build_sweep_report(const SweepHeader& header, const SweepLayout& layout,
                                          const std::vector<SeedRecord>& records);

// The verdict printed by `faultline sweep` and `faultline merge`.
std::string render_sweep_text(const nlohmann::ordered_json& sweep, std::size_t max_failures_listed = 20);

// summary.md for a sweep.
std::string render_sweep_markdown(const nlohmann::ordered_json& sweep, std::size_t max_bytes = 1 << 20);

// True when `document` is a sweep aggregate (sweep.json) rather than a run report.
bool is_sweep_report(const nlohmann::ordered_json& document);

}  // namespace faultline::reports
