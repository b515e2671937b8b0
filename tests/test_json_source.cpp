// Tests for the located JSON reader: where values are, what each error says and where it points.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "harness/json_source.hpp"

using faultline::harness::format_error;
using faultline::harness::InputError;
using faultline::harness::JsonLimits;
using faultline::harness::JsonSource;
using faultline::harness::pointer_token;
using faultline::harness::SourceLocation;

namespace {

// Parses text that must be rejected and returns the error.
InputError rejection(std::string_view text, const JsonLimits& limits = {}) {
  try {
    JsonSource::parse("scenario.json", text, limits);
  } catch (const InputError& error) {
    return error;
  }
  FAIL("the text was accepted: " << text);
  return InputError("", {}, "", "");
}

void check_error(std::string_view text, std::uint32_t line, std::uint32_t column,
                 const std::string& pointer, const std::string& message) {
  INFO("text: " << text);
  const InputError error = rejection(text);
  CHECK(error.message == message);
  CHECK(error.where.line == line);
  CHECK(error.where.column == column);
  CHECK(error.pointer == pointer);
  CHECK(error.file == "scenario.json");
}

bool same_location(SourceLocation a, SourceLocation b) {
  return a.line == b.line && a.column == b.column;
}

// A file in the temporary directory that is removed when the test ends.
struct TemporaryFile {
  explicit TemporaryFile(const std::string& contents) {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = std::filesystem::temp_directory_path() /
           ("faultline_json_source_" + std::to_string(stamp) + ".json");
    std::ofstream(path, std::ios::binary) << contents;
  }
  ~TemporaryFile() { std::filesystem::remove(path); }
  std::filesystem::path path;
};

constexpr const char* kServices = R"({
  "services": [
    {"name": "api", "workers": 4},
    {
      "name": "db"
    }
  ]
})";

}  // namespace

TEST_CASE("every value is located at its first byte, and every member at its key") {
  const JsonSource source = JsonSource::parse("scenario.json", kServices);
  CHECK(same_location(source.locate(""), {1, 1}));
  CHECK(same_location(source.locate("/services"), {2, 3}));
  CHECK(same_location(source.locate("/services/0"), {3, 5}));
  CHECK(same_location(source.locate("/services/0/name"), {3, 6}));
  CHECK(same_location(source.locate("/services/0/workers"), {3, 21}));
  CHECK(same_location(source.locate("/services/1"), {4, 5}));
  CHECK(same_location(source.locate("/services/1/name"), {5, 7}));
  CHECK(source.root()["services"][1]["name"] == "db");
}

TEST_CASE("locating a pointer with no value falls back to its nearest located parent") {
  const JsonSource source = JsonSource::parse("scenario.json", kServices);
  CHECK(same_location(source.locate("/services/0/missing/deeper"), {3, 5}));
  CHECK(same_location(source.locate("/services/7"), {2, 3}));
  CHECK(same_location(source.locate("/nothing"), {1, 1}));
  CHECK(same_location(JsonSource().locate("/anything"), {0, 0}));
}

TEST_CASE("the root is located where its value starts, after leading whitespace") {
  const JsonSource source = JsonSource::parse("scenario.json", "\n\n  [1]");
  CHECK(same_location(source.locate(""), {3, 3}));
  CHECK(same_location(source.locate("/0"), {3, 4}));
}

TEST_CASE("keys with '~' and '/' are escaped in the pointers that locate them") {
  const JsonSource source = JsonSource::parse("scenario.json", R"({"a/b": {"c~d": 1}})");
  CHECK(same_location(source.locate("/a~1b"), {1, 2}));
  CHECK(same_location(source.locate("/a~1b/c~0d"), {1, 10}));
  CHECK(pointer_token("a/b~c") == "a~1b~0c");
  CHECK(pointer_token("") == "");
  CHECK(pointer_token("~1") == "~01");
}

TEST_CASE("object keys keep the order in which the file wrote them") {
  const JsonSource source = JsonSource::parse("scenario.json", R"({"z": 1, "a": 2, "m": {"y": 1, "b": 2}})");
  CHECK(source.root().dump() == R"({"z":1,"a":2,"m":{"y":1,"b":2}})");
  CHECK(source.root().begin().key() == "z");
}

