// The verdict printout, and the hook for commands beyond run/validate/schema.
#include "harness/commands.hpp"

#include <cstdio>

namespace faultline::harness {

void print_verdict(std::ostream& out, const Scenario& scenario, std::uint64_t seed, const RunResult& result) {
  const sim::Results& r = result.engine->results();
  out << "scenario: " << scenario.name << " (seed " << seed << ")\n";
  for (const auto& c : r.clients) {
    char line[256];
    const std::uint64_t failed = c.totals.errors + c.totals.timeouts + c.totals.rejected + c.totals.unavailable;
    std::snprintf(line, sizeof line, "  client %-16s requests %llu  ok %llu  failed %llu  retries %llu  p50 %.3fms  p99 %.3fms\n",
                  c.name.c_str(), static_cast<unsigned long long>(c.totals.requests),
                  static_cast<unsigned long long>(c.totals.ok), static_cast<unsigned long long>(failed),
                  static_cast<unsigned long long>(c.totals.retries), static_cast<double>(c.latency.percentile(50)) / 1e6,
                  static_cast<double>(c.latency.percentile(99)) / 1e6);
    out << line;
  }
  for (const auto& a : result.assertions) {
    out << "  [" << (a.passed ? "PASS" : "FAIL") << "] " << a.name << ": expected " << a.expected << ", observed "
        << a.observed << "\n";
  }
  out << (result.passed ? "PASS" : "FAIL") << "  trace_hash " << reports::hex64(r.trace_hash) << "\n";
}

int run_extra_command(const std::string& /*command*/, const std::vector<std::string>& /*args*/) { return -1; }

}  // namespace faultline::harness
