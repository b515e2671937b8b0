// The fault space of `faultline explore`: every single fault a scenario's topology allows (each
// instance crashed, hung and slowed; each zone down; each zone pair partitioned; each dependency
// slow or erroring; the registry unavailable), at durations and severities from a documented
// default set or from the scenario's own `explore` block. Candidates are fault objects in the
// scenario file's own JSON form, so each one can be written out as a scenario that reproduces it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/json_source.hpp"
#include "harness/scenario.hpp"

namespace faultline::harness {

// The knobs of the space. Defaults (docs/explore.md): every window starts at a quarter of the
// run and lasts a quarter of it; slowdowns are x10; a slow dependency gets +100ms per request;
// an erroring dependency fails 20% of requests.
struct ExploreSettings {
  TimeNs at_ns = 0;
  std::vector<TimeNs> windows_ns;
  std::vector<double> slowdown_factors{10.0};
  std::vector<TimeNs> latencies_ns{100 * sim::kMillisecond};
  std::vector<double> error_ratios{0.2};
  std::vector<std::uint32_t> services;  // the services the space covers (all when empty)
  std::vector<std::string> kinds;       // candidate kinds covered (all when empty)
};

// The candidate kinds, in the order the space lists them.
const std::vector<std::string>& explore_kinds();

// The scenario's `explore` block over the defaults. Unknown services or kinds, and a block that
// leaves nothing to explore, are InputErrors located in `source`.
ExploreSettings read_explore_settings(const JsonSource& source, const Scenario& scenario);

struct Candidate {
  std::string id;                              // "crash frontend#0", "zone_down eu-west-1a", ...
  std::vector<nlohmann::ordered_json> faults;  // fault objects as a scenario file writes them
  std::vector<std::uint32_t> instances;        // engine instance indices its faults act on
  std::vector<std::size_t> parts;              // a pair: the indices of its two singles
};

// The scenario document an exploration starts from: when the `explore` block lists
// `assertions`, only those stay (checked by read_explore_settings).
nlohmann::ordered_json explore_base_document(const nlohmann::ordered_json& scenario_document);

// Every single fault of the space, in a fixed order (kind, then entity, then severity, then
// window). Throws InputError (at /explore in `source`) when the space is empty.
std::vector<Candidate> single_candidates(const JsonSource& source, const Scenario& scenario,
                                         const ExploreSettings& settings);

// Every unordered pair of two different singles, in order (i < j).
Candidate pair_candidate(const std::vector<Candidate>& singles, std::size_t first, std::size_t second);

// The scenario file's document with `faults` replaced (kept when keep_faults, then the
// candidate's appended), without `$schema`, `explore` and `swarm`, and without assertions that
// name a fault that is gone (their names go to `dropped_assertions`).
nlohmann::ordered_json candidate_document(const nlohmann::ordered_json& scenario_document,
                                          const std::vector<nlohmann::ordered_json>& faults, bool keep_faults,
                                          std::vector<std::string>* dropped_assertions = nullptr);

}  // namespace faultline::harness
