// A JSON reader that remembers where every value came from, so errors can name
// file:line:column and the JSON pointer of the offending value.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace faultline::harness {

struct SourceLocation {
  std::uint32_t line = 0;    // 1-based; 0 when unknown
  std::uint32_t column = 0;  // 1-based, in bytes
};

// A problem with the input: what was expected, where, and at which JSON pointer.
struct InputError : std::runtime_error {
  InputError(std::string file, SourceLocation where, std::string pointer, std::string message);
  std::string file;
  SourceLocation where;
  std::string pointer;  // RFC 6901, "" for the whole document
  std::string message;  // what was expected, e.g. "expected a duration like \"250ms\""
};

inline constexpr const char* kStdinName = "<stdin>";

struct JsonLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;  // larger files are refused (the 100-service benchmark mesh is 83 KiB)
  std::size_t max_depth = 64;                // deeper nesting is refused
};

// A parsed document and the location of every value in it, keyed by JSON pointer.
// For an object member the location is that of the member's key.
class JsonSource {
 public:
  // Parses `text`; throws InputError naming the line and column of a syntax error.
  // Rejects: invalid UTF-8, duplicate keys in one object, NaN/Infinity, numbers that overflow a
  // double, nesting deeper than limits.max_depth, text longer than limits.max_bytes.
  static JsonSource parse(std::string file, std::string_view text, const JsonLimits& limits = {});

  // Reads the file and parses it; an unreadable file is an InputError with line 0. The path "-"
  // reads standard input, named kStdinName in messages. A command's input file: SIGINT or
  // SIGTERM while it is read, parsed or loaded (see interruptible()) throws Interrupted.
  static JsonSource load(const std::string& path, const JsonLimits& limits = {});

  // Reads a whole input file of at most `max_bytes` (an InputError beyond). A regular file or a
  // FIFO (as from `<(...)`) is read; a FIFO is read without blocking on a missing writer (it
  // reads as empty) and waits at most 10 s for each chunk of data. Devices, sockets and
  // folders are refused.
  static std::string read_input_file(const std::string& path, std::size_t max_bytes);

  const nlohmann::ordered_json& root() const { return root_; }
  const std::string& file() const { return file_; }
  std::string_view text() const { return text_; }

  // True for a document read by load() (a command's input): its loading stops at SIGINT or
  // SIGTERM (harness::Interrupted, exit 4). Texts parsed during a run (explore's candidates,
  // sweep's swarm scenarios) leave interrupts to the run, which keeps its partial progress.
  bool interruptible() const { return interruptible_; }

  // The location of the value at `pointer`, or of its nearest parent that has one.
  SourceLocation locate(const std::string& pointer) const;

  // An InputError at `pointer`, located in this file.
  InputError error(const std::string& pointer, std::string message) const;

 private:
  std::string file_;
  std::string text_;
  nlohmann::ordered_json root_;
  std::map<std::string, SourceLocation> locations_;
  bool interruptible_ = false;
  friend class JsonSourceBuilder;
};

// "file:line:column: at /services/0/workers: expected an integer >= 1"
std::string format_error(const InputError& error);

// Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string pointer_token(std::string_view key);

}  // namespace faultline::harness
