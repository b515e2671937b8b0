// Deriving the fault space from the topology, and building each candidate's scenario document.
#include "harness/explore_space.hpp"

#include <algorithm>

#include "harness/duration.hpp"
#include "reports/format.hpp"

namespace faultline::harness {
namespace {

using json = nlohmann::ordered_json;

const json* member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto at = object.find(key);
  return at == object.end() ? nullptr : &*at;
}

std::vector<TimeNs> read_durations(const JsonSource& source, const json& list, const std::string& pointer) {
  std::vector<TimeNs> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = pointer + "/" + std::to_string(i);
    std::string why;
    const auto value = list[i].is_string() ? parse_go_duration(list[i].get<std::string>(), &why) : std::nullopt;
    if (!value || *value <= 0) throw source.error(at, "expected a positive duration like \"30s\"");
    out.push_back(*value);
  }
  return out;
}

std::vector<double> read_numbers(const JsonSource& source, const json& list, const std::string& pointer, bool ratio) {
  std::vector<double> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = pointer + "/" + std::to_string(i);
    std::optional<double> value;
    if (ratio) value = parse_ratio(list[i]);
    else if (list[i].is_number()) value = list[i].get<double>();
    if (!value || !(*value > 0) || (ratio && *value > 1) || (!ratio && *value <= 1)) {
      throw source.error(at, ratio ? "expected a ratio in (0, 1], like 0.2 or \"20%\"" : "expected a factor > 1, like 10");
    }
    out.push_back(*value);
  }
  return out;
}

std::size_t service_index(const Scenario& scenario, const std::string& name) {
  for (std::size_t s = 0; s < scenario.model.services.size(); ++s) {
    if (scenario.model.services[s].name == name) return s;
  }
  return scenario.model.services.size();
}

}  // namespace

const std::vector<std::string>& explore_kinds() {
  static const std::vector<std::string> kinds{"crash", "hang", "slowdown", "zone_down", "partition",
                                              "latency", "error_ratio", "registry_outage"};
  return kinds;
}

ExploreSettings read_explore_settings(const JsonSource& source, const Scenario& scenario) {
  ExploreSettings settings;
  const TimeNs run = scenario.model.duration_ns;
  settings.at_ns = run / 4;
  settings.windows_ns = {std::max<TimeNs>(run / 4, 1)};
  const json* block = member(source.root(), "explore");
  if (block == nullptr) return settings;
  if (const json* at = member(*block, "at")) {
    std::string why;
    const auto value = at->is_string() ? parse_go_duration(at->get<std::string>(), &why) : std::nullopt;
    if (!value || *value < 0 || *value >= run) {
      throw source.error("/explore/at", "expected a duration within the run (under " + format_go_duration(run) + ")");
    }
    settings.at_ns = *value;
  }
  if (const json* list = member(*block, "durations")) settings.windows_ns = read_durations(source, *list, "/explore/durations");
  if (const json* list = member(*block, "slowdown_factors")) {
    settings.slowdown_factors = read_numbers(source, *list, "/explore/slowdown_factors", false);
  }
  if (const json* list = member(*block, "latencies")) settings.latencies_ns = read_durations(source, *list, "/explore/latencies");
  if (const json* list = member(*block, "error_ratios")) {
    settings.error_ratios = read_numbers(source, *list, "/explore/error_ratios", true);
  }
  if (const json* list = member(*block, "services")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string name = (*list)[i].is_string() ? (*list)[i].get<std::string>() : "";
      const std::size_t s = service_index(scenario, name);
      if (s == scenario.model.services.size()) {
        std::string known;
        for (const auto& service : scenario.model.services) known += (known.empty() ? "" : ", ") + service.name;
        throw source.error("/explore/services/" + std::to_string(i),
                           "expected the name of a service of this scenario (" + known + "), got \"" + name + "\"");
      }
      settings.services.push_back(static_cast<std::uint32_t>(s));
    }
  }
  if (const json* list = member(*block, "assertions")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string name = (*list)[i].is_string() ? (*list)[i].get<std::string>() : "";
      const bool known = std::any_of(scenario.assertions.begin(), scenario.assertions.end(),
                                     [&](const AssertionSpec& a) { return a.name == name; });
      if (!known) {
        throw source.error("/explore/assertions/" + std::to_string(i),
                           "expected the name of an assertion of this scenario, got \"" + name + "\"");
      }
    }
  }
  if (const json* list = member(*block, "kinds")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string name = (*list)[i].is_string() ? (*list)[i].get<std::string>() : "";
      const auto& kinds = explore_kinds();
      if (std::find(kinds.begin(), kinds.end(), name) == kinds.end()) {
        std::string known;
        for (const auto& k : kinds) known += (known.empty() ? "" : ", ") + k;
        throw source.error("/explore/kinds/" + std::to_string(i), "expected one of " + known + ", got \"" + name + "\"");
      }
      settings.kinds.push_back(name);
    }
  }
  return settings;
}

