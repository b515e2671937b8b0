// A strict RFC 8259 JSON reader that records the line and column of every value, so that
// errors found while loading a scenario can point at the exact place in the file.
#include "harness/json_source.hpp"
#include "harness/interrupt.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

namespace faultline::harness {

namespace {

std::string compose_error_text(const std::string& file, SourceLocation where,
                               const std::string& pointer, const std::string& message) {
  if (where.line == 0) return file + ": " + message;
  const std::string shown_pointer = pointer.empty() ? "(document root)" : pointer;
  return file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": at " +
         shown_pointer + ": " + message;
}

std::string hex_byte(unsigned char byte) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02x", byte);
  return buffer;
}

std::string code_point_name(std::uint32_t code_point) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", code_point);
  return buffer;
}

// Says a byte limit the way a person would write it: "16 MiB", "512 KiB" or "100 bytes".
std::string describe_byte_limit(std::size_t bytes) {
  constexpr std::size_t kKiB = 1024;
  constexpr std::size_t kMiB = 1024 * kKiB;
  if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  if (bytes >= kKiB && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
  return std::to_string(bytes) + "-byte";
}

std::string too_large_message(std::size_t max_bytes) {
  return "file is larger than the " + describe_byte_limit(max_bytes) + " limit";
}

// The length of the well-formed UTF-8 sequence starting at `at`, or 0 if it is not one.
// Overlong forms, UTF-16 surrogates and code points above U+10FFFF are not well formed.
std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(at + 1) < second_min || byte(at + 1) > second_max) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  }
  return length;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// When from_chars reports a number out of range, this tells overflow (an error) from underflow
// (which rounds to zero): it finds the decimal exponent of the first significant digit.
bool overflows_rather_than_underflows(std::string_view number) {
  const std::size_t exponent_at = number.find_first_of("eE");
  const std::string_view mantissa = number.substr(0, exponent_at);
  const std::size_t point_at = mantissa.find('.');
  const std::string_view integer_part = mantissa.substr(0, point_at);
  const std::string_view fraction_part =
      point_at == std::string_view::npos ? std::string_view{} : mantissa.substr(point_at + 1);
  long long leading_exponent = 0;
  if (const std::size_t first = integer_part.find_first_of("123456789");
      first != std::string_view::npos) {
    leading_exponent = static_cast<long long>(integer_part.size() - first) - 1;
  } else if (const std::size_t first_in_fraction = fraction_part.find_first_of("123456789");
             first_in_fraction != std::string_view::npos) {
    leading_exponent = -static_cast<long long>(first_in_fraction) - 1;
  }
  long long exponent = 0;
  if (exponent_at != std::string_view::npos) {
    std::string_view digits = number.substr(exponent_at + 1);
    const bool exponent_negative = digits.front() == '-';
    if (digits.front() == '+' || digits.front() == '-') digits.remove_prefix(1);
    // Saturate: any exponent past a billion decides the answer on its own.
    for (char c : digits) {
      if (exponent < 1'000'000'000) exponent = exponent * 10 + (c - '0');
    }
    if (exponent_negative) exponent = -exponent;
  }
  return leading_exponent + exponent > 0;
}

std::string escape_text(std::uint32_t unit) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "\\u%04x", unit);
  return buffer;
}

}  // namespace

InputError::InputError(std::string file_name, SourceLocation where_in_file,
                       std::string pointer_text, std::string message_text)
    : std::runtime_error(
          compose_error_text(file_name, where_in_file, pointer_text, message_text)),
      file(std::move(file_name)),
      where(where_in_file),
      pointer(std::move(pointer_text)),
      message(std::move(message_text)) {}

std::string format_error(const InputError& error) {
  return compose_error_text(error.file, error.where, error.pointer, error.message);
}

