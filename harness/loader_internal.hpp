// The scenario loader's shared parts: the helpers every section uses and the ScenarioLoader
// class, whose sections live in their own files (loader_values.cpp, loader_topology.cpp,
// loader_workload.cpp, loader_faults.cpp, loader_assertions.cpp; loader.cpp drives them).
// Internal to harness/: include only from the loader's files.
#pragma once
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
#include "harness/loader.hpp"

namespace faultline::harness::loader_detail {

using Json = nlohmann::ordered_json;
using faults::TargetRule;
using sim::TimeNs;

inline std::string child(const std::string& pointer, std::string_view key) { return pointer + "/" + pointer_token(key); }
inline std::string child(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

inline const Json* member(const Json& object, std::string_view key) {
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

// Text from the file, quoted and escaped as a JSON string.
inline std::string in_quotes(std::string_view text) {
  return Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// "a crash", "an error_ratio".
inline std::string with_article(std::string_view word) {
  const bool vowel = !word.empty() && std::string_view("aeiou").find(word.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(word);
}

// 250000 rather than 250000.000000; fractions only when there are some.
inline std::string number_text(double value) {
  char buffer[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
  }
  return buffer;
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

// "x-..." keys are notes for people and tools, allowed on every object and ignored.
inline bool is_extension_key(std::string_view key) { return key.substr(0, 2) == "x-"; }

inline bool contains(std::span<const std::string_view> keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// Reads one schema-checked document. Types and ranges the schema states are taken as given;
// what a schema cannot say is checked here, each failure an InputError at the offending value.
// Its sections are defined in loader_values.cpp, loader_topology.cpp, loader_workload.cpp,
// loader_faults.cpp and loader_assertions.cpp; load() in loader.cpp runs them in order.
class ScenarioLoader {
 public:
  ScenarioLoader(const JsonSource& source, const LoadLimits& limits) : source_(source), limits_(limits) {}
  Scenario load();

  // Time series hold one sample per bucket for every service and client, so their number is
  // capped (--max-buckets). Over the cap, the buckets are widened by a whole factor, with a
  // note, unless an assertion reads the series bucket by bucket (an availability window or
  // fault window, recovery, impact): its verdict would change with the width, so the run is
  // refused (exit 4) instead.
  void cap_time_series(const Json& root, Scenario& scenario);
  // Collecting mode (validate): errors are kept in `errors` instead of thrown, at most
  // `max_errors` of them (then CollectionFull is thrown to stop).
  struct CollectionFull {};
  void collect_into(std::vector<InputError>& errors, std::size_t max_errors);
  const std::optional<LimitError>& limit_error() const { return limit_error_; }

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

 private:
  // ---- values ----
  [[noreturn]] void fail(const std::string& pointer, std::string message) const;
  // The first limit exceeded; thrown only once the whole file has been checked, so that an
  // input error anywhere takes precedence.
  void note_limit(const std::string& pointer, std::string limit, std::string flag, const std::string& message);
  TimeNs duration(const Json& value, const std::string& pointer, bool positive = false) const;
  TimeNs duration_or(const Json& object, const std::string& pointer, std::string_view key, TimeNs fallback,
                     bool positive = false) const;
  double ratio(const Json& value, const std::string& pointer) const;
  double ratio_or(const Json& object, const std::string& pointer, std::string_view key, double fallback) const;
  static std::uint32_t u32_or(const Json& object, std::string_view key, std::uint32_t fallback);
  static double number_or(const Json& object, std::string_view key, double fallback);
  static bool bool_or(const Json& object, std::string_view key, bool fallback);
  sim::Distribution distribution(const Json& value, const std::string& pointer) const;
  sim::EmpiricalDist empirical(const Json& table, const std::string& pointer) const;
  sim::Distribution distribution_or(const Json& object, const std::string& pointer, std::string_view key,
                                    const sim::Distribution& fallback) const;

  // ---- names ----
  void define(NameTable& table, const Json& value, const std::string& pointer) const;
  std::uint32_t resolve(const NameTable& table, const Json& value, const std::string& pointer) const;
  std::uint32_t operation_of(std::uint32_t service, const Json* value, const std::string& pointer) const;

  // ---- topology ----
  void load_metrics(const Json& root, sim::ModelConfig& model) const;
  sim::NetworkConfig load_network(const Json& network, const std::string& pointer) const;
  sim::DiscoveryConfig load_discovery(const Json& discovery, const std::string& pointer) const;

  // ---- services and calls ----
  void load_services(const Json& list, sim::ModelConfig& model);
  sim::ServiceConfig load_service(const Json& service, const std::string& pointer);
  void load_placement(const Json& instances, const std::string& pointer, sim::ServiceConfig& config);
  std::vector<sim::Step> load_steps(const Json& steps, const std::string& pointer);
  sim::CallStep load_call(const Json& call, const std::string& pointer);
  sim::CallPolicy load_policy(const Json& owner, const std::string& pointer) const;
  sim::RetryPolicy load_retry(const Json& retry, const std::string& pointer) const;
  // A list of outcome names (the schema allows only known ones), each at most once.
  // "error" names error answers and refused connections; "connection_refused" only the latter.
  std::uint32_t outcome_mask(const Json& list, const std::string& pointer) const;
  // Whether one of a call's outcome lists names connection_refused.
  static bool names_connection_refused(const Json& owner);
  sim::RateLimit load_rate_limit(const Json& limit, const std::string& pointer, bool server) const;
  sim::BreakerPolicy load_breaker(const Json& breaker, const std::string& pointer) const;
  // The operation-level call graph must be acyclic: a cycle would recurse until a limit hit.
  // Depth-first in definition order, so the cycle reported is always the same one.
  void reject_call_cycles(const sim::ModelConfig& model) const;

  // ---- clients ----
  void load_clients(const Json& list, sim::ModelConfig& model);
  void load_open_loop(const Json& open, const std::string& pointer, sim::ClientConfig& config);
  void load_closed_loop(const Json& closed, const std::string& pointer, sim::ClientConfig& config) const;

  // ---- faults ----
  // A fault's option keys as its kind's unit reads them, failing at the offending value.
  class FaultOptionReader;
  faults::FaultSpec load_fault(const Json& fault, const std::string& pointer, const sim::ModelConfig& model);
  void load_fault_target(const Json& fault, const std::string& pointer, const faults::KindUnit& unit,
                         const std::string& kind_text, faults::FaultSpec& spec) const;
  // target.instances of a fault on `out.service`: each an instance index, each listed once.
  void load_target_instances(const Json& list, const std::string& pointer, faults::Target& out) const;
  bool has_instances_in(std::uint32_t service, std::uint32_t zone) const;

  // ---- assertions ----
  AssertionSpec load_assertion(const Json& assertion, const std::string& pointer, const sim::ModelConfig& model,
                               const std::vector<faults::FaultSpec>& faults);
  // The options of the assertion's type (the keys besides name, type and its target).
  void load_assertion_options(const Json& assertion, const std::string& pointer, const sim::ModelConfig& model,
                              const std::vector<faults::FaultSpec>& faults, AssertionSpec& spec);
  void load_breaker_assertion(const Json& assertion, const std::string& pointer, const sim::ModelConfig& model,
                              AssertionSpec& spec) const;
  TimeNs duration_value(const Json& value, const std::string& pointer) const;
  std::uint64_t count_value(const Json& value, const std::string& pointer) const;

  // ---- state ----
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

}  // namespace faultline::harness::loader_detail
