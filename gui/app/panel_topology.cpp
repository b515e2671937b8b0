// The topology view: clients and services in layers by call depth, each service a box with one
// tinted row per zone holding its instances as cells coloured by state, and arrows between
// callers and callees labelled with request rate, error ratio and a breaker badge.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/edge_counters.hpp"
#include "gui/model/format.hpp"

namespace faultline::gui {
namespace {

struct EdgeMetrics {
  double rate_per_s = 0;
  double error_ratio = std::nan("");
  sim::BreakerState worst = sim::BreakerState::closed;
  std::uint32_t not_closed = 0;
  std::uint32_t breakers = 0;
};

// The last complete bucket at the cursor, from the recording when there is one (its past equals
// the live run's), else from the live engine.
const sim::BucketSample* last_bucket(App& app, bool client, std::uint32_t index) {
  const Session& s = app.session;
  const TimeNs bucket = s.bucket_ns();
  const std::int64_t b = s.cursor_ns() / bucket - 1;
  if (b < 0) return nullptr;
  const auto recording = s.recording();
  const std::vector<sim::BucketSample>* series = nullptr;
  if (recording && recording->error.empty()) {
    series = client ? &recording->clients[index].series : &recording->services[index].series;
  } else if (s.live_ns() >= (b + 1) * bucket) {
    series = client ? &s.live_results().clients[index].series : &s.live_results().services[index].series;
  }
  if (series == nullptr || static_cast<std::size_t>(b) >= series->size()) return nullptr;
  return &(*series)[static_cast<std::size_t>(b)];
}

EdgeMetrics edge_metrics(App& app, const TopoEdge& edge) {
  EdgeMetrics m;
  const bool client = edge.caller_kind == CallerKind::client;
  if (const sim::BucketSample* b = last_bucket(app, client, client ? edge.caller : edge.callee_service)) {
    m.rate_per_s = static_cast<double>(b->counts.requests) / sim::to_seconds(app.session.bucket_ns());
    const std::uint64_t failed = failures(b->counts);
    const std::uint64_t answered = b->counts.ok + failed;
    if (answered > 0) m.error_ratio = static_cast<double>(failed) / static_cast<double>(answered);
  }
  const Snapshot& snap = app.session.snapshot();
  m.breakers = static_cast<std::uint32_t>(edge.breakers.size());
  std::uint32_t open = 0;
  std::uint32_t half = 0;
  for (std::uint32_t b : edge.breakers) {
    if (b >= snap.breakers.size()) continue;
    if (snap.breakers[b].state == sim::BreakerState::open) ++open;
    if (snap.breakers[b].state == sim::BreakerState::half_open) ++half;
  }
  m.worst = open > 0 ? sim::BreakerState::open : half > 0 ? sim::BreakerState::half_open : sim::BreakerState::closed;
  m.not_closed = open > 0 ? open : half;
  return m;
}


ImU32 error_colour(double ratio) {
  if (std::isnan(ratio)) return theme::kTextFaint;
  if (ratio < 0.01) return theme::mix(IM_COL32(0x6E, 0x9E, 0xC8, 0xFF), theme::kWarn, static_cast<float>(ratio / 0.01) * 0.3f);
  if (ratio < 0.10) return theme::mix(theme::kWarn, theme::kBad, static_cast<float>((ratio - 0.01) / 0.09));
  return theme::kBad;
}

struct View {
  ImVec2 origin;
  ImVec2 pan;
  float zoom;
  ImVec2 to_screen(float x, float y) const { return ImVec2(origin.x + (x - pan.x) * zoom, origin.y + (y - pan.y) * zoom); }
};

ImVec2 bezier(ImVec2 p0, ImVec2 p1, ImVec2 p2, ImVec2 p3, float t) {
  const float u = 1 - t;
  const float a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
  return ImVec2(a * p0.x + b * p1.x + c * p2.x + d * p3.x, a * p0.y + b * p1.y + c * p2.y + d * p3.y);
}

// A two-line strip along the bottom of the canvas: instance states; then the stale ring,
// breaker states and zone tints. Laid out twice: once to measure, once to draw.
float legend_height() { return (ImGui::GetTextLineHeight() + 4) * 2 + 10; }

struct LegendWriter {
  ImDrawList* draw = nullptr;  // null: measure only
  float x = 0;
  float y = 0;
  float left = 0;
  float right = 0;
  float line = 0;
  float widest = 0;
  // Starts a new line when an item of `width` would not fit.
  void fit(float width) {
    if (x + width > right && x > left) {
      widest = std::max(widest, x);
      x = left;
      y += line;
    }
  }
  void chip(ImU32 colour, const char* label) {
    fit(15 + ImGui::CalcTextSize(label).x);
    if (draw != nullptr) {
      draw->AddRectFilled(ImVec2(x, y + 3), ImVec2(x + 10, y + 13), colour, 2);
      draw->AddText(ImVec2(x + 15, y), theme::kTextDim, label);
    }
    x += 15 + ImGui::CalcTextSize(label).x + 12;
  }
  void ring(const char* label) {
    fit(17 + ImGui::CalcTextSize(label).x);
    if (draw != nullptr) {
      draw->AddRectFilled(ImVec2(x, y + 3), ImVec2(x + 10, y + 13), theme::visual_state(VisualState::crashed), 2);
      draw->AddRect(ImVec2(x - 2, y + 1), ImVec2(x + 12, y + 15), theme::kWarn, 3, 0, 2);
      draw->AddText(ImVec2(x + 17, y), theme::kTextDim, label);
    }
    x += 17 + ImGui::CalcTextSize(label).x + 18;
  }
  void text(const char* label) {
    fit(ImGui::CalcTextSize(label).x + 60);  // keep a label with the first item after it
    if (draw != nullptr) draw->AddText(ImVec2(x, y), theme::kTextDim, label);
    x += ImGui::CalcTextSize(label).x + 6;
  }
  void pill(ImU32 background, ImU32 colour, const char* label) {
    const ImVec2 size = ImGui::CalcTextSize(label);
    fit(size.x + 10);
    if (draw != nullptr) {
      draw->AddRectFilled(ImVec2(x, y), ImVec2(x + size.x + 10, y + size.y + 2), background, 7);
      draw->AddText(ImVec2(x + 5, y + 1), colour, label);
    }
    x += size.x + 16;
  }
};

// Returns the height used.
float draw_legend(ImDrawList* draw, ImVec2 corner, float max_width, const Topology& topology) {
  const float line = ImGui::GetTextLineHeight() + 4;
  float height = legend_height();
  float width = 0;
  for (int pass = 0; pass < 2; ++pass) {
    const ImVec2 min(corner.x, corner.y - height);
    if (pass == 1) {
      const ImVec2 max(min.x + std::min(width, max_width), corner.y);
      draw->AddRectFilled(min, max, theme::with_alpha(theme::kBackground, 0.9f), 5);
      draw->AddRect(min, max, theme::kBorder, 5);
    }
    LegendWriter w;
    w.draw = pass == 0 ? nullptr : draw;
    w.left = w.x = min.x + 8;
    w.y = min.y + 5;
    w.right = min.x + max_width - 8;
    w.line = line;
    for (std::size_t s = 0; s < kVisualStateCount; ++s) w.chip(theme::visual_state(static_cast<VisualState>(s)), visual_state_name(static_cast<VisualState>(s)));
    w.widest = std::max(w.widest, w.x);
    w.x = w.left;
    w.y += line;
    w.ring("down, still listed by a caller");
    w.text("breakers");
    for (sim::BreakerState b : {sim::BreakerState::closed, sim::BreakerState::half_open, sim::BreakerState::open}) {
      w.pill(theme::with_alpha(theme::breaker_state(b), 0.25f), theme::breaker_state(b), sim::breaker_state_name(b));
    }
    if (topology.zones.size() > 1) {
      w.x += 6;
      w.text("zones");
      for (std::uint32_t z = 0; z < topology.zones.size() && z < 8; ++z) w.pill(theme::zone(z), theme::kText, topology.zones[z].c_str());
    }
    w.widest = std::max(w.widest, w.x);
    width = w.widest - min.x;
    height = w.y + line + 1 - min.y;
  }
  return height;
}

// A name in small type just above a box, on a dark pill, for zoomed-out views.
void draw_name_above(ImDrawList* draw, ImFont* font, ImVec2 a, ImVec2 b, const char* name, ImU32 colour) {
  const ImVec2 size = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, name);
  const float x = std::max(a.x, (a.x + b.x) / 2 - size.x / 2);
  const float y = a.y - size.y - 2;
  draw->AddRectFilled(ImVec2(x - 3, y), ImVec2(x + size.x + 3, y + size.y), theme::with_alpha(theme::kBackground, 0.85f), 3);
  draw->AddText(font, font->FontSize, ImVec2(x, y), colour, name);
}

void instance_tooltip(const Topology& t, const Snapshot& snap, std::uint32_t i) {
  const InstanceSnapshot& s = snap.instances[i];
  ImGui::BeginTooltip();
  ImGui::Text("%s", t.instances[i].name.c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("zone %s", t.zones[t.instances[i].zone].c_str());
  widgets::text_coloured(theme::visual_state(s.visual), "%s", visual_state_name(s.visual));
  ImGui::SameLine();
  ImGui::TextDisabled("(%s)", sim::instance_status_name(s.status));
  ImGui::Text("busy %u of %u workers, %u queued", s.busy, s.workers, s.queued);
  ImGui::Text("listed by %u of %u callers, ejected by %u", s.in_views, t.services[t.instances[i].service].caller_sites, s.ejected_by);
  ImGui::Text("registry: %s, %s", s.registered ? "registered" : "deregistered", s.passing ? "passing" : "critical");
  if (s.slowdown > 1.0001f) ImGui::Text("slowdown x%.2f", s.slowdown);
  if (s.error_ratio > 0) ImGui::Text("error ratio %s", format_percent(s.error_ratio).c_str());
  if (s.stale_in_views) widgets::text_coloured(theme::kWarn, "down, yet still listed: callers keep sending to it");
  ImGui::TextDisabled("served %s, crashes %llu", format_count(s.served).c_str(), static_cast<unsigned long long>(s.crash_count));
  ImGui::EndTooltip();
}

}  // namespace

// What the caller saw on this arrow since the start of the live run: the per-call-site counters
// (short-circuited and shed requests never show up on the callee's side), as gui/model's
// caller_side() puts them in words.
void caller_side_text(App& app, const TopoEdge& edge) {
  const CallerSide side = caller_side(edge, app.session.live_results());
  if (side.lines.empty()) return;
  ImGui::Separator();
  ImGui::TextDisabled("caller's side, live run so far");
  for (const std::string& line : side.lines) ImGui::TextUnformatted(line.c_str());
}

void TopologyPanel::fit(App& app, ImVec2 canvas) {
  const TopologyLayout& layout = app.derived().layout;
  const float margin = 40;
  const float w = std::max(layout.width, 1.0f) + margin * 2;
  const float legend = show_legend ? legend_h + 8 : 0;
  const float h = std::max(layout.height, 1.0f) + margin * 2;
  zoom = std::clamp(std::min(canvas.x / w, (canvas.y - legend) / h), 0.15f, 1.8f);
  pan = ImVec2(layout.width / 2 - canvas.x / 2 / zoom, layout.height / 2 - (canvas.y - legend) / 2 / zoom);
  fitted = true;
}

void TopologyPanel::draw(App& app) {
  Session& session = app.session;
  if (!session.loaded()) {
    widgets::empty_state("No scenario loaded", "Open a scenario or a saved report (Ctrl+O), or drop a .json file onto the window.");
    return;
  }
  const Topology& t = session.topology();
  const Snapshot& snap = session.snapshot();
  const TopologyLayout& layout = app.derived().layout;
  if (fitted_generation != session.generation()) {
    fitted_generation = session.generation();
    fitted = false;
    offsets.clear();
  }
  const ImVec2 canvas_pos = ImGui::GetCursorScreenPos();
  const ImVec2 canvas_size = ImGui::GetContentRegionAvail();
  if (canvas_size.x < 50 || canvas_size.y < 50 || !snap.valid) return;
  if (!fitted) fit(app, canvas_size);

  ImGui::InvisibleButton("##canvas", canvas_size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  app.anchor("topology", canvas_pos, ImVec2(canvas_pos.x + canvas_size.x, canvas_pos.y + canvas_size.y));
  const bool canvas_hovered = ImGui::IsItemHovered();
  const bool canvas_active = ImGui::IsItemActive();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->PushClipRect(canvas_pos, ImVec2(canvas_pos.x + canvas_size.x, canvas_pos.y + canvas_size.y), true);
  draw->AddRectFilled(canvas_pos, ImVec2(canvas_pos.x + canvas_size.x, canvas_pos.y + canvas_size.y), theme::kBackground, 4);

  View view{canvas_pos, pan, zoom};
  auto offset_of = [&](const std::string& name) {
    const auto found = offsets.find(name);
    return found == offsets.end() ? ImVec2(0, 0) : found->second;
  };
  auto service_rect = [&](std::uint32_t s) {
    Rect r = layout.services[s].box;
    const ImVec2 o = offset_of("s:" + t.services[s].name);
    r.x += o.x;
    r.y += o.y;
    return r;
  };
  auto client_rect = [&](std::uint32_t c) {
    Rect r = layout.clients[c];
    const ImVec2 o = offset_of("c:" + t.clients[c].name);
    r.x += o.x;
    r.y += o.y;
    return r;
  };
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  EntityRef hit;
  std::string hit_drag_key;
  const bool detail = zoom >= 0.75f;     // names inside the boxes, zone labels, summaries
  const bool names_above = !detail && zoom > 0.28f;  // zoomed out: names in small type above the boxes
  const bool show_labels = zoom > 0.5f;  // rates and breaker badges

  // Edges under the boxes; their labels and badges over them.
  struct Label {
    ImVec2 at;
    std::uint32_t edge;
    EdgeMetrics metrics;
    ImU32 colour;
  };
  std::vector<Label> labels;
  double max_rate = 1;
  std::vector<EdgeMetrics> metrics(t.edges.size());
  for (std::uint32_t e = 0; e < t.edges.size(); ++e) {
    metrics[e] = edge_metrics(app, t.edges[e]);
    max_rate = std::max(max_rate, metrics[e].rate_per_s);
  }
  for (std::uint32_t e = 0; e < t.edges.size(); ++e) {
    const TopoEdge& edge = t.edges[e];
    const Rect from = edge.caller_kind == CallerKind::client ? client_rect(edge.caller) : service_rect(edge.caller);
    const Rect to = service_rect(edge.callee_service);
    const ImVec2 p0 = view.to_screen(from.x + from.w, from.y + from.h / 2);
    const ImVec2 p3 = view.to_screen(to.x, to.y + to.h / 2);
    const float dx = std::max(40.0f * zoom, std::abs(p3.x - p0.x) * 0.5f);
    const ImVec2 p1(p0.x + dx, p0.y);
    const ImVec2 p2(p3.x - dx, p3.y);
    const EdgeMetrics& m = metrics[e];
    const bool selected = app.selection == EntityRef{EntityKind::edge, e} || app.hovered == EntityRef{EntityKind::edge, e};
    const ImU32 colour = m.worst == sim::BreakerState::open ? theme::kBad : error_colour(m.error_ratio);
    const float thickness = (1.5f + 3.5f * static_cast<float>(std::log10(1 + m.rate_per_s) / std::log10(1 + max_rate))) * std::max(zoom, 0.6f);
    if (selected) draw->AddBezierCubic(p0, p1, p2, p3, theme::with_alpha(theme::kSelection, 0.45f), thickness + 5);
    draw->AddBezierCubic(p0, p1, p2, p3, m.rate_per_s > 0 ? colour : theme::kTextFaint, thickness);
    // Arrow head at the callee.
    const ImVec2 tip = p3;
    const float head = 7 * std::max(zoom, 0.6f);
    draw->AddTriangleFilled(ImVec2(tip.x - head * 1.4f, tip.y - head), ImVec2(tip.x - head * 1.4f, tip.y + head), tip, m.rate_per_s > 0 ? colour : theme::kTextFaint);
    labels.push_back({bezier(p0, p1, p2, p3, 0.5f), e, m, colour});
  }

  // Clients.
  for (std::uint32_t c = 0; c < t.clients.size(); ++c) {
    const Rect r = client_rect(c);
    const ImVec2 a = view.to_screen(r.x, r.y);
    const ImVec2 b = view.to_screen(r.x + r.w, r.y + r.h);
    const bool selected = app.selection == EntityRef{EntityKind::client, c};
    draw->AddRectFilled(a, b, theme::kPanelRaised, 6 * zoom);
    draw->AddRect(a, b, selected ? theme::kSelection : theme::with_alpha(theme::kAccent, 0.6f), 6 * zoom, 0, selected ? 2.5f : 1.2f);
    if (detail) {
      const ImVec4 clip(a.x, a.y, b.x - 4, b.y);
      draw->AddText(ImGui::GetFont(), ImGui::GetFontSize(), ImVec2(a.x + 8, a.y + 5), theme::kText, t.clients[c].name.c_str(), nullptr, 0.0f, &clip);
      const std::string sub = "client, zone " + t.zones[t.clients[c].zone];
      draw->AddText(app.fonts.small, app.fonts.small->FontSize, ImVec2(a.x + 8, a.y + 6 + ImGui::GetTextLineHeight()), theme::kTextDim, sub.c_str(),
                    nullptr, 0.0f, &clip);
    } else if (names_above) {
      draw_name_above(draw, app.fonts.small, a, b, t.clients[c].name.c_str(), theme::kText);
    }
    if (canvas_hovered && mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y) {
      hit = {EntityKind::client, c};
      hit_drag_key = "c:" + t.clients[c].name;
    }
  }

  // Services with zone rows and instance cells.
  for (std::uint32_t s = 0; s < t.services.size(); ++s) {
    const TopoService& service = t.services[s];
    const Rect r = service_rect(s);
    const ImVec2 a = view.to_screen(r.x, r.y);
    const ImVec2 b = view.to_screen(r.x + r.w, r.y + r.h);
    const bool selected = app.selection == EntityRef{EntityKind::service, s};
    const bool hovered_here = app.hovered == EntityRef{EntityKind::service, s};
    draw->AddRectFilled(a, b, theme::kPanelRaised, 6 * zoom);
    draw->AddRect(a, b, selected ? theme::kSelection : hovered_here ? theme::kTextDim : theme::kBorder, 6 * zoom, 0, selected ? 2.5f : 1.0f);
    std::uint32_t down = 0;
    for (std::uint32_t i = service.first_instance; i < service.first_instance + service.instance_count; ++i) {
      down += snap.instances[i].visual == VisualState::crashed ? 1 : 0;
    }
    if (names_above) draw_name_above(draw, app.fonts.small, a, b, service.name.c_str(), down > 0 ? theme::kBad : theme::kText);
    if (detail) {
      const ImVec4 clip(a.x, a.y, b.x - 4, b.y);
      draw->AddText(app.fonts.title, app.fonts.title->FontSize, ImVec2(a.x + 8, a.y + 4), theme::kText, service.name.c_str(), nullptr, 0.0f, &clip);
      char summary[48];
      if (down > 0) std::snprintf(summary, sizeof summary, "%u/%u down", down, service.instance_count);
      else std::snprintf(summary, sizeof summary, "%u up", service.instance_count);
      const ImVec2 size = app.fonts.small->CalcTextSizeA(app.fonts.small->FontSize, FLT_MAX, 0, summary);
      const float name_w = app.fonts.title->CalcTextSizeA(app.fonts.title->FontSize, FLT_MAX, 0, service.name.c_str()).x;
      if (b.x - 8 - size.x > a.x + 8 + name_w + 6) {
        draw->AddText(app.fonts.small, app.fonts.small->FontSize, ImVec2(b.x - 8 - size.x, a.y + 6), down > 0 ? theme::kBad : theme::kTextDim, summary);
      }
    }
    for (const ZoneRowLayout& row : layout.services[s].rows) {
      const ImVec2 ra = view.to_screen(r.x + row.rect.x, r.y + row.rect.y);
      const ImVec2 rb = view.to_screen(r.x + row.rect.x + row.rect.w, r.y + row.rect.y + row.rect.h);
      draw->AddRectFilled(ra, rb, theme::with_alpha(theme::zone(row.zone), service.zone_counts[row.zone] > 0 ? 0.9f : 0.35f), 3 * zoom);
      if (detail) {
        draw->AddText(app.fonts.small, app.fonts.small->FontSize, ImVec2(ra.x + 4, ra.y + (rb.y - ra.y) / 2 - app.fonts.small->FontSize / 2), theme::kTextDim,
                      t.zone_labels[row.zone].c_str());
      }
    }
    const ImVec2 header_b = view.to_screen(r.x + r.w, r.y + 24);
    if (canvas_hovered && mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y) {
      hit = {EntityKind::service, s};
      hit_drag_key = mouse.y < header_b.y ? "s:" + service.name : "";
    }
    for (std::uint32_t i = service.first_instance; i < service.first_instance + service.instance_count; ++i) {
      const Rect& c = layout.cells[i];
      const ImVec2 ca = view.to_screen(r.x + c.x, r.y + c.y);
      const ImVec2 cb = view.to_screen(r.x + c.x + c.w, r.y + c.y + c.h);
      const InstanceSnapshot& inst = snap.instances[i];
      const ImU32 colour = theme::visual_state(inst.visual);
      if (app.record_anchors) app.anchor("cell:" + t.instances[i].name, ca, cb);
      draw->AddRectFilled(ca, cb, colour, 2.5f * zoom);
      if (inst.visual == VisualState::crashed) {
        const float p = (cb.x - ca.x) * 0.28f;
        draw->AddLine(ImVec2(ca.x + p, ca.y + p), ImVec2(cb.x - p, cb.y - p), IM_COL32(0x30, 0x0A, 0x0A, 0xFF), 1.6f * zoom);
        draw->AddLine(ImVec2(cb.x - p, ca.y + p), ImVec2(ca.x + p, cb.y - p), IM_COL32(0x30, 0x0A, 0x0A, 0xFF), 1.6f * zoom);
      } else if (inst.workers > 0 && inst.busy > 0 && zoom > 0.6f) {
        // Utilisation: a bar along the bottom of the cell.
        const float u = std::min(1.0f, static_cast<float>(inst.busy) / static_cast<float>(inst.workers));
        const float inset = 2.5f * zoom;
        const float bar_top = cb.y - inset - 2.5f * zoom;
        draw->AddRectFilled(ImVec2(ca.x + inset, bar_top), ImVec2(cb.x - inset, cb.y - inset), IM_COL32(0x0B, 0x10, 0x16, 0x70));
        draw->AddRectFilled(ImVec2(ca.x + inset, bar_top), ImVec2(ca.x + inset + (cb.x - ca.x - 2 * inset) * u, cb.y - inset), IM_COL32(0xFF, 0xFF, 0xFF, 0xC0));
      }
      if (inst.queued > 0 && inst.visual != VisualState::crashed) {
        draw->AddCircleFilled(ImVec2(cb.x - 3 * zoom, ca.y + 3 * zoom), 2.2f * zoom, IM_COL32(0x0B, 0x10, 0x16, 0xE0));
      }
      if (inst.stale_in_views) draw->AddRect(ImVec2(ca.x - 2, ca.y - 2), ImVec2(cb.x + 2, cb.y + 2), theme::kWarn, 3 * zoom, 0, 2.0f);
      if (app.selection == EntityRef{EntityKind::instance, i} || app.hovered == EntityRef{EntityKind::instance, i}) {
        draw->AddRect(ImVec2(ca.x - 3, ca.y - 3), ImVec2(cb.x + 3, cb.y + 3), theme::kSelection, 3 * zoom, 0, 2.0f);
      }
      if (canvas_hovered && mouse.x >= ca.x && mouse.x < cb.x && mouse.y >= ca.y && mouse.y < cb.y) {
        hit = {EntityKind::instance, i};
        hit_drag_key.clear();
      }
    }
  }

  // Edge labels: rate and error ratio, and the breaker badge.
  for (const Label& l : labels) {
    const TopoEdge& edge = t.edges[l.edge];
    float y = l.at.y - (show_labels && show_rates ? ImGui::GetTextLineHeight() + 2 : 0);
    if (show_labels && show_rates) {
      char text[64];
      std::snprintf(text, sizeof text, "%s  %s", format_rate(l.metrics.rate_per_s).c_str(),
                    std::isnan(l.metrics.error_ratio) ? "-" : format_percent(l.metrics.error_ratio).c_str());
      const ImVec2 size = ImGui::CalcTextSize(text);
      const ImVec2 a(l.at.x - size.x / 2 - 5, y - 1);
      const ImVec2 b(l.at.x + size.x / 2 + 5, y + size.y + 1);
      draw->AddRectFilled(a, b, theme::with_alpha(theme::kBackground, 0.92f), 4);
      draw->AddText(ImVec2(a.x + 5, y), l.metrics.error_ratio >= 0.01 ? l.colour : theme::kText, text);
      if (canvas_hovered && mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y) hit = {EntityKind::edge, l.edge};
      y += size.y + 4;
    }
    if (!edge.breakers.empty() && !show_labels) {
      // Zoomed out: only breakers that are not closed show, as a dot.
      if (l.metrics.worst != sim::BreakerState::closed) {
        draw->AddCircleFilled(l.at, 5, theme::breaker_state(l.metrics.worst));
        if (canvas_hovered && std::abs(mouse.x - l.at.x) < 6 && std::abs(mouse.y - l.at.y) < 6) hit = {EntityKind::edge, l.edge};
      }
    } else if (!edge.breakers.empty()) {
      char text[48];
      if (l.metrics.worst == sim::BreakerState::closed) std::snprintf(text, sizeof text, "closed");
      else std::snprintf(text, sizeof text, "%s %u/%u", sim::breaker_state_name(l.metrics.worst), l.metrics.not_closed, l.metrics.breakers);
      const ImVec2 size = ImGui::CalcTextSize(text);
      const ImU32 colour = theme::breaker_state(l.metrics.worst);
      const ImVec2 a(l.at.x - size.x / 2 - 7, y);
      const ImVec2 b(l.at.x + size.x / 2 + 7, y + size.y + 2);
      draw->AddRectFilled(a, b, theme::mix(theme::kBackground, colour, 0.25f), (b.y - a.y) / 2);
      draw->AddRect(a, b, colour, (b.y - a.y) / 2);
      draw->AddText(ImVec2(a.x + 7, y + 1), colour, text);
      if (canvas_hovered && mouse.x >= a.x && mouse.x < b.x && mouse.y >= a.y && mouse.y < b.y) hit = {EntityKind::edge, l.edge};
    }
  }

  if (!session.snapshot_exact()) {
    const std::string note = "showing the checkpoint at " + format_time(snap.at_ns, 0) + " while the engine replays";
    draw->AddText(ImVec2(canvas_pos.x + 10, canvas_pos.y + 8), theme::kWarn, note.c_str());
  }
  if (show_legend) legend_h = draw_legend(draw, ImVec2(canvas_pos.x + 6, canvas_pos.y + canvas_size.y - 6), canvas_size.x - 12, t);
  draw->PopClipRect();

  // Interaction: drag a node's header to move it, drag the background to pan, wheel to zoom,
  // click to select.
  ImGuiIO& io = ImGui::GetIO();
  if (ImGui::IsItemActivated()) dragging = hit_drag_key.empty() ? "" : hit_drag_key;
  if (canvas_active && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.0f)) {
    if (!dragging.empty()) {
      ImVec2& o = offsets[dragging];
      o.x += io.MouseDelta.x / zoom;
      o.y += io.MouseDelta.y / zoom;
    } else {
      pan.x -= io.MouseDelta.x / zoom;
      pan.y -= io.MouseDelta.y / zoom;
    }
  }
  if (canvas_active && ImGui::IsMouseDragging(ImGuiMouseButton_Right, 2.0f)) {
    pan.x -= io.MouseDelta.x / zoom;
    pan.y -= io.MouseDelta.y / zoom;
  }
  if (ImGui::IsItemDeactivated()) {
    const ImVec2 drag = ImGui::GetMouseDragDelta(ImGuiMouseButton_Left, 0.0f);
    if (std::abs(drag.x) < 3 && std::abs(drag.y) < 3) app.select(hit);
    dragging.clear();
  }
  if (canvas_hovered && io.MouseWheel != 0) {
    const float before = zoom;
    zoom = std::clamp(zoom * std::pow(1.15f, io.MouseWheel), 0.15f, 4.0f);
    const ImVec2 world(pan.x + (mouse.x - canvas_pos.x) / before, pan.y + (mouse.y - canvas_pos.y) / before);
    pan = ImVec2(world.x - (mouse.x - canvas_pos.x) / zoom, world.y - (mouse.y - canvas_pos.y) / zoom);
  }
  if (canvas_hovered && hit) app.hovered_next = hit;
  if (canvas_hovered && !ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    if (hit.kind == EntityKind::instance) {
      instance_tooltip(t, snap, hit.index);
    } else if (hit.kind == EntityKind::edge) {
      const EdgeMetrics& m = metrics[hit.index];
      ImGui::BeginTooltip();
      ImGui::Text("%s", t.edges[hit.index].name.c_str());
      ImGui::Text("%s, errors %s", format_rate(m.rate_per_s).c_str(), std::isnan(m.error_ratio) ? "-" : format_percent(m.error_ratio).c_str());
      ImGui::TextDisabled(t.edges[hit.index].caller_kind == CallerKind::client ? "the client's requests in the last full bucket"
                                                                                 : "requests arriving at the callee in the last full bucket");
      if (m.breakers > 0) widgets::text_coloured(theme::breaker_state(m.worst), "%u of %u breakers %s", m.not_closed, m.breakers, sim::breaker_state_name(m.worst));
      caller_side_text(app, t.edges[hit.index]);
      ImGui::EndTooltip();
    }
  }

  // Controls over the canvas' top-right corner.
  ImGui::SetCursorScreenPos(ImVec2(canvas_pos.x + canvas_size.x - 150, canvas_pos.y + 6));
  if (ImGui::SmallButton("Fit (F)")) fitted = false;
  ImGui::SameLine();
  ImGui::TextDisabled("%.0f%%", zoom * 100);
  ImGui::SameLine();
  widgets::help_marker("Drag the background to pan, the wheel to zoom, a service's title or a client to move it. "
                       "Click an instance, service, client or edge to inspect it.");
}

}  // namespace faultline::gui
