// What the subcommands share: the argument parser, number parsing, JSON files, shell quoting.
#include "harness/cmd_common.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "harness/duration.hpp"
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

ArgParser::ArgParser(std::string command, const std::vector<std::string>& args)
    : command_(std::move(command)), args_(args) {}

void ArgParser::note_once(std::string_view name) {
  if (!seen_.insert(std::string(name)).second) {
    throw UsageError(std::string(name) + " is given twice; give it once");
  }
}

bool ArgParser::take_value(std::string_view name, std::string& value) {
  known_.emplace_back(name);
  if (done() || operands_only_) return false;
  const std::string& arg = args_[next_];
  if (arg == name) {
    if (next_ + 1 >= args_.size()) throw UsageError(std::string(name) + " needs a value");
    value = args_[next_ + 1];
    next_ += 2;
    return true;
  }
  if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 && arg[name.size()] == '=') {
    value = arg.substr(name.size() + 1);
    ++next_;
    return true;
  }
  return false;
}

bool ArgParser::flag(std::string_view name, bool& value) {
  known_.emplace_back(name);
  if (done() || operands_only_) return false;
  const std::string& arg = args_[next_];
  if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 && arg[name.size()] == '=') {
    throw UsageError(std::string(name) + " takes no value (got \"" + arg + "\")");
  }
  if (arg != name) return false;
  note_once(name);
  value = true;
  ++next_;
  return true;
}

bool ArgParser::option(std::string_view name, std::string& value) {
  std::string taken;
  if (!take_value(name, taken)) return false;
  note_once(name);
  value = std::move(taken);
  return true;
}

bool ArgParser::repeated(std::string_view name, std::vector<std::string>& values) {
  std::string taken;
  if (!take_value(name, taken)) return false;
  values.push_back(std::move(taken));
  return true;
}

bool ArgParser::operand(std::string& value) {
  if (done()) return false;
  const std::string& arg = args_[next_];
  if (!operands_only_ && arg == "--") {
    operands_only_ = true;
    ++next_;
    return false;
  }
  if (!operands_only_ && arg.size() > 1 && arg[0] == '-') return false;
  value = arg;
  ++next_;
  return true;
}

void ArgParser::reject() const {
  if (done()) throw UsageError(command_ + ": unexpected end of arguments");
  const std::string& arg = args_[next_];
  if (operands_only_ || arg.size() <= 1 || arg[0] != '-') unexpected(arg, "");
  const std::string name = arg.substr(0, arg.find('='));
  std::string message = command_ + ": unknown option " + name;
  const std::string* closest = nullptr;
  std::size_t best = 3;
  for (const std::string& candidate : known_) {
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best) {
      best = distance;
      closest = &candidate;
    }
  }
  if (closest != nullptr) message += " (did you mean " + *closest + "?)";
  throw UsageError(message);
}

void ArgParser::unexpected(const std::string& value, const std::string& why) const {
  throw UsageError(command_ + ": unexpected argument \"" + value + "\"" + (why.empty() ? "" : " (" + why + ")"));
}

std::uint64_t parse_u64(const std::string& flag, const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw UsageError(flag + ": expected a non-negative integer, got \"" + text + "\"");
  }
  return value;
}

double parse_positive(const std::string& flag, const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !(value > 0) || !std::isfinite(value)) {
    throw UsageError(flag + ": expected a positive number, got \"" + text + "\"");
  }
  return value;
}

double parse_percent(const std::string& flag, const std::string& text) {
  const std::string_view number = !text.empty() && text.back() == '%' ? std::string_view(text).substr(0, text.size() - 1)
                                                                       : std::string_view(text);
  double value = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || error != std::errc() || end != number.data() + number.size() || !(value >= 0) ||
      !std::isfinite(value)) {
    throw UsageError(flag + ": expected a percentage like 10%, got \"" + std::string(number) + "\"");
  }
  return value;
}

sim::TimeNs parse_duration(const std::string& flag, const std::string& text) {
  std::string why;
  const auto value = parse_go_duration(text, &why);
  if (!value || *value <= 0) throw UsageError(flag + ": expected a positive duration like \"5m\", got \"" + text + "\"");
  return *value;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  Shard shard;
  if (slash == std::string::npos) throw UsageError("--shard: expected K/N like 2/8, got \"" + text + "\"");
  shard.index = parse_u64("--shard", text.substr(0, slash));
  shard.count = parse_u64("--shard", text.substr(slash + 1));
  if (shard.count == 0 || shard.index == 0 || shard.index > shard.count) {
    throw UsageError("--shard: expected K/N with 1 <= K <= N, got \"" + text + "\"");
  }
  return shard;
}

}  // namespace faultline::harness