TEST_CASE("integers become unsigned or signed when they fit and doubles otherwise") {
  const JsonSource source = JsonSource::parse(
      "scenario.json",
      R"([0, 18446744073709551615, 18446744073709551616, -1, -9223372036854775808,
          -9223372036854775809, 1.5, 1e2, -0, 0.1, 1E-400, -2.5e+3])");
  const auto& values = source.root();
  CHECK(values[0].is_number_unsigned());
  CHECK(values[1].is_number_unsigned());
  CHECK(values[1].get<std::uint64_t>() == 18446744073709551615u);
  CHECK(values[2].is_number_float());
  CHECK(values[2].get<double>() == 18446744073709551616.0);
  CHECK(values[3].is_number_integer());
  CHECK_FALSE(values[3].is_number_unsigned());
  CHECK(values[3].get<std::int64_t>() == -1);
  CHECK(values[4].get<std::int64_t>() == std::numeric_limits<std::int64_t>::min());
  CHECK_FALSE(values[4].is_number_float());
  CHECK(values[5].is_number_float());
  CHECK(values[6].get<double>() == 1.5);
  CHECK(values[7].is_number_float());
  CHECK(values[7].get<double>() == 100.0);
  CHECK(values[8].is_number_integer());
  CHECK(values[8].get<std::int64_t>() == 0);
  CHECK(values[9].get<double>() == 0.1);
  CHECK(values[10].is_number_float());
  CHECK(values[10].get<double>() == 0.0);
  CHECK(values[11].get<double>() == -2500.0);
}

TEST_CASE("strings decode every escape and keep UTF-8 as it is") {
  const JsonSource source = JsonSource::parse(
      "scenario.json", R"(["\"\\\/\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "h\u00e9llo", "né 😀", "\u0000"])");
  const auto& values = source.root();
  CHECK(values[0] == "\"\\/\b\f\n\r\t");
  CHECK(values[1] == "\xC3\xA9\xE2\x82\xAC");
  CHECK(values[2] == "\xF0\x9F\x98\x80");
  CHECK(values[3] == "h\xC3\xA9llo");
  CHECK(values[4] == "n\xC3\xA9 \xF0\x9F\x98\x80");
  CHECK(values[5].get<std::string>() == std::string(1, '\0'));
}

TEST_CASE("a leading byte-order mark is skipped and does not count as a column") {
  const JsonSource source = JsonSource::parse("scenario.json", "\xEF\xBB\xBF{\"a\": 1}");
  CHECK(source.root()["a"] == 1);
  CHECK(same_location(source.locate(""), {1, 1}));
  CHECK(same_location(source.locate("/a"), {1, 2}));
}

TEST_CASE("CRLF line endings count as one line break") {
  const JsonSource source = JsonSource::parse("scenario.json", "{\r\n  \"a\": 1\r\n}");
  CHECK(same_location(source.locate("/a"), {2, 3}));
}

TEST_CASE("true, false, null and empty containers parse") {
  const JsonSource source =
      JsonSource::parse("scenario.json", R"({"t": true, "f": false, "n": null, "o": {}, "a": []})");
  CHECK(source.root()["t"] == true);
  CHECK(source.root()["f"] == false);
  CHECK(source.root()["n"].is_null());
  CHECK(source.root()["o"].empty());
  CHECK(source.root()["a"].is_array());
}

TEST_CASE("a duplicate key is an error naming both lines") {
  check_error("{\n  \"services\": {\n    \"name\": 1,\n    \"name\": 2\n  }\n}", 4, 5,
              "/services/name", "duplicate key \"name\" (first at line 3)");
  check_error(R"({"a": 1, "a": 2})", 1, 10, "/a", "duplicate key \"a\" (first at line 1)");
}

TEST_CASE("the same key in two different objects is not a duplicate") {
  CHECK_NOTHROW(JsonSource::parse("scenario.json", R"([{"a": 1}, {"a": 2}, {"b": {"a": 3}, "a": 4}])"));
}

