// Tests for Go-compatible durations and for ratios. The tables follow Go's own tests of
// time.ParseDuration and Duration.String (src/time/time_test.go), our outside truth.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "harness/duration.hpp"

using faultline::harness::format_go_duration;
using faultline::harness::parse_go_duration;
using faultline::harness::parse_ratio;
using faultline::sim::kHour;
using faultline::sim::kMicrosecond;
using faultline::sim::kMillisecond;
using faultline::sim::kMinute;
using faultline::sim::kSecond;
using faultline::sim::TimeNs;

namespace {

constexpr TimeNs kMaxNs = std::numeric_limits<TimeNs>::max();
constexpr TimeNs kMinNs = std::numeric_limits<TimeNs>::min();

struct ParseCase {
  const char* text;
  TimeNs expected_ns;
};

// Go's parseDurationTests, every row.
const ParseCase kGoValidDurations[] = {
    {"0", 0},
    {"5s", 5 * kSecond},
    {"30s", 30 * kSecond},
    {"1478s", 1478 * kSecond},
    {"-5s", -5 * kSecond},
    {"+5s", 5 * kSecond},
    {"-0", 0},
    {"+0", 0},
    {"5.0s", 5 * kSecond},
    {"5.6s", 5 * kSecond + 600 * kMillisecond},
    {"5.s", 5 * kSecond},
    {".5s", 500 * kMillisecond},
    {"1.0s", 1 * kSecond},
    {"1.00s", 1 * kSecond},
    {"1.004s", 1 * kSecond + 4 * kMillisecond},
    {"1.0040s", 1 * kSecond + 4 * kMillisecond},
    {"100.00100s", 100 * kSecond + 1 * kMillisecond},
    {"10ns", 10},
    {"11us", 11 * kMicrosecond},
    {"12\xC2\xB5s", 12 * kMicrosecond},  // U+00B5, the micro sign
    {"12\xCE\xBCs", 12 * kMicrosecond},  // U+03BC, the Greek letter mu
    {"13ms", 13 * kMillisecond},
    {"14s", 14 * kSecond},
    {"15m", 15 * kMinute},
    {"16h", 16 * kHour},
    {"3h30m", 3 * kHour + 30 * kMinute},
    {"10.5s4m", 4 * kMinute + 10 * kSecond + 500 * kMillisecond},
    {"-2m3.4s", -(2 * kMinute + 3 * kSecond + 400 * kMillisecond)},
    {"1h2m3s4ms5us6ns", 1 * kHour + 2 * kMinute + 3 * kSecond + 4 * kMillisecond + 5 * kMicrosecond + 6},
    {"39h9m14.425s", 39 * kHour + 9 * kMinute + 14 * kSecond + 425 * kMillisecond},
    {"52763797000ns", 52763797000},
    {"0.3333333333333333333h", 20 * kMinute},
    {"9007199254740993ns", (std::int64_t{1} << 53) + 1},
    {"9223372036854775807ns", kMaxNs},
    {"9223372036854775.807us", kMaxNs},
    {"9223372036s854ms775us807ns", kMaxNs},
    {"-9223372036854775808ns", kMinNs},
    {"-9223372036854775.808us", kMinNs},
    {"-9223372036s854ms775us808ns", kMinNs},
    {"-2562047h47m16.854775808s", kMinNs},
    {"0.100000000000000000000h", 6 * kMinute},
    {"0.830103483285477580700h", 49 * kMinute + 48 * kSecond + 372539827},
};

// Go's parseDurationErrorTests, every row, and a few more of our own.
const char* const kGoInvalidDurations[] = {
    "", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "\x85\x85", "\xff" "ff",
    "hello \xff" "ff world", "\xEF\xBF\xBD", "\xEF\xBF\xBD hello \xEF\xBF\xBD world",
    // overflow
    "9223372036854775810ns", "9223372036854775808ns", "-9223372036854775809ns",
    "9223372036854776us", "3000000h", "9223372036854775.808us", "9223372036854ms775us808ns",
    // ours: spaces, a sign per component, a unit with trailing junk, upper case
    " 1s", "1s ", "1 s", "1s-1s", "1s+1s", "1hx", "1S", "1.2.3s", "--1s", "0s0", "00",
    "1\xC2\xB5", "99999999999999999999ns",
};

struct FormatCase {
  const char* text;
  TimeNs ns;
};

// Go's durationTests (Duration.String), every row.
const FormatCase kGoDurationStrings[] = {
    {"0s", 0},
    {"1ns", 1},
    {"1.1\xC2\xB5s", 1100},
    {"2.2ms", 2200 * kMicrosecond},
    {"3.3s", 3300 * kMillisecond},
    {"4m5s", 4 * kMinute + 5 * kSecond},
    {"4m5.001s", 4 * kMinute + 5001 * kMillisecond},
    {"5h6m7.001s", 5 * kHour + 6 * kMinute + 7001 * kMillisecond},
    {"8m0.000000001s", 8 * kMinute + 1},
    {"2562047h47m16.854775807s", kMaxNs},
    {"-2562047h47m16.854775808s", kMinNs},
};

}  // namespace

