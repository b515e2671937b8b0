// The `faultline` program's entry: finds the command in the table, answers --help and
// --version, and turns every error into its exit code and one located message.
#include "harness/cli.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <poll.h>
#include <unistd.h>
#include <string>
#include <vector>

#include "harness/cmd_common.hpp"
#include "harness/commands.hpp"
#include "harness/interrupt.hpp"
#include "harness/json_source.hpp"
#include "harness/loader.hpp"
#include "harness/output.hpp"
#include "harness/runner.hpp"
#include "reports/report.hpp"

namespace faultline::harness {
namespace {

// `--help` or `-h` anywhere among a command's arguments (before a "--") asks for its usage.
bool asks_for_help(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

std::string closest_command(const std::string& name) {
  std::string best;
  std::size_t best_distance = 3;
  for (const Command& command : command_table()) {
    const std::size_t distance = edit_distance(name, command.name);
    if (distance < best_distance) {
      best_distance = distance;
      best = command.name;
    }
  }
  return best;
}

int dispatch(std::vector<std::string> args, std::string& command_name) {
  if (args.empty()) {
    print_overview(stderr);
    return kExitInput;
  }
  const std::string first = args[0];
  if (first == "--help" || first == "-h") {
    if (args.size() > 1) throw UsageError("unexpected argument \"" + args[1] + "\" after " + first);
    print_overview(stdout);
    return kExitPassed;
  }
  if (first == "--version" || first == "-V") {
    if (args.size() > 1) throw UsageError("unexpected argument \"" + args[1] + "\" after " + first);
    std::printf("faultline %s\n", reports::kVersion);
    return kExitPassed;
  }
  const Command* command = find_command(first);
  if (command == nullptr) {
    const std::string suggestion = closest_command(first);
    throw UsageError("unknown command \"" + first + "\"" +
                     (suggestion.empty() ? std::string() : " (did you mean \"" + suggestion + "\"?)"));
  }
  command_name = first;
  args.erase(args.begin());
  if (asks_for_help(args)) {
    print_command_usage(stdout, *command);
    return kExitPassed;
  }
  return command->run(args);
}

// Standard output must have taken everything printed to it. A reader that closed its pipe
// early (`faultline schema | head -c 10`) makes the writes fail with EPIPE (SIGPIPE is ignored,
// see install_interrupt_handlers); a full device (`> /dev/full`) with ENOSPC. Either is exit
// 2 with one line on stderr, as for any output that cannot be written, rather than death by
// SIGPIPE (exit status 141, outside the contract's codes) or a silent exit 0.
int check_standard_output(int code) {
  std::cout.flush();
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int error = errno;
  if (flushed && !std::ferror(stdout) && !std::cout.bad()) return code;
  pollfd out{STDOUT_FILENO, POLLOUT, 0};
  const bool reader_gone = error == EPIPE || (::poll(&out, 1, 0) == 1 && (out.revents & POLLERR) != 0);
  if (reader_gone) {
    std::fprintf(stderr, "faultline: cannot write standard output: its reader closed the pipe before the end (EPIPE); "
                         "what it read is incomplete\n");
  } else {
    std::fprintf(stderr, "faultline: cannot write standard output: %s; what it received is incomplete\n",
                 std::strerror(error != 0 ? error : EIO));
  }
  return code == kExitPassed || code == kExitFailed ? kExitInput : code;
}

int run_cli_checked(int argc, char** argv);

}  // namespace

int run_cli(int argc, char** argv) { return check_standard_output(run_cli_checked(argc, argv)); }

namespace {

int run_cli_checked(int argc, char** argv) {
  std::string command_name;
  try {
    return dispatch(std::vector<std::string>(argv + 1, argv + argc), command_name);
  } catch (const UsageError& e) {
    // One line for the problem, one for where to look: never the whole usage.
    std::fprintf(stderr, "faultline: %s\n", e.what());
    if (command_name.empty()) std::fprintf(stderr, "see 'faultline --help'\n");
    else std::fprintf(stderr, "see 'faultline %s --help'\n", command_name.c_str());
    return kExitInput;
  } catch (const InputError& e) {
    std::fprintf(stderr, "faultline: %s\n", format_error(e).c_str());
    return kExitInput;
  } catch (const LimitError& e) {
    std::fprintf(stderr, "faultline: %s\n", e.what());
    return kExitLimit;
  } catch (const OutputError& e) {
    std::fprintf(stderr, "faultline: %s\n", e.what());
    return kExitInput;
  } catch (const WallBudgetSpent& e) {
    std::fprintf(stderr, "faultline: %s; %s\n", e.what(), e.written.empty() ? "nothing was written" : e.written.c_str());
    return kExitLimit;
  } catch (const Interrupted& e) {
    std::fprintf(stderr, "faultline: %s\n", e.what());
    return kExitLimit;
  } catch (const OutputsInterrupted& e) {
    std::fprintf(stderr, "faultline: %s\n", e.what());
    return kExitLimit;
  } catch (const InvariantFailure& e) {
    // A simulator bug, reported as the invariant it broke (exit 3), not as an internal error.
    std::fprintf(stderr, "faultline: %s\n", e.what());
    return kExitInternal;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "faultline: out of memory (a resource limit; reduce the scenario's size)\n");
    return kExitLimit;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faultline: internal error: %s\n", e.what());
    return kExitInternal;
  }
}

}  // namespace

}  // namespace faultline::harness
