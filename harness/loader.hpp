// Loading a scenario: JSON with locations, the JSON Schema, then typed loading with semantic
// checks (references, duplicates, cycles) and limits.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/json_source.hpp"
#include "harness/scenario.hpp"

namespace faultline::harness {

// Limits on what a scenario may make large. Exceeding one is exit 4, naming the limit and the
// command-line flag that raises it.
struct LoadLimits {
  std::uint64_t max_instances = 100'000;         // --max-instances
  std::uint64_t max_services = 10'000;           // --max-services
  std::uint64_t max_clients = 10'000;            // --max-clients
  std::uint64_t max_users = 1'000'000;           // --max-users (closed-loop users, all clients)
  sim::TimeNs max_duration_ns = 24 * sim::kHour;  // --max-sim-time
  double max_rate_per_s = 10'000'000.0;          // --max-rate (per client, at any instant)
  std::uint64_t max_buckets = 100'000;           // --max-buckets: time-series buckets per run
};

struct LimitError : std::runtime_error {
  LimitError(std::string file, SourceLocation where, std::string pointer, std::string limit,
             std::string flag, std::string message);
  std::string file;
  SourceLocation where;
  std::string pointer;
  std::string limit;  // e.g. "max_instances"
  std::string flag;   // e.g. "--max-instances"
  std::string message;
};

// The schema violations of the document, each located (empty when valid), at most
// `max_errors` of them.
std::vector<InputError> schema_errors(const JsonSource& source, std::size_t max_errors = SIZE_MAX);
// The same against another compiled-in JSON Schema text (draft 7, the keywords the scenario
// schema uses), such as live mode's binding schema.
std::vector<InputError> schema_errors(const JsonSource& source, const char* schema_text, std::size_t max_errors);

// What `faultline validate` lists for one file.
inline constexpr std::size_t kDefaultMaxErrors = 20;
struct ScenarioErrors {
  std::vector<InputError> errors;   // schema errors, or (for a schema-valid file) semantic ones
  bool more = false;                // stopped at the cap: there may be more
  std::optional<LimitError> limit;  // the first limit exceeded, when there is no error
};

// Every error of the file that can be found in one pass, up to `max_errors`: all schema errors;
// then, for a schema-valid file, the semantic errors, each item (fault, assertion, ...) checked
// on its own so that one bad item does not hide the next. Checks that depend on a part with an
// error (assertions after a bad client or fault) are skipped rather than reported twice.
ScenarioErrors scenario_errors(const JsonSource& source, const LoadLimits& limits, std::size_t max_errors);

// Schema check, then typed loading and semantic checks. Throws InputError (the first problem)
// or LimitError.
Scenario load_scenario(const JsonSource& source, const LoadLimits& limits = {});

// JsonSource::load + load_scenario.
Scenario load_scenario_file(const std::string& path, const LoadLimits& limits = {});

}  // namespace faultline::harness
