// Open-loop arrival instants from a client's rate schedule, shared by the engine and the live
// load generator: the same seed gives the same arrival instants in both.
#pragma once
#include <cstdint>

#include "sim/config.hpp"
#include "sim/rng.hpp"
#include "sim/time.hpp"

namespace faultline::sim {

// The next arrival strictly after `from` (kNever when the rate stays zero). `schedule_index`
// remembers the schedule segment between calls (start at 0); `rng` is the client's arrivals
// stream, Rng::stream(seed, "client/NAME/arrivals").
TimeNs next_open_loop_arrival(const ClientConfig& config, std::uint32_t& schedule_index, Rng& rng, TimeNs from);

}  // namespace faultline::sim
