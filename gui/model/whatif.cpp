// Applying what-if toggles to a scenario.
#include "gui/model/whatif.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "gui/model/topology.hpp"

namespace faultline::gui {
namespace {

void apply_policy(sim::CallPolicy& policy, const WhatIf& w) {
  if (w.breakers == Override::on && !policy.breaker.enabled) {
    policy.breaker = sim::BreakerPolicy{};
    policy.breaker.enabled = true;
  }
  if (w.breakers == Override::off) policy.breaker.enabled = false;
  if (w.max_attempts) policy.retry.max_attempts = std::max<std::uint32_t>(1, *w.max_attempts);
  if (w.timeout_scale > 0 && w.timeout_scale != 1.0 && policy.timeout_ns > 0) {
    policy.timeout_ns = std::max<TimeNs>(1, static_cast<TimeNs>(std::llround(static_cast<double>(policy.timeout_ns) * w.timeout_scale)));
  }
  if (w.outlier_detection == Override::on) policy.outlier.enabled = true;
  if (w.outlier_detection == Override::off) policy.outlier.enabled = false;
}

std::uint32_t instance_total(const sim::ServiceConfig& s) {
  std::uint32_t n = 0;
  for (const auto& g : s.placement) n += g.count;
  return n;
}

// Spreads `count` over the groups in proportion to their current sizes (largest remainder).
void resize_service(sim::ServiceConfig& service, std::uint32_t count) {
  const std::uint32_t before = instance_total(service);
  if (count == 0 || before == 0 || count == before) return;
  const std::size_t groups = service.placement.size();
  std::vector<std::uint32_t> sizes(groups, 0);
  std::vector<double> remainders(groups, 0);
  std::uint32_t given = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const double share = static_cast<double>(count) * service.placement[g].count / before;
    sizes[g] = static_cast<std::uint32_t>(std::floor(share));
    remainders[g] = share - sizes[g];
    given += sizes[g];
  }
  while (given < count) {
    const std::size_t best = static_cast<std::size_t>(std::max_element(remainders.begin(), remainders.end()) - remainders.begin());
    ++sizes[best];
    remainders[best] = -1;
    ++given;
  }
  std::vector<sim::InstanceGroup> placement;
  for (std::size_t g = 0; g < groups; ++g) {
    if (sizes[g] > 0) placement.push_back({service.placement[g].zone, sizes[g]});
  }
  service.placement = std::move(placement);
}

}  // namespace

bool WhatIf::changes_anything(const harness::Scenario& base) const {
  if (breakers != Override::keep || max_attempts || (timeout_scale > 0 && timeout_scale != 1.0) ||
      outlier_detection != Override::keep || seed) {
    return true;
  }
  for (std::size_t s = 0; s < instance_counts.size() && s < base.model.services.size(); ++s) {
    if (instance_counts[s] != instance_total(base.model.services[s])) return true;
  }
  return std::find(fault_enabled.begin(), fault_enabled.end(), false) != fault_enabled.end();
}

harness::Scenario apply_what_if(const harness::Scenario& base, const WhatIf& w) {
  harness::Scenario out = base;
  for (sim::ServiceConfig& service : out.model.services) {
    for (sim::Operation& op : service.operations) {
      for (sim::Step& step : op.steps) {
        for (sim::CallStep& call : step.calls) apply_policy(call.policy, w);
      }
    }
  }
  for (sim::ClientConfig& client : out.model.clients) apply_policy(client.policy, w);
  for (std::size_t s = 0; s < w.instance_counts.size() && s < out.model.services.size(); ++s) {
    resize_service(out.model.services[s], w.instance_counts[s]);
  }
  if (!w.fault_enabled.empty()) {
    // Faults are removed, and assertions that name a removed fault go with them, since they
    // would refer to a fault index that no longer exists.
    std::vector<std::uint32_t> new_index(base.faults.size(), kNone);
    std::vector<faults::FaultSpec> kept;
    for (std::uint32_t f = 0; f < base.faults.size(); ++f) {
      if (f < w.fault_enabled.size() && !w.fault_enabled[f]) continue;
      new_index[f] = static_cast<std::uint32_t>(kept.size());
      kept.push_back(base.faults[f]);
    }
    out.faults = std::move(kept);
    std::vector<harness::AssertionSpec> assertions;
    for (harness::AssertionSpec a : base.assertions) {
      if (a.fault) {
        if (new_index[*a.fault] == kNone) continue;
        a.fault = new_index[*a.fault];
      }
      if (a.during_fault) {
        if (new_index[*a.during_fault] == kNone) continue;
        a.during_fault = new_index[*a.during_fault];
      }
      assertions.push_back(std::move(a));
    }
    out.assertions = std::move(assertions);
  }
  if (w.seed) out.model.seed = *w.seed;
  return out;
}

