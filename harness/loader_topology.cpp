// The scenario loader's topology section: metrics, network, discovery, services, operations,
// calls and their policies, and the call-cycle check.
#include "harness/loader_internal.hpp"

namespace faultline::harness::loader_detail {

void ScenarioLoader::load_metrics(const Json& root, sim::ModelConfig& model) const {
  const Json* metrics = member(root, "metrics");
  if (metrics == nullptr) return;
  model.bucket_ns = duration_or(*metrics, "/metrics", "bucket", model.bucket_ns);
  if (model.bucket_ns < sim::kMillisecond) {
    fail("/metrics/bucket", "expected a bucket width of at least 1ms, got " + format_go_duration(model.bucket_ns));
  }
  // The number of buckets is capped once the assertions are known (cap_time_series).
}

sim::NetworkConfig ScenarioLoader::load_network(const Json& network, const std::string& pointer) const {
  sim::NetworkConfig config;
  config.same_zone_latency = distribution_or(network, pointer, "same_zone", config.same_zone_latency);
  config.cross_zone_latency = distribution_or(network, pointer, "cross_zone", config.cross_zone_latency);
  const Json* links = member(network, "links");
  std::set<std::pair<std::uint32_t, std::uint32_t>> linked;
  for (std::size_t i = 0; links && i < links->size(); ++i) {
    const Json& link = (*links)[i];
    const std::string at = child(child(pointer, "links"), i);
    sim::NetworkConfig::LinkOverride entry{resolve(zones_, link["from"], child(at, "from")),
                                           resolve(zones_, link["to"], child(at, "to")),
                                           distribution(link["latency"], child(at, "latency"))};
    if (!linked.insert({entry.from_zone, entry.to_zone}).second) {
      fail(at, "duplicate link " + zones_.names[entry.from_zone] + " -> " + zones_.names[entry.to_zone]);
    }
    config.links.push_back(std::move(entry));
  }
  return config;
}

sim::DiscoveryConfig ScenarioLoader::load_discovery(const Json& discovery, const std::string& pointer) const {
  sim::DiscoveryConfig config;
  config.health_checks = bool_or(discovery, "health_checks", config.health_checks);
  config.health_check_interval_ns =
      duration_or(discovery, pointer, "health_check_interval", config.health_check_interval_ns, true);
  config.health_check_timeout_ns =
      duration_or(discovery, pointer, "health_check_timeout", config.health_check_timeout_ns, true);
  config.unhealthy_threshold = u32_or(discovery, "unhealthy_threshold", config.unhealthy_threshold);
  config.healthy_threshold = u32_or(discovery, "healthy_threshold", config.healthy_threshold);
  config.deregister_after_ns = duration_or(discovery, pointer, "deregister_after", config.deregister_after_ns);
  config.refresh_interval_ns = duration_or(discovery, pointer, "refresh_interval", config.refresh_interval_ns, true);
  config.propagation_delay_ns = duration_or(discovery, pointer, "propagation_delay", config.propagation_delay_ns);
  return config;
}

void ScenarioLoader::load_services(const Json& list, sim::ModelConfig& model) {
  if (list.size() > limits_.max_services) {
    note_limit("/services", "max_services", "--max-services",
               "scenario has " + std::to_string(list.size()) + " services; the limit is " +
                   std::to_string(limits_.max_services));
  }
  // Names first, so that a call may refer to a service defined further down.
  for (std::size_t s = 0; s < list.size(); ++s) {
    const std::string at = child("/services", s);
    define(services_, list[s]["name"], child(at, "name"));
    NameTable operations{"operation", "operations"};
    if (const Json* ops = member(list[s], "operations")) {
      for (std::size_t o = 0; o < ops->size(); ++o) {
        define(operations, (*ops)[o]["name"], child(child(child(at, "operations"), o), "name"));
      }
    } else {
      operations.add("default", at);
    }
    operation_names_.push_back(std::move(operations));
  }
  for (std::size_t s = 0; s < list.size(); ++s) {
    loading_service_ = static_cast<std::uint32_t>(s);
    model.services.push_back(load_service(list[s], child("/services", s)));
  }
}

sim::ServiceConfig ScenarioLoader::load_service(const Json& service, const std::string& pointer) {
  sim::ServiceConfig config;
  config.name = service["name"].get<std::string>();
  load_placement(service["instances"], child(pointer, "instances"), config);
  config.workers = u32_or(service, "workers", config.workers);
  config.queue_capacity = u32_or(service, "queue_capacity", config.queue_capacity);
  config.drop_expired = bool_or(service, "drop_expired", config.drop_expired);
  config.honours_cancellation = bool_or(service, "honour_cancellation", config.honours_cancellation);
  if (const Json* limit = member(service, "rate_limit")) config.rate_limit = load_rate_limit(*limit, child(pointer, "rate_limit"), true);
  config.queue_timeout_ns = duration_or(service, pointer, "queue_timeout", config.queue_timeout_ns);
  config.lifo_above = u32_or(service, "lifo_above", config.lifo_above);
  if (const Json* adaptive = member(service, "adaptive_concurrency")) {
    const std::string at = child(pointer, "adaptive_concurrency");
    sim::AdaptiveConcurrency& limit = config.adaptive;
    limit.enabled = true;
    limit.initial_limit = u32_or(*adaptive, "initial_limit", limit.initial_limit);
    limit.min_limit = u32_or(*adaptive, "min_limit", std::min(limit.min_limit, limit.initial_limit));
    limit.max_limit = u32_or(*adaptive, "max_limit", std::max(limit.max_limit, limit.initial_limit));
    limit.backoff_ratio = number_or(*adaptive, "backoff_ratio", limit.backoff_ratio);
    limit.timeout_ns = duration_or(*adaptive, at, "timeout", limit.timeout_ns);
    if (limit.min_limit > limit.initial_limit) {
      fail(child(at, "min_limit"), "expected min_limit <= initial_limit (" + std::to_string(limit.initial_limit) + ")");
    }
    if (limit.max_limit < limit.initial_limit) {
      fail(child(at, "max_limit"), "expected max_limit >= initial_limit (" + std::to_string(limit.initial_limit) + ")");
    }
  }
  const sim::Distribution service_time = distribution_or(service, pointer, "service_time", sim::ConstantDist{0});
  const Json* operations = member(service, "operations");
  if (operations == nullptr) {
    sim::Operation operation{"default", service_time, {}};
    if (const Json* calls = member(service, "calls")) operation.steps = load_steps(*calls, child(pointer, "calls"));
    config.operations.push_back(std::move(operation));
    return config;
  }
  if (member(service, "calls")) {
    fail(child(pointer, "calls"), "\"calls\" cannot be used together with \"operations\": give each operation its own calls");
  }
  for (std::size_t o = 0; o < operations->size(); ++o) {
    const Json& operation = (*operations)[o];
    const std::string at = child(child(pointer, "operations"), o);
    sim::Operation entry{operation["name"].get<std::string>(),
                         distribution_or(operation, at, "service_time", service_time), {}};
    if (const Json* calls = member(operation, "calls")) entry.steps = load_steps(*calls, child(at, "calls"));
    config.operations.push_back(std::move(entry));
  }
  return config;
}

void ScenarioLoader::load_placement(const Json& instances, const std::string& pointer, sim::ServiceConfig& config) {
  std::uint64_t count = 0;
  if (instances.is_number()) {
    count = instances.get<std::uint64_t>();
  } else {
    for (const Json& group : instances) count = std::min(count + group["count"].get<std::uint64_t>(), std::uint64_t{1} << 62);
  }
  instance_counts_.push_back(count);
  total_instances_ = std::min(total_instances_ + count, std::uint64_t{1} << 62);
  if (total_instances_ > limits_.max_instances) {
    note_limit(pointer, "max_instances", "--max-instances",
               "scenario asks for " + std::to_string(total_instances_) + " instances; the limit is " +
                   std::to_string(limits_.max_instances));
    return;  // never expand a placement past the limit
  }
  if (instances.is_number()) {
    // Round robin: instance i lives in zones[i % zones]. One group per instance keeps the
    // numbering, since the engine numbers instances group after group.
    const std::uint32_t zone_count = static_cast<std::uint32_t>(zones_.names.size());
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::uint32_t zone = static_cast<std::uint32_t>(i % zone_count);
      if (!config.placement.empty() && config.placement.back().zone == zone) {
        ++config.placement.back().count;
      } else {
        config.placement.push_back({zone, 1});
      }
    }
    return;
  }
  std::set<std::uint32_t> placed;
  for (std::size_t g = 0; g < instances.size(); ++g) {
    const std::string at = child(pointer, g);
    const std::uint32_t zone = resolve(zones_, instances[g]["zone"], child(at, "zone"));
    if (!placed.insert(zone).second) fail(child(at, "zone"), "zone " + in_quotes(zones_.names[zone]) + " is listed twice");
    config.placement.push_back({zone, static_cast<std::uint32_t>(instances[g]["count"].get<std::uint64_t>())});
  }
}

