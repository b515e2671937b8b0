// Shared helpers of the sweep, merge and compare commands.
#include "harness/cmd_common.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "harness/json_source.hpp"

namespace faultline::harness {

nlohmann::ordered_json read_json_file(const std::string& path) {
  // Reports can be large (a long run at 1 ms buckets); 1 GiB is far beyond any the limits allow.
  constexpr std::size_t kMaxReportBytes = std::size_t{1} << 30;
  const std::string text = JsonSource::read_input_file(path, kMaxReportBytes);
  if (text.size() > kMaxReportBytes) throw InputError(path, {}, "", "the file is larger than 1 GiB; it is not a faultline report");
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // Turn the byte offset into a line and column, as every other input error does.
    SourceLocation where{1, 1};
    const std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    for (std::size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++where.line;
        where.column = 1;
      } else {
        ++where.column;
      }
    }
    throw InputError(path, where, "", "expected a JSON document written by faultline (it does not parse)");
  }
}

std::string shell_quote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                           std::string::npos) {
    return word;
  }
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

const std::string& flag_value(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size()) throw CommandUsageError(args[i] + " needs a value");
  return args[++i];
}

std::uint64_t parse_count(const std::string& flag, const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw CommandUsageError(flag + ": expected a non-negative integer, got \"" + text + "\"");
  }
  return value;
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  Shard shard;
  if (slash == std::string::npos) throw CommandUsageError("--shard: expected K/N like 2/8, got \"" + text + "\"");
  shard.index = parse_count("--shard", text.substr(0, slash));
  shard.count = parse_count("--shard", text.substr(slash + 1));
  if (shard.count == 0 || shard.index == 0 || shard.index > shard.count) {
    throw CommandUsageError("--shard: expected K/N with 1 <= K <= N, got \"" + text + "\"");
  }
  return shard;
}

}  // namespace faultline::harness
