// The inspector: the selected instance, service, client, edge, breaker or fault, with its state
// now, its counters, its history up to the cursor (click a time to go there) and its settings.
#include <algorithm>
#include <cstdio>

#include "gui/app/app.hpp"
#include "gui/app/widgets.hpp"
#include "gui/model/format.hpp"

namespace faultline::gui {
namespace {

bool begin_fields(const char* id) {
  return ImGui::BeginTable(id, 2, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg);
}

void field(const char* name, const std::string& value, ImU32 colour = theme::kText) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%s", name);
  ImGui::TableNextColumn();
  widgets::text_coloured(colour, "%s", value.c_str());
}

void counters(const char* id, const sim::Counters& c) {
  if (!begin_fields(id)) return;
  const std::uint64_t answered = c.ok + failures(c);
  field("requests", format_count(c.requests));
  field("ok", format_count(c.ok) + (answered > 0 ? "  (" + format_percent(static_cast<double>(c.ok) / static_cast<double>(answered)) + ")" : ""),
        answered > 0 && c.ok < answered ? theme::kWarn : theme::kText);
  field("errors", format_count(c.errors), c.errors ? theme::kBad : theme::kText);
  field("timeouts", format_count(c.timeouts), c.timeouts ? theme::kBad : theme::kText);
  field("rejected", format_count(c.rejected), c.rejected ? theme::kWarn : theme::kText);
  field("unavailable", format_count(c.unavailable), c.unavailable ? theme::kWarn : theme::kText);
  field("retries", format_count(c.retries));
  ImGui::EndTable();
}

std::string retry_text(const sim::RetryPolicy& r) {
  if (r.max_attempts <= 1) return "none";
  std::string text = std::to_string(r.max_attempts) + " attempts";
  if (r.backoff_base_ns > 0) {
    char multiplier[32];
    std::snprintf(multiplier, sizeof multiplier, " x%g", r.backoff_multiplier);
    text += ", backoff " + format_span(r.backoff_base_ns) + multiplier;
  }
  if (r.budget.enabled) text += ", budget " + format_percent(r.budget.ratio);
  return text;
}

std::string breaker_text(const sim::BreakerPolicy& b) {
  if (!b.enabled) return "none";
  std::string text = b.trip == sim::TripRule::consecutive_failures ? "trips after > " + std::to_string(b.consecutive_failures) + " failures in a row"
                                                                   : "trips at " + format_percent(b.failure_ratio) + " of >= " + std::to_string(b.min_requests);
  text += ", open " + format_span(b.timeout_ns);
  text += b.scope == sim::BreakerScope::per_caller_instance ? ", per caller instance" : ", per caller service";
  return text;
}

void policy_fields(const sim::CallPolicy& p) {
  field("timeout", p.timeout_ns > 0 ? format_span(p.timeout_ns) : "none");
  field("retries", retry_text(p.retry));
  field("breaker", breaker_text(p.breaker));
  field("balancer", sim::load_balancer_name(p.load_balancer));
  field("outlier detection", p.outlier.enabled ? "after " + std::to_string(p.outlier.consecutive_errors) + " errors, " + format_span(p.outlier.base_ejection_ns) : "none");
  // The patterns that are off by default: a row only when the scenario turns one on.
  if (p.deadline_propagation) field("deadline", "propagated from the request being served");
  if (p.hedging.enabled) {
    field("hedging", "up to " + std::to_string(p.hedging.max_attempts) + " attempts, the next after " + format_span(p.hedging.delay_ns));
  }
  if (p.rate_limit.enabled) {
    char rate[64];
    std::snprintf(rate, sizeof rate, "%g/s, burst %u", p.rate_limit.rate_per_s, p.rate_limit.burst);
    field("rate limit", rate);
  }
  if (p.bulkhead.enabled) {
    field("bulkhead", std::to_string(p.bulkhead.max_concurrent) + " at once" +
                          (p.bulkhead.max_wait_ns > 0 ? ", waiting up to " + format_span(p.bulkhead.max_wait_ns) : ""));
  }
  if (p.fallback.enabled) field("fallback", "answers degraded when the call fails");
}

// The entity's events up to the cursor, newest first.
void history(App& app, EntityRef entity, const std::string& name_prefix = "") {
  const Derived& derived = app.derived();
  const TimeNs cursor = app.session.cursor_ns();
  std::vector<const LogEvent*> mine;
  for (const LogEvent& e : derived.log) {
    if (e.at_ns >= cursor && !app.session.at_end()) break;
    const bool match = e.entity == entity || e.related == entity ||
                       (!name_prefix.empty() && e.entity_name.rfind(name_prefix, 0) == 0);
    if (match) mine.push_back(&e);
  }
  if (!ImGui::CollapsingHeader("History", ImGuiTreeNodeFlags_DefaultOpen)) return;
  if (mine.empty()) {
    ImGui::TextDisabled("nothing has happened to it yet");
    return;
  }
  const std::size_t shown = std::min<std::size_t>(mine.size(), 200);
  for (std::size_t k = 0; k < shown; ++k) {
    const LogEvent& e = *mine[mine.size() - 1 - k];
    ImGui::PushID(static_cast<int>(k));
    if (ImGui::SmallButton(format_time(e.at_ns).c_str())) app.seek(e.at_ns + 1);
    ImGui::SameLine();
    if (e.entity != entity) {
      ImGui::TextDisabled("%s", e.entity_name.c_str());
      ImGui::SameLine();
    }
    widgets::text_coloured(theme::severity(e.severity), "%s", e.text.c_str());
    ImGui::PopID();
  }
  if (mine.size() > shown) ImGui::TextDisabled("... and %zu earlier", mine.size() - shown);
}

void link(App& app, EntityRef entity) {
  const std::string name = entity_name(app.session.topology(), entity);
  ImGui::PushID(static_cast<int>(entity.index) * 8 + static_cast<int>(entity.kind));
  if (ImGui::SmallButton(name.c_str())) app.select(entity);
  ImGui::PopID();
}

void inspect_instance(App& app, std::uint32_t i) {
  const Topology& t = app.session.topology();
  const InstanceSnapshot& s = app.session.snapshot().instances[i];
  widgets::badge(visual_state_name(s.visual), theme::visual_state(s.visual));
  ImGui::SameLine();
  ImGui::TextDisabled("%s", visual_state_meaning(s.visual));
  if (begin_fields("##now")) {
    field("status", sim::instance_status_name(s.status));
    field("zone", t.zones[t.instances[i].zone]);
    field("workers busy", std::to_string(s.busy) + " of " + std::to_string(s.workers));
    field("queued", std::to_string(s.queued) + " of " + std::to_string(s.queue_capacity));
    if (s.slowdown > 1.0001f) {
      char slowdown[32];
      std::snprintf(slowdown, sizeof slowdown, "x%.2f", static_cast<double>(s.slowdown));
      field("slowdown", slowdown, theme::kWarn);
    }
    if (s.error_ratio > 0) field("error ratio", format_percent(s.error_ratio), theme::kBad);
    if (s.loss_ratio > 0) field("message loss", format_percent(s.loss_ratio), theme::kWarn);
    if (s.blackholed) field("network", "blackholed", theme::kBad);
    if (s.delayed) field("network", "delayed", theme::kWarn);
    field("registry", std::string(s.registered ? "registered" : "deregistered") + ", " + (s.passing ? "passing" : "critical") + ", " +
                          (s.published_healthy ? "published healthy" : "not published"));
    field("in callers' views", std::to_string(s.in_views) + " of " + std::to_string(t.services[t.instances[i].service].caller_sites),
          s.stale_in_views ? theme::kWarn : theme::kText);
    field("ejected by", std::to_string(s.ejected_by), s.ejected_by ? theme::visual_state(VisualState::ejected) : theme::kText);
    field("served", format_count(s.served));
    field("crashes", std::to_string(s.crash_count));
    ImGui::EndTable();
  }
  ImGui::TextDisabled("service");
  ImGui::SameLine();
  link(app, {EntityKind::service, t.instances[i].service});
  if (app.session.snapshot_exact()) {
    for (std::uint32_t f = 0; f < t.faults.size(); ++f) {
      const auto targets = app.session.live().injector().targets(f);
      if (!app.session.snapshot().fault_active[f] || std::find(targets.begin(), targets.end(), i) == targets.end()) continue;
      widgets::text_coloured(theme::kFault, "under fault");
      ImGui::SameLine();
      link(app, {EntityKind::fault, f});
    }
  }
  history(app, {EntityKind::instance, i});
}

void inspect_service(App& app, std::uint32_t s) {
  const Topology& t = app.session.topology();
  const Snapshot& snap = app.session.snapshot();
  const TopoService& service = t.services[s];
  const sim::ServiceConfig& config = app.session.scenario().model.services[s];
  std::uint32_t by_state[kVisualStateCount] = {};
  for (std::uint32_t i = service.first_instance; i < service.first_instance + service.instance_count; ++i) ++by_state[static_cast<int>(snap.instances[i].visual)];
  for (std::size_t v = 0; v < kVisualStateCount; ++v) {
    if (by_state[v] == 0) continue;
    char text[64];
    std::snprintf(text, sizeof text, "%u %s", by_state[v], visual_state_name(static_cast<VisualState>(v)));
    widgets::badge(text, theme::visual_state(static_cast<VisualState>(v)));
    ImGui::SameLine();
  }
  ImGui::NewLine();
  if (ImGui::CollapsingHeader("Counters so far", ImGuiTreeNodeFlags_DefaultOpen)) counters("##counters", snap.service_totals[s]);
  if (ImGui::CollapsingHeader("Configuration")) {
    if (begin_fields("##config")) {
      field("workers", std::to_string(config.workers) + " per instance");
      field("queue", std::to_string(config.queue_capacity) + " per instance");
      std::string placement;
      for (const auto& g : config.placement) placement += (placement.empty() ? "" : ", ") + std::to_string(g.count) + " in " + t.zones[g.zone];
      field("instances", placement);
      for (const auto& op : config.operations) field(("op " + op.name).c_str(), sim::describe(op.service_time) + ", " + std::to_string(op.steps.size()) + " call steps");
      ImGui::EndTable();
    }
  }
  if (ImGui::CollapsingHeader("Calls", ImGuiTreeNodeFlags_DefaultOpen)) {
    for (std::uint32_t e = 0; e < t.edges.size(); ++e) {
      const TopoEdge& edge = t.edges[e];
      const bool in = edge.callee_service == s;
      const bool out = edge.caller_kind == CallerKind::service && edge.caller == s;
      if (!in && !out) continue;
      ImGui::TextDisabled(in ? "from" : "to");
      ImGui::SameLine();
      link(app, {EntityKind::edge, e});
    }
  }
  history(app, {EntityKind::service, s}, service.name + "#");
}

void inspect_client(App& app, std::uint32_t c) {
  const Topology& t = app.session.topology();
  const Snapshot& snap = app.session.snapshot();
  const sim::ClientConfig& config = app.session.scenario().model.clients[c];
  ImGui::TextDisabled("%u requests outstanding", snap.client_outstanding[c]);
  if (ImGui::CollapsingHeader("Counters so far", ImGuiTreeNodeFlags_DefaultOpen)) counters("##counters", snap.client_totals[c]);
  if (ImGui::CollapsingHeader("Configuration", ImGuiTreeNodeFlags_DefaultOpen) && begin_fields("##config")) {
    field("zone", t.zones[config.zone]);
    if (config.closed_loop) field("workload", std::to_string(config.users) + " closed-loop users");
    else if (!config.schedule.empty()) field("workload", format_rate(config.schedule.front().rate_per_s) + (config.schedule.size() > 1 ? " (scheduled)" : "") +
                                                           (config.arrivals == sim::ArrivalProcess::poisson ? ", Poisson" : ", constant"));
    policy_fields(config.policy);
    ImGui::EndTable();
  }
  ImGui::TextDisabled("calls");
  ImGui::SameLine();
  link(app, {EntityKind::edge, t.sites[t.clients[c].site].edge});
}

void inspect_edge(App& app, std::uint32_t e) {
  const Topology& t = app.session.topology();
  const Snapshot& snap = app.session.snapshot();
  const TopoEdge& edge = t.edges[e];
  ImGui::TextDisabled("caller");
  ImGui::SameLine();
  link(app, {edge.caller_kind == CallerKind::client ? EntityKind::client : EntityKind::service, edge.caller});
  ImGui::SameLine();
  ImGui::TextDisabled("callee");
  ImGui::SameLine();
  link(app, {EntityKind::service, edge.callee_service});
  for (std::uint32_t site : edge.sites) {
    ImGui::PushID(static_cast<int>(site));
    if (ImGui::CollapsingHeader(("Policy: " + t.sites[site].name).c_str(), ImGuiTreeNodeFlags_DefaultOpen) && begin_fields("##policy")) {
      policy_fields(t.sites[site].policy);
      field("view", std::to_string(snap.sites[site].view.size()) + " instances, refreshed at " + format_time(snap.sites[site].view_refreshed_ns));
      ImGui::EndTable();
    }
    ImGui::PopID();
  }
  caller_side_text(app, edge);
  if (!edge.breakers.empty() && ImGui::CollapsingHeader("Breakers", ImGuiTreeNodeFlags_DefaultOpen)) {
    for (std::uint32_t b : edge.breakers) {
      const BreakerSnapshot& s = snap.breakers[b];
      ImGui::PushID(static_cast<int>(b));
      widgets::badge(sim::breaker_state_name(s.state), theme::breaker_state(s.state));
      ImGui::SameLine();
      link(app, {EntityKind::breaker, b});
      ImGui::SameLine();
      if (s.opens == 0) ImGui::TextDisabled("never opened");
      else if (s.opens == 1) ImGui::TextDisabled("opened once");
      else ImGui::TextDisabled("opened %u times", s.opens);
      ImGui::PopID();
    }
  }
  history(app, {EntityKind::edge, e});
}

void inspect_breaker(App& app, std::uint32_t b) {
  const Topology& t = app.session.topology();
  const BreakerSnapshot& s = app.session.snapshot().breakers[b];
  widgets::badge(sim::breaker_state_name(s.state), theme::breaker_state(s.state));
  if (s.expired) {
    ImGui::SameLine();
    ImGui::TextDisabled("timeout passed: half-open at the next request");
  }
  if (begin_fields("##breaker")) {
    field("requests", std::to_string(s.counts.requests));
    field("successes", std::to_string(s.counts.total_successes) + " (" + std::to_string(s.counts.consecutive_successes) + " in a row)");
    field("failures", std::to_string(s.counts.total_failures) + " (" + std::to_string(s.counts.consecutive_failures) + " in a row)");
    field("generation ends", s.expiry_ns == sim::kNever ? "never" : format_time(s.expiry_ns));
    field("opened", s.opens == 0 ? "never" : s.opens == 1 ? "once" : std::to_string(s.opens) + " times");
    field("policy", breaker_text(t.sites[t.breakers[b].site].policy.breaker));
    ImGui::EndTable();
  }
  ImGui::TextDisabled("on");
  ImGui::SameLine();
  link(app, {EntityKind::edge, t.breakers[b].edge});
  history(app, {EntityKind::breaker, b});
}

void inspect_fault(App& app, std::uint32_t f) {
  const Topology& t = app.session.topology();
  const TopoFault& fault = t.faults[f];
  const bool active = app.session.snapshot().fault_active[f] != 0;
  widgets::badge(active ? "active" : "inactive", active ? theme::kFault : theme::kTextDim);
  if (begin_fields("##fault")) {
    field("kind", faults::fault_kind_name(fault.kind));
    field("target", fault.target);
    field("starts", format_time(fault.at_ns));
    field("lasts", fault.duration_ns == sim::kNever ? "to the end of the run" : format_span(fault.duration_ns));
    ImGui::EndTable();
  }
  if (ImGui::Button("Jump to its start")) app.seek(fault.at_ns + 1);
  if (app.session.snapshot_exact()) {
    const auto targets = app.session.live().injector().targets(f);
    if (!targets.empty()) {
      ImGui::TextDisabled("selected instances:");
      for (std::uint32_t i : targets) {
        ImGui::SameLine();
        link(app, {EntityKind::instance, i});
      }
    }
  }
  history(app, {EntityKind::fault, f});
}

}  // namespace

