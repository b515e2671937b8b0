// `faultline validate FILE...`: every schema and semantic error of each file, located, up to a
// cap per file; a JSON Schema among the files (the glob scenarios/*.json picks up
// scenarios/faultline.schema.json) is recognised and skipped.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "harness/cli.hpp"
#include "harness/cmd_limits.hpp"
#include "harness/cmd_run_outputs.hpp"
#include "harness/commands.hpp"
#include "harness/schema_text.hpp"

namespace faultline::harness {
namespace {

// A JSON Schema names its metaschema in "$schema"; a scenario names faultline's schema file.
bool is_json_schema(const JsonSource& source) {
  const auto& root = source.root();
  if (!root.is_object() || !root.contains("$schema") || !root["$schema"].is_string()) return false;
  const std::string& meta = root["$schema"].get_ref<const std::string&>();
  return meta.find("json-schema.org/") != std::string::npos;
}

struct ValidateFlags {
  LimitFlags limits;
  std::vector<std::string> files;
  bool github = false;
  std::uint64_t max_errors = kDefaultMaxErrors;
};

ValidateFlags parse_validate_flags(const std::vector<std::string>& raw) {
  ValidateFlags flags;
  ArgParser args("validate", raw);
  while (!args.done()) {
    std::string value;
    if (take_limit_flag(args, flags.limits) || args.flag("--github", flags.github)) continue;
    if (args.option("--max-errors", value)) {
      flags.max_errors = parse_u64("--max-errors", value);
      if (flags.max_errors == 0) throw UsageError("--max-errors: expected at least 1");
    } else if (args.operand(value)) {
      flags.files.push_back(value);
    } else if (!args.done()) {
      args.reject();
    }
  }
  if (flags.files.empty()) throw UsageError("validate: which files? (faultline validate FILE...)");
  return flags;
}

void report_error(const ValidateFlags& flags, const InputError& e) {
  std::cerr << format_error(e) << "\n";
  if (flags.github) print_github_input_error(std::cout, e.file, e.where, format_error(e));
}

// Validates one file; returns its exit code.
int validate_file(const ValidateFlags& flags, const std::string& file) {
  try {
    const JsonSource source = JsonSource::load(file);
    if (is_json_schema(source)) {
      const bool ours = source.text() == std::string_view(scenario_schema_text());
      std::cout << source.file() << ": skipped: "
                << (ours ? "the scenario JSON Schema itself (the same as faultline schema)" : "a JSON Schema, not a scenario")
                << "\n";
      return kExitPassed;
    }
    const ScenarioErrors found = scenario_errors(source, flags.limits.load, flags.max_errors);
    for (const InputError& e : found.errors) report_error(flags, e);
    if (found.more) {
      std::cerr << source.file() << ": stopped after " << found.errors.size()
                << " errors; fix these first (--max-errors N lists more)\n";
    }
    if (!found.errors.empty()) return kExitInput;
    if (found.limit) {
      std::cerr << found.limit->what() << "\n";
      if (flags.github) print_github_input_error(std::cout, found.limit->file, found.limit->where, found.limit->what());
      return kExitLimit;
    }
    std::cout << source.file() << ": valid\n";
    return kExitPassed;
  } catch (const InputError& e) {
    report_error(flags, e);
    return kExitInput;
  }
}

}  // namespace

const char* const kValidateUsage =
    "usage: faultline validate FILE... [--max-errors N] [--github] [limits]\n"
    "\n"
    "Checks each scenario against the schema and the semantic rules (references, duplicates,\n"
    "cycles, limits) without running it, and prints every error it finds, each as\n"
    "file:line:column, JSON pointer and what was expected (at most N per file, default 20), or\n"
    "\"FILE: valid\". FILE may be \"-\" for standard input. A JSON Schema among the files (such as\n"
    "scenarios/faultline.schema.json, which scenarios/*.json includes) is skipped with a note.\n"
    "Exit 0 when every file is valid, 2 when one is not, 4 when one exceeds a limit.\n"
    "\n"
    "options:\n"
    "  --max-errors N         list at most N errors per file (default 20)\n"
    "  --github               also print each error as a GitHub ::error annotation on stdout\n"
    "\n";

int command_validate(const std::vector<std::string>& raw) {
  const ValidateFlags flags = parse_validate_flags(raw);
  int exit_code = kExitPassed;
  for (const std::string& file : flags.files) {
    const int code = validate_file(flags, file);
    // The highest code wins, as before: a limit (4) over bad input (2) over valid (0).
    exit_code = std::max(exit_code, code);
  }
  return exit_code;
}

}  // namespace faultline::harness
