// The run report (report.json): a pure function of the scenario bytes, the seed and the
// faultline version. No wall-clock time, host name or path goes into it.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "faults/fault.hpp"
#include "sim/engine.hpp"

namespace faultline::reports {

inline constexpr const char* kVersion = FAULTLINE_VERSION;

struct AssertionResult {
  std::string name;
  std::string type;
  bool passed = false;
  std::string expected;       // e.g. ">= 99.9% of requests ok"
  std::string observed;       // e.g. "99.95% (19990 of 20000)"
  double observed_value = 0;  // the number behind `observed`
};

struct RunInput {
  std::string scenario_name;
  std::string scenario_description;
  std::string scenario_bytes;
  std::uint64_t seed = 0;
  const sim::Engine* engine = nullptr;
  std::span<const faults::FaultSpec> faults;
  std::span<const AssertionResult> assertions;
};

// Builds the report document. Keys keep a fixed order.
nlohmann::ordered_json build_run_report(const RunInput& input);

// The report as written: two-space indented JSON and a final newline.
std::string render_json(const nlohmann::ordered_json& document);

// "0x" + 16 hex digits.
std::string hex64(std::uint64_t value);

// Milliseconds with at most three decimals ("3.204"), as a JSON number.
double round_ms(sim::TimeNs ns);

}  // namespace faultline::reports
