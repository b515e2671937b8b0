// Layered layout of clients and services with zone rows of instance cells.
#include "gui/model/topology_layout.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace faultline::gui {

TopologyLayout layout_topology(const Topology& t, const LayoutMetrics& m) {
  TopologyLayout out;
  out.cells.resize(t.instances.size());
  out.services.resize(t.services.size());
  out.clients.resize(t.clients.size());
  const float pitch = m.cell + m.cell_gap;
  // Room for the zone labels at the start of each row, about 7 units per character.
  std::size_t longest_label = 0;
  for (const std::string& label : t.zone_labels) longest_label = std::max(longest_label, label.size());
  const float zone_label = std::max(m.zone_label, 8.0f + 7.0f * static_cast<float>(longest_label));

  // Sizes: each service box holds a row per zone, wrapping at max_columns cells.
  for (std::uint32_t s = 0; s < t.services.size(); ++s) {
    const TopoService& service = t.services[s];
    ServiceLayout& layout = out.services[s];
    std::uint32_t widest = 1;
    for (std::uint32_t count : service.zone_counts) widest = std::max(widest, std::min(count, m.max_columns));
    float y = m.header;
    std::vector<std::uint32_t> placed(t.zones.size(), 0);
    for (std::uint32_t z = 0; z < t.zones.size(); ++z) {
      const std::uint32_t count = service.zone_counts[z];
      const std::uint32_t rows = std::max<std::uint32_t>(1, (count + widest - 1) / widest);
      ZoneRowLayout row;
      row.zone = z;
      row.columns = widest;
      row.rect = {m.padding, y, zone_label + widest * pitch - m.cell_gap + 6, rows * pitch - m.cell_gap + 6};
      layout.rows.push_back(row);
      y += row.rect.h + m.row_gap;
    }
    for (std::uint32_t i = service.first_instance; i < service.first_instance + service.instance_count; ++i) {
      const TopoInstance& instance = t.instances[i];
      const ZoneRowLayout& row = layout.rows[instance.zone];
      const std::uint32_t k = placed[instance.zone]++;
      out.cells[i] = {row.rect.x + zone_label + (k % widest) * pitch, row.rect.y + 3 + (k / widest) * pitch, m.cell, m.cell};
    }
    layout.box.w = std::max(m.padding * 2 + zone_label + widest * pitch - m.cell_gap + 6, 110.0f);
    layout.box.h = y - m.row_gap + m.padding;
    for (ZoneRowLayout& row : layout.rows) row.rect.w = layout.box.w - 2 * m.padding;
  }

  // Layers: clients first, then services by depth. Within a layer, order by the mean position of
  // the callers (one barycentric sweep), ties by definition order, so the layout is stable.
  std::vector<std::vector<EntityRef>> layers(t.max_depth + 1);
  for (std::uint32_t c = 0; c < t.clients.size(); ++c) layers[0].push_back({EntityKind::client, c});
  for (std::uint32_t s = 0; s < t.services.size(); ++s) layers[t.services[s].depth].push_back({EntityKind::service, s});
  std::vector<double> order_of_client(t.clients.size(), 0);
  std::vector<double> order_of_service(t.services.size(), 0);
  for (std::size_t k = 0; k < layers[0].size(); ++k) order_of_client[layers[0][k].index] = static_cast<double>(k);
  for (std::size_t d = 1; d < layers.size(); ++d) {
    std::vector<std::pair<double, std::uint32_t>> keyed;
    for (const EntityRef& e : layers[d]) {
      double sum = 0;
      double n = 0;
      for (const TopoSite& site : t.sites) {
        if (site.callee_service != e.index) continue;
        sum += site.caller_kind == CallerKind::client ? order_of_client[site.caller] : order_of_service[site.caller];
        n += 1;
      }
      keyed.push_back({n > 0 ? sum / n : 0.0, e.index});
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    layers[d].clear();
    for (std::size_t k = 0; k < keyed.size(); ++k) {
      layers[d].push_back({EntityKind::service, keyed[k].second});
      order_of_service[keyed[k].second] = static_cast<double>(k);
    }
  }

  // Positions: layers side by side, each stacked and centred vertically. A layer taller than
  // the drawing would be wide is wrapped into several columns, so that large meshes keep a
  // shape that fits a window.
  auto rect_of = [&](const EntityRef& e) -> Rect& {
    return e.kind == EntityKind::client ? out.clients[e.index] : out.services[e.index].box;
  };
  for (std::uint32_t c = 0; c < t.clients.size(); ++c) out.clients[c] = {0, 0, m.client_width, m.client_height};
  double area = 0;
  float tallest_node = 0;
  for (const auto& layer : layers) {
    for (const EntityRef& e : layer) {
      const Rect& r = rect_of(e);
      area += static_cast<double>(r.w + m.layer_gap) * (r.h + m.node_gap);
      tallest_node = std::max(tallest_node, r.h);
    }
  }
  const float max_column_height = std::max(tallest_node, static_cast<float>(std::sqrt(area / 1.8)));
  // Split each layer into columns of at most max_column_height.
  std::vector<std::vector<EntityRef>> columns;
  for (const auto& layer : layers) {
    if (layer.empty()) continue;
    columns.emplace_back();
    float height = 0;
    for (const EntityRef& e : layer) {
      const float h = rect_of(e).h;
      if (!columns.back().empty() && height + m.node_gap + h > max_column_height) {
        columns.emplace_back();
        height = 0;
      }
      height += (columns.back().empty() ? 0 : m.node_gap) + h;
      columns.back().push_back(e);
    }
  }
  std::vector<float> column_height(columns.size(), 0);
  std::vector<float> column_width(columns.size(), 0);
  for (std::size_t k = 0; k < columns.size(); ++k) {
    for (const EntityRef& e : columns[k]) {
      column_height[k] += rect_of(e).h + m.node_gap;
      column_width[k] = std::max(column_width[k], rect_of(e).w);
    }
    column_height[k] -= m.node_gap;
  }
  const float tallest = columns.empty() ? 0 : *std::max_element(column_height.begin(), column_height.end());
  float x = 0;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    float y = (tallest - column_height[k]) / 2;
    for (const EntityRef& e : columns[k]) {
      Rect& r = rect_of(e);
      r.x = x + (column_width[k] - r.w) / 2;
      r.y = y;
      y += r.h + m.node_gap;
    }
    x += column_width[k] + m.layer_gap;
  }
  out.width = std::max(0.0f, x - m.layer_gap);
  out.height = tallest;
  return out;
}

}  // namespace faultline::gui