std::string pointer_token(std::string_view key) {
  std::string token;
  token.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

// The parser. It recurses once per nesting level, and refuses to go deeper than
// limits.max_depth, so the call depth is bounded by the limit and not by the input.
class JsonSourceBuilder {
 public:
  JsonSourceBuilder(JsonSource& source, const JsonLimits& limits)
      : source_(source), text_(source.text_), limits_(limits) {}

  void run() {
    if (text_.size() > limits_.max_bytes) {
      throw InputError(source_.file_, {}, "", too_large_message(limits_.max_bytes));
    }
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
      // A byte-order mark is not part of the document; columns on line 1 start after it.
      position_ = 3;
      line_start_ = 3;
    }
    skip_whitespace();
    if (at_end()) fail("empty file: expected a JSON object");
    source_.root_ = parse_value(0);
    skip_whitespace();
    if (!at_end()) {
      pointer_.clear();
      fail_expected("unexpected content after the JSON value: expected the end of the file");
    }
  }

 private:
  using Json = nlohmann::ordered_json;

  bool at_end() const { return position_ >= text_.size(); }
  char peek() const { return text_[position_]; }

  SourceLocation here() const { return location_of(position_); }
  SourceLocation location_of(std::size_t offset) const {
    return {static_cast<std::uint32_t>(line_),
            static_cast<std::uint32_t>(offset - line_start_ + 1)};
  }

  [[noreturn]] void fail_at(SourceLocation where, std::string message) const {
    throw InputError(source_.file_, where, pointer_, std::move(message));
  }
  [[noreturn]] void fail(std::string message) const { fail_at(here(), std::move(message)); }

  // Reports that something else was expected at the current byte, unless that byte starts
  // malformed UTF-8, which is the more useful thing to say.
  [[noreturn]] void fail_expected(std::string message) const {
    if (!at_end() && utf8_sequence_length(text_, position_) == 0) fail_invalid_utf8();
    fail(std::move(message));
  }

  [[noreturn]] void fail_invalid_utf8() const {
    const auto lead = static_cast<unsigned char>(peek());
    const bool lead_is_valid = (lead >= 0xC2 && lead <= 0xF4);
    if (lead_is_valid) fail("invalid UTF-8 sequence starting with byte " + hex_byte(lead));
    fail("invalid UTF-8 byte " + hex_byte(lead));
  }

  void skip_whitespace() {
    while (!at_end()) {
      const char c = peek();
      if (c == '\n') {
        ++line_;
        line_start_ = position_ + 1;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++position_;
    }
  }

  void record_location(SourceLocation where) { source_.locations_.emplace(pointer_, where); }

  Json parse_value(std::size_t depth) {
    if (at_end()) fail("expected a value, but the file ended");
    record_location(here());
    const char c = peek();
    if (c == '{' || c == '[') {
      if (depth + 1 > limits_.max_depth) {
        fail("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
      }
      return c == '{' ? parse_object(depth + 1) : parse_array(depth + 1);
    }
    if (c == '"') return Json(parse_string());
    if (c == '-' || is_digit(c)) return parse_number();
    if (is_letter(c)) return parse_word();
    if (c == '\'') fail("expected a value: strings must use double quotes");
    fail_expected("expected a value: an object, array, string, number, true, false or null");
  }

  Json parse_object(std::size_t depth) {
    Json object = Json::object();
    auto& members = object.get_ref<Json::object_t&>();
    ++position_;  // '{'
    skip_whitespace();
    if (!at_end() && peek() == '}') {
      ++position_;
      return object;
    }
    while (true) {
      if (at_end() || peek() != '"') {
        fail_expected(members.empty() ? "expected a string key or '}' in an object"
                                      : "expected a string key after ',' in an object");
      }
      const SourceLocation key_location = here();
      std::string key = parse_string();
      const std::size_t parent_length = pointer_.size();
      pointer_ += '/';
      pointer_ += pointer_token(key);
      if (auto first = source_.locations_.find(pointer_); first != source_.locations_.end()) {
        fail_at(key_location, "duplicate key " + Json(key).dump() + " (first at line " +
                                  std::to_string(first->second.line) + ")");
      }
      skip_whitespace();
      if (at_end() || peek() != ':') fail_expected("expected ':' after an object key");
      ++position_;
      skip_whitespace();
      // The member is located at its key; parse_value records the value's own start first,
      // so the key's location overwrites it.
      Json value = parse_value(depth);
      source_.locations_[pointer_] = key_location;
      // The pointer is unique within the object, so the key is new and emplace_back keeps
      // construction linear in the number of members.
      members.emplace_back(std::move(key), std::move(value));
      pointer_.resize(parent_length);
      skip_whitespace();
      if (!at_end() && peek() == ',') {
        ++position_;
        skip_whitespace();
        continue;
      }
      if (!at_end() && peek() == '}') {
        ++position_;
        return object;
      }
      fail_expected("expected ',' or '}' after an object member");
    }
  }

  Json parse_array(std::size_t depth) {
    Json array = Json::array();
    ++position_;  // '['
    skip_whitespace();
    if (!at_end() && peek() == ']') {
      ++position_;
      return array;
    }
    for (std::size_t index = 0;; ++index) {
      const std::size_t parent_length = pointer_.size();
      pointer_ += '/';
      pointer_ += std::to_string(index);
      if (!at_end() && peek() == ']') fail("expected a value after ',' (trailing commas are not allowed)");
      array.push_back(parse_value(depth));
      pointer_.resize(parent_length);
      skip_whitespace();
      if (!at_end() && peek() == ',') {
        ++position_;
        skip_whitespace();
        continue;
      }
      if (!at_end() && peek() == ']') {
        ++position_;
        return array;
      }
      fail_expected("expected ',' or ']' after an array element");
    }
  }

  Json parse_word() {
    const std::size_t start = position_;
    std::size_t end = start;
    while (end < text_.size() && (is_letter(text_[end]) || is_digit(text_[end]) || text_[end] == '_')) {
      ++end;
    }
    const std::string_view word = text_.substr(start, end - start);
    if (word == "true" || word == "false" || word == "null") {
      position_ = end;
      if (word == "null") return Json(nullptr);
      return Json(word == "true");
    }
    if (word == "NaN" || word == "Infinity") fail("numbers must be finite");
    fail("expected a value, found '" + std::string(word) +
         "': literals are true, false and null, and strings need double quotes");
  }

  // Reads [0-9]* and returns how many digits there were.
  std::size_t skip_digits() {
    const std::size_t start = position_;
    while (!at_end() && is_digit(peek())) ++position_;
    return position_ - start;
  }

  Json parse_number() {
    const std::size_t start = position_;
    const bool negative = peek() == '-';
    if (negative) {
      ++position_;
      if (!at_end() && peek() == 'I') fail_at(location_of(start), "numbers must be finite");
      if (at_end() || !is_digit(peek())) fail("expected a digit after '-'");
    }
    if (peek() == '0' && position_ + 1 < text_.size() && is_digit(text_[position_ + 1])) {
      fail("numbers must not have leading zeros");
    }
    skip_digits();
    bool integral = true;
    if (!at_end() && peek() == '.') {
      integral = false;
      ++position_;
      if (skip_digits() == 0) fail("expected a digit after the decimal point");
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      integral = false;
      ++position_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++position_;
      if (skip_digits() == 0) fail("expected a digit in the exponent");
    }
    const std::string_view number = text_.substr(start, position_ - start);
    const char* first = number.data();
    const char* last = number.data() + number.size();
    if (integral && !negative) {
      std::uint64_t value = 0;
      if (std::from_chars(first, last, value).ec == std::errc{}) return Json(value);
    } else if (integral) {
      std::int64_t value = 0;
      if (std::from_chars(first, last, value).ec == std::errc{}) return Json(value);
    }
    // from_chars always uses '.' as the decimal point, whatever the C locale says.
    double value = 0.0;
    const auto result = std::from_chars(first, last, value);
    if (result.ec == std::errc::result_out_of_range) {
      if (overflows_rather_than_underflows(number)) {
        fail_at(location_of(start),
                "numbers must be finite: " + std::string(number) + " is too large for a double");
      }
      value = negative ? -0.0 : 0.0;
    } else if (result.ec != std::errc{} || result.ptr != last) {
      fail_at(location_of(start), "cannot read the number " + std::string(number));
    }
    return Json(value);
  }

  // Reads exactly four hex digits after "\u" and returns their value.
  std::uint32_t parse_hex4(std::size_t escape_start) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i, ++position_) {
      const char c = at_end() ? '\0' : peek();
      std::uint32_t digit = 0;
      if (is_digit(c)) {
        digit = static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        fail_at(location_of(escape_start), "expected four hex digits after \\u");
      }
      value = value * 16 + digit;
    }
    return value;
  }

  // Reads a \uXXXX escape (and its partner, for a surrogate pair) and appends the character.
  void parse_unicode_escape(std::string& out) {
    const std::size_t escape_start = position_;
    position_ += 2;  // "\u"
    const std::uint32_t unit = parse_hex4(escape_start);
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      fail_at(location_of(escape_start),
              "lone surrogate " + escape_text(unit) + ": a low surrogate must follow a high one");
    }
    if (unit < 0xD800 || unit > 0xDBFF) {
      append_utf8(out, unit);
      return;
    }
    const bool low_follows = text_.substr(position_, 2) == "\\u";
    std::uint32_t low = 0;
    if (low_follows) {
      const std::size_t low_start = position_;
      position_ += 2;
      low = parse_hex4(low_start);
    }
    if (!low_follows || low < 0xDC00 || low > 0xDFFF) {
      fail_at(location_of(escape_start), "lone surrogate " + escape_text(unit) +
                                             ": a high surrogate must be followed by a low one");
    }
    append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
  }

  void parse_escape(std::string& out) {
    if (position_ + 1 >= text_.size()) {
      ++position_;
      return;  // The caller reports the unterminated string.
    }
    const char c = text_[position_ + 1];
    char decoded = 0;
    switch (c) {
      case '"': decoded = '"'; break;
      case '\\': decoded = '\\'; break;
      case '/': decoded = '/'; break;
      case 'b': decoded = '\b'; break;
      case 'f': decoded = '\f'; break;
      case 'n': decoded = '\n'; break;
      case 'r': decoded = '\r'; break;
      case 't': decoded = '\t'; break;
      case 'u': parse_unicode_escape(out); return;
      default: {
        std::string shown = (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F)
                                ? std::string(1, c)
                                : hex_byte(static_cast<unsigned char>(c));
        fail("invalid escape \\" + shown +
             ": expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
      }
    }
    out += decoded;
    position_ += 2;
  }

  std::string parse_string() {
    const SourceLocation opening = here();
    ++position_;  // '"'
    std::string out;
    while (!at_end()) {
      const auto c = static_cast<unsigned char>(peek());
      if (c == '"') {
        ++position_;
        return out;
      }
      if (c == '\\') {
        parse_escape(out);
      } else if (c < 0x20) {
        std::string message = "control character " + code_point_name(c) + " must be escaped in a string";
        if (c == '\n') message += " (is a closing quote missing?)";
        fail(std::move(message));
      } else if (c < 0x80) {
        out += static_cast<char>(c);
        ++position_;
      } else {
        const std::size_t length = utf8_sequence_length(text_, position_);
        if (length == 0) fail_invalid_utf8();
        out.append(text_.substr(position_, length));
        position_ += length;
      }
    }
    fail_at(opening, "unterminated string");
  }

  JsonSource& source_;
  std::string_view text_;
  const JsonLimits& limits_;
  std::size_t position_ = 0;
  std::size_t line_ = 1;
  std::size_t line_start_ = 0;  // offset of the first byte of the current line
  std::string pointer_;         // the JSON pointer of the value being parsed
};

