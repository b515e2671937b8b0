// Just enough HTTP/1.1 framing for the proxy, the load generator, the test backend and the
// control API: find the end of a head, read the request line or status line, and the headers
// that frame a body (Content-Length, Transfer-Encoding) or end a connection.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline::live {

// The offset just past "\r\n\r\n", or nullopt when the head is not complete yet.
std::optional<std::size_t> head_end(std::string_view data);

struct HttpHead {
  std::string method;       // requests
  std::string target;       // requests: "/path?query"
  int status = 0;           // responses
  std::uint64_t content_length = 0;
  bool chunked = false;     // Transfer-Encoding: chunked (the proxy passes these through as is)
  bool close = false;       // Connection: close (or HTTP/1.0 without keep-alive)
};

// Parses a request head (up to and including the blank line); nullopt when it is not one.
std::optional<HttpHead> parse_request_head(std::string_view head);
// Parses a response head; nullopt when it is not one.
std::optional<HttpHead> parse_response_head(std::string_view head);

// The value of header `name` (case-insensitive) in a head, or empty.
std::string_view header_value(std::string_view head, std::string_view name);

// "HTTP/1.1 503 Service Unavailable\r\n..." with a small text body and keep-alive.
std::string simple_response(int status, std::string_view body, std::string_view content_type = "text/plain",
                            std::string_view extra_headers = {});

const char* status_reason(int status);

// "host:port" split; nullopt when malformed or the port is not 1..65535. An IPv6 host is
// written in brackets ("[::1]:9001") and kept without them (ready for make_address).
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view text);
// Back to "host:port", with brackets around an IPv6 host.
std::string host_port_text(const HostPort& address);

}  // namespace faultline::live
