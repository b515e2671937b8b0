// Helpers shared by the commands beyond run/validate/schema: reading JSON documents written
// by faultline, flag values, shell quoting for replay commands.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace faultline::harness {

// A wrong command line (exit 2, with the command's usage).
struct CommandUsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads and parses a JSON document (a report, a sweep, a shard). Throws InputError naming the
// file, and the line and column of a syntax error.
nlohmann::ordered_json read_json_file(const std::string& path);

// Quotes `word` for a POSIX shell when it needs it: "a b" -> 'a b'.
std::string shell_quote(const std::string& word);

// The value after args[i] (advancing i), or CommandUsageError naming the flag.
const std::string& flag_value(const std::vector<std::string>& args, std::size_t& i);

std::uint64_t parse_count(const std::string& flag, const std::string& text);

// "K/N" with 1 <= K <= N.
struct Shard {
  std::uint64_t index = 1;  // K, 1-based
  std::uint64_t count = 1;  // N
};
Shard parse_shard(const std::string& text);

}  // namespace faultline::harness
