// Locale-free formatting and escaping for the report writers.
#include "reports/format.hpp"

#include <algorithm>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace faultline::reports {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') out += "\xEF\xBF\xBD";
        else out += c;
    }
  }
  return out;
}

std::string markdown_code(std::string_view text, bool in_table) {
  std::string body;
  std::size_t run = 0, longest_run = 0;
  for (const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest_run = std::max(longest_run, run);
    if (c == '\n') body += "\\n";
    else if (c == '\r') body += "\\r";
    else if (c == '|' && in_table) body += "\\|";
    else body += c;
  }
  const std::string fence(longest_run + 1, '`');
  // A span that starts or ends with a backtick needs a space inside the fence (stripped on display).
  const bool pad = !body.empty() && (body.front() == '`' || body.back() == '`' || body.front() == ' ');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    switch (c) {
      case '|': out += "\\|"; break;
      case '\n': case '\r': out += ' '; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string out = buffer;
  if (out == "-0" || out.rfind("-0.", 0) == 0) {
    // "-0.00" reads as a change where there is none.
    bool zero = true;
    for (const char c : out) zero = zero && (c == '-' || c == '0' || c == '.');
    if (zero) out.erase(0, 1);
  }
  return out;
}

std::string number_text(double value) {
  // Whole numbers print without ".0" ("306", not "306.0"); others as JSON writes them.
  if (std::fabs(value) < 9.007199254740992e15 && value == std::trunc(value)) {
    return std::to_string(static_cast<long long>(value));
  }
  return nlohmann::json(value).dump();
}

namespace {

std::string trim_zeros(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

std::string percent(double ratio, int decimals) { return trim_zeros(fixed(ratio * 100.0, decimals)) + "%"; }

std::string percent_fixed(double ratio, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f%%", decimals, ratio * 100.0);
  return buffer;
}

std::string percent_compact(double ratio) {
  char buffer[32];
  if (!std::isfinite(ratio)) return "-";
  const double p = ratio * 100.0;
  if (p == 0.0) return "0%";
  if (p >= 99.995 && p <= 100.0) return p == 100.0 ? "100%" : "99.99%";
  if (p < 0.01) std::snprintf(buffer, sizeof buffer, "<0.01%%");
  else if (p < 10) std::snprintf(buffer, sizeof buffer, "%.2f%%", p);
  else std::snprintf(buffer, sizeof buffer, "%.1f%%", p);
  return buffer;
}

std::string latency_text(double ms) {
  const double magnitude = std::fabs(ms);
  auto three = [](double v) {
    const double a = std::fabs(v);
    return trim_zeros(fixed(v, a >= 100 ? 0 : a >= 10 ? 1 : 2));
  };
  if (magnitude == 0) return "0 ms";
  if (magnitude < 1) return three(ms * 1000.0) + " µs";
  if (magnitude < 1000) return three(ms) + " ms";
  return three(ms / 1000.0) + " s";
}

std::string seconds_text_short(double seconds) {
  if (seconds < 0) return "-" + seconds_text_short(-seconds);
  if (seconds < 60) return trim_zeros(fixed(seconds, seconds < 10 ? 3 : 1)) + "s";
  const auto total = static_cast<long long>(std::llround(seconds));
  const long long hours = total / 3600, minutes = (total % 3600) / 60, secs = total % 60;
  std::string out;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0 || (hours > 0 && secs > 0)) out += std::to_string(minutes) + "m";
  if (secs > 0 && hours == 0) out += std::to_string(secs) + "s";
  return out;
}

std::optional<double> report_seconds(const nlohmann::ordered_json& value) {
  if (!value.is_string()) return std::nullopt;
  const std::string& text = value.get_ref<const std::string&>();
  double seconds = 0;
  std::from_chars(text.data(), text.data() + text.size(), seconds);
  return seconds;
}

std::optional<double> json_number(const nlohmann::ordered_json& value) {
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

std::string count_text(std::uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  const std::size_t lead = digits.size() % 3;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && i >= lead && (i - lead) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace faultline::reports
