// Drawing a swarm configuration per seed. Each fault draws from its own stream
// ("swarm/fault/NAME") and the extra faults from "swarm/extra", so a range added to one fault
// never changes what another fault draws for the same seed.
#include "harness/swarm.hpp"

#include <algorithm>
#include <cmath>

#include "harness/duration.hpp"
#include "harness/loader.hpp"
#include "sim/rng.hpp"

namespace faultline::harness {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kDurationKeys[] = {"at", "duration", "restart_after", "interval", "delay"};
constexpr const char* kNumberKeys[] = {"factor", "ratio", "probability"};

TimeNs duration_at(const JsonSource& source, const json& value, const std::string& pointer) {
  const auto parsed = value.is_string() ? parse_go_duration(value.get<std::string>()) : std::nullopt;
  if (!parsed || *parsed < 0) throw source.error(pointer, "expected a duration like \"30s\"");
  return *parsed;
}

// A [min, max] range at `pointer`; durations or plain numbers.
std::pair<double, double> range_at(const JsonSource& source, const json& range, const std::string& pointer, bool duration) {
  if (!range.is_object() || !range.contains("min") || !range.contains("max")) {
    throw source.error(pointer, "expected {\"min\": ..., \"max\": ...}");
  }
  double lo = 0, hi = 0;
  if (duration) {
    lo = static_cast<double>(duration_at(source, range["min"], pointer + "/min"));
    hi = static_cast<double>(duration_at(source, range["max"], pointer + "/max"));
  } else {
    if (!range["min"].is_number() || !range["max"].is_number()) throw source.error(pointer, "expected numbers for min and max");
    lo = range["min"].get<double>();
    hi = range["max"].get<double>();
  }
  if (hi < lo) throw source.error(pointer + "/max", "expected max >= min");
  return {lo, hi};
}

TimeNs draw_duration(sim::Rng& rng, TimeNs lo, TimeNs hi) {
  // Whole milliseconds when the range allows, so drawn files read well.
  if (hi - lo >= sim::kMillisecond) {
    const TimeNs first = (lo + sim::kMillisecond - 1) / sim::kMillisecond, last = hi / sim::kMillisecond;
    if (last >= first) return (first + static_cast<TimeNs>(rng.below(static_cast<std::uint64_t>(last - first + 1)))) * sim::kMillisecond;
  }
  return lo + static_cast<TimeNs>(rng.below(static_cast<std::uint64_t>(hi - lo + 1)));
}

double draw_number(sim::Rng& rng, double lo, double hi) { return std::round((lo + (hi - lo) * rng.uniform01()) * 1e6) / 1e6; }

std::vector<std::string> referenced_faults(const json& document) {
  std::vector<std::string> names;
  for (const json& a : document.value("assertions", json::array())) {
    for (const char* key : {"fault", "during"}) {
      if (a.contains(key) && a[key].is_string()) names.push_back(a[key].get<std::string>());
    }
  }
  return names;
}

const json* swarm_entry(const json& document, const std::string& fault) {
  const auto swarm = document.find("swarm");
  if (swarm == document.end() || !swarm->contains("faults")) return nullptr;
  for (const json& entry : (*swarm)["faults"]) {
    if (entry.value("fault", "") == fault) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string swarm_scenario_path(std::uint64_t seed) { return "swarm/seed-" + std::to_string(seed) + ".json"; }

SwarmPlan read_swarm_plan(const JsonSource& source, const Scenario& scenario) {
  SwarmPlan plan;
  plan.document = json::parse(scenario.bytes);
  plan.file = source.file();
  if (!plan.document.contains("swarm")) {
    throw source.error("", "--swarm needs a \"swarm\" block declaring what to draw per seed (see docs/explore.md)");
  }
  const json& swarm = plan.document["swarm"];
  const json faults = swarm.value("faults", json::array());
  for (std::size_t i = 0; i < faults.size(); ++i) {
    const std::string at = "/swarm/faults/" + std::to_string(i);
    const std::string name = faults[i].value("fault", "");
    const bool known = std::any_of(scenario.faults.begin(), scenario.faults.end(), [&](const auto& f) { return f.name == name; });
    if (!known) {
      std::string names;
      for (const auto& f : scenario.faults) names += (names.empty() ? "" : ", ") + f.name;
      throw source.error(at + "/fault", "expected the name of a fault of this scenario (" + (names.empty() ? "it has none" : names) +
                                            "), got \"" + name + "\"");
    }
    for (const char* key : kDurationKeys) {
      if (faults[i].contains(key)) range_at(source, faults[i][key], at + "/" + key, true);
    }
    for (const char* key : kNumberKeys) {
      if (faults[i].contains(key)) range_at(source, faults[i][key], at + "/" + key, false);
    }
  }
  if (swarm.contains("extra_faults")) {
    const json& extra = swarm["extra_faults"];
    plan.extra_max = extra.value("max", 0u);
    const TimeNs run = scenario.model.duration_ns;
    plan.extra_at_min_ns = 0;
    plan.extra_at_max_ns = run * 3 / 4;
    plan.extra_duration_min_ns = std::max<TimeNs>(run / 20, 1);
    plan.extra_duration_max_ns = std::max<TimeNs>(run / 4, 1);
    if (extra.contains("at")) {
      const auto [lo, hi] = range_at(source, extra["at"], "/swarm/extra_faults/at", true);
      plan.extra_at_min_ns = static_cast<TimeNs>(lo);
      plan.extra_at_max_ns = static_cast<TimeNs>(hi);
    }
    if (extra.contains("duration")) {
      const auto [lo, hi] = range_at(source, extra["duration"], "/swarm/extra_faults/duration", true);
      plan.extra_duration_min_ns = static_cast<TimeNs>(lo);
      plan.extra_duration_max_ns = static_cast<TimeNs>(hi);
    }
    if (plan.extra_max > 0) plan.extra_space = single_candidates(source, scenario, read_explore_settings(source, scenario));
  }
  return plan;
}

json swarm_draw(const SwarmPlan& plan, std::uint64_t seed) {
  json document = plan.document;
  const std::vector<std::string> referenced = referenced_faults(document);
  json faults = json::array();
  std::string drawn;
  for (json fault : document.value("faults", json::array())) {
    const std::string name = fault.value("name", "");
    const json* entry = swarm_entry(document, name);
    if (entry == nullptr) {
      faults.push_back(std::move(fault));
      continue;
    }
    sim::Rng rng = sim::Rng::stream(seed, "swarm/fault/" + name);
    // Always one draw for `keep`, so the draws after it do not depend on whether it is set.
    const bool kept = rng.uniform01() < (entry->contains("keep") ? (*entry)["keep"].get<double>() : 1.0);
    const bool pinned = std::find(referenced.begin(), referenced.end(), name) != referenced.end();
    std::string what;
    for (const char* key : kDurationKeys) {
      if (!entry->contains(key)) continue;
      const TimeNs lo = *parse_go_duration((*entry)[key]["min"].get<std::string>());
      const TimeNs hi = *parse_go_duration((*entry)[key]["max"].get<std::string>());
      fault[key] = format_go_duration(draw_duration(rng, lo, hi));
      what += std::string(what.empty() ? "" : ", ") + key + " " + fault[key].get<std::string>();
    }
    for (const char* key : kNumberKeys) {
      if (!entry->contains(key)) continue;
      fault[key] = draw_number(rng, (*entry)[key]["min"].get<double>(), (*entry)[key]["max"].get<double>());
      what += std::string(what.empty() ? "" : ", ") + key + " " + fault[key].dump();
    }
    if (!kept && !pinned) {
      drawn += " " + name + " left out.";
      continue;
    }
    drawn += " " + name + ": " + (what.empty() ? "as written" : what) + ".";
    faults.push_back(std::move(fault));
  }
  if (plan.extra_max > 0 && !plan.extra_space.empty()) {
    sim::Rng rng = sim::Rng::stream(seed, "swarm/extra");
    const std::uint64_t count = rng.below(plan.extra_max + 1);
    for (std::uint64_t k = 0; k < count; ++k) {
      const Candidate& pick = plan.extra_space[rng.below(plan.extra_space.size())];
      json fault = pick.faults.front();
      fault["name"] = "swarm-extra-" + std::to_string(k + 1);
      const TimeNs at = draw_duration(rng, plan.extra_at_min_ns, plan.extra_at_max_ns);
      const TimeNs window = draw_duration(rng, std::max<TimeNs>(plan.extra_duration_min_ns, 1), plan.extra_duration_max_ns);
      fault["at"] = format_go_duration(at);
      if (fault.contains("restart_after")) fault["restart_after"] = format_go_duration(window);
      else fault["duration"] = format_go_duration(window);
      drawn += " " + fault["name"].get<std::string>() + ": " + pick.id + " at " + format_go_duration(at) + " for " +
               format_go_duration(window) + ".";
      faults.push_back(std::move(fault));
    }
  }
  document["faults"] = std::move(faults);
  document["seed"] = seed;
  document.erase("swarm");
  document.erase("$schema");
  document["description"] = "Swarm draw for seed " + std::to_string(seed) + " of " + plan.file + "." + drawn +
                            " Original description: " + document.value("description", "");
  return document;
}

Scenario load_swarm_draw(const SwarmPlan& plan, const JsonSource& source, std::uint64_t seed) {
  const std::string text = swarm_draw(plan, seed).dump(2) + "\n";
  try {
    return load_scenario(JsonSource::parse(plan.file + "#" + swarm_scenario_path(seed), text));
  } catch (const InputError& e) {
    throw source.error("/swarm", "seed " + std::to_string(seed) + " draws a scenario the loader refuses (at " + e.pointer +
                                     ": " + e.message + "); narrow the ranges");
  }
}

}  // namespace faultline::harness