std::string describe_what_if(const harness::Scenario& base, const WhatIf& w) {
  std::string text;
  auto add = [&text](const std::string& part) {
    if (!text.empty()) text += ", ";
    text += part;
  };
  if (w.breakers == Override::on) add("breakers on");
  if (w.breakers == Override::off) add("breakers off");
  if (w.max_attempts) add(*w.max_attempts <= 1 ? "no retries" : std::to_string(*w.max_attempts) + " attempts");
  if (w.timeout_scale > 0 && w.timeout_scale != 1.0) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "timeouts x%g", w.timeout_scale);
    add(buffer);
  }
  if (w.outlier_detection == Override::on) add("outlier detection on");
  if (w.outlier_detection == Override::off) add("outlier detection off");
  for (std::size_t s = 0; s < w.instance_counts.size() && s < base.model.services.size(); ++s) {
    if (w.instance_counts[s] != instance_total(base.model.services[s])) {
      add(base.model.services[s].name + " x" + std::to_string(w.instance_counts[s]));
    }
  }
  for (std::size_t f = 0; f < w.fault_enabled.size() && f < base.faults.size(); ++f) {
    if (!w.fault_enabled[f]) add("without " + base.faults[f].name);
  }
  if (w.seed) add("seed " + std::to_string(*w.seed));
  return text.empty() ? "unchanged" : text;
}

WhatIf parse_what_if(const harness::Scenario& base, const std::string& spec) {
  WhatIf w;
  for (const auto& s : base.model.services) w.instance_counts.push_back(instance_total(s));
  w.fault_enabled.assign(base.faults.size(), true);
  std::stringstream parts(spec);
  std::string part;
  auto override_of = [](const std::string& key, const std::string& v) {
    if (v == "on") return Override::on;
    if (v == "off") return Override::off;
    throw std::invalid_argument(key + ": expected on or off, got \"" + v + "\"");
  };
  auto number = [](const std::string& key, const std::string& v) {
    try {
      std::size_t used = 0;
      const double d = std::stod(v, &used);
      if (used == v.size() && d >= 0) return d;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument(key + ": expected a non-negative number, got \"" + v + "\"");
  };
  while (std::getline(parts, part, ',')) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("\"" + part + "\": expected KEY=VALUE");
    const std::string key = part.substr(0, eq);
    const std::string v = part.substr(eq + 1);
    if (key == "breakers") {
      w.breakers = override_of(key, v);
    } else if (key == "outliers") {
      w.outlier_detection = override_of(key, v);
    } else if (key == "retries") {
      w.max_attempts = static_cast<std::uint32_t>(std::max(1.0, number(key, v)));
    } else if (key == "timeouts") {
      w.timeout_scale = number(key, v);
    } else if (key == "seed") {
      w.seed = static_cast<std::uint64_t>(number(key, v));
    } else if (key.rfind("instances.", 0) == 0) {
      const std::string name = key.substr(10);
      bool found = false;
      for (std::size_t s = 0; s < base.model.services.size(); ++s) {
        if (base.model.services[s].name == name) {
          w.instance_counts[s] = static_cast<std::uint32_t>(std::max(1.0, number(key, v)));
          found = true;
        }
      }
      if (!found) throw std::invalid_argument(key + ": no service called \"" + name + "\"");
    } else if (key.rfind("fault.", 0) == 0) {
      const std::string name = key.substr(6);
      bool found = false;
      for (std::size_t f = 0; f < base.faults.size(); ++f) {
        if (base.faults[f].name == name) {
          w.fault_enabled[f] = override_of(key, v) == Override::on;
          found = true;
        }
      }
      if (!found) throw std::invalid_argument(key + ": no fault called \"" + name + "\"");
    } else {
      throw std::invalid_argument("\"" + key + "\": expected breakers, retries, timeouts, outliers, seed, instances.SERVICE or fault.NAME");
    }
  }
  return w;
}

}  // namespace faultline::gui