JsonSource JsonSource::parse(std::string file, std::string_view text, const JsonLimits& limits) {
  JsonSource source;
  source.file_ = std::move(file);
  if (text.size() > limits.max_bytes) {
    throw InputError(source.file_, {}, "", too_large_message(limits.max_bytes));
  }
  source.text_ = std::string(text);
  JsonSourceBuilder(source, limits).run();
  return source;
}

JsonSource JsonSource::load(const std::string& path, const JsonLimits& limits) {
  namespace fs = std::filesystem;
  if (path == "-") {
    // Standard input (a pipe or a redirected file), named "<stdin>" in messages.
    std::string text;
    try {
      text = read_input_file("/dev/stdin", limits.max_bytes);
    } catch (const InputError& e) {
      throw InputError(kStdinName, {}, "", e.message);
    }
    if (text.size() > limits.max_bytes) throw InputError(kStdinName, {}, "", too_large_message(limits.max_bytes));
    JsonSource source = parse(kStdinName, text, limits);
    source.interruptible_ = true;
    check_interrupt("parsing " + std::string(kStdinName) + "; nothing was written");
    return source;
  }
  std::error_code status_error;
  const fs::file_status status = fs::status(path, status_error);
  if (status_error) throw InputError(path, {}, "", "cannot read file: " + status_error.message());
  if (fs::is_directory(status)) throw InputError(path, {}, "", std::string("cannot read file: ") + std::strerror(EISDIR));
  if (fs::is_regular_file(status)) {
    std::error_code size_error;
    const std::uintmax_t size = fs::file_size(path, size_error);
    if (!size_error && size > limits.max_bytes) {
      throw InputError(path, {}, "", too_large_message(limits.max_bytes));
    }
  }
  std::string text = read_input_file(path, limits.max_bytes);
  if (text.size() > limits.max_bytes) throw InputError(path, {}, "", too_large_message(limits.max_bytes));
  JsonSource source = parse(path, text, limits);
  source.interruptible_ = true;
  check_interrupt("parsing " + path + "; nothing was written");
  return source;
}

