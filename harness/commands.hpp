// The subcommands of `faultline`: one table of name, synopsis, usage and function. A new
// command is one entry in kCommands (commands.cpp) and one function; `faultline --help`,
// `faultline help NAME`, `NAME --help` and the usage-error hint all read the table.
#pragma once
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/runner.hpp"
#include "harness/scenario.hpp"

namespace faultline::harness {

struct Command {
  std::string_view name;
  std::string_view synopsis;  // "SCENARIO.json [options]": the arguments, for `faultline --help`
  std::string_view summary;   // what it does, a few words
  const char* const* usage;   // the full `faultline NAME --help` text (a pointer to the command's constant)
  int (*run)(const std::vector<std::string>& args);  // the arguments after NAME; returns the exit code
  bool limit_flags = false;   // takes the resource-limit flags (their help is appended to usage)
};

// Every command, in the order `faultline --help` lists them.
std::span<const Command> command_table();
const Command* find_command(std::string_view name);

// `faultline --help`: every command's synopsis and summary, the exit codes.
void print_overview(std::FILE* out);
// `faultline NAME --help`: the command's usage (and the limit flags when it takes them).
void print_command_usage(std::FILE* out, const Command& command);

// The human verdict printed after a run: one line per assertion and a PASS/FAIL line.
void print_verdict(std::ostream& out, const Scenario& scenario, std::uint64_t seed, const RunResult& result);

// The commands' functions and --help texts (each defined in its own cmd_*.cpp).
int command_run(const std::vector<std::string>& args);
int command_validate(const std::vector<std::string>& args);
int command_compare(const std::vector<std::string>& args);
int command_sweep(const std::vector<std::string>& args);
int command_merge(const std::vector<std::string>& args);
int command_init(const std::vector<std::string>& args);
extern const char* const kRunUsage;
extern const char* const kValidateUsage;
extern const char* const kSweepUsage;
extern const char* const kMergeUsage;
extern const char* const kCompareUsage;
extern const char* const kInitUsage;

}  // namespace faultline::harness