std::vector<sim::Step> ScenarioLoader::load_steps(const Json& steps, const std::string& pointer) {
  std::vector<sim::Step> out;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string at = child(pointer, i);
    sim::Step step;
    if (const Json* parallel = member(steps[i], "parallel")) {
      for (std::size_t c = 0; c < parallel->size(); ++c) {
        step.calls.push_back(load_call((*parallel)[c], child(child(at, "parallel"), c)));
      }
    } else {
      step.calls.push_back(load_call(steps[i], at));
    }
    out.push_back(std::move(step));
  }
  return out;
}

sim::CallStep ScenarioLoader::load_call(const Json& call, const std::string& pointer) {
  sim::CallStep step;
  step.service = resolve(services_, call["service"], child(pointer, "service"));
  step.operation = operation_of(step.service, member(call, "operation"), child(pointer, "operation"));
  step.probability = ratio_or(call, pointer, "probability", step.probability);
  step.required = bool_or(call, "required", step.required);
  step.policy = load_policy(call, pointer);
  if (step.policy.bulkhead.enabled) {
    // A caller's calls to one service share its bulkhead (per scope), so they must agree on it.
    const auto key = std::make_tuple(loading_service_, step.service, static_cast<int>(step.policy.scope));
    const auto [it, first] = bulkheads_.insert({key, step.policy.bulkhead});
    const sim::Bulkhead& shared = it->second;
    if (!first && (shared.max_concurrent != step.policy.bulkhead.max_concurrent ||
                   shared.max_wait_ns != step.policy.bulkhead.max_wait_ns)) {
      fail(child(pointer, "bulkhead"), "this service's calls to " + in_quotes(services_.names[step.service]) +
                                           " share one bulkhead: give them the same max_concurrent and max_wait");
    }
  }
  call_pointers_.push_back(child(pointer, "service"));
  service_calls_.insert({loading_service_, step.service});
  return step;
}

