// The fault-injecting proxy (see harness/live/proxy.hpp).
#include "harness/live/proxy.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "harness/live/http.hpp"
#include "harness/live/write_now.hpp"
#include "sim/distribution.hpp"

namespace faultline::live {

using faults::ToxicStream;
using faults::ToxicType;

namespace {

constexpr std::size_t kChunkBytes = 16 * 1024;
constexpr std::size_t kMaxHeadBytes = 64 * 1024;  // a longer head: pass the connection through unframed
constexpr auto kConnectTimeout = std::chrono::seconds(5);

tcp::endpoint endpoint_of(const std::string& text) {
  auto hp = parse_host_port(text);
  if (!hp && text.size() > 2 && text.substr(text.size() - 2) == ":0") {
    hp = HostPort{text.substr(0, text.size() - 2), 0};
    if (hp->host.size() > 2 && hp->host.front() == '[') hp->host = hp->host.substr(1, hp->host.size() - 2);
  }
  if (!hp) throw std::system_error(std::make_error_code(std::errc::invalid_argument), "not host:port: " + text);
  return {asio::ip::make_address(hp->host), hp->port};
}

void reset_socket(tcp::socket& socket) {
  boost::system::error_code ignored;
  if (!socket.is_open()) return;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

}  // namespace

// Both directions of one proxied connection. Held by its two coroutines.
struct Proxy::Connection {
  Connection(std::shared_ptr<Proxy> owner, tcp::socket client_socket)
      : proxy(std::move(owner)),
        client(std::move(client_socket)),
        upstream(proxy->io_),
        timer_up(proxy->io_),
        timer_down(proxy->io_),
        close_timer(proxy->io_) {
    proxy->connections_.insert(this);
    ++proxy->stats_.connections_active;
  }
  ~Connection() {
    proxy->connections_.erase(this);
    --proxy->stats_.connections_active;
  }

  void close() {
    if (closed) return;
    closed = true;
    boost::system::error_code ignored;
    client.close(ignored);
    upstream.close(ignored);
    timer_up.cancel();
    timer_down.cancel();
    close_timer.cancel();
  }
  void reset() {
    if (closed) return;
    ++proxy->stats_.connections_reset;
    reset_socket(client);
    reset_socket(upstream);
    close();
  }
  asio::steady_timer& timer(ToxicStream stream) { return stream == ToxicStream::upstream ? timer_up : timer_down; }

  std::shared_ptr<Proxy> proxy;
  tcp::socket client;
  tcp::socket upstream;
  asio::steady_timer timer_up;
  asio::steady_timer timer_down;
  asio::steady_timer close_timer;
  bool closed = false;
  bool close_armed = false;
  std::array<std::uint64_t, 2> bytes{};  // forwarded per stream
  std::vector<std::pair<std::uint64_t, bool>> draws;  // toxicity decision per toxic id
  // HTTP framing of the upstream direction.
  std::string pending;
  std::uint64_t body_remaining = 0;
  bool discarding_body = false;  // the request was answered by the proxy: drop its body
  bool passthrough = false;      // not framable (chunked body, huge head): bytes as they come
  bool awaiting_response = false;
  Clock::time_point forwarded_at{};
};

std::shared_ptr<Proxy> Proxy::create(asio::io_context& io, ProxyConfig config) {
  return std::shared_ptr<Proxy>(new Proxy(io, std::move(config)));
}

Proxy::Proxy(asio::io_context& io, ProxyConfig config)
    : io_(io), config_(std::move(config)), acceptor_(io), rng_(sim::Rng::stream(0x6c697665, config_.name)) {}

Proxy::~Proxy() = default;

void Proxy::start() {
  stopped_ = false;
  if (config_.enabled) open_listener();
}

void Proxy::open_listener() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  const tcp::endpoint at = endpoint_of(config_.listen);
  acceptor_.open(at.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(at);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  if (at.port() == 0) {
    // Port 0 asks the kernel for a free port; the proxy then reports the one it got.
    auto hp = parse_host_port(config_.listen.substr(0, config_.listen.rfind(':')) + ":1");
    hp->port = acceptor_.local_endpoint().port();
    config_.listen = host_port_text(*hp);
  }
  asio::co_spawn(io_, accept_loop(++listen_generation_), asio::detached);
}

void Proxy::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  ++listen_generation_;
  const std::vector<Connection*> open(connections_.begin(), connections_.end());
  for (Connection* c : open) c->close();
}

void Proxy::set_enabled(bool enabled) {
  if (enabled == config_.enabled) return;
  config_.enabled = enabled;
  if (stopped_) return;
  if (!enabled) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    ++listen_generation_;
    reset_connections();
    return;
  }
  try {
    open_listener();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faultline: proxy %s: cannot listen again on %s: %s\n", config_.name.c_str(),
                 config_.listen.c_str(), e.what());
  }
}

