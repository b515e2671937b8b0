// Estimating a model's memory before the run, and reading the resident memory during it.
// The per-item figures were measured on the Release build (bench/hostile-inputs.sh prints them).
#include "harness/memory_budget.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "harness/loader.hpp"

namespace faultline::harness {
namespace {

// Measured resident bytes per item, rounded up.
constexpr std::uint64_t kBaseBytes = 16ull << 20;         // the program, the schema, the scenario
constexpr std::uint64_t kZoneBytes = 64;                  // a zone's name
constexpr std::uint64_t kLinkBytes = 160;                 // a zone pair with a latency override or a fault on it
constexpr std::uint64_t kEntityBytes = 8ull << 10;            // a service or client: its histograms, counters, names
constexpr std::uint64_t kInstanceBytes = 1024;            // an instance, its registry entry and views
constexpr std::uint64_t kViewEntryBytes = 32;             // one callee instance in one caller's view (member, peer state)
constexpr std::uint64_t kViewBytes = 96;                  // one caller's view of one call site
constexpr std::uint64_t kBreakerBytes = 256;              // one circuit breaker
constexpr std::uint64_t kBucketBytes = 400;               // one time-series bucket of one entity, in the report too
constexpr std::uint64_t kUserBytes = 12ull << 10;         // a closed-loop user: its fiber's stack

std::uint64_t times(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}

std::uint64_t plus(std::uint64_t a, std::uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

std::string count_text(std::uint64_t n) { return std::to_string(n); }

}  // namespace

MemoryEstimate estimate_memory(const Scenario& scenario) {
  const sim::ModelConfig& model = scenario.model;
  MemoryEstimate estimate;
  const std::uint64_t zones = model.zones.size();
  std::uint64_t instances = 0;
  std::vector<std::uint64_t> instances_of(model.services.size(), 0);
  for (std::size_t s = 0; s < model.services.size(); ++s) {
    for (const sim::InstanceGroup& group : model.services[s].placement) instances_of[s] += group.count;
    instances = plus(instances, instances_of[s]);
  }
  // Call sites: each calling instance (or the whole caller, when the call's scope is the
  // calling service, and always for a client) keeps a view of every callee instance, and a
  // breaker when the breaker's scope is the calling instance.
  std::uint64_t views = 0, view_entries = 0, breakers = 0;
  for (std::size_t s = 0; s < model.services.size(); ++s) {
    for (const sim::Operation& operation : model.services[s].operations) {
      for (const sim::Step& step : operation.steps) {
        for (const sim::CallStep& call : step.calls) {
          const std::uint64_t callers = call.policy.scope == sim::ClientStateScope::per_caller_instance ? instances_of[s] : 1;
          views = plus(views, callers);
          view_entries = plus(view_entries, times(callers, instances_of[call.service]));
          if (call.policy.breaker.enabled) {
            breakers = plus(breakers, call.policy.breaker.scope == sim::BreakerScope::per_caller_instance ? instances_of[s] : 1);
          }
        }
      }
    }
  }
  std::uint64_t users = 0;
  for (const sim::ClientConfig& client : model.clients) {
    views = plus(views, 1);
    view_entries = plus(view_entries, instances_of[client.service]);
    if (client.policy.breaker.enabled) breakers = plus(breakers, 1);
    if (client.closed_loop) users = plus(users, client.users);
  }
  // Zone pairs take memory only when the scenario overrides their latency or a fault acts on
  // them: a link fault names both zones, or one of them (then every zone on the other side).
  std::uint64_t links = model.network.links.size();
  for (const faults::FaultSpec& fault : scenario.faults) {
    const faults::Target& target = fault.target;
    if (!target.from_zone && !target.to_zone && fault.kind != faults::FaultKind::partition) continue;
    const std::uint64_t one_way = times(target.from_zone ? 1 : zones, target.to_zone ? 1 : zones);
    links = plus(links, times(one_way, target.both_directions ? 2 : 1));
  }
  const std::uint64_t entities = model.services.size() + model.clients.size();
  const sim::TimeNs bucket = model.bucket_ns > 0 ? model.bucket_ns : sim::kSecond;
  const std::uint64_t buckets = static_cast<std::uint64_t>(model.duration_ns / bucket + 1);

  estimate.parts = {
      {"zones (" + count_text(zones) + ")", times(zones, kZoneBytes)},
      {"zone pairs with a latency of their own or a fault (" + count_text(links) + ")", times(links, kLinkBytes)},
      {"services and clients (" + count_text(entities) + ", each with its latency histograms)", times(entities, kEntityBytes)},
      {"time series (" + count_text(buckets) + " buckets for each of " + count_text(entities) + " services and clients)",
       times(times(buckets, entities), kBucketBytes)},
      {"closed-loop users (" + count_text(users) + ")", times(users, kUserBytes)},
      {"instances (" + count_text(instances) + ")", times(instances, kInstanceBytes)},
      {"callers' views of their callees (" + count_text(views) + " views listing " + count_text(view_entries) +
           " callee instances in all)",
       plus(times(views, kViewBytes), times(view_entries, kViewEntryBytes))},
      {"circuit breakers (" + count_text(breakers) + ")", times(breakers, kBreakerBytes)},
  };
  std::stable_sort(estimate.parts.begin(), estimate.parts.end(),
                   [](const MemoryPart& a, const MemoryPart& b) { return a.bytes > b.bytes; });
  estimate.total_bytes = kBaseBytes;
  for (const MemoryPart& part : estimate.parts) estimate.total_bytes = plus(estimate.total_bytes, part.bytes);
  return estimate;
}

void check_memory_budget(const Scenario& scenario, std::uint64_t budget_bytes) {
  if (budget_bytes == 0) return;
  const MemoryEstimate estimate = estimate_memory(scenario);
  if (estimate.total_bytes <= budget_bytes) return;
  std::string needs;
  for (std::size_t i = 0; i < estimate.parts.size() && i < 2; ++i) {
    if (estimate.parts[i].bytes == 0) break;
    needs += (needs.empty() ? "" : "; ") + estimate.parts[i].what + ": about " + bytes_text(estimate.parts[i].bytes);
  }
  // Suggest a budget with room to spare, in whole GiB.
  const std::uint64_t suggested_gib = std::min<std::uint64_t>(estimate.total_bytes / (1ull << 30) * 3 / 2 + 1, 1ull << 20);
  throw LimitError(scenario.file, {}, "", "max_memory", "--max-memory",
                   "limit hit: max_memory: the model needs about " + bytes_text(estimate.total_bytes) + " (" + needs + "), over the memory budget of " +
                       bytes_text(budget_bytes) + "; raise it with --max-memory " + std::to_string(suggested_gib) +
                       "GiB if the machine has that much, or make the model smaller");
}

std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::string bytes_text(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  char text[48];
  if (unit == 0) std::snprintf(text, sizeof text, "%llu bytes", static_cast<unsigned long long>(bytes));
  else std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value, units[unit]);
  return text;
}

std::uint64_t parse_bytes(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return 0;
  const std::uint64_t number = std::stoull(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  int shift = -1;
  if (unit.empty() || unit == "B") shift = 0;
  else if (unit == "K" || unit == "KiB") shift = 10;
  else if (unit == "M" || unit == "MiB") shift = 20;
  else if (unit == "G" || unit == "GiB") shift = 30;
  else if (unit == "T" || unit == "TiB") shift = 40;
  if (shift < 0 || number > (UINT64_MAX >> shift)) return 0;
  return number << shift;
}

}  // namespace faultline::harness