sim::CallPolicy ScenarioLoader::load_policy(const Json& owner, const std::string& pointer) const {
  sim::CallPolicy policy;
  policy.timeout_ns = duration_or(owner, pointer, "timeout", policy.timeout_ns);
  if (const Json* retry = member(owner, "retry")) policy.retry = load_retry(*retry, child(pointer, "retry"));
  if (const Json* breaker = member(owner, "breaker")) policy.breaker = load_breaker(*breaker, child(pointer, "breaker"));
  if (const Json* balancer = member(owner, "load_balancer")) {
    const Json& policy_name = balancer->is_string() ? *balancer : (*balancer)["policy"];
    constexpr std::string_view kNames[] = {"round_robin", "random", "least_outstanding", "power_of_two", "zone_aware"};
    policy.load_balancer = static_cast<sim::LoadBalancer>(
        std::find(std::begin(kNames), std::end(kNames), policy_name.get<std::string>()) - std::begin(kNames));
    const std::string at = child(pointer, "load_balancer");
    if (balancer->is_object() && member(*balancer, "min_local_ratio")) {
      if (policy.load_balancer != sim::LoadBalancer::zone_aware) {
        fail(child(at, "min_local_ratio"), "\"min_local_ratio\" only applies to the zone_aware policy");
      }
      policy.zone_aware_min_local_ratio = ratio((*balancer)["min_local_ratio"], child(at, "min_local_ratio"));
    }
  }
  if (owner.value("scope", std::string("caller_instance")) == "caller_service") {
    policy.scope = sim::ClientStateScope::per_caller_service;
  }
  policy.deadline_propagation = bool_or(owner, "deadline_propagation", policy.deadline_propagation);
  if (const Json* hedging = member(owner, "hedging")) {
    const std::string at = child(pointer, "hedging");
    policy.hedging.enabled = true;
    policy.hedging.max_attempts = u32_or(*hedging, "max_attempts", policy.hedging.max_attempts);
    policy.hedging.delay_ns = duration_or(*hedging, at, "delay", policy.hedging.delay_ns);
    if (const Json* non_fatal = member(*hedging, "non_fatal")) {
      policy.hedging.non_fatal_mask = outcome_mask(*non_fatal, child(at, "non_fatal"));
    }
    if (policy.retry.max_attempts > 1) {
      fail(child(child(pointer, "retry"), "max_attempts"),
           "a hedged call does not retry (as in gRPC, hedging and retries exclude each other): give either \"retry\" or \"hedging\"");
    }
  }
  if (const Json* limit = member(owner, "rate_limit")) policy.rate_limit = load_rate_limit(*limit, child(pointer, "rate_limit"), false);
  if (const Json* bulkhead = member(owner, "bulkhead")) {
    policy.bulkhead.enabled = true;
    policy.bulkhead.max_concurrent = u32_or(*bulkhead, "max_concurrent", policy.bulkhead.max_concurrent);
    policy.bulkhead.max_wait_ns = duration_or(*bulkhead, child(pointer, "bulkhead"), "max_wait", policy.bulkhead.max_wait_ns);
  }
  if (const Json* fallback = member(owner, "fallback")) {
    const std::string at = child(pointer, "fallback");
    policy.fallback.enabled = true;
    if (const Json* on = member(*fallback, "on")) policy.fallback.on_mask = outcome_mask(*on, child(at, "on"));
    policy.fallback.latency = distribution_or(*fallback, at, "latency", policy.fallback.latency);
  }
  if (const Json* outlier = member(owner, "outlier_detection")) {
    const std::string at = child(pointer, "outlier_detection");
    policy.outlier.enabled = true;
    policy.outlier.consecutive_errors = u32_or(*outlier, "consecutive_errors", policy.outlier.consecutive_errors);
    policy.outlier.base_ejection_ns = duration_or(*outlier, at, "base_ejection_time", policy.outlier.base_ejection_ns);
    policy.outlier.max_ejection_ratio = ratio_or(*outlier, at, "max_ejection_ratio", policy.outlier.max_ejection_ratio);
  }
  policy.names_connection_refused = names_connection_refused(owner);
  return policy;
}

