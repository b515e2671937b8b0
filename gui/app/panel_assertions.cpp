// Assertions: each one's verdict on the run so far (live, as the run proceeds) beside its final
// verdict on the whole run, with what was expected and what was observed.
#include <cstdio>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/format.hpp"
#include "harness/assertions.hpp"
#include "reports/analysis/measures.hpp"

namespace faultline::gui {

void AssertionsPanel::draw(App& app) {
  Session& session = app.session;
  if (!session.loaded()) {
    widgets::empty_state("No assertions", "Open a scenario; its resilience assertions (SLOs) are judged here as the run proceeds.");
    return;
  }
  const auto& specs = session.scenario().assertions;
  if (specs.empty()) {
    widgets::empty_state("This scenario has no assertions", "Add an \"assertions\" array to the scenario to judge availability, latency, "
                                                              "recovery, breakers and traffic to crashed instances.");
    return;
  }
  const auto& live = session.live_verdicts();
  // An assertion about a fault cannot be judged before that fault has started, and a recovery
  // or breaker assertion not before it has ended: those show "pending" until then
  // (analysis::verdict_so_far over the fault's window as seen at the live instant).
  auto verdict = [&](std::size_t k) {
    const harness::AssertionSpec& a = specs[k];
    const std::optional<std::uint32_t> fault = harness::assertion_fault(a);
    analysis::FaultWindow window;
    if (fault && *fault < session.topology().faults.size()) {
      const TopoFault& f = session.topology().faults[*fault];
      window = analysis::planned_window({f.kind, f.at_ns, f.duration_ns}, session.live_ns() + 1);
    }
    return analysis::verdict_so_far(session.at_end(), live[k].passed, fault ? &window : nullptr, harness::needs_fault_end(a));
  };
  auto pending = [&](std::size_t k) { return verdict(k) == analysis::Verdict::pending; };
  const auto recording = session.recording();
  const bool final_known = recording && recording->error.empty();
  std::size_t passed = 0;
  if (final_known) {
    for (const auto& a : recording->assertions) passed += a.passed ? 1 : 0;
    widgets::badge(recording->passed ? "PASS" : "FAIL", recording->passed ? theme::kGood : theme::kBad);
    ImGui::SameLine();
    ImGui::Text("%zu of %zu hold over the whole run", passed, recording->assertions.size());
  } else {
    ImGui::TextDisabled("final verdicts once the whole run is recorded (%.0f%%)", session.recording_progress() * 100);
  }
  ImGui::TextDisabled("\"so far\" judges the run up to %s; an assertion about a fault waits for it to start "
                      "(recovery and breaker assertions, for it to end)",
                      format_time(session.live_ns(), 1).c_str());

  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("##assertions", 5, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("so far", ImGuiTableColumnFlags_WidthFixed, 64);
  ImGui::TableSetupColumn("final", ImGuiTableColumnFlags_WidthFixed, 50);
  ImGui::TableSetupColumn("assertion", ImGuiTableColumnFlags_WidthStretch, 1.2f);
  ImGui::TableSetupColumn("expected", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("observed", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableHeadersRow();
  for (std::size_t k = 0; k < specs.size(); ++k) {
    ImGui::TableNextRow();
    ImGui::PushID(static_cast<int>(k));
    ImGui::TableNextColumn();
    if (k < live.size() && pending(k)) {
      widgets::badge("pending", theme::kTextDim, false);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Its fault has not started, or has not ended yet");
    } else if (k < live.size()) {
      widgets::badge(live[k].passed ? "pass" : "fail", live[k].passed ? theme::kGood : theme::kBad, false);
    } else {
      ImGui::TextDisabled("-");
    }
    ImGui::TableNextColumn();
    if (final_known && k < recording->assertions.size()) {
      widgets::badge(recording->assertions[k].passed ? "PASS" : "FAIL", recording->assertions[k].passed ? theme::kGood : theme::kBad);
    } else {
      ImGui::TextDisabled("...");
    }
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", specs[k].name.c_str());
    if (k < live.size()) ImGui::TextDisabled("%s", live[k].type.c_str());
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", k < live.size() ? live[k].expected.c_str() : "");
    ImGui::TableNextColumn();
    if (k < live.size() && !pending(k)) ImGui::TextWrapped("so far: %s", live[k].observed.c_str());
    else if (k < live.size()) ImGui::TextDisabled("so far: waiting for its fault");
    if (final_known && k < recording->assertions.size()) {
      ImGui::PushStyleColor(ImGuiCol_Text, theme::to_vec4(theme::kTextDim));
      ImGui::TextWrapped("final: %s", recording->assertions[k].observed.c_str());
      ImGui::PopStyleColor();
    }
    if (specs[k].fault && *specs[k].fault < session.topology().faults.size()) {
      if (ImGui::SmallButton(("fault " + session.topology().faults[*specs[k].fault].name).c_str())) {
        app.select({EntityKind::fault, *specs[k].fault});
        app.seek(session.topology().faults[*specs[k].fault].at_ns + 1);
      }
    }
    ImGui::PopID();
  }
  ImGui::EndTable();
}

}  // namespace faultline::gui
