// The scenario loader's assertions section: types, targets and fault references.
#include "harness/loader_internal.hpp"

namespace faultline::harness::loader_detail {
namespace {

// Which keys each assertion type accepts besides name and type, and which it requires.
struct AssertionRules {
  std::string_view name;
  std::vector<std::string_view> keys;
  std::vector<std::string_view> required;
};

const std::vector<AssertionRules>& assertion_rules() {
  static const std::vector<AssertionRules> rules{
      {"availability", {"client", "service", "min", "window", "during", "degraded"}, {"min"}},
      {"latency", {"client", "service", "percentile", "max", "include_failed"}, {"max"}},
      {"count", {"client", "service", "metric", "min", "max"}, {"metric"}},
      {"recovery", {"client", "service", "fault", "min", "window", "max"}, {"fault", "min", "max"}},
      {"breaker", {"caller_service", "caller_client", "callee", "fault", "opens_within", "closes_within"},
       {"callee", "fault", "opens_within"}},
      {"no_traffic_to_crashed", {"fault", "within"}, {"fault", "within"}},
      {"impact", {"client", "service", "below", "max"}, {"max"}},
  };
  return rules;
}

// "crash, zone_down or chaos_monkey": the kinds that crash instances, from the registry.
std::string crashing_kinds() {
  std::vector<std::string_view> names;
  for (const faults::KindUnit* unit : faults::fault_kinds()) {
    if (unit->traits.crashes_instances) names.push_back(unit->name);
  }
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + std::string(names[i]);
  }
  return text;
}

}  // namespace

AssertionSpec ScenarioLoader::load_assertion(const Json& assertion, const std::string& pointer, const sim::ModelConfig& model,
                                             const std::vector<faults::FaultSpec>& faults) {
  AssertionSpec spec;
  spec.name = assertion["name"].get<std::string>();
  if (const auto existing = assertion_names_.find(spec.name)) {
    fail(child(pointer, "name"), "duplicate assertion name " + in_quotes(spec.name) + " (first defined at " +
                                     assertion_names_.pointers[*existing] + ")");
  }
  assertion_names_.add(spec.name, child(pointer, "name"));
  const std::string type = assertion["type"].get<std::string>();
  const auto& all = assertion_rules();
  const auto rule = std::find_if(all.begin(), all.end(), [&](const AssertionRules& r) { return r.name == type; });
  spec.kind = static_cast<AssertionKind>(rule - all.begin());
  const std::string type_text = with_article(type) + " assertion";
  for (const auto& [key, value] : assertion.items()) {
    if (key != "name" && key != "type" && key != "description" && !is_extension_key(key) && !contains(rule->keys, key)) {
      fail(child(pointer, key), "key " + in_quotes(key) + " does not apply to " + type_text);
    }
  }
  for (std::string_view key : rule->required) {
    if (!member(assertion, key)) fail(pointer, "missing required key " + in_quotes(key) + " (" + type_text + " needs it)");
  }
  const auto at = [&](std::string_view key) { return child(pointer, key); };

  const Json* client = member(assertion, "client");
  const Json* service = member(assertion, "service");
  if (client && service) fail(at("service"), "give either \"client\" or \"service\", not both");
  if (client) {
    spec.target_kind = TargetKind::client;
    spec.target = resolve(clients_, *client, at("client"));
  } else if (service) {
    spec.target_kind = TargetKind::service;
    spec.target = resolve(services_, *service, at("service"));
  } else if (contains(rule->keys, "client") && spec.kind != AssertionKind::availability &&
             spec.kind != AssertionKind::count && spec.kind != AssertionKind::impact) {
    fail(pointer, type_text + " needs a \"client\" or a \"service\" to measure");
  }
  load_assertion_options(assertion, pointer, model, faults, spec);
  return spec;
}