sim::RetryPolicy ScenarioLoader::load_retry(const Json& retry, const std::string& pointer) const {
  sim::RetryPolicy policy;
  policy.max_attempts = u32_or(retry, "max_attempts", policy.max_attempts);
  if (const Json* backoff = member(retry, "backoff")) {
    const std::string at = child(pointer, "backoff");
    policy.backoff_base_ns = duration_or(*backoff, at, "base", policy.backoff_base_ns);
    policy.backoff_max_ns = duration_or(*backoff, at, "max", policy.backoff_max_ns);
    if (policy.backoff_max_ns != 0 && policy.backoff_max_ns < policy.backoff_base_ns) {
      fail(child(at, "max"), "expected max >= base (" + format_go_duration(policy.backoff_base_ns) + "), or \"0s\" for no cap");
    }
    policy.backoff_multiplier = number_or(*backoff, "multiplier", policy.backoff_multiplier);
    const std::string jitter = backoff->value("jitter", std::string("none"));
    policy.jitter = jitter == "full" ? sim::Jitter::full : jitter == "equal" ? sim::Jitter::equal : sim::Jitter::none;
  }
  if (const Json* retry_on = member(retry, "retry_on")) policy.retry_on_mask = outcome_mask(*retry_on, child(pointer, "retry_on"));
  policy.honour_retry_after = bool_or(retry, "honour_retry_after", policy.honour_retry_after);
  if (const Json* budget = member(retry, "budget")) {
    policy.budget.enabled = true;
    policy.budget.ratio = ratio_or(*budget, child(pointer, "budget"), "ratio", policy.budget.ratio);
    policy.budget.min_retries_per_s = number_or(*budget, "min_per_second", policy.budget.min_retries_per_s);
  }
  return policy;
}

std::uint32_t ScenarioLoader::outcome_mask(const Json& list, const std::string& pointer) const {
  std::uint32_t mask = 0, named = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string name = list[i].get<std::string>();
    sim::Outcome outcome = sim::Outcome::error;
    for (const sim::Outcome o : sim::kNamedOutcomes) {
      if (name == sim::outcome_name(o)) outcome = o;
    }
    if (named & sim::outcome_bit(outcome)) fail(child(pointer, i), "outcome " + in_quotes(name) + " is listed twice");
    named |= sim::outcome_bit(outcome);
    mask |= outcome == sim::Outcome::error ? sim::kErrorBits : sim::outcome_bit(outcome);
  }
  return mask;
}

bool ScenarioLoader::names_connection_refused(const Json& owner) {
  constexpr std::pair<const char*, const char*> kLists[] = {
      {"retry", "retry_on"}, {"breaker", "failures"}, {"hedging", "non_fatal"}, {"fallback", "on"}};
  for (const auto& [object, list] : kLists) {
    const Json* o = member(owner, object);
    const Json* l = o != nullptr && o->is_object() ? member(*o, list) : nullptr;
    if (l == nullptr || !l->is_array()) continue;
    for (const Json& name : *l) {
      if (name.is_string() && name.get<std::string>() == "connection_refused") return true;
    }
  }
  return false;
}