TEST_CASE("structural errors name what was expected and where") {
  check_error(R"({"a": 1 "b": 2})", 1, 9, "", "expected ',' or '}' after an object member");
  check_error(R"({"a": [1 2]})", 1, 10, "/a", "expected ',' or ']' after an array element");
  check_error(R"({"a" 1})", 1, 6, "/a", "expected ':' after an object key");
  check_error(R"({1: 2})", 1, 2, "", "expected a string key or '}' in an object");
  check_error(R"({"a": 1,})", 1, 9, "", "expected a string key after ',' in an object");
  check_error("[1,]", 1, 4, "/1", "expected a value after ',' (trailing commas are not allowed)");
  check_error(R"({"a": })", 1, 7, "/a",
              "expected a value: an object, array, string, number, true, false or null");
  check_error(R"({"a": 'x'})", 1, 7, "/a", "expected a value: strings must use double quotes");
  check_error(R"({"a": tru})", 1, 7, "/a",
              "expected a value, found 'tru': literals are true, false and null, and strings need "
              "double quotes");
  check_error("{\"a\":\n  [1,\n   2", 3, 5, "/a", "expected ',' or ']' after an array element");
  check_error("{\"a\": ", 1, 7, "/a", "expected a value, but the file ended");
}

TEST_CASE("content after the top-level value is an error") {
  check_error("{} {}", 1, 4, "",
              "unexpected content after the JSON value: expected the end of the file");
  check_error("{}\n\n x", 3, 2, "",
              "unexpected content after the JSON value: expected the end of the file");
}

TEST_CASE("an empty or blank file is an error") {
  check_error("", 1, 1, "", "empty file: expected a JSON object");
  check_error("  \n ", 2, 2, "", "empty file: expected a JSON object");
  check_error("\xEF\xBB\xBF", 1, 1, "", "empty file: expected a JSON object");
}

TEST_CASE("an unterminated string is reported at its opening quote") {
  check_error(R"({"a": "abc)", 1, 7, "/a", "unterminated string");
  check_error(R"({"a": "abc\)", 1, 7, "/a", "unterminated string");
  check_error(R"({"ab)", 1, 2, "", "unterminated string");
}

TEST_CASE("control characters in strings must be escaped") {
  check_error("{\"a\": \"x\ty\"}", 1, 9, "/a", "control character U+0009 must be escaped in a string");
  check_error("[\"x\ny\"]", 1, 4, "/0",
              "control character U+000A must be escaped in a string (is a closing quote missing?)");
  check_error(std::string_view("[\"\0\"]", 5), 1, 3, "/0",
              "control character U+0000 must be escaped in a string");
}

