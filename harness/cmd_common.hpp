// What every subcommand shares: the one usage-error type, the one argument parser (flags,
// `--opt value` and `--opt=value`, operands, duplicates and strays refused), the one way to
// parse numbers and durations on the command line, reading JSON written by faultline, and shell
// quoting for replay commands.
#pragma once
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/time.hpp"

namespace faultline::harness {

// A wrong command line: exit 2 with the one-line problem and a one-line hint naming the
// command's --help.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Walks one command's arguments in order. Each loop iteration offers the next argument to the
// parser's matchers; the first that matches consumes it. Single-valued options and flags given
// twice, and arguments nobody matched, are usage errors.
//
//   ArgParser args("run", raw);
//   while (!args.done()) {
//     if (args.option("--report", report_path)) continue;
//     if (args.flag("--stats", stats)) continue;
//     if (std::string file; args.operand(file)) { ...; continue; }
//     args.reject();
//   }
class ArgParser {
 public:
  ArgParser(std::string command, const std::vector<std::string>& args);

  bool done() const { return next_ >= args_.size(); }
  const std::string& command() const { return command_; }

  // The next argument is the boolean flag `name`; sets `value` to true. Twice: UsageError.
  bool flag(std::string_view name, bool& value);
  // The next argument is `name VALUE` or `name=VALUE`; stores VALUE. Twice: UsageError.
  bool option(std::string_view name, std::string& value);
  // The same, for an option that may be given more than once (each value appended).
  bool repeated(std::string_view name, std::vector<std::string>& values);
  // The next argument is an operand: anything not starting with '-', "-" itself (standard
  // input or output), and everything after "--".
  bool operand(std::string& value);

  // Throws the usage error for the next argument, which no matcher took: an unknown option
  // (with the closest known one when it is a plausible typo) or an unexpected operand.
  [[noreturn]] void reject() const;
  // Throws "unexpected argument VALUE (WHY)" for an operand the command has no place for.
  [[noreturn]] void unexpected(const std::string& value, const std::string& why) const;

 private:
  bool take_value(std::string_view name, std::string& value);
  void note_once(std::string_view name);

  std::string command_;
  std::vector<std::string> args_;
  std::size_t next_ = 0;
  bool operands_only_ = false;  // after "--"
  std::set<std::string, std::less<>> seen_;
  std::vector<std::string> known_;  // every option name offered so far, for suggestions
};

// The one way the command line reads numbers. Each throws UsageError naming the flag.
std::uint64_t parse_u64(const std::string& flag, const std::string& text);
double parse_positive(const std::string& flag, const std::string& text);
double parse_percent(const std::string& flag, const std::string& text);  // "10%" or "10" -> 10, >= 0
sim::TimeNs parse_duration(const std::string& flag, const std::string& text);  // "5m", > 0

// The edit distance between two short words (insertions, deletions, substitutions).
std::size_t edit_distance(std::string_view a, std::string_view b);

// Reads and parses a JSON document (a report, a sweep, a shard). Throws InputError naming the
// file, and the line and column of a syntax error.
nlohmann::ordered_json read_json_file(const std::string& path);

// Quotes `word` for a POSIX shell when it needs it: "a b" -> 'a b'.
std::string shell_quote(const std::string& word);

// "K/N" with 1 <= K <= N.
struct Shard {
  std::uint64_t index = 1;  // K, 1-based
  std::uint64_t count = 1;  // N
};
Shard parse_shard(const std::string& text);

}  // namespace faultline::harness
