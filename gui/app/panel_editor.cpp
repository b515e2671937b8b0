// The scenario editor: the JSON text with line numbers, validated as you type, every problem
// marked on its line with its JSON pointer and message; apply to re-run (the run before the
// edit stays beside the new one as run B), save, save as.
#include <algorithm>
#include <cstdio>

#include <GLFW/glfw3.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"

namespace faultline::gui {
namespace {

// Byte offset of the start of 1-based `line`.
int line_offset(const std::string& text, int line) {
  int current = 1;
  for (std::size_t i = 0; i < text.size() && current < line; ++i) {
    if (text[i] == '\n') {
      ++current;
      if (current == line) return static_cast<int>(i + 1);
    }
  }
  return line <= 1 ? 0 : static_cast<int>(text.size());
}

int move_cursor(ImGuiInputTextCallbackData* data) {
  auto* pending = static_cast<std::optional<int>*>(data->UserData);
  if (pending->has_value()) {
    data->CursorPos = std::clamp(**pending, 0, data->BufTextLen);
    data->SelectionStart = data->SelectionEnd = data->CursorPos;
    pending->reset();
  }
  return 0;
}

}  // namespace

void EditorPanel::draw(App& app) {
  Document& doc = app.document;
  if (doc.text.empty() && !app.session.loaded()) {
    widgets::empty_state("No scenario text", "Open a scenario (Ctrl+O) to edit it here; problems are shown on their lines as you type.");
    return;
  }
  ImGuiIO& io = ImGui::GetIO();
  const bool valid = doc.validation.diagnostics.empty() && !doc.validation_pending;

  // Toolbar.
  ImGui::BeginDisabled(!doc.dirty() && app.session.loaded());
  if (ImGui::Button("Apply and run") || (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_ENTER, false))) app.apply_editor();
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Re-run with this text (Ctrl+Enter); the previous run stays as B");
  ImGui::SameLine();
  ImGui::BeginDisabled(doc.path.empty());
  if (ImGui::Button("Save")) {
    std::string error;
    if (!app.save_document(doc.path, &error)) app.note(error, true);
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (save_as_path[0] == '\0' && !doc.path.empty()) std::snprintf(save_as_path, sizeof save_as_path, "%s", doc.path.c_str());
  ImGui::SetNextItemWidth(std::max(120.0f, ImGui::GetContentRegionAvail().x - 330));
  ImGui::InputTextWithHint("##save_as", "path to save to", save_as_path, sizeof save_as_path);
  ImGui::SameLine();
  if (ImGui::Button("Save as") && save_as_path[0] != '\0') {
    std::string error;
    if (!app.save_document(save_as_path, &error)) app.note(error, true);
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(!doc.dirty());
  if (ImGui::Button("Revert")) {
    doc.text = doc.applied_text;
    app.validate_now();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (doc.validation_pending) ImGui::TextDisabled("checking...");
  else if (valid) widgets::text_coloured(theme::kGood, doc.dirty() ? "valid, not applied" : "valid");
  else widgets::text_coloured(theme::kBad, "%zu problem%s", doc.validation.diagnostics.size(), doc.validation.diagnostics.size() == 1 ? "" : "s");

  // The text, with a gutter of line numbers.
  const std::size_t problems = doc.validation.diagnostics.size();
  const float list_h = problems == 0 ? 0 : std::min(110.0f, ImGui::GetTextLineHeightWithSpacing() * static_cast<float>(problems) + 12);
  const float gutter = 46;
  const ImVec2 area(ImGui::GetContentRegionAvail().x, ImGui::GetContentRegionAvail().y - list_h);
  const ImVec2 top_left = ImGui::GetCursorScreenPos();
  ImGui::PushFont(app.fonts.mono);
  ImGui::SetCursorScreenPos(ImVec2(top_left.x + gutter, top_left.y));
  if (jump_to_line) {
    ImGui::SetKeyboardFocusHere();
    pending_cursor = line_offset(doc.text, *jump_to_line);
  }
  ImGui::PushID("editor");
  const ImGuiID input_id = ImGui::GetID("##text");
  const bool changed = ImGui::InputTextMultiline("##text", &doc.text, ImVec2(area.x - gutter, area.y),
                                                 ImGuiInputTextFlags_AllowTabInput | ImGuiInputTextFlags_CallbackAlways, move_cursor, &pending_cursor);
  ImGui::PopID();
  if (changed) {
    doc.validation_pending = true;
    doc.edited_at_s = app.now_s;
  }
  const ImVec2 input_min = ImGui::GetItemRectMin();
  const ImVec2 input_max = ImGui::GetItemRectMax();
  app.anchor("editor-text", input_min, input_max);

  // The multiline input scrolls in a child window of its own; find it to line up the gutter and
  // the problem markers with the text.
  char child_name[512];
  ImFormatString(child_name, sizeof child_name, "%s/%s_%08X", ImGui::GetCurrentWindow()->Name, "##text", input_id);
  ImGuiWindow* child = ImGui::FindWindowByName(child_name);
  const float line_h = ImGui::GetFontSize();
  const float char_w = ImGui::CalcTextSize("M").x;
  const ImVec2 padding = ImGui::GetStyle().FramePadding;
  const float scroll_y = child != nullptr ? child->Scroll.y : 0.0f;
  const float scroll_x = 0.0f;
  if (child != nullptr && jump_to_line) {
    ImGui::SetScrollY(child, std::max(0.0f, (static_cast<float>(*jump_to_line) - 4) * line_h));
  }
  jump_to_line.reset();
  const float text_top = input_min.y + padding.y - scroll_y;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(top_left, ImVec2(top_left.x + gutter - 4, input_max.y), theme::kBackground, 3);
  draw->PushClipRect(top_left, ImVec2(top_left.x + gutter, input_max.y), true);
  const int first_line = std::max(1, static_cast<int>(scroll_y / line_h));
  const int last_line = first_line + static_cast<int>((input_max.y - input_min.y) / line_h) + 2;
  const int total_lines = static_cast<int>(std::count(doc.text.begin(), doc.text.end(), '\n')) + 1;
  for (int line = first_line; line <= std::min(last_line, total_lines); ++line) {
    char number[16];
    std::snprintf(number, sizeof number, "%d", line);
    const float y = text_top + static_cast<float>(line - 1) * line_h;
    bool bad = false;
    for (const Diagnostic& d : doc.validation.diagnostics) bad = bad || static_cast<int>(d.line) == line;
    const float w = ImGui::CalcTextSize(number).x;
    draw->AddText(ImVec2(top_left.x + gutter - 10 - w, y), bad ? theme::kBad : theme::kTextFaint, number);
  }
  draw->PopClipRect();
  // Problems on their lines: a band, a mark under the column, the message at the right.
  ImDrawList* text_draw = child != nullptr ? child->DrawList : draw;
  text_draw->PushClipRect(input_min, input_max, true);
  for (const Diagnostic& d : doc.validation.diagnostics) {
    if (d.line == 0) continue;
    const float y = text_top + static_cast<float>(d.line - 1) * line_h;
    if (y + line_h < input_min.y || y > input_max.y) continue;
    text_draw->AddRectFilled(ImVec2(input_min.x, y), ImVec2(input_max.x, y + line_h), theme::with_alpha(theme::kBad, 0.12f));
    const float x = input_min.x + padding.x - scroll_x + static_cast<float>(std::max<std::uint32_t>(d.column, 1) - 1) * char_w;
    for (float sx = x; sx < x + char_w * 6; sx += 4) {
      text_draw->AddLine(ImVec2(sx, y + line_h - 1), ImVec2(sx + 2, y + line_h - 3), theme::kBad, 1.2f);
      text_draw->AddLine(ImVec2(sx + 2, y + line_h - 3), ImVec2(sx + 4, y + line_h - 1), theme::kBad, 1.2f);
    }
    // The message goes after the line's text when it fits there (as editors' "error lens"
    // does), else after the marked column, clipped at the right; the list below has it whole.
    const std::string tag = (d.pointer.empty() ? "" : d.pointer + ": ") + d.message;
    const ImVec2 size = ImGui::CalcTextSize(tag.c_str());
    const int start = line_offset(doc.text, static_cast<int>(d.line));
    const std::size_t end = doc.text.find('\n', static_cast<std::size_t>(start));
    const int line_chars = static_cast<int>((end == std::string::npos ? doc.text.size() : end) - static_cast<std::size_t>(start));
    const float after_text = input_min.x + padding.x - scroll_x + static_cast<float>(line_chars) * char_w + 24;
    const float after_mark = x + char_w * 6 + 12;
    float tx = std::max(after_text, after_mark);
    if (tx + std::min(size.x, 260.0f) > input_max.x - 16) tx = std::max(after_mark, input_max.x - size.x - 22);
    text_draw->AddRectFilled(ImVec2(tx - 6, y), ImVec2(input_max.x - 12, y + line_h), IM_COL32(0x3A, 0x16, 0x18, 0xF0), 3);
    text_draw->AddText(ImVec2(tx, y), theme::kBad, tag.c_str());
  }
  text_draw->PopClipRect();
  ImGui::PopFont();

  // The list of problems; click one to go to its line.
  if (problems > 0) {
    ImGui::BeginChild("##problems", ImVec2(0, 0), true);
    for (std::size_t k = 0; k < problems; ++k) {
      const Diagnostic& d = doc.validation.diagnostics[k];
      ImGui::PushID(static_cast<int>(k));
      char where[48];
      std::snprintf(where, sizeof where, d.line > 0 ? "%u:%u" : "-", d.line, d.column);
      if (ImGui::Selectable(where, false, ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap, ImVec2(60, 0)) && d.line > 0) {
        jump_to_line = static_cast<int>(d.line);
      }
      ImGui::SameLine(70);
      if (!d.pointer.empty()) {
        widgets::text_coloured(theme::kAccent, "%s", d.pointer.c_str());
        ImGui::SameLine();
      }
      widgets::text_coloured(d.limit ? theme::kWarn : theme::kBad, "%s", d.message.c_str());
      ImGui::PopID();
    }
    ImGui::EndChild();
  }
}

}  // namespace faultline::gui
