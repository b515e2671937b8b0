// The caller's side of a topology edge, as text.
#include "gui/model/edge_counters.hpp"

#include <utility>

#include "gui/model/format.hpp"

namespace faultline::gui {
namespace {

void add(sim::CallSiteCounters& into, const sim::CallSiteCounters& c) {
  into.attempts += c.attempts;
  into.ok += c.ok;
  into.errors += c.errors;
  into.timeouts += c.timeouts;
  into.unavailable += c.unavailable;
  into.short_circuited += c.short_circuited;
  into.shed += c.shed;
  into.breaker_opens += c.breaker_opens;
  into.degraded += c.degraded;
  into.fallbacks += c.fallbacks;
  into.hedged += c.hedged;
  into.rate_limited += c.rate_limited;
  into.throttled += c.throttled;
  into.rate_waited += c.rate_waited;
  into.bulkhead_full += c.bulkhead_full;
  into.cancelled += c.cancelled;
  into.deadline_exceeded += c.deadline_exceeded;
  into.connection_refused += c.connection_refused;
}

std::string count(std::uint64_t n) { return std::to_string(n); }

}  // namespace

CallerSide caller_side(const TopoEdge& edge, const sim::Results& results) {
  CallerSide out;
  for (std::uint32_t s : edge.sites) {
    if (s < results.sites.size()) add(out.sum, results.sites[s]);
  }
  const sim::CallSiteCounters& sum = out.sum;
  if (sum.attempts == 0) return out;
  out.lines.push_back(count(sum.attempts) + " attempts, " +
                      format_percent(static_cast<double>(sum.ok) / static_cast<double>(sum.attempts)) + " ok");
  out.lines.push_back("failed: " + count(sum.errors) + " error, " + count(sum.timeouts) + " timeout, " +
                      count(sum.unavailable) + " unavailable");
  out.lines.push_back(count(sum.short_circuited) + " short-circuited, " + count(sum.shed) + " shed, " +
                      count(sum.breaker_opens) + " breaker openings");
  // Counters of the resilience patterns that are off by default: shown once one has counted.
  const std::pair<const char*, std::uint64_t> optional[] = {
      {"degraded", sum.degraded},   {"fallbacks", sum.fallbacks},         {"hedged", sum.hedged},
      {"rate-limited (429)", sum.rate_limited}, {"throttled", sum.throttled}, {"waited for a token", sum.rate_waited},
      {"bulkhead full", sum.bulkhead_full}, {"cancelled", sum.cancelled}, {"deadline exceeded", sum.deadline_exceeded},
      {"of the errors refused connections", sum.connection_refused}};
  std::string extra;
  for (const auto& [name, n] : optional) {
    if (n == 0) continue;
    extra += (extra.empty() ? "" : ", ") + count(n) + " " + name;
  }
  if (!extra.empty()) out.lines.push_back(std::move(extra));
  return out;
}

}  // namespace faultline::gui