void Proxy::reset_connections() {
  const std::vector<Connection*> open(connections_.begin(), connections_.end());
  for (Connection* c : open) c->reset();
}

void Proxy::set_upstream(const std::string& upstream) { config_.upstream = upstream; }
void Proxy::set_listen(const std::string& listen) { config_.listen = listen; }

void Proxy::add_toxic(faults::ToxicSpec toxic) {
  auto entry = std::make_shared<ToxicEntry>();
  entry->id = next_toxic_id_++;
  entry->spec = std::move(toxic);
  entry->added_at = Clock::now();
  toxics_.push_back(std::move(entry));
}

bool Proxy::update_toxic(const faults::ToxicSpec& toxic) {
  for (auto& entry : toxics_) {
    if (entry->spec.name != toxic.name) continue;
    auto updated = std::make_shared<ToxicEntry>(*entry);
    updated->spec = toxic;
    entry = std::move(updated);
    return true;
  }
  return false;
}

bool Proxy::remove_toxic(const std::string& name) {
  const auto it = std::find_if(toxics_.begin(), toxics_.end(), [&](const auto& e) { return e->spec.name == name; });
  if (it == toxics_.end()) return false;
  toxics_.erase(it);
  return true;
}

void Proxy::remove_all_toxics() { toxics_.clear(); }

const faults::ToxicSpec* Proxy::find_toxic(const std::string& name) const {
  for (const auto& entry : toxics_) {
    if (entry->spec.name == name) return &entry->spec;
  }
  return nullptr;
}

std::vector<faults::ToxicSpec> Proxy::toxics() const {
  std::vector<faults::ToxicSpec> out;
  for (const auto& entry : toxics_) out.push_back(entry->spec);
  return out;
}

bool Proxy::applies(Connection& c, const ToxicEntry& toxic) {
  if (toxic.spec.toxicity >= 1.0) return true;
  for (const auto& [id, yes] : c.draws) {
    if (id == toxic.id) return yes;
  }
  const bool yes = rng_.chance(toxic.spec.toxicity);
  c.draws.emplace_back(toxic.id, yes);
  return yes;
}

