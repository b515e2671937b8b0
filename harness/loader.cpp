// Loads a scenario file into the typed model: schema check first (harness/loader_schema.cpp),
// then names resolved to indices with the semantic checks a schema cannot express
// (references, duplicates, call cycles, orderings, options that do not apply), then limits.
#include "harness/loader.hpp"

#include "harness/interrupt.hpp"
#include "harness/loader_internal.hpp"

namespace faultline::harness {
namespace loader_detail {

Scenario ScenarioLoader::load() {
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

void ScenarioLoader::cap_time_series(const Json& root, Scenario& scenario) {
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

void ScenarioLoader::collect_into(std::vector<InputError>& errors, std::size_t max_errors) {
  collected_ = &errors;
  max_errors_ = max_errors;
}

}  // namespace loader_detail

namespace {

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
  return loader_detail::ScenarioLoader(source, limits).load();
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
  loader_detail::ScenarioLoader loader(source, limits);
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
