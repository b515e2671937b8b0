// The one formatting module: text helpers shared by the report writers, the harness and the GUI: escaping for XML/HTML/Markdown, and
// number formats that read well and never depend on the locale.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace faultline::reports {

// Escapes &, <, >, " and ' for XML and HTML text and attributes. Characters XML 1.0 forbids
// (control characters other than tab, newline, carriage return) become U+FFFD.
std::string xml_escape(std::string_view text);

// Makes `text` safe inside one Markdown table cell: no pipes, no newlines, no raw HTML.
std::string markdown_cell(std::string_view text);

// `text` as one Markdown code span, whatever it holds: the fence is longer than any run of
// backticks inside, line breaks show as \n and \r (they would end the span or the paragraph),
// and in a table cell a pipe is escaped. HTML inside a code span is shown, not interpreted.
std::string markdown_code(std::string_view text, bool in_table = false);

// A number with exactly `decimals` decimals ("3.20"), locale-free.
std::string fixed(double value, int decimals);

// A number the way JSON writes it: shortest text that reads back to the same double.
std::string number_text(double value);

// A ratio 0..1 as a percentage with up to `decimals` decimals, trailing zeros trimmed ("99.5%").
std::string percent(double ratio, int decimals = 3);

// A ratio 0..1 as a percentage with exactly `decimals` decimals ("99.50%"), as assertion texts print it.
std::string percent_fixed(double ratio, int decimals);

// A ratio 0..1 as a short percentage for dense displays (the GUI): "0.42%", "12.5%", "100%",
// "<0.01%", "99.99%" just below 100, "-" when not finite.
std::string percent_compact(double ratio);

// Milliseconds as "14.2 ms", "1.25 s" or "850 µs", three significant digits.
std::string latency_text(double ms);

// Seconds as a short duration: "0s", "1.5s", "2m30s", "1h2m".
std::string seconds_text_short(double seconds);

// A report's "seconds.nanoseconds" text (as "10.000000000") as seconds; nullopt for null.
std::optional<double> report_seconds(const nlohmann::ordered_json& value);

// A JSON number (or null) as an optional double.
std::optional<double> json_number(const nlohmann::ordered_json& value);

// A count with thin grouping: 1234567 -> "1,234,567".
std::string count_text(std::uint64_t value);

}  // namespace faultline::reports
