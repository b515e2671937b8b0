// Where the topology view puts things: clients and services in layers by call depth (left to
// right), each service a box with one row per zone holding its instance cells. A pure function
// of the topology, so the layout is the same every time a scenario is opened; the view adds
// the user's drags on top.
#pragma once
#include <cstdint>
#include <vector>

#include "gui/model/topology.hpp"

namespace faultline::gui {

struct LayoutMetrics {
  float cell = 18;             // instance cell size
  float cell_gap = 3;
  float padding = 8;
  float header = 24;           // service name line
  float zone_label = 22;       // zone name column inside a service box
  float row_gap = 4;           // between zone rows
  std::uint32_t max_columns = 12;  // cells per row before wrapping
  float layer_gap = 130;       // horizontal space between layers (edge labels live here)
  float node_gap = 28;         // vertical space between boxes of one layer
  float client_width = 120;
  float client_height = 44;
};

struct Rect {
  float x = 0;
  float y = 0;
  float w = 0;
  float h = 0;
  bool contains(float px, float py) const { return px >= x && px < x + w && py >= y && py < y + h; }
  bool overlaps(const Rect& o) const { return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h; }
};

struct ZoneRowLayout {
  std::uint32_t zone = 0;
  Rect rect;  // relative to the service box
  std::uint32_t columns = 0;
};

struct ServiceLayout {
  Rect box;
  std::vector<ZoneRowLayout> rows;  // one per zone of the scenario, in zone order
};

struct TopologyLayout {
  std::vector<Rect> clients;
  std::vector<ServiceLayout> services;
  std::vector<Rect> cells;  // per instance, relative to its service box
  float width = 0;
  float height = 0;
};

TopologyLayout layout_topology(const Topology& topology, const LayoutMetrics& metrics = {});

}  // namespace faultline::gui