asio::awaitable<void> Proxy::accept_loop(std::uint64_t generation) {
  auto self = shared_from_this();
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (generation != listen_generation_ || !acceptor_.is_open()) co_return;
    if (ec) continue;
    ++stats_.connections_accepted;
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Proxy::serve(tcp::socket client) {
  auto c = std::make_shared<Connection>(shared_from_this(), std::move(client));
  boost::system::error_code ec;
  try {
    const tcp::endpoint upstream_at = endpoint_of(config_.upstream);
    c->close_timer.expires_after(kConnectTimeout);
    c->close_timer.async_wait([weak = std::weak_ptr<Connection>(c)](boost::system::error_code wait_ec) {
      if (wait_ec) return;
      if (auto strong = weak.lock()) {
        boost::system::error_code ignored;
        strong->upstream.close(ignored);
      }
    });
    co_await c->upstream.async_connect(upstream_at, asio::redirect_error(asio::use_awaitable, ec));
    c->close_timer.cancel();
  } catch (const std::exception&) {
    ec = asio::error::invalid_argument;
  }
  if (ec || c->closed) {
    ++stats_.upstream_failures;
    c->reset();  // the caller sees what a refused connection would give it: a reset
    co_return;
  }
  c->upstream.set_option(tcp::no_delay(true), ec);
  c->client.set_option(tcp::no_delay(true), ec);
  c->upstream.non_blocking(true, ec);  // for write_now
  c->client.non_blocking(true, ec);
  asio::co_spawn(io_, pump(c, ToxicStream::upstream), asio::detached);
  asio::co_spawn(io_, pump(c, ToxicStream::downstream), asio::detached);
}

// Counts an upstream answer by its status (the first chunk of a response, HTTP mode).
void Proxy::count_response(std::string_view data, Clock::time_point forwarded, Clock::time_point answered) {
  int status = 0;
  if (const auto end = head_end(data)) {
    if (const auto head = parse_response_head(data.substr(0, *end))) status = head->status;
  } else if (data.size() >= 12 && data.substr(0, 5) == "HTTP/") {
    status = data[9] >= '5' ? 500 : 200;
  }
  if (status == 0) return;
  ++(status >= 500 ? stats_.responses_error : stats_.responses_ok);
  if (observer_) observer_(forwarded, answered, status);
}

// Without toxics, whether a chunk goes on as it came (counting an answer or a whole request on
// its way); false for a request that must be framed first.
bool Proxy::passes_as_is(Connection& c, ToxicStream stream, std::string_view data) {
  if (!config_.http || c.passthrough) {
    c.awaiting_response = false;
    return true;
  }
  if (stream == ToxicStream::downstream) {
    if (c.awaiting_response) {
      c.awaiting_response = false;
      count_response(data, c.forwarded_at, Clock::now());
    }
    return true;
  }
  return whole_request(c, data);
}

// The product of the slowdown toxics that apply to this connection's answers (1: none).
double Proxy::slowdown_factor(Connection& c) {
  double factor = 1.0;
  for (const auto& toxic : std::vector(toxics_)) {
    if (toxic->spec.type == ToxicType::http_slowdown && applies(c, *toxic)) factor *= toxic->spec.factor;
  }
  return factor;
}

// A clean close of one side: passed on to the other, after slow_close's delay.
asio::awaitable<void> Proxy::pass_close(std::shared_ptr<Connection> c, ToxicStream stream) {
  tcp::socket& to = stream == ToxicStream::upstream ? c->upstream : c->client;
  boost::system::error_code ec;
  for (const auto& toxic : std::vector(toxics_)) {
    if (toxic->spec.type == ToxicType::slow_close && toxic->spec.stream == stream && applies(*c, *toxic)) {
      c->timer(stream).expires_after(std::chrono::nanoseconds(toxic->spec.delay_ns));
      co_await c->timer(stream).async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  if (c->closed) co_return;
  to.shutdown(tcp::socket::shutdown_send, ec);
  if (ec || stream == ToxicStream::downstream) c->close();
}

asio::awaitable<void> Proxy::pump(std::shared_ptr<Connection> c, ToxicStream stream) {
  tcp::socket& from = stream == ToxicStream::upstream ? c->client : c->upstream;
  tcp::socket& to = stream == ToxicStream::upstream ? c->upstream : c->client;
  std::array<char, kChunkBytes> buffer;
  try {
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = co_await from.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (c->closed) co_return;
      if (ec) {
        if (ec != asio::error::eof) {
          c->reset();
          co_return;
        }
        co_await pass_close(c, stream);
        co_return;
      }
      const std::string_view data(buffer.data(), n);
      // Without toxics the bytes go on as they came, without a coroutine frame or a copy per
      // chunk: always in TCP mode; in HTTP mode every answer, and every request that arrives
      // whole in one chunk (counted on its way; the rest is framed below).
      if (toxics_.empty() && passes_as_is(*c, stream, data)) {
        const std::size_t sent = write_now(to, data, ec);
        if (!ec && sent < n) co_await asio::async_write(to, asio::buffer(data.substr(sent)), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          c->close();
          co_return;
        }
        c->bytes[stream == ToxicStream::upstream ? 0 : 1] += n;
        (stream == ToxicStream::upstream ? stats_.bytes_upstream : stats_.bytes_downstream) += n;
        continue;
      }
      const Clock::time_point read_at = Clock::now();
      if (config_.http && stream == ToxicStream::upstream && !c->passthrough) {
        co_await forward_requests(c, data, read_at);
        continue;
      }
      if (!config_.http && stream == ToxicStream::upstream) {
        // TCP mode: each chunk from the client is a request for the per-request toxics.
        if (co_await request_toxics(c) != 0) {
          ++stats_.injected_errors;
          c->reset();
          co_return;
        }
        if (c->closed) co_return;
        c->awaiting_response = true;
        c->forwarded_at = Clock::now();
      }
      if (stream == ToxicStream::downstream && c->awaiting_response) {
        c->awaiting_response = false;
        if (config_.http) count_response(data, c->forwarded_at, read_at);
        // A slower service: the answer is held back (factor - 1) times what the upstream took.
        const auto took = read_at - c->forwarded_at;
        const double factor = slowdown_factor(*c);
        if (factor > 1.0) {
          c->timer(stream).expires_at(read_at + std::chrono::duration_cast<Clock::duration>(took * (factor - 1.0)));
          co_await c->timer(stream).async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (c->closed) co_return;
        }
      }
      if (!co_await forward_chunk(c, stream, data, read_at)) co_return;
    }
  } catch (const std::exception&) {
    c->reset();
  }
}

// HTTP mode: a chunk that is exactly one whole request (head and body) is counted and marked
// forwarded; false for anything else (part of a request, several, a chunked body), which is
// then framed by forward_requests.
bool Proxy::whole_request(Connection& c, std::string_view data) {
  if (!c.pending.empty() || c.body_remaining > 0 || c.passthrough) return false;
  const auto end = head_end(data);
  if (!end) return false;
  const auto head = parse_request_head(data.substr(0, *end));
  if (!head || head->chunked || *end + head->content_length != data.size()) return false;
  ++stats_.requests;
  c.awaiting_response = true;
  c.forwarded_at = Clock::now();
  return true;
}

// Frames requests in the client's bytes; per-request toxics act at each request's head.
asio::awaitable<void> Proxy::forward_requests(std::shared_ptr<Connection> c, std::string_view data,
                                              Clock::time_point read_at) {
  c->pending.append(data);
  boost::system::error_code ec;
  while (!c->pending.empty() && !c->closed) {
    if (c->passthrough) {
      const std::string rest = std::move(c->pending);
      c->pending.clear();
      co_await forward_chunk(c, ToxicStream::upstream, rest, read_at);
      co_return;
    }
    if (c->body_remaining > 0) {
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(c->body_remaining, c->pending.size()));
      const std::string body = c->pending.substr(0, take);
      c->pending.erase(0, take);
      c->body_remaining -= take;
      if (!c->discarding_body && !co_await forward_chunk(c, ToxicStream::upstream, body, read_at)) co_return;
      continue;
    }
    const auto end = head_end(c->pending);
    if (!end) {
      if (c->pending.size() > kMaxHeadBytes) c->passthrough = true;
      if (c->passthrough) continue;
      co_return;  // wait for the rest of the head
    }
    const std::string head_text = c->pending.substr(0, *end);
    c->pending.erase(0, *end);
    const auto head = parse_request_head(head_text);
    if (!head || head->chunked) c->passthrough = true;
    c->body_remaining = head ? head->content_length : 0;
    c->discarding_body = false;
    ++stats_.requests;
    const int answer_status = toxics_.empty() ? 0 : co_await request_toxics(c);
    if (c->closed) co_return;
    if (answer_status != 0) {
      ++stats_.injected_errors;
      c->discarding_body = true;
      const std::string response = simple_response(answer_status, "injected by faultline\n", "text/plain",
                                                   "X-Faultline-Fault: http_error\r\n");
      co_await asio::async_write(c->client, asio::buffer(response), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        c->close();
        co_return;
      }
      continue;
    }
    c->awaiting_response = true;
    c->forwarded_at = Clock::now();
    if (!co_await forward_chunk(c, ToxicStream::upstream, head_text, read_at)) co_return;
  }
}

// The per-request toxics at one request (HTTP mode: its head; TCP mode: a chunk from the
// client): waits out http_delay and http_rate, and returns the status http_error answers with
// (0: forward the request).
asio::awaitable<int> Proxy::request_toxics(std::shared_ptr<Connection> c) {
  boost::system::error_code ec;
  int answer_status = 0;
  for (const auto& toxic : std::vector(toxics_)) {
    const faults::ToxicSpec& spec = toxic->spec;
    if (spec.stream != ToxicStream::upstream || !applies(*c, *toxic)) continue;
    if (spec.type == ToxicType::http_error && answer_status == 0 && rng_.chance(spec.ratio)) {
      answer_status = spec.status;
    } else if (spec.type == ToxicType::http_delay && rng_.chance(spec.ratio)) {
      c->timer_up.expires_after(std::chrono::nanoseconds(sim::sample(spec.delay, rng_)));
      co_await c->timer_up.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    } else if (spec.type == ToxicType::http_rate && spec.requests_per_s > 0) {
      // One shared pacing slot per toxic: requests beyond the rate wait their turn.
      Clock::time_point& slot = rate_slots_[toxic->id];
      const auto now = Clock::now();
      if (slot < now) slot = now;
      const auto wait_until = slot;
      slot += std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / spec.requests_per_s));
      c->timer_up.expires_at(wait_until);
      co_await c->timer_up.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (c->closed) co_return 0;
  }
  co_return answer_status;
}