namespace {

// Builds the space in its fixed order. `window` suffixes ids only when the space has several.
class SpaceBuilder {
 public:
  SpaceBuilder(const Scenario& scenario, const ExploreSettings& settings) : scenario_(scenario), settings_(settings) {
    std::uint32_t next = 0;
    for (const auto& service : scenario.model.services) {
      first_instance_.push_back(next);
      for (const auto& group : service.placement) next += group.count;
    }
    instance_count_ = next;
  }

  std::vector<Candidate> build() {
    for (const std::string& kind : explore_kinds()) {
      if (!settings_.kinds.empty() &&
          std::find(settings_.kinds.begin(), settings_.kinds.end(), kind) == settings_.kinds.end()) {
        continue;
      }
      if (kind == "crash" || kind == "hang" || kind == "slowdown") instance_faults(kind);
      else if (kind == "zone_down") zone_faults();
      else if (kind == "partition") partition_faults();
      else if (kind == "latency" || kind == "error_ratio") dependency_faults(kind);
      else if (kind == "registry_outage") for_windows("registry_outage", json::object(), {}, [](json&) {});
    }
    return std::move(out_);
  }

 private:
  bool covers(std::uint32_t service) const {
    return settings_.services.empty() ||
           std::find(settings_.services.begin(), settings_.services.end(), service) != settings_.services.end();
  }

  template <typename Fill>
  void for_windows(const std::string& id, const json& target, std::vector<std::uint32_t> instances, Fill fill) {
    for (const TimeNs window : settings_.windows_ns) {
      json fault;
      fault["name"] = "explore";
      fault["kind"] = id.substr(0, id.find(' '));
      if (!target.empty()) fault["target"] = target;
      fault["at"] = format_go_duration(settings_.at_ns);
      fault["duration"] = format_go_duration(window);
      fill(fault);
      Candidate candidate;
      candidate.id = id + (settings_.windows_ns.size() > 1 ? " for " + format_go_duration(window) : "");
      candidate.faults.push_back(std::move(fault));
      candidate.instances = instances;
      out_.push_back(std::move(candidate));
    }
  }

  void instance_faults(const std::string& kind) {
    const auto& services = scenario_.model.services;
    for (std::uint32_t s = 0; s < services.size(); ++s) {
      if (!covers(s)) continue;
      std::uint32_t index = 0;
      for (const auto& group : services[s].placement) {
        for (std::uint32_t k = 0; k < group.count; ++k, ++index) {
          const json target{{"service", services[s].name}, {"instances", json::array({index})}};
          const std::string entity = services[s].name + "#" + std::to_string(index);
          const std::vector<std::uint32_t> instances{first_instance_[s] + index};
          if (kind == "slowdown") {
            for (const double factor : settings_.slowdown_factors) {
              for_windows("slowdown " + entity + " x" + reports::number_text(factor), target, instances,
                          [&](json& f) { f["factor"] = factor; });
            }
          } else if (kind == "crash") {
            // A crash has no duration: its instance comes back `restart_after` the window.
            for_windows("crash " + entity, target, instances, [](json& f) {
              f["restart_after"] = f["duration"];
              f.erase("duration");
            });
          } else {
            for_windows(kind + " " + entity, target, instances, [](json&) {});
          }
        }
      }
    }
  }

  std::vector<std::uint32_t> zone_instances(std::uint32_t zone) const {
    std::vector<std::uint32_t> out;
    const auto& services = scenario_.model.services;
    for (std::uint32_t s = 0; s < services.size(); ++s) {
      std::uint32_t index = 0;
      for (const auto& group : services[s].placement) {
        for (std::uint32_t k = 0; k < group.count; ++k, ++index) {
          if (group.zone == zone) out.push_back(first_instance_[s] + index);
        }
      }
    }
    return out;
  }

  void zone_faults() {
    const auto& zones = scenario_.model.zones;
    for (std::uint32_t z = 0; z < zones.size(); ++z) {
      for_windows("zone_down " + zones[z], json{{"zone", zones[z]}}, zone_instances(z), [](json&) {});
    }
  }

  void partition_faults() {
    const auto& zones = scenario_.model.zones;
    for (std::uint32_t a = 0; a < zones.size(); ++a) {
      for (std::uint32_t b = a + 1; b < zones.size(); ++b) {
        for_windows("partition " + zones[a] + "|" + zones[b], json{{"from_zone", zones[a]}, {"to_zone", zones[b]}}, {},
                    [](json&) {});
      }
    }
  }

