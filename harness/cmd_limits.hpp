// The resource-limit flags every command that loads or runs scenarios takes (run, validate,
// sweep, and later ones): one parser, one help text, so they read the same everywhere.
#pragma once
#include "harness/cmd_common.hpp"
#include "harness/loader.hpp"
#include "harness/runner.hpp"

namespace faultline::harness {

struct LimitFlags {
  LimitFlags();  // the memory budget's default (harness/memory_budget.hpp)
  LoadLimits load;
  RunLimits run;
};

// Takes the next argument if it is a limit flag (--max-events, --max-in-flight, --max-wall,
// --max-instances, --max-services, --max-clients, --max-users, --max-rate, --max-sim-time).
bool take_limit_flag(ArgParser& args, LimitFlags& limits);

// The "limits" section of a command's --help.
extern const char* const kLimitsHelp;

}  // namespace faultline::harness
