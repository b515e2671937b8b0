// One live run: proxies per bound instance, the scenario's faults applied at their instants in
// real time, the open-loop generator driving the clients, then the same assertions and report
// as a simulated run (reports/ and harness/assertions), marked "mode": "live".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/live/binding.hpp"
#include "harness/scenario.hpp"
#include "reports/report.hpp"
#include "reports/trace.hpp"

namespace faultline::live {

struct LiveOptions {
  std::uint64_t seed = 1;
  bool skip_unsupported = false;  // faults without a live meaning are listed and skipped
  std::size_t trace_max_events = 0;  // > 0: render the trace (--trace), at most this many events
  reports::TraceWindow trace_window;  // requests overlapping it, from the run's start (--trace-window)
};

struct LiveResult {
  nlohmann::ordered_json report;
  std::vector<reports::AssertionResult> assertions;
  bool passed = false;
  bool interrupted = false;
  std::string summary;  // the verdict lines for stdout
  std::string trace;    // Chrome/Perfetto trace events, when asked for (see reports/trace.hpp)
  std::uint64_t trace_dropped = 0;  // trace events the cap (--trace-max-events) left out
};

// The faults `live` cannot apply (no live meaning, or no bound proxy to act in), one line each
// naming the fault and why.
std::vector<std::string> unsupported_faults(const harness::Scenario& scenario, const Binding& binding);

// The clients' policies the generator does not apply (hedging), one line each naming the
// client and why; refused like the faults above unless --skip-unsupported.
std::vector<std::string> unsupported_client_policies(const harness::Scenario& scenario);

// Runs the scenario live against the bound system. Call check_binding_reachable first.
LiveResult run_live(const harness::Scenario& scenario, const Binding& binding, const LiveOptions& options);

}  // namespace faultline::live