TEST_CASE("durations that Go's ParseDuration accepts parse to the same nanoseconds") {
  for (const ParseCase& row : kGoValidDurations) {
    INFO("duration: " << row.text);
    std::string why;
    const auto parsed = parse_go_duration(row.text, &why);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == row.expected_ns);
    CHECK(why.empty());
  }
}

TEST_CASE("durations that Go's ParseDuration rejects are rejected with a reason") {
  for (const char* text : kGoInvalidDurations) {
    INFO("duration: " << text);
    std::string why;
    CHECK_FALSE(parse_go_duration(text, &why).has_value());
    CHECK_FALSE(why.empty());
  }
}

TEST_CASE("a duration error says what was wrong") {
  std::string why;
  CHECK_FALSE(parse_go_duration("3", &why));
  CHECK(why == "missing unit in duration \"3\": add one of ns, us, ms, s, m, h (for example \"30s\")");
  CHECK_FALSE(parse_go_duration("1d", &why));
  CHECK(why == "unknown unit \"d\" in duration \"1d\": use one of ns, us, ms, s, m, h");
  CHECK_FALSE(parse_go_duration("", &why));
  CHECK(why == "invalid duration \"\": expected a number and a unit, like \"250ms\", \"1.5s\" or \"1h30m\"");
  CHECK_FALSE(parse_go_duration("3000000h", &why));
  CHECK(why ==
        "duration \"3000000h\" is out of range: durations are at most 2562047h47m16.854775807s "
        "(about 292 years)");
  CHECK_FALSE(parse_go_duration("\x85s", nullptr));
}

TEST_CASE("two halves of 2^63 nanoseconds overflow instead of wrapping to zero") {
  // Go's ParseDuration adds before it checks, so it returns 0 here; we reject.
  CHECK_FALSE(parse_go_duration("9223372036854775808ns9223372036854775808ns"));
  CHECK_FALSE(parse_go_duration("-9223372036854775808ns9223372036854775808ns"));
  CHECK_FALSE(parse_go_duration("-9223372036854775808ns1ns"));
  CHECK(parse_go_duration("-9223372036854775807ns1ns") == kMinNs);
}

TEST_CASE("fractions keep nanosecond precision and extra digits are ignored") {
  CHECK(parse_go_duration("1.5h") == 90 * kMinute);
  CHECK(parse_go_duration("1.s") == kSecond);
  CHECK(parse_go_duration("0.000000001s") == 1);
  CHECK(parse_go_duration("0.0000000019s") == 1);  // truncated, as Go does
  CHECK(parse_go_duration("1.9999999999ns") == 1);
  CHECK(parse_go_duration("1.00000000000000000000000001h") == kHour);
  CHECK(parse_go_duration("1h30m") == 90 * kMinute);
  CHECK(parse_go_duration("1m1m") == 2 * kMinute);
  CHECK(parse_go_duration("-1.5us") == -1500);
}