void ScenarioLoader::load_assertion_options(const Json& assertion, const std::string& pointer,
                                            const sim::ModelConfig& model, const std::vector<faults::FaultSpec>& faults,
                                            AssertionSpec& spec) {
  const auto at = [&](std::string_view key) { return child(pointer, key); };
  const auto fault_ref = [&](std::string_view key) { return resolve(faults_, assertion[std::string(key)], at(key)); };
  switch (spec.kind) {
    case AssertionKind::availability:
      spec.min_ratio = ratio(assertion["min"], at("min"));
      spec.window_ns = duration_or(assertion, pointer, "window", 0, true);
      if (member(assertion, "during")) spec.during_fault = fault_ref("during");
      spec.degraded_failed = assertion.value("degraded", std::string("ok")) == "failed";
      break;
    case AssertionKind::latency:
      spec.percentile = number_or(assertion, "percentile", spec.percentile);
      spec.include_failed = bool_or(assertion, "include_failed", false);
      spec.max_ns = duration_value(assertion["max"], at("max"));
      break;
    case AssertionKind::count: {
      constexpr std::string_view kMetrics[] = {"requests", "ok", "errors", "timeouts", "rejected",
                                               "retries", "breaker_opens", "ejections", "unavailable"};
      const std::string metric = assertion["metric"].get<std::string>();
      spec.metric = static_cast<CountMetric>(std::find(std::begin(kMetrics), std::end(kMetrics), metric) - std::begin(kMetrics));
      if (member(assertion, "min")) spec.min_count = count_value(assertion["min"], at("min"));
      if (member(assertion, "max")) spec.max_count = count_value(assertion["max"], at("max"));
      if (!spec.min_count && !spec.max_count) fail(pointer, "a count assertion needs \"min\", \"max\" or both");
      if (spec.min_count && spec.max_count && *spec.max_count < *spec.min_count) {
        fail(at("max"), "expected max >= min (" + std::to_string(*spec.min_count) + ")");
      }
      break;
    }
    case AssertionKind::recovery:
      spec.fault = fault_ref("fault");
      spec.min_ratio = ratio(assertion["min"], at("min"));
      spec.window_ns = duration_or(assertion, pointer, "window", 10 * sim::kSecond, true);
      spec.max_ns = duration_value(assertion["max"], at("max"));
      break;
    case AssertionKind::breaker:
      load_breaker_assertion(assertion, pointer, model, spec);
      spec.fault = fault_ref("fault");
      spec.open_within_ns = duration(assertion["opens_within"], at("opens_within"));
      if (member(assertion, "closes_within")) spec.close_within_ns = duration(assertion["closes_within"], at("closes_within"));
      break;
    case AssertionKind::no_traffic_to_crashed: {
      spec.fault = fault_ref("fault");
      const faults::KindUnit& unit = faults::kind_unit(faults[*spec.fault].kind);
      if (!unit.traits.crashes_instances) {
        fail(at("fault"), "expected a fault that crashes instances (" + crashing_kinds() + "); " +
                              in_quotes(faults_.names[*spec.fault]) + " is " + with_article(unit.name));
      }
      spec.within_ns = duration(assertion["within"], at("within"));
      break;
    }
    case AssertionKind::impact:
      spec.min_ratio = member(assertion, "below") ? ratio(assertion["below"], at("below")) : 0.99;
      spec.max_ns = duration_value(assertion["max"], at("max"));
      break;
  }
}

void ScenarioLoader::load_breaker_assertion(const Json& assertion, const std::string& pointer, const sim::ModelConfig& model,
                                            AssertionSpec& spec) const {
  const Json* caller_service = member(assertion, "caller_service");
  const Json* caller_client = member(assertion, "caller_client");
  if (caller_service && caller_client) fail(child(pointer, "caller_client"), "give either \"caller_service\" or \"caller_client\", not both");
  if (!caller_service && !caller_client) fail(pointer, "a breaker assertion needs \"caller_service\" or \"caller_client\"");
  spec.callee_service = resolve(services_, assertion["callee"], child(pointer, "callee"));
  bool calls = false;
  std::string caller_name;
  if (caller_client) {
    spec.caller_client = resolve(clients_, *caller_client, child(pointer, "caller_client"));
    calls = model.clients[*spec.caller_client].service == spec.callee_service;
    caller_name = "client " + in_quotes(clients_.names[*spec.caller_client]);
  } else {
    spec.caller_service = resolve(services_, *caller_service, child(pointer, "caller_service"));
    calls = service_calls_.count({*spec.caller_service, spec.callee_service}) > 0;
    caller_name = "service " + in_quotes(services_.names[*spec.caller_service]);
  }
  if (!calls) {
    fail(child(pointer, "callee"), caller_name + " never calls service " + in_quotes(services_.names[spec.callee_service]) +
                                       ", so it has no breaker for it");
  }
}

TimeNs ScenarioLoader::duration_value(const Json& value, const std::string& pointer) const {
  if (!value.is_string()) fail(pointer, "expected a duration like \"250ms\" or \"1m30s\", got " + value.dump());
  return duration(value, pointer);
}

std::uint64_t ScenarioLoader::count_value(const Json& value, const std::string& pointer) const {
  if (!value.is_number_integer() || (value.is_number_integer() && !value.is_number_unsigned() && value.get<std::int64_t>() < 0)) {
    fail(pointer, "expected an integer >= 0, got " + value.dump());
  }
  return value.get<std::uint64_t>();
}

}  // namespace faultline::harness::loader_detail
