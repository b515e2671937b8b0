// Building the GUI's view of a scenario's structure from an engine.
#include "gui/model/topology.hpp"

#include "reports/analysis/measures.hpp"

#include <algorithm>

#include "sim/engine.hpp"

namespace faultline::gui {
namespace {

std::string describe_target(const sim::ModelConfig& model, const faults::FaultSpec& spec) {
  std::string text;
  auto add = [&text](const std::string& part) {
    if (!text.empty()) text += ", ";
    text += part;
  };
  if (spec.target.service) add("service " + model.services[*spec.target.service].name);
  if (!spec.target.instances.empty()) {
    std::string list;
    for (std::uint32_t i : spec.target.instances) list += (list.empty() ? "" : ",") + std::to_string(i);
    add("instances " + list);
  }
  if (spec.target.zone) add("zone " + model.zones[*spec.target.zone]);
  if (spec.target.client) add("client " + model.clients[*spec.target.client].name);
  if (spec.target.from_zone && spec.target.to_zone) {
    add(model.zones[*spec.target.from_zone] + (spec.target.both_directions ? " <-> " : " -> ") +
        model.zones[*spec.target.to_zone]);
  }
  if (spec.target.fraction < 1.0) add(std::to_string(static_cast<int>(spec.target.fraction * 100.0 + 0.5)) + "% of them");
  return text.empty() ? "everything" : text;
}

}  // namespace

Topology build_topology(const sim::Engine& engine, std::span<const faults::FaultSpec> faults) {
  const sim::ModelConfig& model = engine.config();
  Topology t;
  t.zones = model.zones;
  // Short labels: strip the prefix all zone names share ("us-east-1a", "us-east-1b" -> "a", "b").
  std::size_t common = t.zones.empty() ? 0 : t.zones.front().size();
  for (const std::string& z : t.zones) {
    std::size_t k = 0;
    while (k < common && k < z.size() && z[k] == t.zones.front()[k]) ++k;
    common = k;
  }
  for (const std::string& z : t.zones) t.zone_labels.push_back(t.zones.size() > 1 && common < z.size() ? z.substr(common) : z);

  const auto services = engine.services();
  t.services.resize(services.size());
  for (std::uint32_t s = 0; s < services.size(); ++s) {
    TopoService& out = t.services[s];
    out.name = model.services[s].name;
    out.first_instance = services[s].first_instance;
    out.instance_count = services[s].instance_count;
    out.zone_counts.assign(t.zones.size(), 0);
  }
  const auto instances = engine.instances();
  t.instances.resize(instances.size());
  for (std::uint32_t i = 0; i < instances.size(); ++i) {
    TopoInstance& out = t.instances[i];
    out.service = instances[i].service;
    out.zone = instances[i].zone;
    out.index_in_service = instances[i].index_in_service;
    out.name = engine.instance_name(i);
    ++t.services[out.service].zone_counts[out.zone];
  }
  const auto clients = engine.clients();
  t.clients.resize(clients.size());
  for (std::uint32_t c = 0; c < clients.size(); ++c) {
    t.clients[c] = {model.clients[c].name, clients[c].zone, model.clients[c].service, clients[c].site};
  }

  const auto sites = engine.sites();
  t.sites.resize(sites.size());
  for (std::uint32_t s = 0; s < sites.size(); ++s) {
    const sim::SiteRuntime& site = sites[s];
    TopoSite& out = t.sites[s];
    out.caller_kind = site.caller_client != kNone ? CallerKind::client : CallerKind::service;
    out.caller = site.caller_client != kNone ? site.caller_client : site.caller_service;
    out.callee_service = site.callee_service;
    out.breaker_base = site.breaker_base;
    out.breaker_count = site.breaker_count;
    out.name = engine.site_name(s);
    out.policy = *site.policy;
    ++t.services[site.callee_service].caller_sites;
    auto same_edge = [&](const TopoEdge& e) {
      return e.caller_kind == out.caller_kind && e.caller == out.caller && e.callee_service == out.callee_service;
    };
    auto found = std::find_if(t.edges.begin(), t.edges.end(), same_edge);
    if (found == t.edges.end()) {
      TopoEdge edge;
      edge.caller_kind = out.caller_kind;
      edge.caller = out.caller;
      edge.callee_service = out.callee_service;
      edge.name = out.name;
      t.edges.push_back(std::move(edge));
      found = t.edges.end() - 1;
    }
    out.edge = static_cast<std::uint32_t>(found - t.edges.begin());
    found->sites.push_back(s);
  }

  const auto breaker_info = engine.breaker_info();
  t.breakers.resize(breaker_info.size());
  for (std::uint32_t b = 0; b < breaker_info.size(); ++b) {
    TopoBreaker& out = t.breakers[b];
    out.site = breaker_info[b].site;
    out.edge = t.sites[out.site].edge;
    out.caller_instance = breaker_info[b].caller_instance;
    out.name = engine.breaker_name(b);
    t.edges[out.edge].breakers.push_back(b);
  }

  // Depth: the longest chain of calls from a client (analysis::call_depths, as the HTML report).
  std::vector<analysis::CallEdge> calls;
  for (const TopoSite& site : t.sites) {
    calls.push_back({site.caller_kind == CallerKind::client ? sim::kNone : site.caller, site.callee_service});
  }
  const std::vector<std::uint32_t> depths = analysis::call_depths(t.services.size(), calls);
  for (std::size_t s = 0; s < t.services.size(); ++s) t.services[s].depth = depths[s];
  for (const TopoService& s : t.services) t.max_depth = std::max(t.max_depth, s.depth);

  t.faults.resize(faults.size());
  for (std::uint32_t f = 0; f < faults.size(); ++f) {
    t.faults[f] = {faults[f].name, faults[f].kind, faults[f].at_ns, faults[f].duration_ns, describe_target(model, faults[f])};
  }
  return t;
}

const char* entity_kind_name(EntityKind kind) {
  switch (kind) {
    case EntityKind::none: return "nothing";
    case EntityKind::instance: return "instance";
    case EntityKind::service: return "service";
    case EntityKind::client: return "client";
    case EntityKind::edge: return "edge";
    case EntityKind::breaker: return "breaker";
    case EntityKind::fault: return "fault";
  }
  return "?";
}

std::string entity_name(const Topology& t, EntityRef e) {
  switch (e.kind) {
    case EntityKind::none: return "";
    case EntityKind::instance: return e.index < t.instances.size() ? t.instances[e.index].name : "?";
    case EntityKind::service: return e.index < t.services.size() ? t.services[e.index].name : "?";
    case EntityKind::client: return e.index < t.clients.size() ? t.clients[e.index].name : "?";
    case EntityKind::edge: return e.index < t.edges.size() ? t.edges[e.index].name : "?";
    case EntityKind::breaker: return e.index < t.breakers.size() ? t.breakers[e.index].name : "?";
    case EntityKind::fault: return e.index < t.faults.size() ? t.faults[e.index].name : "?";
  }
  return "?";
}

EntityRef find_entity(const Topology& t, std::string_view name) {
  EntityKind only = EntityKind::none;
  if (const auto colon = name.find(':'); colon != std::string_view::npos) {
    const std::string_view prefix = name.substr(0, colon);
    for (EntityKind k : {EntityKind::instance, EntityKind::service, EntityKind::client, EntityKind::edge,
                         EntityKind::breaker, EntityKind::fault}) {
      if (prefix == entity_kind_name(k)) {
        only = k;
        name = name.substr(colon + 1);
      }
    }
  }
  auto search = [&](EntityKind kind, std::size_t count) -> EntityRef {
    if (only != EntityKind::none && only != kind) return {};
    for (std::uint32_t i = 0; i < count; ++i) {
      if (entity_name(t, {kind, i}) == name) return {kind, i};
    }
    return {};
  };
  for (EntityRef found : {search(EntityKind::instance, t.instances.size()), search(EntityKind::service, t.services.size()),
                          search(EntityKind::client, t.clients.size()), search(EntityKind::edge, t.edges.size()),
                          search(EntityKind::breaker, t.breakers.size()), search(EntityKind::fault, t.faults.size())}) {
    if (found) return found;
  }
  return {};
}

}  // namespace faultline::gui