TEST_CASE("Duration.String cases from Go format identically") {
  for (const FormatCase& row : kGoDurationStrings) {
    INFO("nanoseconds: " << row.ns);
    CHECK(format_go_duration(row.ns) == row.text);
    if (row.ns > 0) CHECK(format_go_duration(-row.ns) == std::string("-") + row.text);
  }
}

TEST_CASE("formatting picks the unit Go would") {
  CHECK(format_go_duration(999) == "999ns");
  CHECK(format_go_duration(1000) == "1\xC2\xB5s");
  CHECK(format_go_duration(1500) == "1.5\xC2\xB5s");
  CHECK(format_go_duration(250 * kMillisecond) == "250ms");
  CHECK(format_go_duration(999'999'999) == "999.999999ms");
  CHECK(format_go_duration(kSecond) == "1s");
  CHECK(format_go_duration(-kMinute) == "-1m0s");
  CHECK(format_go_duration(kHour) == "1h0m0s");
  CHECK(format_go_duration(kHour + 2 * kMinute + 3500 * kMillisecond) == "1h2m3.5s");
  CHECK(format_go_duration(-1) == "-1ns");
}

TEST_CASE("formatting then parsing gives back the same duration") {
  const TimeNs samples[] = {0, 1, 999, 1000, 1001, 123'456'789, kSecond, 61 * kSecond,
                            kHour + 1, -kHour - 1, kMaxNs, kMinNs, kMinNs + 1};
  for (TimeNs ns : samples) {
    INFO("nanoseconds: " << ns);
    CHECK(parse_go_duration(format_go_duration(ns)) == ns);
  }
}

TEST_CASE("a ratio may be a number from 0 to 1") {
  CHECK(parse_ratio(0) == 0.0);
  CHECK(parse_ratio(1) == 1.0);
  CHECK(parse_ratio(0.05) == 0.05);
  CHECK(parse_ratio(1.0) == 1.0);
  const auto negative_zero = parse_ratio(-0.0);
  REQUIRE(negative_zero);
  CHECK_FALSE(std::signbit(*negative_zero));
}

TEST_CASE("a ratio may be a percentage string from 0% to 100%") {
  CHECK(parse_ratio("5%") == 0.05);
  CHECK(parse_ratio("0%") == 0.0);
  CHECK(parse_ratio("100%") == 1.0);
  CHECK(parse_ratio("99.9%") == 0.999);
  CHECK(parse_ratio("0.1%") == 0.001);
  CHECK(parse_ratio("100.000%") == 1.0);
  CHECK(parse_ratio("007%") == 0.07);
}

TEST_CASE("anything else is not a ratio, and the reason says what is expected") {
  const std::string expected = "expected a ratio: a number from 0 to 1 or a percentage like \"5%\"";
  const nlohmann::ordered_json not_ratios[] = {
      "5",  "%",    "5 %", " 5%", "+5%", "-5%", ".5%", "5.%", "5%%", "1e1%", "five%", "",
      true, nullptr, nlohmann::ordered_json::array(), nlohmann::ordered_json::object()};
  for (const auto& value : not_ratios) {
    INFO("value: " << value.dump());
    std::string why;
    CHECK_FALSE(parse_ratio(value, &why));
    CHECK(why == expected);
  }
}

TEST_CASE("ratios out of range are refused with a hint for percentages") {
  std::string why;
  CHECK_FALSE(parse_ratio(5, &why));
  CHECK(why == "expected a ratio from 0 to 1, got 5; for a percentage write it as a string like \"5%\"");
  CHECK_FALSE(parse_ratio(-0.5, &why));
  CHECK(why == "expected a ratio from 0 to 1, got -0.5");
  CHECK_FALSE(parse_ratio(1.0000001, &why));
  CHECK_FALSE(parse_ratio("100.1%", &why));
  CHECK(why == "a percentage must be from 0% to 100%, got \"100.1%\"");
  CHECK_FALSE(parse_ratio("1000%", &why));
  CHECK_FALSE(parse_ratio(std::nan(""), &why));
  CHECK(why == "expected a ratio from 0 to 1, got NaN");
  CHECK_FALSE(parse_ratio(std::numeric_limits<double>::infinity()));
}