  // A dependency is a service that someone calls: a client, or another service.
  void dependency_faults(const std::string& kind) {
    const auto& model = scenario_.model;
    std::vector<bool> called(model.services.size(), false);
    for (const auto& client : model.clients) called[client.service] = true;
    for (const auto& service : model.services) {
      for (const auto& operation : service.operations) {
        for (const auto& step : operation.steps) {
          for (const auto& call : step.calls) called[call.service] = true;
        }
      }
    }
    for (std::uint32_t s = 0; s < model.services.size(); ++s) {
      if (!called[s] || !covers(s)) continue;
      const json target{{"service", model.services[s].name}};
      std::vector<std::uint32_t> instances;
      std::uint32_t count = 0;
      for (const auto& group : model.services[s].placement) count += group.count;
      for (std::uint32_t k = 0; k < count; ++k) instances.push_back(first_instance_[s] + k);
      if (kind == "latency") {
        for (const TimeNs delay : settings_.latencies_ns) {
          for_windows("latency " + model.services[s].name + " +" + format_go_duration(delay), target, instances,
                      [&](json& f) { f["delay"] = format_go_duration(delay); });
        }
      } else {
        for (const double ratio : settings_.error_ratios) {
          for_windows("error_ratio " + model.services[s].name + " " + reports::percent(ratio), target, instances,
                      [&](json& f) { f["ratio"] = ratio; });
        }
      }
    }
  }

  const Scenario& scenario_;
  const ExploreSettings& settings_;
  std::vector<std::uint32_t> first_instance_;
  std::uint32_t instance_count_ = 0;
  std::vector<Candidate> out_;
};

}  // namespace

std::vector<Candidate> single_candidates(const JsonSource& source, const Scenario& scenario, const ExploreSettings& settings) {
  std::vector<Candidate> singles = SpaceBuilder(scenario, settings).build();
  if (singles.empty()) {
    throw source.error(member(source.root(), "explore") ? "/explore" : "",
                       "the fault space is empty: no instance, zone, zone pair, dependency or registry fault is left "
                       "to explore (check explore.services and explore.kinds)");
  }
  for (std::size_t i = 0; i < singles.size(); ++i) singles[i].faults[0]["name"] = "explore-" + std::to_string(i + 1);
  return singles;
}

Candidate pair_candidate(const std::vector<Candidate>& singles, std::size_t first, std::size_t second) {
  Candidate pair;
  pair.id = singles[first].id + " + " + singles[second].id;
  pair.faults = {singles[first].faults[0], singles[second].faults[0]};
  pair.instances = singles[first].instances;
  pair.instances.insert(pair.instances.end(), singles[second].instances.begin(), singles[second].instances.end());
  pair.parts = {first, second};
  return pair;
}

json explore_base_document(const json& scenario_document) {
  json document = scenario_document;
  const json* block = member(document, "explore");
  if (block == nullptr || member(*block, "assertions") == nullptr || !document.contains("assertions")) return document;
  const json names = (*block)["assertions"];
  json kept = json::array();
  for (const json& a : document["assertions"]) {
    if (std::find(names.begin(), names.end(), a.value("name", "")) != names.end()) kept.push_back(a);
  }
  document["assertions"] = std::move(kept);
  return document;
}

json candidate_document(const json& scenario_document, const std::vector<json>& faults, bool keep_faults,
                        std::vector<std::string>* dropped_assertions) {
  json document = scenario_document;
  document.erase("$schema");
  document.erase("explore");
  document.erase("swarm");
  json list = keep_faults && document.contains("faults") ? document["faults"] : json::array();
  std::vector<std::string> names;
  for (const json& f : list) names.push_back(f.value("name", ""));
  for (const json& f : faults) {
    list.push_back(f);
    names.push_back(f.value("name", ""));
  }
  document["faults"] = std::move(list);
  if (document.contains("assertions")) {
    json kept = json::array();
    for (const json& a : document["assertions"]) {
      bool gone = false;
      for (const char* key : {"fault", "during"}) {
        if (a.contains(key) && a[key].is_string() &&
            std::find(names.begin(), names.end(), a[key].get<std::string>()) == names.end()) {
          gone = true;
        }
      }
      if (gone) {
        if (dropped_assertions) dropped_assertions->push_back(a.value("name", ""));
      } else {
        kept.push_back(a);
      }
    }
    document["assertions"] = std::move(kept);
  }
  return document;
}

}  // namespace faultline::harness