TEST_CASE("bad escapes are reported at their backslash") {
  const std::string expected_list = ": expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX";
  check_error(R"(["ab\x"])", 1, 5, "/0", "invalid escape \\x" + expected_list);
  check_error(R"(["\'"])", 1, 3, "/0", "invalid escape \\'" + expected_list);
  check_error(R"(["\u12G4"])", 1, 3, "/0", "expected four hex digits after \\u");
  check_error(R"(["\u12"])", 1, 3, "/0", "expected four hex digits after \\u");
}

TEST_CASE("lone surrogates in \\u escapes are errors") {
  check_error(R"(["\ud800"])", 1, 3, "/0",
              "lone surrogate \\ud800: a high surrogate must be followed by a low one");
  check_error(R"(["x\ud800\u0041"])", 1, 4, "/0",
              "lone surrogate \\ud800: a high surrogate must be followed by a low one");
  check_error(R"(["\ud800\ud800"])", 1, 3, "/0",
              "lone surrogate \\ud800: a high surrogate must be followed by a low one");
  check_error(R"(["\uDC00"])", 1, 3, "/0",
              "lone surrogate \\udc00: a low surrogate must follow a high one");
}

TEST_CASE("malformed numbers are errors") {
  check_error("[01]", 1, 2, "/0", "numbers must not have leading zeros");
  check_error("[-01]", 1, 3, "/0", "numbers must not have leading zeros");
  check_error("[-]", 1, 3, "/0", "expected a digit after '-'");
  check_error("[1.]", 1, 4, "/0", "expected a digit after the decimal point");
  check_error("[1.e5]", 1, 4, "/0", "expected a digit after the decimal point");
  check_error("[1e]", 1, 4, "/0", "expected a digit in the exponent");
  check_error("[1e+]", 1, 5, "/0", "expected a digit in the exponent");
  check_error("[.5]", 1, 2, "/0",
              "expected a value: an object, array, string, number, true, false or null");
  check_error("[+1]", 1, 2, "/0",
              "expected a value: an object, array, string, number, true, false or null");
}

TEST_CASE("NaN, infinities and numbers too large for a double are refused") {
  check_error(R"({"a": NaN})", 1, 7, "/a", "numbers must be finite");
  check_error(R"({"a": Infinity})", 1, 7, "/a", "numbers must be finite");
  check_error(R"({"a": -Infinity})", 1, 7, "/a", "numbers must be finite");
  check_error(R"({"a": 1e400})", 1, 7, "/a", "numbers must be finite: 1e400 is too large for a double");
  check_error("[-1.5e309]", 1, 2, "/0", "numbers must be finite: -1.5e309 is too large for a double");
  check_error("[0.001e312]", 1, 2, "/0", "numbers must be finite: 0.001e312 is too large for a double");
  check_error("[1e99999999999999999999]", 1, 2, "/0",
              "numbers must be finite: 1e99999999999999999999 is too large for a double");
}

TEST_CASE("numbers too small for a double round to zero instead of failing") {
  const JsonSource source =
      JsonSource::parse("scenario.json", "[1e-400, -1e-400, 1000e-330, 0.0000001e-320, 4.9e-324]");
  CHECK(source.root()[0].get<double>() == 0.0);
  CHECK(source.root()[1].get<double>() == 0.0);
  CHECK(std::signbit(source.root()[1].get<double>()));
  CHECK(source.root()[2].get<double>() == 0.0);
  CHECK(source.root()[3].get<double>() == 0.0);
  CHECK(source.root()[4].get<double>() > 0.0);
}

TEST_CASE("invalid UTF-8 is an error inside and outside strings") {
  check_error("{\"a\": \"x\xffy\"}", 1, 9, "/a", "invalid UTF-8 byte 0xff");
  check_error("{\"a\": 1}\xff", 1, 9, "", "invalid UTF-8 byte 0xff");
  check_error("{\"a\": 1 \x80}", 1, 9, "", "invalid UTF-8 byte 0x80");
  check_error("[\xfe]", 1, 2, "/0", "invalid UTF-8 byte 0xfe");
  check_error("{\"\xc0\xaf\": 1}", 1, 3, "", "invalid UTF-8 byte 0xc0");
  check_error("[\"\xe2\x82\"]", 1, 3, "/0", "invalid UTF-8 sequence starting with byte 0xe2");
  check_error("[\"\xed\xa0\x80\"]", 1, 3, "/0", "invalid UTF-8 sequence starting with byte 0xed");
  check_error("[\"\xf4\x90\x80\x80\"]", 1, 3, "/0", "invalid UTF-8 sequence starting with byte 0xf4");
  check_error("[\"\xe0\x80\xaf\"]", 1, 3, "/0", "invalid UTF-8 sequence starting with byte 0xe0");
  check_error("[\"\xf0\x9f\x98\"]", 1, 3, "/0", "invalid UTF-8 sequence starting with byte 0xf0");
}

TEST_CASE("keys in UTF-8 appear unchanged in pointers") {
  const JsonSource source = JsonSource::parse("scenario.json", "{\"caf\xc3\xa9\": [true]}");
  CHECK(same_location(source.locate("/caf\xc3\xa9"), {1, 2}));
  CHECK(same_location(source.locate("/caf\xc3\xa9/0"), {1, 12}));
}

TEST_CASE("nesting up to the depth limit parses and one more level is refused") {
  const std::string deepest_allowed = std::string(64, '[') + std::string(64, ']');
  CHECK_NOTHROW(JsonSource::parse("scenario.json", deepest_allowed));

  std::string expected_pointer;
  for (int i = 0; i < 64; ++i) expected_pointer += "/0";
  check_error(std::string(65, '[') + std::string(65, ']'), 1, 65, expected_pointer,
              "nesting deeper than 64 levels");

  JsonLimits shallow;
  shallow.max_depth = 2;
  const InputError error = rejection(R"({"a": {"b": {"c": 1}}})", shallow);
  CHECK(error.message == "nesting deeper than 2 levels");
  CHECK(error.pointer == "/a/b");
  CHECK(error.where.column == 13);
}

TEST_CASE("a million opening brackets fail cleanly without exhausting the stack") {
  const InputError error = rejection(std::string(1'000'000, '['));
  CHECK(error.message == "nesting deeper than 64 levels");
  CHECK(error.where.column == 65);
}

TEST_CASE("text over the size limit is refused before parsing") {
  JsonLimits tiny;
  tiny.max_bytes = 10;
  const InputError small = rejection(R"({"abc": 123})", tiny);
  CHECK(small.message == "file is larger than the 10-byte limit");
  CHECK(small.where.line == 0);
  CHECK(format_error(small) == "scenario.json: file is larger than the 10-byte limit");
  CHECK_NOTHROW(JsonSource::parse("scenario.json", R"({"a": 12})", tiny));

  const std::string over_default(4 * 1024 * 1024 + 1, ' ');
  CHECK(rejection(over_default).message == "file is larger than the 4 MiB limit");
}

TEST_CASE("an error reads as file, line, column, pointer and message") {
  const InputError at_member("scenario.json", {3, 21}, "/services/0/workers", "expected an integer >= 1");
  CHECK(format_error(at_member) == "scenario.json:3:21: at /services/0/workers: expected an integer >= 1");
  CHECK(std::string(at_member.what()) == format_error(at_member));

  const InputError at_root("scenario.json", {1, 1}, "", "expected a JSON object");
  CHECK(format_error(at_root) == "scenario.json:1:1: at (document root): expected a JSON object");

  const InputError whole_file("scenario.json", {}, "/x", "cannot read file: Permission denied");
  CHECK(format_error(whole_file) == "scenario.json: cannot read file: Permission denied");
  CHECK(std::string(whole_file.what()) == format_error(whole_file));
}

TEST_CASE("a parse error's text names the place of the problem") {
  const InputError error = rejection("{\n  \"a\": [1 2]\n}");
  CHECK(std::string(error.what()) == "scenario.json:2:11: at /a: expected ',' or ']' after an array element");
}

TEST_CASE("error() locates a pointer, or its nearest parent, in the source") {
  const JsonSource source = JsonSource::parse("scenario.json", kServices);
  const InputError error = source.error("/services/0/workers", "expected an integer >= 1");
  CHECK(format_error(error) == "scenario.json:3:21: at /services/0/workers: expected an integer >= 1");

  const InputError missing = source.error("/services/1/workers", "workers is required");
  CHECK(same_location(missing.where, {4, 5}));
  CHECK(missing.pointer == "/services/1/workers");
}

TEST_CASE("load reads a file from disk and keeps its text") {
  const TemporaryFile file("{\n  \"seed\": 42\n}\n");
  const JsonSource source = JsonSource::load(file.path.string());
  CHECK(source.root()["seed"] == 42);
  CHECK(source.file() == file.path.string());
  CHECK(source.text() == "{\n  \"seed\": 42\n}\n");
  CHECK(same_location(source.locate("/seed"), {2, 3}));
}

TEST_CASE("load reports a missing file with line 0 and the system's reason") {
  const std::string path = "/nonexistent/faultline/scenario.json";
  try {
    JsonSource::load(path);
    FAIL("a missing file was loaded");
  } catch (const InputError& error) {
    CHECK(error.where.line == 0);
    CHECK(error.message == "cannot read file: No such file or directory");
    CHECK(format_error(error) == path + ": cannot read file: No such file or directory");
  }
}

TEST_CASE("load refuses a directory and a file over the size limit") {
  const std::string directory = std::filesystem::temp_directory_path().string();
  try {
    JsonSource::load(directory);
    FAIL("a directory was loaded");
  } catch (const InputError& error) {
    CHECK(error.message == "cannot read file: Is a directory");
  }

  const TemporaryFile file(R"({"name": "a long enough value"})");
  JsonLimits tiny;
  tiny.max_bytes = 16;
  try {
    JsonSource::load(file.path.string(), tiny);
    FAIL("a file over the limit was loaded");
  } catch (const InputError& error) {
    CHECK(error.where.line == 0);
    CHECK(error.message == "file is larger than the 16-byte limit");
  }
}

TEST_CASE("load reports syntax errors with the file's path") {
  const TemporaryFile file("{\"a\": [1,]}");
  try {
    JsonSource::load(file.path.string());
    FAIL("a bad file was loaded");
  } catch (const InputError& error) {
    CHECK(format_error(error) == file.path.string() +
                                     ":1:10: at /a/1: expected a value after ',' (trailing "
                                     "commas are not allowed)");
  }
}

TEST_CASE("an object with many members parses in linear time") {
  std::string text = "{";
  for (int i = 0; i < 200'000; ++i) {
    if (i > 0) text += ',';
    text += "\"k" + std::to_string(i) + "\":" + std::to_string(i);
  }
  text += '}';
  const JsonSource source = JsonSource::parse("scenario.json", text);
  CHECK(source.root().size() == 200'000);
  CHECK(source.root().back() == 199'999);
}
