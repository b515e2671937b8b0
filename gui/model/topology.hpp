// The static shape of a loaded scenario as the GUI draws it: zones, services, instances,
// clients, call sites, caller->callee edges, breakers and faults, each with its display name.
// Built once per engine from the engine's own read accessors, so the GUI never re-derives model
// structure on its own.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "faults/fault.hpp"
#include "sim/config.hpp"
#include "sim/runtime.hpp"

namespace faultline::sim {
class Engine;
}

namespace faultline::gui {

using sim::TimeNs;
inline constexpr std::uint32_t kNone = sim::kNone;

enum class CallerKind : std::uint8_t { client, service };

struct TopoInstance {
  std::uint32_t service = 0;
  std::uint32_t zone = 0;
  std::uint32_t index_in_service = 0;
  std::string name;  // "checkout#3", as the engine names it
};

struct TopoService {
  std::string name;
  std::uint32_t first_instance = 0;
  std::uint32_t instance_count = 0;
  std::uint32_t depth = 1;                 // 1 + the longest chain of callers above it (clients are 0)
  std::vector<std::uint32_t> zone_counts;  // instances per zone
  std::uint32_t caller_sites = 0;          // call sites that send to it
};

struct TopoClient {
  std::string name;
  std::uint32_t zone = 0;
  std::uint32_t service = 0;
  std::uint32_t site = 0;
};

// One call site: a client, or one call of one step of a service's operation.
struct TopoSite {
  CallerKind caller_kind = CallerKind::client;
  std::uint32_t caller = 0;  // client or service index
  std::uint32_t callee_service = 0;
  std::uint32_t edge = 0;
  std::uint32_t breaker_base = kNone;
  std::uint32_t breaker_count = 0;
  std::string name;  // "frontend -> checkout"
  sim::CallPolicy policy;
};

// Every site between one caller and one callee service, drawn as a single arrow.
struct TopoEdge {
  CallerKind caller_kind = CallerKind::client;
  std::uint32_t caller = 0;
  std::uint32_t callee_service = 0;
  std::vector<std::uint32_t> sites;
  std::vector<std::uint32_t> breakers;  // every breaker of every site of this edge
  std::string name;
};

struct TopoBreaker {
  std::uint32_t site = 0;
  std::uint32_t edge = 0;
  std::uint32_t caller_instance = kNone;  // kNone: one breaker for the whole caller
  std::string name;
};

struct TopoFault {
  std::string name;
  faults::FaultKind kind = faults::FaultKind::crash;
  TimeNs at_ns = 0;
  TimeNs duration_ns = sim::kNever;  // kNever: never reverted
  std::string target;                // "service checkout, instances 0,4"
};

struct Topology {
  std::vector<std::string> zones;
  std::vector<std::string> zone_labels;  // the zones without their common prefix ("1a" for "us-east-1a")
  std::vector<TopoService> services;
  std::vector<TopoInstance> instances;
  std::vector<TopoClient> clients;
  std::vector<TopoSite> sites;
  std::vector<TopoEdge> edges;
  std::vector<TopoBreaker> breakers;
  std::vector<TopoFault> faults;
  std::uint32_t max_depth = 0;
};

Topology build_topology(const sim::Engine& engine, std::span<const faults::FaultSpec> faults);

// What the user can select: one entity of the topology.
enum class EntityKind : std::uint8_t { none, instance, service, client, edge, breaker, fault };

struct EntityRef {
  EntityKind kind = EntityKind::none;
  std::uint32_t index = 0;
  friend bool operator==(const EntityRef&, const EntityRef&) = default;
  explicit operator bool() const { return kind != EntityKind::none; }
};

const char* entity_kind_name(EntityKind kind);
std::string entity_name(const Topology& topology, EntityRef entity);
// Finds an entity by its display name ("checkout#3", "checkout", "web", "frontend -> checkout",
// "checkout#0 -> payments", a fault name); kind-prefixed names ("service:web") disambiguate.
EntityRef find_entity(const Topology& topology, std::string_view name);

}  // namespace faultline::gui
