// The event log: every fault, breaker change, crash, ejection, registry change and assertion
// verdict, filterable by kind and entity, virtualised with ImGuiListClipper; click to seek.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/format.hpp"

namespace faultline::gui {

void EventLogPanel::draw(App& app) {
  Session& session = app.session;
  if (!session.loaded()) {
    widgets::empty_state("No events yet", "Open a scenario; its faults, breaker changes, crashes and verdicts will be listed here.");
    return;
  }
  const Derived& derived = app.derived();

  // Filters: one toggle per kind, an entity filter, the future, following the cursor.
  for (std::size_t k = 0; k < kLogKindCount; ++k) {
    const std::uint32_t bit = 1u << k;
    bool on = (filter.kind_mask & bit) != 0;
    ImGui::PushStyleColor(ImGuiCol_CheckMark, theme::to_vec4(theme::log_kind(static_cast<LogKind>(k))));
    if (ImGui::Checkbox(log_kind_name(static_cast<LogKind>(k)), &on)) filter.kind_mask = on ? (filter.kind_mask | bit) : (filter.kind_mask & ~bit);
    ImGui::PopStyleColor();
    if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) filter.kind_mask = bit;  // right click: only this kind
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < 90) ImGui::NewLine();
  }
  ImGui::NewLine();
  ImGui::SetNextItemWidth(std::min(220.0f, ImGui::GetContentRegionAvail().x * 0.45f));
  if (ImGui::InputTextWithHint("##entity", "filter by entity or text", entity_text, sizeof entity_text)) filter.entity_text = entity_text;
  ImGui::SameLine();
  if (app.selection && ImGui::SmallButton("selected")) {
    const std::string name = entity_name(session.topology(), app.selection);
    std::snprintf(entity_text, sizeof entity_text, "%s", name.c_str());
    filter.entity_text = entity_text;
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Filter by the selected entity");
  ImGui::SameLine();
  ImGui::Checkbox("future", &show_future);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Also list what is still to come (dimmed)");
  ImGui::SameLine();
  ImGui::Checkbox("follow", &follow);

  const std::size_t key = std::hash<std::string>{}(filter.entity_text) ^ (std::size_t{filter.kind_mask} << 40) ^
                          reinterpret_cast<std::size_t>(derived.log.data()) ^ (derived.log.size() << 20) ^
                          std::hash<double>{}(derived.built_at_s);
  if (key != rows_key) {
    rows = filter_log(derived.log, filter);
    rows_key = key;
  }
  const TimeNs cursor = session.cursor_ns();
  const bool end = session.at_end();
  auto visible = [&](const LogEvent& e) { return e.at_ns < cursor || end; };
  // Events are in time order, so the visible ones are a prefix of the rows.
  const std::size_t past = static_cast<std::size_t>(
      std::partition_point(rows.begin(), rows.end(), [&](std::uint32_t i) { return visible(derived.log[i]); }) - rows.begin());
  const std::size_t shown = show_future ? rows.size() : past;

  ImGui::TextDisabled("%s of %s events%s", format_count(past).c_str(), format_count(derived.log.size()).c_str(),
                      derived.complete ? "" : " so far");
  if (shown == 0) {
    widgets::empty_state(rows.empty() ? "No event matches the filter" : "Nothing has happened yet",
                         rows.empty() ? "Tick more kinds or clear the entity filter." : "Play, or press the right arrow to jump to the next event.");
    return;
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("##log", 4, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("time", ImGuiTableColumnFlags_WidthFixed, 84);
  ImGui::TableSetupColumn("kind", ImGuiTableColumnFlags_WidthFixed, 64);
  ImGui::TableSetupColumn("entity", ImGuiTableColumnFlags_WidthStretch, 1.3f);
  ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableHeadersRow();
  // A table row is one line of text plus the cell padding above and below it.
  const float row_h = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y;
  if (follow && past != last_visible_count) {
    // Keep the latest event in view.
    const float target = static_cast<float>(past) * row_h - ImGui::GetWindowHeight() * 0.6f;
    ImGui::SetScrollY(std::max(0.0f, target));
  }
  last_visible_count = past;
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(shown));
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      const std::uint32_t index = rows[static_cast<std::size_t>(r)];
      const LogEvent& e = derived.log[index];
      const bool future = static_cast<std::size_t>(r) >= past;
      const bool selected = e.entity && app.selection == e.entity;
      ImGui::TableNextRow();
      if (!future && static_cast<std::size_t>(r) + 1 == past) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, theme::with_alpha(theme::kAccent, 0.14f));
      }
      ImGui::TableNextColumn();
      ImGui::PushID(static_cast<int>(index));
      if (future) ImGui::PushStyleVar(ImGuiStyleVar_Alpha, 0.45f);
      const std::string time = format_time(e.at_ns, 3);
      if (ImGui::Selectable(time.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
        app.seek(e.at_ns + 1);
        if (e.entity) app.select(e.entity);
        if (e.kind == LogKind::assertion) app.show_tab("assertions");
      }
      if (app.record_anchors) app.anchor("event-row:" + std::to_string(r), ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
      if (ImGui::IsItemHovered() && e.entity) app.hovered_next = e.entity;
      ImGui::TableNextColumn();
      widgets::text_coloured(theme::log_kind(e.kind), "%s", log_kind_name(e.kind));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(e.entity_name.c_str());
      ImGui::TableNextColumn();
      widgets::text_coloured(e.severity == Severity::info ? theme::kText : theme::severity(e.severity), "%s", e.text.c_str());
      if (future) ImGui::PopStyleVar();
      ImGui::PopID();
    }
  }
  clipper.End();
  ImGui::EndTable();
}

}  // namespace faultline::gui