sim::RateLimit ScenarioLoader::load_rate_limit(const Json& limit, const std::string& pointer, bool server) const {
  sim::RateLimit out;
  out.enabled = true;
  out.rate_per_s = limit["rate"].get<double>();
  out.burst = u32_or(limit, "burst", out.burst);
  if (server) out.retry_after_ns = duration_or(limit, pointer, "retry_after", out.retry_after_ns);
  if (!server) out.wait = bool_or(limit, "wait", out.wait);
  return out;
}

sim::BreakerPolicy ScenarioLoader::load_breaker(const Json& breaker, const std::string& pointer) const {
  sim::BreakerPolicy policy;
  if (const Json* failures = member(breaker, "failures")) policy.failure_mask = outcome_mask(*failures, child(pointer, "failures"));
  policy.enabled = bool_or(breaker, "enabled", true);
  policy.max_requests = u32_or(breaker, "max_requests", policy.max_requests);
  policy.interval_ns = duration_or(breaker, pointer, "interval", policy.interval_ns);
  policy.timeout_ns = duration_or(breaker, pointer, "timeout", policy.timeout_ns);
  if (breaker.value("scope", std::string("caller_instance")) == "caller_service") {
    policy.scope = sim::BreakerScope::per_caller_service;
  }
  if (const Json* trip = member(breaker, "trip")) {
    const std::string at = child(pointer, "trip");
    if (member(*trip, "failure_ratio")) {
      if (member(*trip, "consecutive_failures")) {
        fail(child(at, "consecutive_failures"), "give either consecutive_failures or failure_ratio, not both");
      }
      policy.trip = sim::TripRule::failure_ratio;
      policy.failure_ratio = ratio((*trip)["failure_ratio"], child(at, "failure_ratio"));
      policy.min_requests = u32_or(*trip, "min_requests", policy.min_requests);
    } else if (member(*trip, "min_requests")) {
      fail(child(at, "min_requests"), "\"min_requests\" only applies together with \"failure_ratio\"");
    }
    policy.consecutive_failures = u32_or(*trip, "consecutive_failures", policy.consecutive_failures);
  }
  return policy;
}

void ScenarioLoader::reject_call_cycles(const sim::ModelConfig& model) const {
  std::vector<std::uint32_t> first_node;
  std::uint32_t node_count = 0;
  for (const sim::ServiceConfig& service : model.services) {
    first_node.push_back(node_count);
    node_count += static_cast<std::uint32_t>(service.operations.size());
  }
  struct Edge {
    std::uint32_t to;
    std::size_t call;  // index into call_pointers_
  };
  std::vector<std::vector<Edge>> edges(node_count);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> node_names(node_count);
  std::size_t call_index = 0;
  for (std::uint32_t s = 0; s < model.services.size(); ++s) {
    for (std::uint32_t o = 0; o < model.services[s].operations.size(); ++o) {
      node_names[first_node[s] + o] = {s, o};
      for (const sim::Step& step : model.services[s].operations[o].steps) {
        for (const sim::CallStep& call : step.calls) {
          edges[first_node[s] + o].push_back({first_node[call.service] + call.operation, call_index++});
        }
      }
    }
  }
  const auto name_of = [&](std::uint32_t node) {
    const auto [s, o] = node_names[node];
    const sim::ServiceConfig& service = model.services[s];
    return service.operations.size() == 1 ? service.name : service.name + "/" + service.operations[o].name;
  };
  enum class Mark : std::uint8_t { unvisited, on_path, done };
  std::vector<Mark> marks(node_count, Mark::unvisited);
  for (std::uint32_t start = 0; start < node_count; ++start) {
    if (marks[start] != Mark::unvisited) continue;
    std::vector<std::pair<std::uint32_t, std::size_t>> path{{start, 0}};  // node, next edge
    marks[start] = Mark::on_path;
    while (!path.empty()) {
      auto& [node, next] = path.back();
      if (next == edges[node].size()) {
        marks[node] = Mark::done;
        path.pop_back();
        continue;
      }
      const Edge edge = edges[node][next++];
      if (marks[edge.to] == Mark::on_path) {
        std::string cycle;
        auto from = std::find_if(path.begin(), path.end(), [&](const auto& entry) { return entry.first == edge.to; });
        for (; from != path.end(); ++from) cycle += name_of(from->first) + " -> ";
        fail(call_pointers_[edge.call], "call cycle: " + cycle + name_of(edge.to) + " (calls must not loop back)");
      }
      if (marks[edge.to] == Mark::unvisited) {
        marks[edge.to] = Mark::on_path;
        path.push_back({edge.to, 0});
      }
    }
  }
}

}  // namespace faultline::harness::loader_detail
