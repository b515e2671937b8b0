// Go-compatible durations ("1h30m", "250ms") and ratios ("5%" or 0.05) for scenario files.
// The duration grammar follows Go's time.ParseDuration and Duration.String so that scenario
// files written for Go tools read the same here.
#include "harness/duration.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace faultline::harness {

namespace {

constexpr std::uint64_t kMagnitudeLimit = std::uint64_t{1} << 63;  // |INT64_MIN|

struct DurationUnit {
  std::string_view name;
  std::uint64_t nanoseconds;
};

// Go accepts "µs" spelled with either the micro sign (U+00B5) or the Greek mu (U+03BC).
constexpr std::array<DurationUnit, 8> kDurationUnits{{
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},
    {"\xCE\xBCs", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Quotes user text for a message; bytes that are not UTF-8 show as U+FFFD.
std::string quote_for_message(std::string_view text) {
  return nlohmann::json(std::string(text)).dump(-1, ' ', false,
                                               nlohmann::json::error_handler_t::replace);
}

std::optional<sim::TimeNs> fail(std::string* why, std::string message) {
  if (why != nullptr) *why = std::move(message);
  return std::nullopt;
}

std::string invalid_duration(std::string_view text) {
  return "invalid duration " + quote_for_message(text) +
         ": expected a number and a unit, like \"250ms\", \"1.5s\" or \"1h30m\"";
}

std::string duration_out_of_range(std::string_view text) {
  return "duration " + quote_for_message(text) +
         " is out of range: durations are at most 2562047h47m16.854775807s (about 292 years)";
}

// Consumes the leading [0-9]* of `rest` into `value`; false if it exceeds 2^63, as Go's
// leadingInt does (2^63 itself is allowed so that "-9223372036854775808ns" parses).
bool consume_whole_digits(std::string_view& rest, std::uint64_t& value) {
  value = 0;
  while (!rest.empty() && is_digit(rest.front())) {
    if (value > kMagnitudeLimit / 10) return false;
    value = value * 10 + static_cast<std::uint64_t>(rest.front() - '0');
    if (value > kMagnitudeLimit) return false;
    rest.remove_prefix(1);
  }
  return true;
}

// Consumes the leading [0-9]* of a fraction. Like Go's leadingFraction it never fails: once
// more digits would overflow it stops adding precision and skips the rest.
void consume_fraction_digits(std::string_view& rest, std::uint64_t& value, double& scale) {
  value = 0;
  scale = 1;
  bool saturated = false;
  while (!rest.empty() && is_digit(rest.front())) {
    const auto digit = static_cast<std::uint64_t>(rest.front() - '0');
    rest.remove_prefix(1);
    if (saturated) continue;
    if (value > (kMagnitudeLimit - 1) / 10) {
      saturated = true;
      continue;
    }
    const std::uint64_t next = value * 10 + digit;
    if (next > kMagnitudeLimit) {
      saturated = true;
      continue;
    }
    value = next;
    scale *= 10;
  }
}

// Appends digits of v / 10^precision after the point, leaving out trailing zeros (and the point
// if nothing is left), writing backwards from `end`; v becomes the whole part.
std::size_t write_fraction(char* buffer, std::size_t end, std::uint64_t& v, int precision) {
  bool printing = false;
  for (int i = 0; i < precision; ++i) {
    const auto digit = static_cast<char>(v % 10);
    printing = printing || digit != 0;
    if (printing) buffer[--end] = static_cast<char>('0' + digit);
    v /= 10;
  }
  if (printing) buffer[--end] = '.';
  return end;
}

std::size_t write_integer(char* buffer, std::size_t end, std::uint64_t v) {
  if (v == 0) {
    buffer[--end] = '0';
    return end;
  }
  while (v > 0) {
    buffer[--end] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return end;
}

}  // namespace

std::optional<sim::TimeNs> parse_go_duration(std::string_view text, std::string* why) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  // Go's one exception to "a unit is required": a bare zero.
  if (rest == "0") return 0;
  if (rest.empty()) return fail(why, invalid_duration(text));

  std::uint64_t total = 0;
  while (!rest.empty()) {
    if (!(rest.front() == '.' || is_digit(rest.front()))) return fail(why, invalid_duration(text));

    const std::size_t length_before_whole = rest.size();
    std::uint64_t whole = 0;
    if (!consume_whole_digits(rest, whole)) return fail(why, duration_out_of_range(text));
    const bool has_whole_digits = rest.size() != length_before_whole;

    std::uint64_t fraction = 0;
    double scale = 1;
    bool has_fraction_digits = false;
    if (!rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
      const std::size_t length_before_fraction = rest.size();
      consume_fraction_digits(rest, fraction, scale);
      has_fraction_digits = rest.size() != length_before_fraction;
    }
    if (!has_whole_digits && !has_fraction_digits) return fail(why, invalid_duration(text));

    std::size_t unit_length = 0;
    while (unit_length < rest.size() && rest[unit_length] != '.' && !is_digit(rest[unit_length])) {
      ++unit_length;
    }
    if (unit_length == 0) {
      return fail(why, "missing unit in duration " + quote_for_message(text) +
                           ": add one of ns, us, ms, s, m, h (for example \"30s\")");
    }
    const std::string_view unit_name = rest.substr(0, unit_length);
    rest.remove_prefix(unit_length);
    const DurationUnit* unit = nullptr;
    for (const DurationUnit& candidate : kDurationUnits) {
      if (candidate.name == unit_name) unit = &candidate;
    }
    if (unit == nullptr) {
      return fail(why, "unknown unit " + quote_for_message(unit_name) + " in duration " + quote_for_message(text) +
                           ": use one of ns, us, ms, s, m, h");
    }

    if (whole > kMagnitudeLimit / unit->nanoseconds) return fail(why, duration_out_of_range(text));
    std::uint64_t component = whole * unit->nanoseconds;
    if (fraction > 0) {
      // Go computes the fraction in double precision, which is exact to the nanosecond even
      // for fractions of an hour; this repeats its arithmetic so results match bit for bit.
      component += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                              (static_cast<double>(unit->nanoseconds) / scale));
      if (component > kMagnitudeLimit) return fail(why, duration_out_of_range(text));
    }
    // Go adds first and checks after, so 2^63 + 2^63 wraps to 0 and is accepted there; this
    // checks before adding and rejects it, the one place we knowingly differ.
    if (component > kMagnitudeLimit - total) return fail(why, duration_out_of_range(text));
    total += component;
  }
  if (negative) {
    if (total == kMagnitudeLimit) return std::numeric_limits<sim::TimeNs>::min();
    return -static_cast<sim::TimeNs>(total);
  }
  if (total > kMagnitudeLimit - 1) return fail(why, duration_out_of_range(text));
  return static_cast<sim::TimeNs>(total);
}

std::string format_go_duration(sim::TimeNs ns) {
  // The longest result, "-2562047h47m16.854775808s", is 25 bytes.
  char buffer[32];
  std::size_t start = sizeof buffer;
  const bool negative = ns < 0;
  std::uint64_t magnitude = static_cast<std::uint64_t>(ns);
  if (negative) magnitude = 0 - magnitude;

  if (magnitude < 1'000'000'000) {
    // Under a second, Go switches to a smaller unit so that the leading digit is not zero.
    int precision = 0;
    buffer[--start] = 's';
    if (magnitude == 0) {
      buffer[--start] = '0';
      return std::string(buffer + start, sizeof buffer - start);
    }
    if (magnitude < 1'000) {
      precision = 0;
      buffer[--start] = 'n';
    } else if (magnitude < 1'000'000) {
      precision = 3;
      buffer[--start] = '\xB5';  // U+00B5, the micro sign, as Go writes it.
      buffer[--start] = '\xC2';
    } else {
      precision = 6;
      buffer[--start] = 'm';
    }
    start = write_fraction(buffer, start, magnitude, precision);
    start = write_integer(buffer, start, magnitude);
  } else {
    buffer[--start] = 's';
    start = write_fraction(buffer, start, magnitude, 9);
    start = write_integer(buffer, start, magnitude % 60);
    magnitude /= 60;
    if (magnitude > 0) {
      buffer[--start] = 'm';
      start = write_integer(buffer, start, magnitude % 60);
      magnitude /= 60;
      // Go stops at hours because days vary in length.
      if (magnitude > 0) {
        buffer[--start] = 'h';
        start = write_integer(buffer, start, magnitude);
      }
    }
  }
  if (negative) buffer[--start] = '-';
  return std::string(buffer + start, sizeof buffer - start);
}

namespace {

constexpr const char* kRatioExpected =
    "expected a ratio: a number from 0 to 1 or a percentage like \"5%\"";

std::optional<double> fail_ratio(std::string* why, std::string message) {
  if (why != nullptr) *why = std::move(message);
  return std::nullopt;
}

// Reads "N%" where N is [0-9]+(.[0-9]+)?; the result is the double nearest to N/100.
std::optional<double> parse_percentage(const std::string& text, std::string* why) {
  if (text.empty() || text.back() != '%') return fail_ratio(why, kRatioExpected);
  const std::string_view number(text.data(), text.size() - 1);
  std::size_t i = 0;
  while (i < number.size() && is_digit(number[i])) ++i;
  const std::size_t whole_digits = i;
  std::size_t fraction_digits = 0;
  if (i < number.size() && number[i] == '.') {
    ++i;
    while (i < number.size() && is_digit(number[i])) {
      ++i;
      ++fraction_digits;
    }
    if (fraction_digits == 0) return fail_ratio(why, kRatioExpected);
  }
  if (whole_digits == 0 || i != number.size()) return fail_ratio(why, kRatioExpected);

  // Dividing by 100 through the exponent rounds once, so "99.9%" is exactly the double 0.999.
  const std::string scaled = std::string(number) + "e-2";
  double value = 0;
  const auto result = std::from_chars(scaled.data(), scaled.data() + scaled.size(), value);
  if (result.ec == std::errc::result_out_of_range &&
      number.find_first_of("123456789") >= whole_digits) {
    value = 0.0;  // So many zeros after the point that the ratio underflows a double.
  } else if (result.ec != std::errc{} || value > 1.0) {
    return fail_ratio(why, "a percentage must be from 0% to 100%, got " + quote_for_message(text));
  }
  return value;
}

}  // namespace

std::optional<double> parse_ratio(const nlohmann::ordered_json& value, std::string* why) {
  if (value.is_string()) return parse_percentage(value.get_ref<const std::string&>(), why);
  if (!value.is_number()) return fail_ratio(why, kRatioExpected);
  const double ratio = value.get<double>();
  if (std::isnan(ratio)) return fail_ratio(why, "expected a ratio from 0 to 1, got NaN");
  if (ratio < 0.0 || ratio > 1.0) {
    std::string message = "expected a ratio from 0 to 1, got " + value.dump();
    if (ratio > 1.0 && ratio <= 100.0) {
      message += "; for a percentage write it as a string like \"" + value.dump() + "%\"";
    }
    return fail_ratio(why, std::move(message));
  }
  return ratio + 0.0;  // Turns -0.0 into 0.0.
}

}  // namespace faultline::harness
