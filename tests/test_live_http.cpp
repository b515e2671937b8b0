// The HTTP/1.1 framing the live proxy and load generator rely on (harness/live/http.hpp): the
// one-pass header scan must find the framing headers wherever they sit, in any case, and
// ignore every other header (including ones whose names contain theirs).
#include <catch2/catch.hpp>

#include "harness/live/http.hpp"

namespace faultline::live {

TEST_CASE("HTTP framing: Content-Length, chunked and Connection in any order and case", "[live][http]") {
  const auto response = parse_response_head(
      "HTTP/1.1 503 Service Unavailable\r\nX-Content-Length: 99\r\ncontent-LENGTH:  12 \r\nConnection: keep-alive, Close\r\n\r\n");
  REQUIRE(response);
  CHECK(response->status == 503);
  CHECK(response->content_length == 12);
  CHECK_FALSE(response->chunked);
  CHECK(response->close);

  const auto chunked = parse_response_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nServer: x\r\n\r\n");
  REQUIRE(chunked);
  CHECK(chunked->chunked);
  CHECK(chunked->content_length == 0);
  CHECK_FALSE(chunked->close);

  // HTTP/1.0 closes unless it asks to keep the connection alive.
  const auto old = parse_response_head("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n");
  REQUIRE(old);
  CHECK(old->close);
  const auto old_kept = parse_response_head("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n");
  REQUIRE(old_kept);
  CHECK_FALSE(old_kept->close);

  // The first of repeated headers counts, as header_value finds it.
  const auto repeated = parse_request_head("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n");
  REQUIRE(repeated);
  CHECK(repeated->method == "POST");
  CHECK(repeated->target == "/x");
  CHECK(repeated->content_length == 5);
  CHECK(header_value("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n", "content-length") == "5");
}

TEST_CASE("HTTP framing: a malformed Content-Length or start line is not a head", "[live][http]") {
  CHECK_FALSE(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n"));
  CHECK_FALSE(parse_response_head("HTTP/1.1 2x0 OK\r\n\r\n"));
  CHECK_FALSE(parse_request_head("GET\r\nHost: h\r\n\r\n"));
  CHECK_FALSE(parse_request_head("GET / SPDY/3\r\n\r\n"));
  CHECK(head_end("GET / HTTP/1.1\r\nHost: h\r\n") == std::nullopt);
  CHECK(head_end("GET / HTTP/1.1\r\nHost: h\r\n\r\nbody") == std::optional<std::size_t>(std::string_view("GET / HTTP/1.1\r\nHost: h\r\n\r\n").size()));
}

}  // namespace faultline::live
