// Scenario text as the editor and the open dialog see it: reading a scenario or a saved report
// (whose embedded scenario source is replayed), and validating text into located diagnostics.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario.hpp"

namespace faultline::gui {

struct Diagnostic {
  std::uint32_t line = 0;    // 1-based; 0 when unknown
  std::uint32_t column = 0;  // 1-based
  std::string pointer;       // JSON pointer of the offending value
  std::string message;
  bool limit = false;        // a resource limit rather than an input error
};

struct Validation {
  std::shared_ptr<const harness::Scenario> scenario;  // set when the text is valid
  std::vector<Diagnostic> diagnostics;                // every schema problem, or the first semantic one
};

// Parses, schema-checks and loads `text` as the scenario file `file`.
Validation validate_scenario_text(const std::string& file, std::string_view text);

// A file the user opened: a scenario, or a report.json that embeds its scenario's source.
struct OpenedFile {
  std::string path;
  std::string scenario_text;
  bool is_report = false;
  std::optional<std::uint64_t> seed;  // a report's seed
  std::string report_trace_hash;      // "0x..." as the report states it
  std::string report_version;
};

// Reads `path`. Throws std::runtime_error with a readable message when it cannot be read, or
// is a report without a scenario source.
OpenedFile read_input_file(const std::string& path);

// "file:12:5: at /services/0/workers: expected an integer >= 1"
std::string format_diagnostic(const std::string& file, const Diagnostic& d);

}  // namespace faultline::gui