void InspectorPanel::draw(App& app) {
  Session& session = app.session;
  if (!session.loaded()) {
    widgets::empty_state("Nothing to inspect", "Open a scenario, then click an instance, service, edge, breaker or fault.");
    return;
  }
  if (!app.selection) {
    widgets::empty_state("Nothing selected", "Click an instance, a service, a client or an edge in the topology, a lane in the fault timeline, "
                                             "or an event in the log. Esc clears the selection.");
    return;
  }
  const Topology& t = session.topology();
  ImGui::PushFont(app.fonts.title);
  ImGui::Text("%s", entity_name(t, app.selection).c_str());
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::TextDisabled("%s at %s%s", entity_kind_name(app.selection.kind), format_time(session.snapshot().at_ns).c_str(),
                      session.snapshot_exact() ? "" : " (checkpoint)");
  ImGui::Separator();
  ImGui::BeginChild("##inspector", ImVec2(0, 0), false);
  switch (app.selection.kind) {
    case EntityKind::instance: inspect_instance(app, app.selection.index); break;
    case EntityKind::service: inspect_service(app, app.selection.index); break;
    case EntityKind::client: inspect_client(app, app.selection.index); break;
    case EntityKind::edge: inspect_edge(app, app.selection.index); break;
    case EntityKind::breaker: inspect_breaker(app, app.selection.index); break;
    case EntityKind::fault: inspect_fault(app, app.selection.index); break;
    case EntityKind::none: break;
  }
  ImGui::EndChild();
}

}  // namespace faultline::gui
