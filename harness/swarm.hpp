// Swarm sweeps (`faultline sweep --swarm`, after TigerBeetle VOPR's options_swarm): per seed,
// the parameters of the scenario's faults are drawn from ranges its `swarm` block declares, and
// extra faults are drawn from the exploration space. The drawn scenario is a pure function of
// (scenario bytes, seed), so a failing seed replays exactly and can be shrunk.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/explore_space.hpp"
#include "harness/json_source.hpp"
#include "harness/scenario.hpp"

namespace faultline::harness {

struct SwarmPlan {
  nlohmann::ordered_json document;  // the scenario file's document
  std::string file;                 // where it came from, for messages and descriptions
  std::vector<Candidate> extra_space;  // the faults extra draws pick from
  std::uint64_t extra_max = 0;
  TimeNs extra_at_min_ns = 0, extra_at_max_ns = 0;
  TimeNs extra_duration_min_ns = 0, extra_duration_max_ns = 0;
};

// Reads and checks the scenario's `swarm` block; InputErrors are located in `source` (a missing
// block is one too: --swarm needs ranges to draw from).
SwarmPlan read_swarm_plan(const JsonSource& source, const Scenario& scenario);

// The scenario drawn for `seed` (its `seed` set to it, its `swarm` block removed).
nlohmann::ordered_json swarm_draw(const SwarmPlan& plan, std::uint64_t seed);

// Loads the drawn scenario; a draw the loader refuses is an InputError located at /swarm.
Scenario load_swarm_draw(const SwarmPlan& plan, const JsonSource& source, std::uint64_t seed);

// Where a sweep folder keeps the drawn scenario of a failing seed: "swarm/seed-N.json".
std::string swarm_scenario_path(std::uint64_t seed);

}  // namespace faultline::harness