// A latency toxic's delay for a chunk read at `read_at`, ramping up from when the toxic was
// added, as the simulator's ramp from the fault's start.
sim::TimeNs Proxy::latency_delay(const ToxicEntry& toxic, Clock::time_point read_at) {
  const faults::ToxicSpec& spec = toxic.spec;
  sim::TimeNs delay = sim::sample(spec.delay, rng_);
  if (spec.ramp_ns > 0) {
    const auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(read_at - toxic.added_at).count();
    if (since < spec.ramp_ns) delay = sim::scaled_ns(delay, static_cast<double>(std::max<sim::TimeNs>(since, 0)) / static_cast<double>(spec.ramp_ns));
  }
  return delay;
}

// The timeout and reset_peer toxics: the connection closes (or is reset) that long after data
// was first held; armed once per connection.
void Proxy::arm_close(const std::shared_ptr<Connection>& c, sim::TimeNs after_ns, bool reset) {
  if (c->close_armed) return;
  c->close_armed = true;
  c->close_timer.expires_after(std::chrono::nanoseconds(after_ns));
  c->close_timer.async_wait([c, reset](boost::system::error_code wait_ec) {
    if (wait_ec) return;
    if (reset) {
      c->reset();
    } else {
      c->close();
    }
  });
}

// The slicer toxic: the chunk written in slices of about average_size bytes, slice_delay apart.
asio::awaitable<bool> Proxy::write_sliced(std::shared_ptr<Connection> c, ToxicStream stream, const faults::ToxicSpec& spec,
                                          std::string_view data) {
  tcp::socket& to = stream == ToxicStream::upstream ? c->upstream : c->client;
  asio::steady_timer& timer = c->timer(stream);
  const std::size_t index = stream == ToxicStream::upstream ? 0 : 1;
  boost::system::error_code ec;
  std::size_t at = 0;
  while (at < data.size() && !c->closed) {
    std::int64_t size = spec.average_size;
    if (spec.size_variation > 0) {
      size += static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(2 * spec.size_variation + 1))) - spec.size_variation;
    }
    const std::size_t slice = std::min<std::size_t>(data.size() - at, static_cast<std::size_t>(std::max<std::int64_t>(size, 1)));
    co_await asio::async_write(to, asio::buffer(data.data() + at, slice), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      c->close();
      co_return false;
    }
    at += slice;
    c->bytes[index] += slice;
    if (spec.slice_delay_us > 0 && at < data.size()) {
      timer.expires_after(std::chrono::microseconds(spec.slice_delay_us));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  (index == 0 ? stats_.bytes_upstream : stats_.bytes_downstream) += data.size();
  co_return !c->closed;
}