std::string JsonSource::read_input_file(const std::string& path, std::size_t max_bytes) {
  const auto fail = [&](const std::string& why) { return InputError(path, {}, "", "cannot read file: " + why); };
  // O_NONBLOCK: opening a FIFO for reading never waits for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) throw fail(std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw fail(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw fail(std::strerror(EISDIR));
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    throw fail("it is not a regular file or a FIFO (a device or a socket); faultline reads scenarios and reports from files");
  }
  // Reading stops one byte past the limit, so a file that grows, or a pipe, cannot make us
  // hold more than the limit in memory.
  // SIGINT and SIGTERM stop the reading (exit 4): a FIFO or pipe that sends slowly, or stops
  // sending, is waited for at most 100 ms at a time between looks at the interrupt flag.
  const auto checkpoint = [&] { check_interrupt("reading " + path + "; nothing was written"); };
  std::string text;
  char chunk[64 * 1024];
  int idle_waits = 0;
  while (text.size() <= max_bytes) {
    checkpoint();
    const std::size_t wanted = std::min(sizeof chunk, max_bytes + 1 - text.size());
    const ssize_t n = ::read(fd, chunk, wanted);
    if (n > 0) {
      text.append(chunk, static_cast<std::size_t>(n));
      idle_waits = 0;
    } else if (n == 0) {
      break;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      struct pollfd wait {fd, POLLIN, 0};
      const int ready = ::poll(&wait, 1, 100);
      if (ready == 0 && ++idle_waits >= 100) throw fail("no data arrived from the FIFO for 10 s");
      if (ready < 0 && errno != EINTR) throw fail(std::strerror(errno));
    } else if (errno != EINTR) {
      throw fail(std::strerror(errno));
    }
  }
  return text;
}

SourceLocation JsonSource::locate(const std::string& pointer) const {
  std::string_view current = pointer;
  while (true) {
    if (auto found = locations_.find(std::string(current)); found != locations_.end()) {
      return found->second;
    }
    if (current.empty()) return {};
    const std::size_t slash = current.rfind('/');
    current = current.substr(0, slash == std::string_view::npos ? 0 : slash);
  }
}

InputError JsonSource::error(const std::string& pointer, std::string message) const {
  return InputError(file_, locate(pointer), pointer, std::move(message));
}

}  // namespace faultline::harness
