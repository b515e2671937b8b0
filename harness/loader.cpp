// Loads a scenario file into the typed model: schema check first (harness/loader_schema.cpp),
// then names resolved to indices with the semantic checks a schema cannot express
// (references, duplicates, call cycles, orderings, options that do not apply), then limits.
#include "harness/loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "faults/kind.hpp"
#include "harness/duration.hpp"
#include "harness/interrupt.hpp"

namespace faultline::harness {
namespace {

using Json = nlohmann::ordered_json;
using faults::FaultKind;
using faults::TargetRule;
using sim::TimeNs;

std::string child(const std::string& pointer, std::string_view key) { return pointer + "/" + pointer_token(key); }
std::string child(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

const Json* member(const Json& object, std::string_view key) {
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

// Text from the file, quoted and escaped as a JSON string.
std::string in_quotes(std::string_view text) {
  return Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// "a crash", "an error_ratio".
std::string with_article(std::string_view word) {
  const bool vowel = !word.empty() && std::string_view("aeiou").find(word.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(word);
}

// 250000 rather than 250000.000000; fractions only when there are some.
std::string number_text(double value) {
  char buffer[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
  }
  return buffer;
}

TimeNs saturating_add(TimeNs a, TimeNs b) {
  return a > std::numeric_limits<TimeNs>::max() - b ? std::numeric_limits<TimeNs>::max() : a + b;
}

// The names of one kind of thing ("zone", "service", ...) in the order they were defined.
struct NameTable {
  NameTable(std::string kind_name, std::string plural_name) : kind(std::move(kind_name)), plural(std::move(plural_name)) {}

  std::string kind;
  std::string plural;
  std::vector<std::string> names;
  std::vector<std::string> pointers;
  std::map<std::string, std::uint32_t, std::less<>> index;

  void add(const std::string& name, const std::string& pointer) {
    index.emplace(name, static_cast<std::uint32_t>(names.size()));
    names.push_back(name);
    pointers.push_back(pointer);
  }
  std::optional<std::uint32_t> find(std::string_view name) const {
    const auto at = index.find(name);
    if (at == index.end()) return std::nullopt;
    return at->second;
  }
  std::string known() const {
    std::string text;
    const std::size_t shown = std::min<std::size_t>(names.size(), 20);
    for (std::size_t i = 0; i < shown; ++i) text += (i ? ", " : "") + names[i];
    if (shown < names.size()) text += ", ... (" + std::to_string(names.size()) + " in all)";
    return text;
  }
};

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

// "x-..." keys are notes for people and tools, allowed on every object and ignored.
bool is_extension_key(std::string_view key) { return key.substr(0, 2) == "x-"; }

bool contains(std::span<const std::string_view> keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
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

// Reads one schema-checked document. Types and ranges the schema states are taken as given;
// what a schema cannot say is checked here, each failure an InputError at the offending value.
class ScenarioLoader {
 public:
  ScenarioLoader(const JsonSource& source, const LoadLimits& limits) : source_(source), limits_(limits) {}

  Scenario load() {
    const Json& root = source_.root();
    // SIGINT or SIGTERM stops loading between its steps (exit 4, nothing written).
    const auto checkpoint = [&] {
      if (source_.interruptible()) check_interrupt("loading " + source_.file() + "; nothing was written");
    };
    checkpoint();
    Scenario scenario;
    scenario.file = source_.file();
    scenario.bytes = std::string(source_.text());
    scenario.version = static_cast<std::uint32_t>(root["version"].get<std::uint64_t>());
    scenario.name = root["name"].get<std::string>();
    if (const Json* text = member(root, "description")) scenario.description = text->get<std::string>();
    sim::ModelConfig& model = scenario.model;
    if (const Json* seed = member(root, "seed")) model.seed = seed->get<std::uint64_t>();
    model.duration_ns = duration(root["duration"], "/duration", true);
    if (model.duration_ns > limits_.max_duration_ns) {
      note_limit("/duration", "max_duration_ns", "--max-sim-time",
                 "scenario asks for " + format_go_duration(model.duration_ns) + " of simulated time; the limit is " +
                     format_go_duration(limits_.max_duration_ns));
    }
    attempt([&] { load_metrics(root, model); });
    const bool zones_ok = attempt([&] {
      // Zone pairs are numbered from * zones + to in 32 bits.
      constexpr std::size_t kMaxZones = 65'536;
      if (root["zones"].size() > kMaxZones) {
        fail("/zones", "expected at most 65536 zones, got " + std::to_string(root["zones"].size()));
      }
      for (std::size_t i = 0; i < root["zones"].size(); ++i) define(zones_, root["zones"][i], child("/zones", i));
    });
    if (!zones_ok) return scenario;
    checkpoint();
    model.zones = zones_.names;
    if (const Json* network = member(root, "network")) attempt([&] { model.network = load_network(*network, "/network"); });
    if (const Json* discovery = member(root, "discovery")) {
      attempt([&] { model.discovery = load_discovery(*discovery, "/discovery"); });
    }
    // Clients, faults and assertions refer to services; nothing after a bad one is checked.
    if (!attempt([&] { load_services(root["services"], model); }) || !attempt([&] { reject_call_cycles(model); })) {
      return scenario;
    }
    checkpoint();
    bool referable = attempt([&] { load_clients(root["clients"], model); });
    checkpoint();
    if (const Json* list = member(root, "faults")) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        referable &= attempt([&] { scenario.faults.push_back(load_fault((*list)[i], child("/faults", i), model)); });
      }
    }
    // Assertions refer to clients and faults, so they are checked only when those loaded.
    if (const Json* list = member(root, "assertions"); list != nullptr && referable) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        attempt([&] {
          scenario.assertions.push_back(load_assertion((*list)[i], child("/assertions", i), model, scenario.faults));
        });
      }
    }
    checkpoint();
    if (collected_ == nullptr || collected_->empty()) cap_time_series(root, scenario);
    if (limit_error_ && collected_ == nullptr) throw *limit_error_;
    return scenario;
  }

  // Time series hold one sample per bucket for every service and client, so their number is
  // capped (--max-buckets). Over the cap, the buckets are widened by a whole factor, with a
  // note, unless an assertion reads the series bucket by bucket (an availability window or
  // fault window, recovery, impact): its verdict would change with the width, so the run is
  // refused (exit 4) instead.
  void cap_time_series(const Json& root, Scenario& scenario) {
    sim::ModelConfig& model = scenario.model;
    const auto buckets = static_cast<std::uint64_t>(model.duration_ns / model.bucket_ns +
                                                    (model.duration_ns % model.bucket_ns != 0 ? 1 : 0));
    const std::uint64_t cap = std::max<std::uint64_t>(limits_.max_buckets, 1);
    if (buckets <= cap) return;
    const std::uint64_t factor = (buckets + cap - 1) / cap;
    const TimeNs wider = sim::scaled_ns(model.bucket_ns, static_cast<double>(factor));
    const std::string pointer = member(root, "metrics") && member(*member(root, "metrics"), "bucket") ? "/metrics/bucket"
                                                                                                      : "/duration";
    const std::string what = "a run of " + format_go_duration(model.duration_ns) + " in buckets of " +
                             format_go_duration(model.bucket_ns) + " makes " + std::to_string(buckets) +
                             " time-series buckets, over the cap of " + std::to_string(cap);
    for (std::size_t i = 0; i < scenario.assertions.size(); ++i) {
      const AssertionSpec& a = scenario.assertions[i];
      const bool per_bucket = a.kind == AssertionKind::recovery || a.kind == AssertionKind::impact ||
                              (a.kind == AssertionKind::availability && (a.window_ns > 0 || a.during_fault));
      if (!per_bucket) continue;
      note_limit(child("/assertions", i), "max_buckets", "--max-buckets",
                 what + "; assertion " + in_quotes(a.name) + " reads the time series bucket by bucket, so they cannot " +
                     "be widened for it: set metrics.bucket to " + format_go_duration(wider) + " or more yourself, or " +
                     "shorten the run");
      return;
    }
    model.requested_bucket_ns = model.bucket_ns;
    model.bucket_ns = wider;
    scenario.notes.push_back(pointer + ": " + what + ", so they are " + format_go_duration(wider) + " wide (" +
                             std::to_string(factor) + " requested buckets each); raise the cap with --max-buckets");
  }

  // Collecting mode (validate): errors are kept in `errors` instead of thrown, at most
  // `max_errors` of them (then CollectionFull is thrown to stop).
  struct CollectionFull {};
  void collect_into(std::vector<InputError>& errors, std::size_t max_errors) {
    collected_ = &errors;
    max_errors_ = max_errors;
  }
  const std::optional<LimitError>& limit_error() const { return limit_error_; }

 private:
  // Runs one step of loading. Throwing mode: the step's InputError propagates. Collecting mode:
  // it is kept and false returned, so that the next independent step still runs.
  template <typename Step>
  bool attempt(Step&& step) {
    if (collected_ == nullptr) {
      step();
      return true;
    }
    try {
      step();
      return true;
    } catch (InputError& e) {
      collected_->push_back(std::move(e));
      if (collected_->size() >= max_errors_) throw CollectionFull{};
      return false;
    }
  }

  // ---- values ----

  [[noreturn]] void fail(const std::string& pointer, std::string message) const {
    throw source_.error(pointer, std::move(message));
  }

  // The first limit exceeded; thrown only once the whole file has been checked, so that an
  // input error anywhere takes precedence.
  void note_limit(const std::string& pointer, std::string limit, std::string flag, const std::string& message) {
    if (limit_error_) return;
    limit_error_.emplace(source_.file(), source_.locate(pointer), pointer, std::move(limit), flag,
                         message + " (raise it with " + flag + ")");
  }

  TimeNs duration(const Json& value, const std::string& pointer, bool positive = false) const {
    const std::string& text = value.get_ref<const std::string&>();
    std::string why;
    const std::optional<TimeNs> parsed = parse_go_duration(text, &why);
    if (!parsed) fail(pointer, why);
    if (*parsed < 0) fail(pointer, "expected a duration >= 0, got " + in_quotes(text) + " (durations are never negative)");
    if (positive && *parsed == 0) fail(pointer, "expected a duration > 0, got " + in_quotes(text));
    return *parsed;
  }

  TimeNs duration_or(const Json& object, const std::string& pointer, std::string_view key, TimeNs fallback,
                     bool positive = false) const {
    const Json* value = member(object, key);
    return value ? duration(*value, child(pointer, key), positive) : fallback;
  }

  double ratio(const Json& value, const std::string& pointer) const {
    std::string why;
    const std::optional<double> parsed = parse_ratio(value, &why);
    if (!parsed) fail(pointer, why);
    return *parsed;
  }

  double ratio_or(const Json& object, const std::string& pointer, std::string_view key, double fallback) const {
    const Json* value = member(object, key);
    return value ? ratio(*value, child(pointer, key)) : fallback;
  }

  static std::uint32_t u32_or(const Json& object, std::string_view key, std::uint32_t fallback) {
    const Json* value = member(object, key);
    return value ? static_cast<std::uint32_t>(value->get<std::uint64_t>()) : fallback;
  }
  static double number_or(const Json& object, std::string_view key, double fallback) {
    const Json* value = member(object, key);
    return value ? value->get<double>() : fallback;
  }
  static bool bool_or(const Json& object, std::string_view key, bool fallback) {
    const Json* value = member(object, key);
    return value ? value->get<bool>() : fallback;
  }

  sim::Distribution distribution(const Json& value, const std::string& pointer) const {
    if (value.is_string()) return sim::ConstantDist{duration(value, pointer)};
    const std::string& family = value.begin().key();
    const Json& body = value.begin().value();
    const std::string at = child(pointer, family);
    if (family == "constant") return sim::ConstantDist{duration(body, at)};
    if (family == "exponential") return sim::ExponentialDist{duration(body["mean"], child(at, "mean"))};
    if (family == "uniform") {
      const sim::UniformDist dist{duration(body["min"], child(at, "min")), duration(body["max"], child(at, "max"))};
      if (dist.max_ns < dist.min_ns) {
        fail(child(at, "max"), "expected max >= min (" + format_go_duration(dist.min_ns) + "), got " +
                                   format_go_duration(dist.max_ns));
      }
      return dist;
    }
    if (family == "normal") {
      return sim::NormalDist{duration(body["mean"], child(at, "mean")), duration(body["stddev"], child(at, "stddev"))};
    }
    if (family == "lognormal") {
      const sim::LogNormalDist dist{duration(body["median"], child(at, "median"), true),
                                    duration(body["p99"], child(at, "p99"))};
      if (dist.p99_ns <= dist.median_ns) {
        fail(child(at, "p99"), "expected p99 greater than the median (" + format_go_duration(dist.median_ns) +
                                   "), got " + format_go_duration(dist.p99_ns));
      }
      return dist;
    }
    return empirical(body, at);
  }

  sim::EmpiricalDist empirical(const Json& table, const std::string& pointer) const {
    sim::EmpiricalDist dist;
    for (std::size_t i = 0; i < table.size(); ++i) {
      const std::string at = child(pointer, i);
      const sim::EmpiricalPoint point{ratio(table[i]["quantile"], child(at, "quantile")),
                                      duration(table[i]["value"], child(at, "value"))};
      if (i == 0 && point.quantile != 0.0) {
        fail(child(at, "quantile"), "expected quantile 0 for the first point of the table, got " + number_text(point.quantile));
      }
      if (i > 0 && point.quantile <= dist.points.back().quantile) {
        fail(child(at, "quantile"), "expected a quantile greater than the previous point's (" +
                                        number_text(dist.points.back().quantile) + "): quantiles rise strictly");
      }
      if (i > 0 && point.value_ns < dist.points.back().value_ns) {
        fail(child(at, "value"), "expected a value of at least the previous point's (" +
                                     format_go_duration(dist.points.back().value_ns) + "): values never fall");
      }
      if (i + 1 == table.size() && point.quantile != 1.0) {
        fail(child(at, "quantile"), "expected quantile 1 for the last point of the table, got " + number_text(point.quantile));
      }
      dist.points.push_back(point);
    }
    return dist;
  }

  sim::Distribution distribution_or(const Json& object, const std::string& pointer, std::string_view key,
                                    const sim::Distribution& fallback) const {
    const Json* value = member(object, key);
    return value ? distribution(*value, child(pointer, key)) : fallback;
  }

  // ---- names ----

  void define(NameTable& table, const Json& value, const std::string& pointer) const {
    const std::string& name = value.get_ref<const std::string&>();
    if (const auto existing = table.find(name)) {
      fail(pointer, "duplicate " + table.kind + " name " + in_quotes(name) + " (first defined at " +
                        table.pointers[*existing] + ")");
    }
    table.add(name, pointer);
  }

  std::uint32_t resolve(const NameTable& table, const Json& value, const std::string& pointer) const {
    const std::string& name = value.get_ref<const std::string&>();
    if (const auto index = table.find(name)) return *index;
    if (table.names.empty()) fail(pointer, "unknown " + table.kind + " " + in_quotes(name) + "; there are no " + table.plural);
    fail(pointer, "unknown " + table.kind + " " + in_quotes(name) + "; the " + table.plural + " are: " + table.known());
  }

  std::uint32_t operation_of(std::uint32_t service, const Json* value, const std::string& pointer) const {
    if (value == nullptr) return 0;  // the service's first operation
    const NameTable& table = operation_names_[service];
    const std::string& name = value->get_ref<const std::string&>();
    if (const auto index = table.find(name)) return *index;
    fail(pointer, "unknown operation " + in_quotes(name) + " of service " + in_quotes(services_.names[service]) +
                      "; its operations are: " + table.known());
  }

  // ---- topology ----

  void load_metrics(const Json& root, sim::ModelConfig& model) const {
    const Json* metrics = member(root, "metrics");
    if (metrics == nullptr) return;
    model.bucket_ns = duration_or(*metrics, "/metrics", "bucket", model.bucket_ns);
    if (model.bucket_ns < sim::kMillisecond) {
      fail("/metrics/bucket", "expected a bucket width of at least 1ms, got " + format_go_duration(model.bucket_ns));
    }
    // The number of buckets is capped once the assertions are known (cap_time_series).
  }

  sim::NetworkConfig load_network(const Json& network, const std::string& pointer) const {
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

  sim::DiscoveryConfig load_discovery(const Json& discovery, const std::string& pointer) const {
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

  // ---- services and calls ----

  void load_services(const Json& list, sim::ModelConfig& model) {
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

  sim::ServiceConfig load_service(const Json& service, const std::string& pointer) {
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

  void load_placement(const Json& instances, const std::string& pointer, sim::ServiceConfig& config) {
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

  std::vector<sim::Step> load_steps(const Json& steps, const std::string& pointer) {
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

  sim::CallStep load_call(const Json& call, const std::string& pointer) {
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

  sim::CallPolicy load_policy(const Json& owner, const std::string& pointer) const {
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

  sim::RetryPolicy load_retry(const Json& retry, const std::string& pointer) const {
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

  // A list of outcome names (the schema allows only known ones), each at most once.
  // "error" names error answers and refused connections; "connection_refused" only the latter.
  std::uint32_t outcome_mask(const Json& list, const std::string& pointer) const {
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

  // Whether one of a call's outcome lists names connection_refused.
  static bool names_connection_refused(const Json& owner) {
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

  sim::RateLimit load_rate_limit(const Json& limit, const std::string& pointer, bool server) const {
    sim::RateLimit out;
    out.enabled = true;
    out.rate_per_s = limit["rate"].get<double>();
    out.burst = u32_or(limit, "burst", out.burst);
    if (server) out.retry_after_ns = duration_or(limit, pointer, "retry_after", out.retry_after_ns);
    if (!server) out.wait = bool_or(limit, "wait", out.wait);
    return out;
  }

  sim::BreakerPolicy load_breaker(const Json& breaker, const std::string& pointer) const {
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

  // The operation-level call graph must be acyclic: a cycle would recurse until a limit hit.
  // Depth-first in definition order, so the cycle reported is always the same one.
  void reject_call_cycles(const sim::ModelConfig& model) const {
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

  // ---- clients ----

  void load_clients(const Json& list, sim::ModelConfig& model) {
    if (list.size() > limits_.max_clients) {
      note_limit("/clients", "max_clients", "--max-clients",
                 "scenario has " + std::to_string(list.size()) + " clients; the limit is " +
                     std::to_string(limits_.max_clients));
    }
    std::uint64_t total_users = 0;
    for (std::size_t c = 0; c < list.size(); ++c) {
      const Json& client = list[c];
      const std::string at = child("/clients", c);
      define(clients_, client["name"], child(at, "name"));
      sim::ClientConfig config;
      config.name = client["name"].get<std::string>();
      config.zone = resolve(zones_, client["zone"], child(at, "zone"));
      config.service = resolve(services_, client["service"], child(at, "service"));
      config.operation = operation_of(config.service, member(client, "operation"), child(at, "operation"));
      config.start_ns = duration_or(client, at, "start", 0);
      config.stop_ns = duration_or(client, at, "stop", model.duration_ns);
      if (config.start_ns >= model.duration_ns) {
        fail(child(at, "start"), "expected a start before the end of the run (" + format_go_duration(model.duration_ns) + ")");
      }
      if (config.stop_ns <= config.start_ns) {
        fail(child(at, "stop"), "expected a stop after the start (" + format_go_duration(config.start_ns) + ")");
      }
      const Json* open = member(client, "open_loop");
      const Json* closed = member(client, "closed_loop");
      if (open && closed) fail(child(at, "closed_loop"), "give either \"open_loop\" or \"closed_loop\", not both");
      if (!open && !closed) fail(at, "missing the workload: give \"open_loop\" or \"closed_loop\"");
      if (open) load_open_loop(*open, child(at, "open_loop"), config);
      if (closed) {
        load_closed_loop(*closed, child(at, "closed_loop"), config);
        total_users = std::min(total_users + config.users, std::uint64_t{1} << 62);
        if (total_users > limits_.max_users) {
          note_limit(child(child(at, "closed_loop"), "users"), "max_users", "--max-users",
                     "scenario asks for " + std::to_string(total_users) + " closed-loop users; the limit is " +
                         std::to_string(limits_.max_users));
        }
      }
      config.policy = load_policy(client, at);
      model.clients.push_back(std::move(config));
    }
  }

  void load_open_loop(const Json& open, const std::string& pointer, sim::ClientConfig& config) {
    config.arrivals = open.value("arrivals", std::string("poisson")) == "constant" ? sim::ArrivalProcess::constant
                                                                                     : sim::ArrivalProcess::poisson;
    const auto check_rate = [&](double rate, const std::string& at) {
      if (rate > limits_.max_rate_per_s) {
        note_limit(at, "max_rate_per_s", "--max-rate",
                   "client " + in_quotes(config.name) + " asks for " + number_text(rate) +
                       " requests per second; the limit is " + number_text(limits_.max_rate_per_s));
      }
    };
    config.schedule.push_back({0, open["rate"].get<double>(), false});
    check_rate(config.schedule.back().rate_per_s, child(pointer, "rate"));
    const Json* schedule = member(open, "schedule");
    for (std::size_t i = 0; schedule && i < schedule->size(); ++i) {
      const Json& point = (*schedule)[i];
      const std::string at = child(child(pointer, "schedule"), i);
      const TimeNs after = config.schedule.back().at_ns;
      const TimeNs at_ns = duration(point["at"], child(at, "at"));
      if (at_ns <= after) {
        fail(child(at, "at"), "expected a time after " + format_go_duration(after) +
                                  ": schedule points come in increasing order of \"at\" (and after any spike before them ends)");
      }
      const double rate_before = config.schedule.back().rate_per_s;
      config.schedule.push_back({at_ns, point["rate"].get<double>(), bool_or(point, "ramp", false)});
      check_rate(config.schedule.back().rate_per_s, child(at, "rate"));
      if (const Json* spike = member(point, "for")) {
        // A spike is two points: up at `at`, back to the rate before it `for` later.
        config.schedule.push_back({saturating_add(at_ns, duration(*spike, child(at, "for"), true)), rate_before, false});
      }
    }
  }

  void load_closed_loop(const Json& closed, const std::string& pointer, sim::ClientConfig& config) const {
    config.closed_loop = true;
    config.users = static_cast<std::uint32_t>(closed["users"].get<std::uint64_t>());
    const sim::Distribution think_time = distribution_or(closed, pointer, "think_time", sim::ConstantDist{0});
    const Json* session = member(closed, "session");
    if (session == nullptr) {
      config.session.push_back({config.operation, think_time});
      return;
    }
    for (std::size_t i = 0; i < session->size(); ++i) {
      const std::string at = child(child(pointer, "session"), i);
      const Json& step = (*session)[i];
      config.session.push_back({operation_of(config.service, &step["operation"], child(at, "operation")),
                                distribution_or(step, at, "think_time", think_time)});
    }
  }

  // ---- faults ----

  // A fault's option keys as its kind's unit reads them, failing at the offending value.
  class FaultOptionReader final : public faults::OptionReader {
   public:
    FaultOptionReader(const ScenarioLoader& loader, const Json& fault, const std::string& pointer, const std::string& kind_text)
        : loader_(loader), fault_(fault), pointer_(pointer), kind_text_(kind_text) {}
    bool has(std::string_view key) const override { return member(fault_, key) != nullptr; }
    bool is_text(std::string_view key) const override { return has(key) && member(fault_, key)->is_string(); }
    TimeNs duration(std::string_view key, TimeNs fallback, bool positive) const override {
      return loader_.duration_or(fault_, pointer_, key, fallback, positive);
    }
    double ratio(std::string_view key, double fallback) const override {
      return loader_.ratio_or(fault_, pointer_, key, fallback);
    }
    double number(std::string_view key, double fallback) const override { return number_or(fault_, key, fallback); }
    std::uint32_t count(std::string_view key, std::uint32_t fallback) const override { return u32_or(fault_, key, fallback); }
    bool flag(std::string_view key, bool fallback) const override { return bool_or(fault_, key, fallback); }
    sim::Distribution distribution(std::string_view key, const sim::Distribution& fallback) const override {
      return loader_.distribution_or(fault_, pointer_, key, fallback);
    }
    [[noreturn]] void fail(std::string_view key, const std::string& message) const override {
      loader_.fail(has(key) ? child(pointer_, key) : pointer_, message);
    }
    const std::string& kind_text() const override { return kind_text_; }

   private:
    const ScenarioLoader& loader_;
    const Json& fault_;
    const std::string& pointer_;
    const std::string& kind_text_;
  };

  faults::FaultSpec load_fault(const Json& fault, const std::string& pointer, const sim::ModelConfig& model) {
    define(faults_, fault["name"], child(pointer, "name"));
    const std::string kind = fault["kind"].get<std::string>();
    const faults::KindUnit& unit = *faults::find_kind(kind);  // the schema allows only known kinds
    faults::FaultSpec spec = faults::make_fault_spec(fault["name"].get<std::string>(), unit.kind, 0);
    const std::string kind_text = with_article(kind) + " fault";

    for (std::string_view option : faults::all_option_keys()) {
      if (member(fault, option) && !contains(unit.option_keys, option)) {
        fail(child(pointer, option), "option " + in_quotes(option) + " does not apply to " + kind_text);
      }
    }
    spec.at_ns = duration(fault["at"], child(pointer, "at"));
    if (spec.at_ns >= model.duration_ns) {
      fail(child(pointer, "at"), "expected a start before the end of the run (" + format_go_duration(model.duration_ns) + ")");
    }
    if (const Json* length = member(fault, "duration")) {
      if (unit.duration_rule == faults::DurationRule::forbidden) {
        fail(child(pointer, "duration"), "option \"duration\" does not apply to " + kind_text +
                                             ": a crash is not reverted; use \"restart_after\" to bring instances back");
      }
      spec.duration_ns = duration(*length, child(pointer, "duration"), true);
    } else if (unit.duration_rule == faults::DurationRule::required) {
      fail(pointer, "missing required key \"duration\" (" + kind_text + " needs one)");
    }
    load_fault_target(fault, pointer, unit, kind_text, spec);
    const FaultOptionReader reader(*this, fault, pointer, kind_text);
    unit.read_options(reader, spec);
    return spec;
  }

  void load_fault_target(const Json& fault, const std::string& pointer, const faults::KindUnit& unit,
                         const std::string& kind_text, faults::FaultSpec& spec) const {
    static const Json kEmpty = Json::object();
    const Json* target_json = member(fault, "target");
    const Json& target = target_json ? *target_json : kEmpty;
    const std::string at = child(pointer, "target");
    for (const auto& [key, value] : target.items()) {
      if (!contains(unit.target_keys, key) && !is_extension_key(key)) {
        fail(child(at, key), "target key " + in_quotes(key) + " does not apply to " + kind_text);
      }
    }
    const auto needs = [&](std::string_view what) {
      fail(target_json ? at : pointer, kind_text + " needs " + std::string(what));
    };
    faults::Target& out = spec.target;
    if (const Json* v = member(target, "service")) out.service = resolve(services_, *v, child(at, "service"));
    if (const Json* v = member(target, "zone")) out.zone = resolve(zones_, *v, child(at, "zone"));
    if (const Json* v = member(target, "client")) out.client = resolve(clients_, *v, child(at, "client"));
    if (const Json* v = member(target, "from_zone")) out.from_zone = resolve(zones_, *v, child(at, "from_zone"));
    if (const Json* v = member(target, "to_zone")) out.to_zone = resolve(zones_, *v, child(at, "to_zone"));
    out.fraction = ratio_or(target, at, "fraction", out.fraction);
    out.both_directions = bool_or(target, "both_directions", out.both_directions);
    const bool link = out.from_zone || out.to_zone;
    if (out.from_zone.has_value() != out.to_zone.has_value()) {
      fail(child(at, out.from_zone ? "from_zone" : "to_zone"), "a link needs both \"from_zone\" and \"to_zone\"");
    }
    switch (unit.target_rule) {
      case TargetRule::service:
        if (!out.service) needs("target.service");
        break;
      case TargetRule::zone:
        if (!out.zone) needs("target.zone");
        break;
      case TargetRule::link:
        if (!link) needs("target.from_zone and target.to_zone");
        if (*out.from_zone == *out.to_zone) fail(child(at, "to_zone"), "a partition needs two different zones");
        break;
      case TargetRule::network: {
        const int forms = (out.service ? 1 : 0) + (out.client ? 1 : 0) + (link ? 1 : 0);
        if (forms != 1) {
          needs("exactly one of target.service, target.client, or target.from_zone with target.to_zone");
        }
        if (!out.service) {
          for (std::string_view key : {"instances", "zone", "fraction"}) {
            if (member(target, key)) fail(child(at, key), "target key " + in_quotes(key) + " needs target.service");
          }
        }
        if (!link && member(target, "both_directions")) {
          fail(child(at, "both_directions"), "\"both_directions\" only applies to a link (from_zone and to_zone)");
        }
        break;
      }
      case TargetRule::none:
        break;
    }
    if (const Json* list = member(target, "instances")) {
      const std::uint64_t count = instance_counts_[*out.service];
      std::set<std::uint64_t> listed;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::uint64_t index = (*list)[i].get<std::uint64_t>();
        if (index >= count) {
          fail(child(child(at, "instances"), i), "service " + in_quotes(services_.names[*out.service]) + " has " +
                                                     std::to_string(count) + " instances (0 to " +
                                                     std::to_string(count - 1) + "); there is no instance " +
                                                     std::to_string(index));
        }
        if (!listed.insert(index).second) {
          fail(child(child(at, "instances"), i), "instance " + std::to_string(index) + " is listed twice");
        }
        out.instances.push_back(static_cast<std::uint32_t>(index));
      }
    }
    if (out.service && out.zone && !has_instances_in(*out.service, *out.zone)) {
      fail(child(at, "zone"), "service " + in_quotes(services_.names[*out.service]) + " has no instances in zone " +
                                  in_quotes(zones_.names[*out.zone]));
    }
    if (const Json* v = member(target, "operation")) {
      out.operation = operation_of(*out.service, v, child(at, "operation"));
    } else if (unit.traits.needs_operation) {
      needs("target.operation");
    }
  }

  bool has_instances_in(std::uint32_t service, std::uint32_t zone) const {
    const Json& instances = source_.root()["services"][service]["instances"];
    if (instances.is_number()) return zone < std::min<std::uint64_t>(instances.get<std::uint64_t>(), zones_.names.size());
    return std::any_of(instances.begin(), instances.end(),
                       [&](const Json& group) { return zones_.find(group["zone"].get<std::string>()) == zone; });
  }

  // ---- assertions ----

  AssertionSpec load_assertion(const Json& assertion, const std::string& pointer, const sim::ModelConfig& model,
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
    const auto fault_ref = [&](std::string_view key) { return resolve(faults_, assertion[std::string(key)], at(key)); };

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
    return spec;
  }

  void load_breaker_assertion(const Json& assertion, const std::string& pointer, const sim::ModelConfig& model,
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

  TimeNs duration_value(const Json& value, const std::string& pointer) const {
    if (!value.is_string()) fail(pointer, "expected a duration like \"250ms\" or \"1m30s\", got " + value.dump());
    return duration(value, pointer);
  }

  std::uint64_t count_value(const Json& value, const std::string& pointer) const {
    if (!value.is_number_integer() || (value.is_number_integer() && !value.is_number_unsigned() && value.get<std::int64_t>() < 0)) {
      fail(pointer, "expected an integer >= 0, got " + value.dump());
    }
    return value.get<std::uint64_t>();
  }

  const JsonSource& source_;
  const LoadLimits& limits_;
  std::optional<LimitError> limit_error_;
  NameTable zones_{"zone", "zones"};
  NameTable services_{"service", "services"};
  std::vector<NameTable> operation_names_;  // per service
  std::vector<std::uint64_t> instance_counts_;
  std::uint64_t total_instances_ = 0;
  std::vector<std::string> call_pointers_;  // the "service" of every call, in graph order
  std::uint32_t loading_service_ = 0;
  std::set<std::pair<std::uint32_t, std::uint32_t>> service_calls_;  // (caller, callee) services
  std::map<std::tuple<std::uint32_t, std::uint32_t, int>, sim::Bulkhead> bulkheads_;  // (caller, callee, scope)
  NameTable clients_{"client", "clients"};
  NameTable faults_{"fault", "faults"};
  NameTable assertion_names_{"assertion", "assertions"};
  std::vector<InputError>* collected_ = nullptr;  // collecting mode when set
  std::size_t max_errors_ = 0;
};

std::string compose_limit_text(const std::string& file, SourceLocation where, const std::string& pointer,
                               const std::string& message) {
  if (where.line == 0) return file + ": " + message;
  return file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": at " +
         (pointer.empty() ? "(document root)" : pointer) + ": " + message;
}

}  // namespace

LimitError::LimitError(std::string file_name, SourceLocation where_in_file, std::string pointer_text,
                       std::string limit_name, std::string flag_name, std::string message_text)
    : std::runtime_error(compose_limit_text(file_name, where_in_file, pointer_text, message_text)),
      file(std::move(file_name)),
      where(where_in_file),
      pointer(std::move(pointer_text)),
      limit(std::move(limit_name)),
      flag(std::move(flag_name)),
      message(std::move(message_text)) {}

Scenario load_scenario(const JsonSource& source, const LoadLimits& limits) {
  std::vector<InputError> errors = schema_errors(source, kDefaultMaxErrors);
  if (!errors.empty()) throw errors.front();
  return ScenarioLoader(source, limits).load();
}

ScenarioErrors scenario_errors(const JsonSource& source, const LoadLimits& limits, std::size_t max_errors) {
  ScenarioErrors found;
  // One more than the cap is asked for, to know whether there are more.
  found.errors = schema_errors(source, max_errors + 1);
  if (found.errors.size() > max_errors) {
    found.errors.erase(found.errors.begin() + static_cast<std::ptrdiff_t>(max_errors), found.errors.end());
    found.more = true;
  }
  if (!found.errors.empty()) return found;
  ScenarioLoader loader(source, limits);
  loader.collect_into(found.errors, max_errors);
  try {
    loader.load();
  } catch (const decltype(loader)::CollectionFull&) {
    found.more = true;
  } catch (const InputError& e) {
    // A step outside attempt() (the version, name or duration) failed: nothing after it ran.
    found.errors.push_back(e);
  }
  std::stable_sort(found.errors.begin(), found.errors.end(), [](const InputError& a, const InputError& b) {
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.column < b.where.column;
  });
  if (found.errors.empty() && loader.limit_error()) found.limit = loader.limit_error();
  return found;
}

Scenario load_scenario_file(const std::string& path, const LoadLimits& limits) {
  return load_scenario(JsonSource::load(path), limits);
}

}  // namespace faultline::harness
