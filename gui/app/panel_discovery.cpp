// Discovery: for every callee service, the truth (is each instance up), what the registry
// publishes, and each caller's cached view, with stale views highlighted: a view that still
// lists a dead instance, or does not yet list a healthy one.
#include <algorithm>
#include <cstdio>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/format.hpp"

namespace faultline::gui {
namespace {

enum class RowKind { header, truth, registry, view };

struct Row {
  RowKind kind;
  std::uint32_t service;
  std::uint32_t site = 0;
};

bool instance_up(const InstanceSnapshot& i) {
  return i.status != sim::InstanceStatus::crashed && i.status != sim::InstanceStatus::stopped;
}

bool view_is_stale(const Topology& t, const Snapshot& snap, std::uint32_t site) {
  const TopoService& callee = t.services[t.sites[site].callee_service];
  const auto& view = snap.sites[site].view;
  for (std::uint32_t i = callee.first_instance; i < callee.first_instance + callee.instance_count; ++i) {
    const bool listed = std::binary_search(view.begin(), view.end(), i);
    const bool up = instance_up(snap.instances[i]) && snap.instances[i].status != sim::InstanceStatus::draining;
    if (listed != up) return true;
  }
  return false;
}

}  // namespace

void DiscoveryPanel::draw(App& app) {
  Session& session = app.session;
  if (!session.loaded()) {
    widgets::empty_state("No scenario loaded", "Open a scenario to compare each caller's discovery view with the truth.");
    return;
  }
  const Topology& t = session.topology();
  const Snapshot& snap = session.snapshot();
  if (t.sites.empty() || !snap.valid) {
    widgets::empty_state("No callers", "Nothing in this scenario calls another service.");
    return;
  }
  const sim::DiscoveryConfig& discovery = session.scenario().model.discovery;
  std::uint32_t stale = 0;
  for (std::uint32_t s = 0; s < t.sites.size(); ++s) stale += view_is_stale(t, snap, s) ? 1 : 0;
  ImGui::TextDisabled("views refresh every %s, health checks every %s, propagation %s", format_span(discovery.refresh_interval_ns).c_str(),
                      format_span(discovery.health_check_interval_ns).c_str(), format_span(discovery.propagation_delay_ns).c_str());
  if (stale > 0) widgets::text_coloured(theme::kWarn, "%u of %zu callers hold a stale view", stale, t.sites.size());
  else widgets::text_coloured(theme::kGood, "every caller's view matches the truth");
  if (snap.registry_outage) {
    ImGui::SameLine();
    widgets::badge("registry outage", theme::kBad);
  }
  ImGui::SameLine(ImGui::GetContentRegionAvail().x - 120 + ImGui::GetCursorPosX());
  ImGui::Checkbox("only stale", &only_stale);

  std::vector<Row> rows;
  for (std::uint32_t callee = 0; callee < t.services.size(); ++callee) {
    std::vector<Row> views;
    for (std::uint32_t s = 0; s < t.sites.size(); ++s) {
      if (t.sites[s].callee_service != callee) continue;
      if (only_stale && !view_is_stale(t, snap, s)) continue;
      views.push_back({RowKind::view, callee, s});
    }
    if (views.empty()) continue;
    rows.push_back({RowKind::header, callee});
    rows.push_back({RowKind::truth, callee});
    rows.push_back({RowKind::registry, callee});
    rows.insert(rows.end(), views.begin(), views.end());
  }
  if (rows.empty()) {
    widgets::empty_state("No stale views", "Untick \"only stale\" to see every caller.");
    return;
  }

  const float label_w = 190;
  const float age_w = 70;
  const float cell = 14;
  const float row_h = std::max(ImGui::GetTextLineHeight() + 4, cell + 6);
  ImGui::BeginChild("##views", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 0));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()), row_h);
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      const Row& row = rows[static_cast<std::size_t>(r)];
      const TopoService& callee = t.services[row.service];
      const ImVec2 pos = ImGui::GetCursorScreenPos();
      ImGui::PushID(r);
      if (row.kind == RowKind::header) {
        ImGui::SetCursorScreenPos(ImVec2(pos.x, pos.y + 2));
        ImGui::PushFont(app.fonts.title);
        ImGui::Text("%s", callee.name.c_str());
        ImGui::PopFont();
        ImGui::SameLine();
        ImGui::TextDisabled("%u instances", callee.instance_count);
        ImGui::SetCursorScreenPos(pos);
        ImGui::Dummy(ImVec2(1, row_h));
        ImGui::PopID();
        continue;
      }
      const bool stale_row = row.kind == RowKind::view && view_is_stale(t, snap, row.site);
      if (stale_row) draw->AddRectFilled(pos, ImVec2(pos.x + ImGui::GetContentRegionAvail().x, pos.y + row_h - 1), theme::with_alpha(theme::kWarn, 0.10f), 3);
      ImGui::SetCursorScreenPos(ImVec2(pos.x + 12, pos.y + 2));
      if (row.kind == RowKind::truth) {
        ImGui::TextDisabled("truth (up?)");
      } else if (row.kind == RowKind::registry) {
        ImGui::TextDisabled("registry publishes");
      } else {
        const TopoSite& site = t.sites[row.site];
        std::string caller = site.caller_kind == CallerKind::client ? t.clients[site.caller].name : t.services[site.caller].name;
        const bool selected = app.selection == EntityRef{EntityKind::edge, site.edge};
        if (ImGui::Selectable(caller.c_str(), selected, 0, ImVec2(label_w - 14, row_h - 4))) app.select({EntityKind::edge, site.edge});
        ImGui::SameLine(label_w);
        const TimeNs age = snap.at_ns - snap.sites[row.site].view_refreshed_ns;
        widgets::text_coloured(age > discovery.refresh_interval_ns ? theme::kWarn : theme::kTextDim, "%s", format_span(age).c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("age of this caller's view (refreshed at %s)", format_time(snap.sites[row.site].view_refreshed_ns).c_str());
      }
      // The cells.
      float x = pos.x + label_w + age_w;
      const float y = pos.y + (row_h - cell) / 2;
      for (std::uint32_t i = callee.first_instance; i < callee.first_instance + callee.instance_count; ++i) {
        const InstanceSnapshot& inst = snap.instances[i];
        const bool up = instance_up(inst);
        const ImVec2 a(x, y);
        const ImVec2 b(x + cell, y + cell);
        std::string tip;
        if (row.kind == RowKind::truth) {
          draw->AddRectFilled(a, b, theme::visual_state(up ? (inst.status == sim::InstanceStatus::draining ? VisualState::draining : VisualState::healthy)
                                                          : VisualState::crashed), 2);
          tip = std::string(sim::instance_status_name(inst.status));
        } else if (row.kind == RowKind::registry) {
          if (inst.published_healthy) draw->AddRectFilled(a, b, theme::with_alpha(theme::kGood, up ? 0.85f : 0.85f), 2);
          else draw->AddRect(a, b, theme::kTextFaint, 2);
          if (inst.published_healthy && !up) draw->AddRect(ImVec2(a.x - 2, a.y - 2), ImVec2(b.x + 2, b.y + 2), theme::kWarn, 3, 0, 2);
          tip = std::string(inst.published_healthy ? "published healthy" : "not published") + (inst.registered ? "" : ", deregistered") +
                (inst.passing ? "" : ", failing checks");
        } else {
          const auto& site = snap.sites[row.site];
          const bool listed = std::binary_search(site.view.begin(), site.view.end(), i);
          const bool ejected = std::find(site.ejected_instances.begin(), site.ejected_instances.end(), i) != site.ejected_instances.end();
          if (listed && up) {
            draw->AddRectFilled(a, b, theme::kGood, 2);
            tip = "listed, up";
          } else if (listed && !up) {
            draw->AddRectFilled(a, b, theme::visual_state(VisualState::crashed), 2);
            draw->AddRect(ImVec2(a.x - 2, a.y - 2), ImVec2(b.x + 2, b.y + 2), theme::kWarn, 3, 0, 2);
            tip = "STALE: listed, but down - requests still go to it";
          } else if (!listed && up) {
            draw->AddRect(a, b, theme::kGood, 2, 0, 1.5f);
            tip = "MISSING: up, but not in this view yet";
          } else {
            draw->AddRectFilled(a, b, theme::kPanelRaised, 2);
            tip = "not listed, down";
          }
          if (ejected) {
            draw->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), theme::visual_state(VisualState::ejected), 3, 0, 2);
            tip += "; ejected by this caller";
          }
        }
        if (mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y && ImGui::IsWindowHovered()) {
          ImGui::SetTooltip("%s\n%s", t.instances[i].name.c_str(), tip.c_str());
          app.hovered_next = {EntityKind::instance, i};
          if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) app.select({EntityKind::instance, i});
        }
        x += cell + 3;
      }
      ImGui::SetCursorScreenPos(pos);
      ImGui::Dummy(ImVec2(label_w + age_w + static_cast<float>(callee.instance_count) * (cell + 3), row_h));
      ImGui::PopID();
    }
  }
  clipper.End();
  ImGui::PopStyleVar();
  ImGui::EndChild();
}

}  // namespace faultline::gui
