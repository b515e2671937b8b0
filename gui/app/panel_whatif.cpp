// What-if: quick variations of the loaded scenario (breakers, retries, timeouts, outlier
// detection, instance counts, faults, seed) run in the background as run B, then compared with
// run A by the same report comparison as `faultline compare`.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/format.hpp"
#include "reports/compare.hpp"

namespace faultline::gui {
namespace {

bool override_combo(const char* label, Override& value) {
  const char* items[] = {"as in the scenario", "on everywhere", "off everywhere"};
  int index = static_cast<int>(value);
  ImGui::SetNextItemWidth(170);
  const bool changed = ImGui::Combo(label, &index, items, 3);
  value = static_cast<Override>(index);
  return changed;
}

std::string metric_text(const std::string& metric, const std::optional<double>& v) {
  if (!v) return "-";
  char buffer[48];
  if (metric == "availability" || metric.find("ratio") != std::string::npos) return format_percent(*v);
  if (metric.size() > 3 && metric.substr(metric.size() - 3) == "_ms") std::snprintf(buffer, sizeof buffer, "%.3g ms", *v);
  else if (metric.size() > 2 && metric.substr(metric.size() - 2) == "_s") std::snprintf(buffer, sizeof buffer, "%.3g s", *v);
  else std::snprintf(buffer, sizeof buffer, "%.6g", *v);
  return buffer;
}

void draw_comparison(App& app, const Recording& a, const Recording& b) {
  reports::Comparison comparison;
  try {
    comparison = reports::compare_reports(a.report, b.report, {});
  } catch (const std::exception& e) {
    widgets::text_coloured(theme::kBad, "cannot compare: %s", e.what());
    return;
  }
  ImGui::TextDisabled("%s", a.label.c_str());
  ImGui::TextDisabled("%s", b.label.c_str());
  for (const std::string& note : comparison.notes) ImGui::TextDisabled("%s", note.c_str());
  if (ImGui::BeginTable("##verdicts", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) {
    ImGui::TableSetupColumn("assertion", ImGuiTableColumnFlags_WidthStretch, 2);
    ImGui::TableSetupColumn("A -> B", ImGuiTableColumnFlags_WidthStretch, 1);
    ImGui::TableSetupColumn("observed in B", ImGuiTableColumnFlags_WidthStretch, 2);
    ImGui::TableHeadersRow();
    for (const auto& v : comparison.verdicts) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", v.name.c_str());
      ImGui::TableNextColumn();
      const ImU32 colour = v.change == "fixed" ? theme::kGood : v.regression || v.change == "newly failing" ? theme::kBad
                           : v.change == "still failing" ? theme::kWarn : theme::kTextDim;
      widgets::text_coloured(colour, "%s", v.change.c_str());
      ImGui::TableNextColumn();
      ImGui::TextWrapped("%s", v.candidate_observed.c_str());
    }
    ImGui::EndTable();
  }
  ImGui::Spacing();
  if (ImGui::BeginTable("##metrics", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) {
    // Wide enough for the longest metric name (longest_below_99_s) at the panel's usual width.
    ImGui::TableSetupColumn("entity", ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn("metric", ImGuiTableColumnFlags_WidthStretch, 1.7f);
    ImGui::TableSetupColumn("A", ImGuiTableColumnFlags_WidthStretch, 0.9f);
    ImGui::TableSetupColumn("B", ImGuiTableColumnFlags_WidthStretch, 0.9f);
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, 52);
    ImGui::TableHeadersRow();
    for (const auto& m : comparison.metrics) {
      if (m.base == m.candidate) continue;  // only what changed
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const std::string kind = m.group == "clients" ? "client " : m.group == "services" ? "service " : m.group == "faults" ? "fault " : "";
      ImGui::Text("%s%s", kind.c_str(), m.entity.c_str());
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", m.metric.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%s", metric_text(m.metric, m.base).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%s", metric_text(m.metric, m.candidate).c_str());
      ImGui::TableNextColumn();
      if (m.verdict > 0) widgets::text_coloured(theme::kGood, "better");
      else if (m.verdict < 0) widgets::text_coloured(theme::kBad, "worse");
    }
    ImGui::EndTable();
  }
  (void)app;
}

}  // namespace

void WhatIfPanel::adopt(const Session& session, const WhatIf& w) {
  generation = session.generation();
  what_if = w;
  static constexpr std::uint32_t values[] = {0, 1, 2, 3, 5};
  attempts = 0;
  for (int k = 1; k < 5; ++k) {
    if (w.max_attempts && *w.max_attempts == values[k]) attempts = k;
  }
  timeout_scale = static_cast<float>(w.timeout_scale);
}

void WhatIfPanel::draw(App& app) {
  Session& session = app.session;
  if (!session.loaded()) {
    widgets::empty_state("Nothing to vary", "Open a scenario, then try it without breakers, with fewer retries, more instances or a fault switched off.");
    return;
  }
  const harness::Scenario& base = session.scenario();
  if (generation != session.generation()) {
    generation = session.generation();
    what_if = WhatIf{};
    for (const auto& s : base.model.services) {
      std::uint32_t n = 0;
      for (const auto& g : s.placement) n += g.count;
      what_if.instance_counts.push_back(n);
    }
    what_if.fault_enabled.assign(base.faults.size(), true);
    attempts = 0;
    timeout_scale = 1.0f;
  }
  ImGui::BeginChild("##whatif", ImVec2(0, 0), false);
  const float column = ImGui::GetContentRegionAvail().x > 640 ? 330.0f : ImGui::GetContentRegionAvail().x;
  ImGui::BeginGroup();
  ImGui::PushItemWidth(170);
  override_combo("breakers", what_if.breakers);
  const char* retry_items[] = {"as in the scenario", "no retries", "2 attempts", "3 attempts", "5 attempts"};
  ImGui::SetNextItemWidth(170);
  if (ImGui::Combo("retries", &attempts, retry_items, 5)) {
    static constexpr std::uint32_t values[] = {0, 1, 2, 3, 5};
    what_if.max_attempts = attempts == 0 ? std::nullopt : std::optional<std::uint32_t>(values[attempts]);
  }
  ImGui::SetNextItemWidth(170);
  // The factor is written in the label, not on the slider: at x1.00 (the middle of the
  // logarithmic range) the slider's grab would cover it.
  char timeouts_label[48];
  std::snprintf(timeouts_label, sizeof timeouts_label, "timeouts x%.2f###timeouts", static_cast<double>(timeout_scale));
  if (ImGui::SliderFloat(timeouts_label, &timeout_scale, 0.25f, 4.0f, "", ImGuiSliderFlags_Logarithmic)) what_if.timeout_scale = timeout_scale;
  override_combo("outlier detection", what_if.outlier_detection);
  ImGui::PopItemWidth();
  ImGui::TextDisabled("instances");
  ImGui::PushID("instances");
  for (std::size_t s = 0; s < base.model.services.size(); ++s) {
    int count = static_cast<int>(what_if.instance_counts[s]);
    int original = 0;
    for (const auto& g : base.model.services[s].placement) original += static_cast<int>(g.count);
    ImGui::SetNextItemWidth(170);
    if (ImGui::SliderInt(base.model.services[s].name.c_str(), &count, 1, std::max(10, original * 3))) what_if.instance_counts[s] = static_cast<std::uint32_t>(count);
  }
  ImGui::PopID();
  if (!base.faults.empty()) ImGui::TextDisabled("faults");
  ImGui::PushID("faults");
  for (std::size_t f = 0; f < base.faults.size(); ++f) {
    bool on = what_if.fault_enabled[f];
    if (ImGui::Checkbox(base.faults[f].name.c_str(), &on)) what_if.fault_enabled[f] = on;
  }
  ImGui::PopID();
  bool other_seed = what_if.seed.has_value();
  if (ImGui::Checkbox("another seed", &other_seed)) what_if.seed = other_seed ? std::optional<std::uint64_t>(session.seed() + 1) : std::nullopt;
  if (what_if.seed) {
    int seed = static_cast<int>(*what_if.seed);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(100);
    if (ImGui::InputInt("##seed", &seed)) what_if.seed = static_cast<std::uint64_t>(std::max(0, seed));
  }
  ImGui::EndGroup();
  if (column < ImGui::GetContentRegionAvail().x) ImGui::SameLine(column + 10);
  ImGui::BeginGroup();
  const bool changes = what_if.changes_anything(base);
  ImGui::TextWrapped("B: %s", describe_what_if(base, what_if).c_str());
  ImGui::BeginDisabled(!changes || session.comparison_running());
  if (ImGui::Button("Run B beside A")) {
    auto scenario = std::make_shared<const harness::Scenario>(apply_what_if(base, what_if));
    const std::uint64_t seed = what_if.seed ? *what_if.seed : session.seed();
    session.start_comparison(scenario, seed, "B  " + describe_what_if(base, what_if));
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Reset")) generation = ~0ull;
  const auto a = session.recording();
  const auto b = session.comparison();
  if (session.comparison_running()) {
    ImGui::ProgressBar(static_cast<float>(session.comparison_progress()), ImVec2(-1, 0), "running B...");
  } else if (b && !b->error.empty()) {
    widgets::text_coloured(theme::kBad, "B failed: %s", b->error.c_str());
  } else if (b && a && a->error.empty()) {
    if (ImGui::SmallButton("Make B the main run")) {
      const std::uint64_t seed = b->seed;
      auto scenario = b->scenario;
      app.load(scenario, seed);
      app.note("B is now the main run; the editor still shows the original text");
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("Clear B")) session.clear_comparison();
    ImGui::SameLine();
    ImGui::TextDisabled("charts overlay B dashed");
    draw_comparison(app, *a, *b);
  } else if (!b) {
    ImGui::TextDisabled("Choose changes on the left and run B; the comparison appears here.");
  } else {
    ImGui::TextDisabled("waiting for run A to finish recording...");
  }
  ImGui::EndGroup();
  ImGui::EndChild();
}

}  // namespace faultline::gui
