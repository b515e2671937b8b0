// faultline-test-backend: a small HTTP/1.1 service for the live tests and benchmarks, on one
// Asio io_context. Every request is answered after a delay drawn from a latency distribution,
// with HTTP 500 for a seeded share of them; /health always answers 200 at once, /stats gives
// the counts. It stops by itself after --max-seconds (a hang guard), after answering
// --max-requests requests (a crash of the system under test at a point in the load, not in
// time), or on SIGINT/SIGTERM. With --idle-timeout it closes a kept-alive connection that
// waits that long for its next request, as servers' keep-alive timeouts do.
//
//   faultline-test-backend --listen 127.0.0.1:0 [--latency 5ms | exp:2ms | uniform:1ms:3ms]
//                          [--error-ratio 0.1 [--error-status 500] [--retry-after SECONDS]]
//                          [--seed N] [--max-seconds 120] [--max-requests N] [--name NAME]
//                          [--idle-timeout 50ms]
// Prints "listening HOST:PORT" on stdout once it accepts connections.
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "harness/duration.hpp"
#include "harness/live/http.hpp"
#include "sim/distribution.hpp"
#include "sim/rng.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using faultline::live::head_end;
using faultline::live::parse_request_head;
using faultline::live::simple_response;

namespace {

struct Settings {
  std::string listen = "127.0.0.1:0";
  faultline::sim::Distribution latency = faultline::sim::ConstantDist{0};
  double error_ratio = 0;
  int error_status = 500;   // the status of the errors (429 for a rate limit's answer)
  std::string retry_after;  // a Retry-After header on the errors, if set
  std::uint64_t seed = 1;
  int max_seconds = 120;
  std::uint64_t max_requests = 0;  // > 0: stop once this many requests were answered
  std::string name = "backend";
  faultline::sim::TimeNs idle_timeout = 0;  // > 0: a connection idle this long is closed
};

struct Counts {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::uint64_t answered = 0;
  asio::io_context* io = nullptr;  // stopped after --max-requests answers
};

faultline::sim::TimeNs duration_arg(const std::string& text) {
  const auto value = faultline::harness::parse_go_duration(text);
  if (!value) {
    std::fprintf(stderr, "faultline-test-backend: not a duration: %s\n", text.c_str());
    std::exit(2);
  }
  return *value;
}

// "5ms", "exp:2ms", "uniform:1ms:3ms"
faultline::sim::Distribution latency_arg(const std::string& text) {
  if (text.rfind("exp:", 0) == 0) return faultline::sim::ExponentialDist{duration_arg(text.substr(4))};
  if (text.rfind("uniform:", 0) == 0) {
    const std::string rest = text.substr(8);
    const auto colon = rest.find(':');
    return faultline::sim::UniformDist{duration_arg(rest.substr(0, colon)), duration_arg(rest.substr(colon + 1))};
  }
  return faultline::sim::ConstantDist{duration_arg(text)};
}

asio::awaitable<void> serve(tcp::socket socket, const Settings& settings, faultline::sim::Rng& rng, Counts& counts) {
  std::string data;
  std::array<char, 8192> buffer;
  asio::steady_timer timer(socket.get_executor());
  asio::steady_timer idle(socket.get_executor());
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  for (;;) {
    if (settings.idle_timeout > 0 && data.empty()) {
      // Waiting for the next request: closed if it does not come in time (the pending read then
      // ends the connection).
      idle.expires_after(std::chrono::nanoseconds(settings.idle_timeout));
      idle.async_wait([&socket](boost::system::error_code idle_ec) {
        if (!idle_ec) socket.close();
      });
    }
    std::optional<std::size_t> end;
    while (!(end = head_end(data))) {
      const std::size_t n = co_await socket.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      data.append(buffer.data(), n);
      idle.cancel();
      if (data.size() > (1 << 20)) co_return;
    }
    const auto head = parse_request_head(std::string_view(data).substr(0, *end));
    if (!head || head->chunked) co_return;
    while (data.size() < *end + head->content_length) {
      const std::size_t n = co_await socket.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      data.append(buffer.data(), n);
    }
    data.erase(0, *end + head->content_length);
    std::string response;
    if (head->target == "/health") {
      response = simple_response(200, "healthy\n");
    } else if (head->target == "/stats") {
      response = simple_response(200, "{\"requests\": " + std::to_string(counts.requests) + ", \"errors\": " +
                                          std::to_string(counts.errors) + "}\n", "application/json");
    } else {
      ++counts.requests;
      const faultline::sim::TimeNs delay = faultline::sim::sample(settings.latency, rng);
      const bool fail = settings.error_ratio > 0 && rng.chance(settings.error_ratio);
      if (delay > 0) {
        timer.expires_after(std::chrono::nanoseconds(delay));
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (fail) ++counts.errors;
      response = fail ? simple_response(settings.error_status, "error from " + settings.name + "\n", "text/plain",
                                        settings.retry_after.empty() ? "" : "Retry-After: " + settings.retry_after + "\r\n")
                      : simple_response(200, "ok from " + settings.name + "\n");
    }
    const bool counted = head->target != "/health" && head->target != "/stats";
    // --max-requests counts answers as they are written: an asynchronous write usually goes out
    // before its completion runs, so counting completions let answers in flight at the stop
    // through (152 of 150 under load). The answer past the count is never written.
    if (counted && settings.max_requests > 0 && counts.answered >= settings.max_requests) {
      counts.io->stop();
      co_return;
    }
    if (counted) ++counts.answered;
    co_await asio::async_write(socket, asio::buffer(response), asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && counted && counts.answered == settings.max_requests) {
      counts.io->stop();  // the process goes away, as a crashed service does
      co_return;
    }
    if (ec || head->close) co_return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--listen") settings.listen = value;
    else if (flag == "--latency") settings.latency = latency_arg(value);
    else if (flag == "--error-ratio") settings.error_ratio = std::atof(value.c_str());
    else if (flag == "--error-status") settings.error_status = std::atoi(value.c_str());
    else if (flag == "--retry-after") settings.retry_after = value;
    else if (flag == "--seed") settings.seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--max-seconds") settings.max_seconds = std::atoi(value.c_str());
    else if (flag == "--max-requests") settings.max_requests = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--name") settings.name = value;
    else if (flag == "--idle-timeout") settings.idle_timeout = duration_arg(value);
    else {
      std::fprintf(stderr, "faultline-test-backend: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  faultline::sim::prepare(settings.latency);
  asio::io_context io(1);
  const auto colon = settings.listen.rfind(':');
  const tcp::endpoint at(asio::ip::make_address(settings.listen.substr(0, colon)),
                         static_cast<unsigned short>(std::atoi(settings.listen.c_str() + colon + 1)));
  tcp::acceptor acceptor(io);
  boost::system::error_code listen_ec;
  acceptor.open(at.protocol(), listen_ec);
  if (!listen_ec) acceptor.set_option(asio::socket_base::reuse_address(true), listen_ec);
  if (!listen_ec) acceptor.bind(at, listen_ec);
  if (!listen_ec) acceptor.listen(asio::socket_base::max_listen_connections, listen_ec);
  if (listen_ec) {
    std::fprintf(stderr, "faultline-test-backend: cannot listen on %s: %s\n", settings.listen.c_str(), listen_ec.message().c_str());
    return 2;
  }
  faultline::sim::Rng rng = faultline::sim::Rng::stream(settings.seed, "backend/" + settings.name);
  Counts counts;
  counts.io = &io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (!acceptor.is_open()) co_return;
      if (!ec) asio::co_spawn(io, serve(std::move(socket), settings, rng, counts), asio::detached);
    }
  }, asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { io.stop(); });
  asio::steady_timer guard(io, std::chrono::seconds(settings.max_seconds));
  guard.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  std::printf("listening %s:%u\n", at.address().to_string().c_str(), acceptor.local_endpoint().port());
  std::fflush(stdout);
  io.run();
  return 0;
}
