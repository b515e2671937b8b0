// HTTP/1.1 head parsing (see harness/live/http.hpp).
#include "harness/live/http.hpp"

#include <charconv>
#include <cstring>

namespace faultline::live {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Whether `a` is `lower` (written in lower case) in any case: one side folded per character.
bool is_lower_case_of(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + ('a' - 'A'));
    if (x != lower[i]) return false;
  }
  return true;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// `token` is lower case.
bool contains_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (is_lower_case_of(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// The next "\r\n" at or after `from`, or null.
const char* find_crlf(const char* from, const char* end) {
  while (from + 1 < end) {
    const void* cr = std::memchr(from, '\r', static_cast<std::size_t>(end - from - 1));
    if (cr == nullptr) return nullptr;
    const char* at = static_cast<const char*>(cr);
    if (at[1] == '\n') return at;
    from = at + 1;
  }
  return nullptr;
}

// Fills the framing fields from the header lines, in one pass over them (this runs for every
// request the proxy frames and every response the generator reads); false on a malformed
// Content-Length. Lines end in "\r\n"; the start line is skipped; only a name that starts
// with c or t can be one of the three that frame a body, so other lines are passed over
// after their first character. The first of a repeated header counts.
bool read_framing(std::string_view head, bool http10, HttpHead& out) {
  std::string_view length, transfer_encoding, connection;
  const char* const end = head.data() + head.size();
  const char* line_break = find_crlf(head.data(), end);
  while (line_break != nullptr && line_break + 2 < end) {
    const char* line = line_break + 2;
    line_break = find_crlf(line, end);
    const char* const line_end = line_break != nullptr ? line_break : end;
    const char* name_start = line;
    while (name_start < line_end && is_blank(*name_start)) ++name_start;
    if (name_start == line_end) continue;
    const char initial = static_cast<char>(*name_start | 0x20);
    if (initial != 'c' && initial != 't') continue;
    const void* colon = std::memchr(name_start, ':', static_cast<std::size_t>(line_end - name_start));
    if (colon == nullptr) continue;
    const char* const value_start = static_cast<const char*>(colon) + 1;
    const std::string_view name = trim(std::string_view(name_start, static_cast<std::size_t>(value_start - 1 - name_start)));
    // Only three names matter here; their lengths tell them apart before any comparison.
    std::string_view* value = nullptr;
    if (name.size() == 14 && is_lower_case_of(name, "content-length")) value = &length;
    else if (name.size() == 17 && is_lower_case_of(name, "transfer-encoding")) value = &transfer_encoding;
    else if (name.size() == 10 && is_lower_case_of(name, "connection")) value = &connection;
    if (value != nullptr && value->empty()) *value = trim(std::string_view(value_start, static_cast<std::size_t>(line_end - value_start)));
  }
  if (!length.empty()) {
    const auto [at, error] = std::from_chars(length.data(), length.data() + length.size(), out.content_length);
    if (error != std::errc() || at != length.data() + length.size()) return false;
  }
  out.chunked = !transfer_encoding.empty() && contains_token(transfer_encoding, "chunked");
  out.close = http10 ? !contains_token(connection, "keep-alive") : !connection.empty() && contains_token(connection, "close");
  return true;
}

}  // namespace

std::optional<std::size_t> head_end(std::string_view data) {
  const auto at = data.find("\r\n\r\n");
  if (at == std::string_view::npos) return std::nullopt;
  return at + 4;
}

std::string_view header_value(std::string_view head, std::string_view name) {
  std::size_t line = head.find("\r\n");
  while (line != std::string_view::npos && line + 2 < head.size()) {
    const std::size_t start = line + 2;
    const std::size_t end = head.find("\r\n", start);
    const std::string_view text = head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const auto colon = text.find(':');
    if (colon != std::string_view::npos && iequals(trim(text.substr(0, colon)), name)) return trim(text.substr(colon + 1));
    line = end;
  }
  return {};
}

std::optional<HttpHead> parse_request_head(std::string_view head) {
  const auto line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return std::nullopt;
  const std::string_view line = head.substr(0, line_end);
  const auto first = line.find(' ');
  const auto last = line.rfind(' ');
  if (first == std::string_view::npos || last == first) return std::nullopt;
  const std::string_view version = line.substr(last + 1);
  if (version.substr(0, 5) != "HTTP/") return std::nullopt;
  HttpHead out;
  out.method = std::string(line.substr(0, first));
  out.target = std::string(line.substr(first + 1, last - first - 1));
  if (!read_framing(head, version == "HTTP/1.0", out)) return std::nullopt;
  return out;
}

std::optional<HttpHead> parse_response_head(std::string_view head) {
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return std::nullopt;
  const auto space = head.find(' ');
  if (space == std::string_view::npos || space + 4 > head.size()) return std::nullopt;
  HttpHead out;
  const auto [end, error] = std::from_chars(head.data() + space + 1, head.data() + space + 4, out.status);
  if (error != std::errc() || end != head.data() + space + 4) return std::nullopt;
  if (!read_framing(head, head.substr(0, 8) == "HTTP/1.0", out)) return std::nullopt;
  return out;
}

const char* status_reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

std::string simple_response(int status, std::string_view body, std::string_view content_type,
                            std::string_view extra_headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + status_reason(status) + "\r\nContent-Type: ";
  out += content_type;
  out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  out += extra_headers;
  out += "\r\n";
  out += body;
  return out;
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= text.size()) return std::nullopt;
  unsigned port = 0;
  const char* begin = text.data() + colon + 1;
  const auto [end, error] = std::from_chars(begin, text.data() + text.size(), port);
  if (error != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) return std::nullopt;
  HostPort out;
  out.host = std::string(text.substr(0, colon));
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

std::string host_port_text(const HostPort& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

}  // namespace faultline::live
