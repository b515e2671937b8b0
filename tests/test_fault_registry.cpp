// The fault-kind registry against the scenario schema: the kinds the schema lists, the option
// keys it allows on a fault and the target keys it allows are exactly those the kinds' units
// read. The two cannot drift apart unnoticed.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "faults/kind.hpp"
#include "harness/schema_text.hpp"

using namespace faultline;
using Json = nlohmann::json;

namespace {

const Json& fault_definition(const Json& schema) {
  const Json& definitions = schema.contains("$defs") ? schema["$defs"] : schema["definitions"];
  return definitions["fault"];
}

// Every property name defined anywhere under `node` (properties, and inside allOf/oneOf/
// if-then branches), except those under the `target` property, which are collected apart.
void collect_properties(const Json& node, std::set<std::string>& fault_keys, std::set<std::string>& target_keys,
                        std::set<std::string>& kinds) {
  if (node.is_object()) {
    if (node.contains("properties") && node["properties"].is_object()) {
      for (const auto& [key, value] : node["properties"].items()) {
        if (key == "target") {
          std::set<std::string> ignored_kinds;
          std::set<std::string> nested;
          collect_properties(value, target_keys, nested, ignored_kinds);
          continue;
        }
        fault_keys.insert(key);
        if (key == "kind" && value.contains("enum")) {
          for (const auto& name : value["enum"]) kinds.insert(name.get<std::string>());
        }
        if (key == "kind" && value.contains("const")) kinds.insert(value["const"].get<std::string>());
      }
    }
    for (const auto& [key, value] : node.items()) {
      if (key != "properties") collect_properties(value, fault_keys, target_keys, kinds);
    }
  } else if (node.is_array()) {
    for (const auto& item : node) collect_properties(item, fault_keys, target_keys, kinds);
  }
}

}  // namespace

TEST_CASE("the schema's fault kinds, option keys and target keys match the registry", "[faults][schema]") {
  const Json schema = Json::parse(harness::scenario_schema_text());
  std::set<std::string> fault_keys, target_keys, schema_kinds;
  collect_properties(fault_definition(schema), fault_keys, target_keys, schema_kinds);

  std::set<std::string> registry_kinds, option_keys, registry_target_keys;
  for (const faults::KindUnit* unit : faults::fault_kinds()) {
    registry_kinds.insert(std::string(unit->name));
    for (std::string_view key : unit->option_keys) option_keys.insert(std::string(key));
    for (std::string_view key : unit->target_keys) registry_target_keys.insert(std::string(key));
  }
  CHECK(schema_kinds == registry_kinds);
  std::set<std::string> schema_options;
  for (const std::string& key : fault_keys) {
    if (key != "name" && key != "kind" && key != "at" && key != "duration" && key.rfind("x-", 0) != 0 &&
        key != "description") {
      schema_options.insert(key);
    }
  }
  CHECK(schema_options == option_keys);
  CHECK(target_keys == registry_target_keys);
}

TEST_CASE("the registry lists every kind once, in FaultKind order, with a start and a stop", "[faults]") {
  REQUIRE(faults::fault_kinds().size() == faults::kFaultKindCount);
  std::set<std::string_view> names;
  for (std::size_t k = 0; k < faults::fault_kinds().size(); ++k) {
    const faults::KindUnit& unit = *faults::fault_kinds()[k];
    CHECK(static_cast<std::size_t>(unit.kind) == k);
    CHECK(unit.start != nullptr);
    CHECK(unit.stop != nullptr);
    CHECK(unit.read_options != nullptr);
    CHECK(names.insert(unit.name).second);
    CHECK(faults::find_kind(unit.name) == &unit);
    // The default options are the kind's own alternative.
    CHECK(faults::default_options(unit.kind).index() == k);
  }
  CHECK(faults::find_kind("no_such_kind") == nullptr);
}

TEST_CASE("the kinds that crash instances are the ones no_traffic_to_crashed accepts", "[faults]") {
  std::set<std::string_view> crashing;
  for (const faults::KindUnit* unit : faults::fault_kinds()) {
    if (unit->traits.crashes_instances) crashing.insert(unit->name);
  }
  CHECK(crashing == std::set<std::string_view>{"crash", "zone_down", "chaos_monkey"});
}
