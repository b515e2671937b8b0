// What the caller saw on one arrow of the topology: its call sites' counters summed, and the
// lines the edge inspector and the arrow's tooltip show. Plain text from the engine's results,
// so the GUI model's tests check exactly what the panel draws.
#pragma once
#include <string>
#include <vector>

#include "gui/model/topology.hpp"
#include "sim/results.hpp"

namespace faultline::gui {

struct CallerSide {
  sim::CallSiteCounters sum;
  std::vector<std::string> lines;  // empty when no attempt was made yet
};

CallerSide caller_side(const TopoEdge& edge, const sim::Results& results);

}  // namespace faultline::gui