// Passes one chunk through the stream's toxics and writes it; false once the connection ends.
asio::awaitable<bool> Proxy::forward_chunk(std::shared_ptr<Connection> c, ToxicStream stream, std::string_view data,
                                           Clock::time_point read_at) {
  tcp::socket& to = stream == ToxicStream::upstream ? c->upstream : c->client;
  asio::steady_timer& timer = c->timer(stream);
  const std::size_t index = stream == ToxicStream::upstream ? 0 : 1;
  boost::system::error_code ec;
  const std::vector<std::shared_ptr<const ToxicEntry>> active = toxics_;
  for (const auto& toxic : active) {
    const faults::ToxicSpec& spec = toxic->spec;
    if (spec.stream != stream || !applies(*c, *toxic)) continue;
    switch (spec.type) {
      case ToxicType::latency: {
        timer.expires_at(read_at + std::chrono::nanoseconds(latency_delay(*toxic, read_at)));
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      case ToxicType::bandwidth:
        if (spec.rate_kb_per_s > 0) {
          timer.expires_after(std::chrono::nanoseconds(static_cast<std::int64_t>(
              static_cast<double>(data.size()) * 1e9 / (static_cast<double>(spec.rate_kb_per_s) * 1000.0))));
          co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        break;
      case ToxicType::timeout:
        // Nothing passes. With a timeout the connection closes that long after data was held.
        if (spec.timeout_ns > 0) arm_close(c, spec.timeout_ns, false);
        co_return !c->closed;
      case ToxicType::reset_peer:
        if (spec.timeout_ns <= 0) {
          c->reset();
          co_return false;
        }
        arm_close(c, spec.timeout_ns, true);
        break;
      case ToxicType::limit_data: {
        const std::uint64_t sent = c->bytes[index];
        if (sent + data.size() >= spec.bytes) {
          const std::size_t allowed = spec.bytes > sent ? static_cast<std::size_t>(spec.bytes - sent) : 0;
          co_await asio::async_write(to, asio::buffer(data.data(), allowed), asio::redirect_error(asio::use_awaitable, ec));
          c->bytes[index] += allowed;
          c->close();
          co_return false;
        }
        break;
      }
      case ToxicType::slicer:
        co_return co_await write_sliced(c, stream, spec, data);
      default: break;  // slow_close acts at the close; http_* at request heads
    }
    if (c->closed) co_return false;
  }
  co_await asio::async_write(to, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    c->close();
    co_return false;
  }
  c->bytes[index] += data.size();
  (index == 0 ? stats_.bytes_upstream : stats_.bytes_downstream) += data.size();
  co_return true;
}

}  // namespace faultline::live
