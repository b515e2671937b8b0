// The open-loop load generator (see harness/live/loadgen.hpp).
#include "harness/live/loadgen.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <optional>
#include <system_error>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include "harness/live/handler_memory.hpp"
#include "harness/live/timed_receive.hpp"
#include "sim/arrivals.hpp"
#include "sim/runtime.hpp"
#include "sim/distribution.hpp"

namespace faultline::live {

using sim::Outcome;
using sim::TimeNs;

// The framing of one response as its bytes arrive: the head, then a body by Content-Length,
// chunked, or until the server closes. complete() is asked again after every read.
struct LoadGenerator::ResponseReader {
  std::optional<std::size_t> end;  // of the head
  std::optional<HttpHead> head;
  std::size_t response_end = std::string::npos;
  bool until_eof = false;
  bool malformed = false;

  void reset() { *this = ResponseReader{}; }

  // Whether the response in `data` is whole (response_end set), or malformed (stop reading).
  bool done(const std::string& data);
};

namespace {
std::size_t chunked_end(const std::string& data, std::size_t from);
}  // namespace

bool LoadGenerator::ResponseReader::done(const std::string& data) {
  if (!end) {
    end = head_end(data);
    if (end) {
      head = parse_response_head(std::string_view(data).substr(0, *end));
      if (!head) {
        malformed = true;
        return true;
      }
      until_eof = !head->chunked && head->content_length == 0 &&
                  std::string_view(data).substr(0, *end).find("ontent-") == std::string_view::npos && head->status != 204 &&
                  head->status != 304 && head->close;
    }
  }
  if (end && head) {
    if (head->chunked) {
      response_end = chunked_end(data, *end);
    } else if (!until_eof) {
      if (data.size() >= *end + head->content_length) response_end = *end + head->content_length;
    }
    if (response_end != std::string::npos) return true;
  }
  return false;
}

// One kept-alive connection of a client's pool. Kept for the generator's life once made and
// reused after it closes (for a new connection), so the handler of an operation pending on
// its socket, or a readiness event of its descriptor, always has it to refer to.
struct LoadGenerator::Pooled {
  explicit Pooled(asio::io_context& io) : socket(io) {}
  ~Pooled() {
    if (fd >= 0) ::close(fd);
  }
  Pooled(const Pooled&) = delete;
  Pooled& operator=(const Pooled&) = delete;
  tcp::socket socket;  // while connecting (Asio's connect); once connected its descriptor is `fd`
  int fd = -1;         // connected: in the generator's readiness set, non-blocking
  std::uint32_t index = 0;       // in connections_
  std::uint32_t client = 0;      // whose pool it is in
  std::uint32_t generation = 0;  // of its descriptor: an event for an earlier one is stale
  Request* request = nullptr;    // the exchange on it, if any
  std::size_t unsent = 0;        // bytes of that exchange's request still to send
  std::string buffer;  // bytes read past the last response
  std::array<char, 8192> chunk;  // each read lands here
  bool reused = false;
  ResponseReader reader;
};

// A closed-loop user: one request at a time, thinking between them.
struct LoadGenerator::User {
  explicit User(asio::io_context& io) : timer(io) {}
  std::uint32_t client = 0;
  std::size_t step = 0;  // in the client's session
  asio::steady_timer timer;
};

// One request, from its first attempt to its outcome (retries included). Recycled through the
// generator's free list: its handlers never allocate once it exists.
struct LoadGenerator::Request {
  explicit Request(asio::io_context& io) : backoff(io) {}
  enum class Phase : std::uint8_t { idle, pool_wait, connecting, exchanging, backoff, rate_wait };
  std::uint32_t client = 0;
  User* user = nullptr;  // closed loop: whose request this is
  TimeNs intended_ns = 0;
  TimeNs own_ns = 0;       // the generator's own delay so far (see GeneratorStats::own_latency)
  TimeNs read_lag_ns = 0;  // the attempt's last read: how long its bytes waited in the kernel
  std::uint32_t attempts = 0;  // made or refused so far, this one included
  Phase phase = Phase::idle;
  Pooled* connection = nullptr;  // the attempt's, while connecting or exchanging
  sim::Breaker::Admission admission;
  TimeNs retry_after_ns = 0;  // a 429's Retry-After
  bool redone = false;        // the attempt was made again on a fresh connection already
  // The attempt's deadline, in its client's deadline list (ordered by deadline) while set.
  TimeNs deadline_ns = sim::kNever;
  bool timed_out = false;
  bool watched = false;
  Request* deadline_prev = nullptr;
  Request* deadline_next = nullptr;
  // Waiting for a pooled connection: in its client's queue of waiters, oldest first.
  Request* wait_prev = nullptr;
  Request* wait_next = nullptr;
  asio::steady_timer backoff;  // the retry's backoff, or the rate limit's wait for a token
};

struct LoadGenerator::Client final : sim::BreakerListener {
  explicit Client(asio::io_context& io) : arrival_timer(io), sweep_timer(io) {}
  std::uint32_t index = 0;
  const sim::ClientConfig* config = nullptr;
  ClientTarget target;
  std::string request_bytes;
  tcp::endpoint endpoint;
  std::vector<Pooled*> idle;
  std::uint32_t open = 0;
  Request* waiters_first = nullptr;  // waiting for a pooled connection, oldest first
  Request* waiters_last = nullptr;
  sim::Breaker breaker;
  sim::TokenBucket limiter;  // the client's own rate limit (x/time/rate's Allow or Wait), as the engine's
  sim::RetryBudgetState budget;
  sim::Rng retry_rng;
  sim::Rng think_rng;
  std::uint32_t outstanding = 0;
  BreakerTransitionSink* sink = nullptr;
  // Open loop: the seeded arrival schedule and the timer that waits for its next instant.
  asio::steady_timer arrival_timer;
  sim::Rng arrival_rng;
  std::uint32_t arrival_segment = 0;
  TimeNs next_arrival_ns = 0;
  Clock::time_point last_wake{};  // when the arrival timer last woke
  // The attempts' deadlines, earliest first (one timeout per client: almost always appended),
  // and the one timer that wakes at the earliest; a request that ends leaves the list and the
  // timer as it is (a wake-up with nothing due re-arms it), so no request arms or cancels a timer.
  Request* deadlines_first = nullptr;
  Request* deadlines_last = nullptr;
  asio::steady_timer sweep_timer;
  TimeNs sweep_at = sim::kNever;  // when the timer wakes (kNever: not armed)
  std::uint64_t sweep_generation = 0;

  void on_breaker_transition(std::uint32_t, TimeNs at, sim::BreakerState from, sim::BreakerState to) override {
    if (sink != nullptr) sink->on_client_breaker(index, at, from, to);
  }
};

namespace {

std::string build_request(const ClientTarget& target) {
  std::string host = target.host_header.empty() ? host_port_text(target.address) : target.host_header;
  std::string out = target.method + " " + target.path + " HTTP/1.1\r\nHost: " + host +
                    "\r\nUser-Agent: faultline-live\r\nAccept: */*\r\n";
  if (!target.body.empty() || target.method == "POST" || target.method == "PUT") {
    out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(target.body.size()) + "\r\n";
  }
  out += "\r\n" + target.body;
  return out;
}

// The offset just past a chunked body that starts at `from`, or npos when incomplete.
std::size_t chunked_end(const std::string& data, std::size_t from) {
  std::size_t at = from;
  for (;;) {
    const auto line_end = data.find("\r\n", at);
    if (line_end == std::string::npos) return std::string::npos;
    const std::uint64_t size = std::strtoull(data.c_str() + at, nullptr, 16);
    if (size == 0) {
      const auto trailer_end = data.find("\r\n\r\n", line_end);
      return trailer_end == std::string::npos ? std::string::npos : trailer_end + 4;
    }
    at = line_end + 2 + size + 2;
    if (at > data.size()) return std::string::npos;
  }
}

}  // namespace

LoadGenerator::LoadGenerator(asio::io_context& io, const sim::ModelConfig& model, std::vector<ClientTarget> targets,
                             sim::Results& results, BreakerTransitionSink* breakers)
    : io_(io), model_(model), results_(results), ready_(io) {
  const int ready = ::epoll_create1(EPOLL_CLOEXEC);
  if (ready < 0) throw std::system_error(errno, std::generic_category(), "the load generator's epoll set");
  ready_.assign(ready);
  for (std::uint32_t c = 0; c < model.clients.size(); ++c) {
    auto client = std::make_unique<Client>(io_);
    client->index = c;
    client->config = &model.clients[c];
    client->target = std::move(targets[c]);
    client->request_bytes = build_request(client->target);
    client->endpoint = tcp::endpoint(asio::ip::make_address(client->target.address.host), client->target.address.port);
    client->breaker = sim::Breaker(client->config->policy.breaker, 0);
    client->breaker.attach(c, client.get());
    client->budget = sim::RetryBudgetState(client->config->policy.retry.budget);
    client->retry_rng = sim::Rng::stream(model.seed, "live/client/" + client->config->name + "/retries");
    client->think_rng = sim::Rng::stream(model.seed, "live/client/" + client->config->name + "/think");
    client->sink = breakers;
    stats_.max_connections += client->target.max_connections;
    clients_.push_back(std::move(client));
  }
}

LoadGenerator::~LoadGenerator() = default;

TimeNs LoadGenerator::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
}

void LoadGenerator::start(Clock::time_point start) {
  start_ = start;
  wait_ready();
  for (std::uint32_t c = 0; c < clients_.size(); ++c) {
    Client& client = *clients_[c];
    const sim::ClientConfig& config = *client.config;
    if (config.closed_loop) {
      for (std::uint32_t u = 0; u < config.users; ++u) {
        users_.push_back(std::make_unique<User>(io_));
        User& user = *users_.back();
        user.client = c;
        user.timer.expires_at(start_ + std::chrono::nanoseconds(config.start_ns));
        user.timer.async_wait(recycled([this, &user](boost::system::error_code ec) {
          if (!ec && !stopping_) user_next(user);
        }));
      }
    } else {
      client.arrival_rng = sim::Rng::stream(model_.seed, "client/" + config.name + "/arrivals");
      client.arrival_segment = 0;
      client.next_arrival_ns = sim::next_open_loop_arrival(config, client.arrival_segment, client.arrival_rng, config.start_ns);
      // The first arrival is handled from the event loop.
      asio::post(io_, recycled([this, c] {
        if (!stopping_) arrive(c);
      }));
    }
  }
}

void LoadGenerator::stop() {
  stopping_ = true;
  // Every pending operation completes (cancelled) after this returns, and its handler, seeing
  // stopping_, abandons its request: nothing in flight is counted.
  for (auto& client : clients_) {
    client->arrival_timer.cancel();
    client->sweep_timer.cancel();
    client->deadlines_first = client->deadlines_last = nullptr;
    // Waiters have no operation pending: abandoned here.
    while (Request* waiter = client->waiters_first) {
      client->waiters_first = waiter->wait_next;
      abandon(*waiter);
    }
    client->waiters_last = nullptr;
    for (Pooled* pooled : client->idle) close_connection(*client, *pooled);
    client->idle.clear();
  }
  for (auto& user : users_) user->timer.cancel();
  for (auto& request : requests_) {
    if (request->phase == Request::Phase::backoff || request->phase == Request::Phase::rate_wait) request->backoff.cancel();
    // An exchange has no operation pending (it waits on the readiness set): abandoned here.
    if (request->phase == Request::Phase::exchanging) abandon(*request);
  }
  boost::system::error_code ignored;
  ready_.cancel(ignored);
  for (auto& pooled : connections_) {
    pooled->socket.close(ignored);
    if (pooled->fd >= 0) ::close(pooled->fd);
    pooled->fd = -1;
  }
}

void LoadGenerator::close_bucket(std::uint32_t bucket) {
  for (std::uint32_t c = 0; c < clients_.size(); ++c) {
    sim::EntityResults& entity = results_.clients[c];
    if (bucket >= entity.series.size()) continue;
    sim::BucketSample& sample = entity.series[bucket];
    if (!entity.bucket_latency.empty()) {
      sample.p50_ns = entity.bucket_latency.percentile(50.0);
      sample.p90_ns = entity.bucket_latency.percentile(90.0);
      sample.p99_ns = entity.bucket_latency.percentile(99.0);
      sample.max_ns = entity.bucket_latency.max();
      entity.bucket_latency.clear();
    }
    sample.in_flight = clients_[c]->outstanding;
  }
  const std::size_t buckets = results_.clients.empty() ? 0 : results_.clients.front().series.size();
  if (bucket + 1 < buckets) current_bucket_ = bucket + 1;
}

void LoadGenerator::record(std::uint32_t client, Outcome outcome, TimeNs latency_ns) {
  sim::EntityResults& entity = results_.clients[client];
  sim::BucketSample& sample = entity.series[std::min<std::size_t>(current_bucket_, entity.series.size() - 1)];
  ++entity.totals.requests;
  ++sample.counts.requests;
  auto count = [outcome](sim::Counters& counters) {
    switch (outcome) {
      case Outcome::ok: ++counters.ok; break;
      case Outcome::error:
      case Outcome::connection_refused: ++counters.errors; break;
      case Outcome::timeout: ++counters.timeouts; break;
      case Outcome::rejected: ++counters.rejected; break;
      case Outcome::unavailable: ++counters.unavailable; break;
      // As the engine counts them (sim/metrics.cpp): a rate limit's refusal (a 429, or the
      // client's own token bucket) is a rejection; a cancelled request (hedging, which live
      // mode does not apply) is counted nowhere.
      case Outcome::rate_limited: ++counters.rejected; break;
      case Outcome::cancelled: break;
      case Outcome::bulkhead_full: ++counters.rejected; break;  // refused, as an open breaker refuses
      // A fallback's answer (which live mode does not apply) is a success, counted degraded too.
      case Outcome::degraded:
        ++counters.ok;
        ++counters.degraded;
        break;
    }
  };
  count(entity.totals);
  count(sample.counts);
  if (outcome == Outcome::ok) {
    entity.latency.record(latency_ns);
    entity.bucket_latency.record(latency_ns);
  }
}

void LoadGenerator::arrive(std::uint32_t index) {
  Client& client = *clients_[index];
  const sim::ClientConfig& config = *client.config;
  // Every arrival whose instant has come is started now, at most kArrivalBatch at a time (then
  // the rest after what else the event loop has ready, so that a generator behind its
  // schedule still reads its answers and stops at the end); then the timer waits for the next.
  std::uint32_t started = 0;
  for (TimeNs& t = client.next_arrival_ns; t < config.stop_ns && t < model_.duration_ns && !stopping_;
       t = sim::next_open_loop_arrival(config, client.arrival_segment, client.arrival_rng, t)) {
    const Clock::time_point intended = start_ + std::chrono::nanoseconds(t);
    const Clock::time_point now = Clock::now();
    if (now < intended) {
      // At most one wake-up per kMinWakeGapNs: above that rate, arrivals closer together are
      // sent together, up to that much late (measured as latency, like any lateness).
      client.arrival_timer.expires_at(std::max(intended, client.last_wake + std::chrono::nanoseconds(kMinWakeGapNs)));
      client.arrival_timer.async_wait(recycled([this, index](boost::system::error_code ec) {
        if (ec || stopping_) return;
        clients_[index]->last_wake = Clock::now();
        arrive(index);
      }));
      return;
    }
    if (started == kArrivalBatch) {
      asio::post(io_, recycled([this, index] {
        if (!stopping_) arrive(index);
      }));
      return;
    }
    ++started;
    const TimeNs lateness = std::chrono::duration_cast<std::chrono::nanoseconds>(now - intended).count();
    ++stats_.sends;
    stats_.lateness.record(std::max<TimeNs>(lateness, 0));
    if (lateness > kLateNs) ++stats_.late_sends;
    begin(index, t, std::max<TimeNs>(lateness, 0), nullptr);
  }
}

void LoadGenerator::user_next(User& user) {
  Client& client = *clients_[user.client];
  const sim::ClientConfig& config = *client.config;
  if (stopping_ || config.session.empty() || now_ns() >= std::min(config.stop_ns, model_.duration_ns)) return;
  ++stats_.sends;
  begin(user.client, now_ns(), 0, &user);
}

LoadGenerator::Request& LoadGenerator::new_request() {
  if (free_requests_.empty()) {
    requests_.push_back(std::make_unique<Request>(io_));
    return *requests_.back();
  }
  Request& request = *free_requests_.back();
  free_requests_.pop_back();
  return request;
}

void LoadGenerator::begin(std::uint32_t index, TimeNs intended_ns, TimeNs lateness_ns, User* user) {
  Client& client = *clients_[index];
  Request& request = new_request();
  request.client = index;
  request.user = user;
  request.intended_ns = intended_ns;
  request.own_ns = lateness_ns;
  request.attempts = 0;
  ++client.outstanding;
  client.budget.deposit(now_ns());
  next_attempt(request);
}

// The next attempt, as the engine admits one: its deadline, the client's own rate limit (which
// may make it wait for a token, within the deadline), then its breaker.
void LoadGenerator::next_attempt(Request& request) {
  Client& client = *clients_[request.client];
  const sim::CallPolicy& policy = client.config->policy;
  ++request.attempts;
  request.phase = Request::Phase::idle;
  request.retry_after_ns = 0;
  request.redone = false;
  request.timed_out = false;
  const TimeNs now = now_ns();
  request.deadline_ns = policy.timeout_ns > 0 ? now + policy.timeout_ns : sim::kNever;
  if (policy.rate_limit.enabled) {
    const TimeNs wait_ns = client.limiter.admit(policy.rate_limit, now, request.deadline_ns);
    if (wait_ns < 0) {
      // The client's own limiter said no: never sent (as in the engine).
      if (sim::CallSiteCounters* site = site_of(client)) {
        ++site->attempts;
        ++site->throttled;
      }
      attempt_done(request, Outcome::rate_limited, false);
      return;
    }
    if (wait_ns > 0) {
      // x/time/rate's Wait: the attempt goes when its reserved token is there (the wait counts
      // against its timeout, as in the engine's Engine::pass_rate_limit).
      if (sim::CallSiteCounters* site = site_of(client)) ++site->rate_waited;
      request.phase = Request::Phase::rate_wait;
      request.backoff.expires_after(std::chrono::nanoseconds(wait_ns));
      request.backoff.async_wait(recycled([this, &request](boost::system::error_code) {
        if (stopping_) {
          abandon(request);
          return;
        }
        admit(request);
      }));
      return;
    }
  }
  admit(request);
}

// After the rate limit: the breaker, then the attempt goes (a token due exactly at the deadline
// finds the deadline passed: a timeout, never sent, as in the engine).
void LoadGenerator::admit(Request& request) {
  Client& client = *clients_[request.client];
  const sim::CallPolicy& policy = client.config->policy;
  request.phase = Request::Phase::idle;
  const TimeNs now = now_ns();
  if (policy.breaker.enabled) {
    request.admission = client.breaker.before_request(now);
    if (!request.admission.allowed()) {
      if (sim::CallSiteCounters* site = site_of(client)) {
        ++site->attempts;
        ++site->short_circuited;
      }
      attempt_done(request, Outcome::rejected, false);
      return;
    }
  }
  if (request.deadline_ns != sim::kNever) {
    if (request.deadline_ns <= now) {
      if (sim::CallSiteCounters* site = site_of(client)) {
        ++site->attempts;
        ++site->timeouts;
        ++site->deadline_exceeded;
      }
      attempt_done(request, Outcome::timeout, false);
      return;
    }
    watch_deadline(request);
  }
  start_attempt(request);
}

// A connection for the attempt: an idle kept-alive one at once, else a new one while the pool
// has room, else the first to come back (or the deadline).
void LoadGenerator::start_attempt(Request& request) {
  Client& client = *clients_[request.client];
  if (Pooled* pooled = take_idle(client)) {
    exchange(request, *pooled);
    return;
  }
  if (client.open < client.target.max_connections) {
    connect(request);
    return;
  }
  ++stats_.pool_waits;
  request.phase = Request::Phase::pool_wait;
  request.wait_next = nullptr;
  request.wait_prev = client.waiters_last;
  if (client.waiters_last != nullptr) client.waiters_last->wait_next = &request;
  else client.waiters_first = &request;
  client.waiters_last = &request;
}

LoadGenerator::Pooled& LoadGenerator::new_connection(Client& client) {
  ++client.open;
  ++open_connections_;
  ++stats_.connections_opened;
  stats_.connections_peak = std::max(stats_.connections_peak, open_connections_);
  Pooled* pooled = nullptr;
  if (free_connections_.empty()) {
    connections_.push_back(std::make_unique<Pooled>(io_));
    pooled = connections_.back().get();
    pooled->index = static_cast<std::uint32_t>(connections_.size() - 1);
  } else {
    pooled = free_connections_.back();
    free_connections_.pop_back();
  }
  pooled->client = client.index;
  pooled->reused = false;
  pooled->buffer.clear();
  return *pooled;
}

void LoadGenerator::warm_up() {
  for (auto& owned : clients_) {
    Client& client = *owned;
    const sim::ClientConfig& config = *client.config;
    double count = config.users;
    if (client.target.warm_connections) {
      count = *client.target.warm_connections;
    } else if (!config.closed_loop) {
      double peak = 0;
      for (const sim::RatePoint& point : config.schedule) peak = std::max(peak, point.rate_per_s);
      count = std::ceil(peak / 1000.0 * kWarmConnectionsPerMs);
    }
    const auto n = static_cast<std::uint32_t>(std::min<double>(count, client.target.max_connections));
    for (std::uint32_t i = 0; i < n; ++i) warm_connect(client);
  }
}

// A connection of the warm-up: connected, it joins the client's idle ones. One that ends after
// the run started (the start waits at most kWarmUpLimit) may find an attempt waiting for a
// connection: it goes to that attempt, or frees its slot for it.
void LoadGenerator::warm_connect(Client& client) {
  Pooled& pooled = new_connection(client);
  ++warming_;
  pooled.socket.async_connect(client.endpoint, recycled([this, &client, &pooled](boost::system::error_code ec) {
    --warming_;
    if (stopping_) return;  // stop() has closed it
    if (ec || !watch(pooled)) {
      close_connection(client, pooled);
      release(client, nullptr);
      return;
    }
    release(client, &pooled);
  }));
}

void LoadGenerator::connect(Request& request) {
  Client& client = *clients_[request.client];
  Pooled* pooled = &new_connection(client);
  request.phase = Request::Phase::connecting;
  request.connection = pooled;
  pooled->socket.async_connect(client.endpoint, recycled([this, &request](boost::system::error_code ec) {
    Pooled& connection = *request.connection;
    if (stopping_) {
      abandon(request);
      return;
    }
    Client& owner = *clients_[request.client];
    if (ec) {
      // A refused connection is the model's connection_refused (an error that retry_on and a
      // breaker's failures can name apart); the deadline closing the socket is a timeout.
      const bool refused = !request.timed_out && ec == asio::error::connection_refused;  // ECONNREFUSED
      const Outcome outcome = request.timed_out ? Outcome::timeout : refused ? Outcome::connection_refused : Outcome::error;
      request.connection = nullptr;
      close_connection(owner, connection);
      release(owner, nullptr);
      attempt_done(request, outcome, true);
      return;
    }
    if (!watch(connection)) {
      request.connection = nullptr;
      close_connection(owner, connection);
      release(owner, nullptr);
      attempt_done(request, Outcome::error, true);
      return;
    }
    exchange(request, connection);
  }));
}

// A socket Asio has connected leaves Asio's reactor for the readiness set, edge-triggered: an
// event when bytes arrive, when the peer closes, and when room comes back after a send the
// socket could not take whole. False when that failed (the connection is left to be closed).
bool LoadGenerator::watch(Pooled& connection) {
  boost::system::error_code ec;
  connection.socket.set_option(tcp::no_delay(true), ec);
  connection.fd = connection.socket.release(ec);
  if (ec) return false;
  enable_receive_timestamps(connection.fd);
  ++connection.generation;
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.u64 = (std::uint64_t{connection.index} << 32) | connection.generation;
  return ::epoll_ctl(ready_.native_handle(), EPOLL_CTL_ADD, connection.fd, &event) == 0;
}

// The attempt on `connection`: the request sent at once (the socket takes it whole, as a rule),
// then the answer read into the connection's buffer as it arrives, until it is whole.
void LoadGenerator::exchange(Request& request, Pooled& connection) {
  Client& client = *clients_[request.client];
  request.phase = Request::Phase::exchanging;
  request.connection = &connection;
  request.read_lag_ns = 0;
  connection.request = &request;
  connection.unsent = client.request_bytes.size();
  connection.reader.reset();
  send_rest(request);
}

// Sends what is left of the request; what the socket cannot take now goes when it has room
// again (a readiness event). Then the answer: read when its bytes arrive (a readiness event),
// unless what was read past an earlier response already holds it whole.
void LoadGenerator::send_rest(Request& request) {
  Pooled& connection = *request.connection;
  const std::string& bytes = clients_[request.client]->request_bytes;
  while (connection.unsent > 0) {
    const ssize_t sent =
        ::send(connection.fd, bytes.data() + (bytes.size() - connection.unsent), connection.unsent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      exchanged(request, boost::system::error_code(errno, asio::error::get_system_category()));
      return;
    }
    connection.unsent -= static_cast<std::size_t>(sent);
  }
  if (connection.reader.done(connection.buffer)) exchanged(request, {});
}

// Reads what has arrived until the response is whole; when nothing more is there, the next
// readiness event of the connection comes back here. Each read takes the kernel's arrival stamp
// of its bytes (harness/live/timed_receive.hpp): how long the answer waited for the generator
// is the generator's own delay, not the system's.
void LoadGenerator::read(Request& request) {
  Pooled& connection = *request.connection;
  for (;;) {
    if (connection.reader.done(connection.buffer)) {
      exchanged(request, {});
      return;
    }
    boost::system::error_code ec;
    TimeNs waited_ns = 0;
    const std::size_t n = receive_now(connection.fd, connection.chunk.data(), connection.chunk.size(), waited_ns, ec);
    if (ec == asio::error::would_block) return;
    if (ec) {
      exchanged(request, ec);
      return;
    }
    connection.buffer.append(connection.chunk.data(), n);
    request.read_lag_ns = waited_ns;
  }
}

// One wait in Asio's reactor for every connected socket: the readiness set's descriptor is
// readable while any of them has an event.
void LoadGenerator::wait_ready() {
  ready_.async_wait(asio::posix::stream_descriptor::wait_read, recycled([this](boost::system::error_code ec) {
                      if (!ec && !stopping_) on_ready();
                    }));
}

// Each connection with an event: its exchange goes on (the rest of its request sent, or its
// answer read); an idle one the server has closed leaves the pool. An event for a descriptor
// closed since it was reported is stale (its generation tells).
void LoadGenerator::on_ready() {
  std::array<epoll_event, 256> events;
  const int n = ::epoll_wait(ready_.native_handle(), events.data(), static_cast<int>(events.size()), 0);
  for (int i = 0; i < n && !stopping_; ++i) {
    const std::uint64_t key = events[i].data.u64;
    Pooled& connection = *connections_[key >> 32];
    if (connection.fd < 0 || connection.generation != static_cast<std::uint32_t>(key)) continue;
    const bool closed = (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    if (Request* request = connection.request) {
      if (connection.unsent > 0) send_rest(*request);
      // Bytes that arrived with the room to send (one event for both) are read as well.
      if (connection.request == request && connection.unsent == 0) read(*request);
      // The server's close came with the answer (one event for both): the connection, idle now,
      // will not get another one.
      if (closed && connection.request == nullptr && connection.generation == static_cast<std::uint32_t>(key)) {
        drop_idle(*clients_[connection.client], connection);
      }
    } else if (closed) {
      drop_idle(*clients_[connection.client], connection);
    }
  }
  if (stopping_) return;
  if (n == static_cast<int>(events.size())) {
    // More may be ready: after what else the event loop has.
    asio::post(io_, recycled([this] {
      if (!stopping_) on_ready();
    }));
    return;
  }
  wait_ready();
}

// An idle connection the server closed (its idle timeout, say): out of the pool now, rather than
// found closed by the next request that takes it.
void LoadGenerator::drop_idle(Client& client, Pooled& connection) {
  const auto at = std::find(client.idle.begin(), client.idle.end(), &connection);
  if (at == client.idle.end()) return;
  client.idle.erase(at);
  close_connection(client, connection);
}

void LoadGenerator::exchanged(Request& request, boost::system::error_code ec) {
  Client& client = *clients_[request.client];
  Pooled& connection = *request.connection;
  request.connection = nullptr;
  connection.request = nullptr;
  request.own_ns += request.read_lag_ns;
  request.read_lag_ns = 0;
  bool again_on_fresh = false;
  const Outcome outcome = settle(client, connection, ec, request.timed_out, request.retry_after_ns, again_on_fresh);
  if (again_on_fresh && !request.redone && !stopping_) {
    // A kept-alive connection the server had closed: once more on a fresh one, within the
    // same deadline.
    request.redone = true;
    ++stats_.found_closed;
    start_attempt(request);
    return;
  }
  attempt_done(request, outcome, true);
}

// An attempt ended (`sent`: it passed the rate limit and the breaker): counted on the call
// site, told to the breaker, then retried (backoff and budget as the engine's) or finished.
void LoadGenerator::attempt_done(Request& request, Outcome outcome, bool sent) {
  Client& client = *clients_[request.client];
  const sim::CallPolicy& policy = client.config->policy;
  unwatch_deadline(request);
  request.phase = Request::Phase::idle;
  if (sent) {
    count_sent(client, outcome);
    if (policy.breaker.enabled) {
      // What the breaker counts as a failure is the policy's (gobreaker's IsSuccessful).
      client.breaker.after_request(now_ns(), request.admission.generation,
                                   (policy.breaker.failure_mask & sim::outcome_bit(outcome)) == 0);
    }
  }
  if (outcome == Outcome::ok || request.attempts >= policy.retry.max_attempts ||
      (policy.retry.retry_on_mask & sim::outcome_bit(outcome)) == 0 || !client.budget.try_withdraw(now_ns())) {
    finish(request, outcome);
    return;
  }
  sim::EntityResults& entity = results_.clients[request.client];
  ++entity.totals.retries;
  if (sim::CallSiteCounters* site = site_of(client)) ++site->retries;
  ++entity.series[std::min<std::size_t>(current_bucket_, entity.series.size() - 1)].counts.retries;
  TimeNs backoff = sim::retry_backoff_ns(policy.retry, request.attempts, client.retry_rng);
  // The 429 said when to come back (Retry-After); the backoff applies if it is longer.
  if (outcome == Outcome::rate_limited && policy.retry.honour_retry_after && request.retry_after_ns > backoff) {
    backoff = request.retry_after_ns;
  }
  if (backoff <= 0) {
    next_attempt(request);
    return;
  }
  request.phase = Request::Phase::backoff;
  request.backoff.expires_after(std::chrono::nanoseconds(backoff));
  request.backoff.async_wait(recycled([this, &request](boost::system::error_code) {
    if (stopping_) {
      abandon(request);
      return;
    }
    next_attempt(request);
  }));
}

void LoadGenerator::finish(Request& request, Outcome outcome) {
  Client& client = *clients_[request.client];
  --client.outstanding;
  const TimeNs latency_ns = now_ns() - request.intended_ns;
  record(request.client, outcome, latency_ns);
  // For the requests whose latency is recorded (the answered ones); it is part of that latency.
  if (outcome == Outcome::ok) stats_.own_latency.record(request.own_ns);
  User* user = request.user;
  request.phase = Request::Phase::idle;
  free_requests_.push_back(&request);
  if (user == nullptr) return;
  // The user thinks, then sends its next step (posted when it does not think, so that a user
  // whose requests end at once still lets the event loop run).
  const sim::SessionStep& step = client.config->session[user->step];
  user->step = (user->step + 1) % client.config->session.size();
  const TimeNs think = sim::sample(step.think_time, client.think_rng);
  if (think <= 0) {
    asio::post(io_, recycled([this, user] {
      if (!stopping_) user_next(*user);
    }));
    return;
  }
  user->timer.expires_after(std::chrono::nanoseconds(think));
  user->timer.async_wait(recycled([this, user](boost::system::error_code ec) {
    if (!ec && !stopping_) user_next(*user);
  }));
}

void LoadGenerator::abandon(Request& request) {
  if (request.connection != nullptr) close_connection(*clients_[request.client], *request.connection);
  request.connection = nullptr;
  request.watched = false;
  request.phase = Request::Phase::idle;
  free_requests_.push_back(&request);
}

void LoadGenerator::watch_deadline(Request& request) {
  Client& client = *clients_[request.client];
  // Appended, unless an earlier attempt's deadline is later (a different start of the same
  // timeout cannot be; kept general all the same).
  Request* after = client.deadlines_last;
  while (after != nullptr && after->deadline_ns > request.deadline_ns) after = after->deadline_prev;
  request.deadline_prev = after;
  request.deadline_next = after != nullptr ? after->deadline_next : client.deadlines_first;
  if (request.deadline_next != nullptr) request.deadline_next->deadline_prev = &request;
  else client.deadlines_last = &request;
  if (after != nullptr) after->deadline_next = &request;
  else client.deadlines_first = &request;
  request.watched = true;
  if (client.sweep_at > request.deadline_ns) arm_sweep(client, request.deadline_ns);
}

void LoadGenerator::unwatch_deadline(Request& request) {
  if (!request.watched) return;
  Client& client = *clients_[request.client];
  if (request.deadline_prev != nullptr) request.deadline_prev->deadline_next = request.deadline_next;
  else client.deadlines_first = request.deadline_next;
  if (request.deadline_next != nullptr) request.deadline_next->deadline_prev = request.deadline_prev;
  else client.deadlines_last = request.deadline_prev;
  request.watched = false;
}

void LoadGenerator::arm_sweep(Client& client, TimeNs at) {
  client.sweep_at = at;
  const std::uint64_t generation = ++client.sweep_generation;
  client.sweep_timer.expires_at(start_ + std::chrono::nanoseconds(at));
  client.sweep_timer.async_wait(recycled([this, &client, generation](boost::system::error_code ec) {
    // A wait that was re-armed earlier (or cancelled) is no longer the one to act on.
    if (ec || stopping_ || generation != client.sweep_generation) return;
    client.sweep_at = sim::kNever;
    sweep(client);
  }));
}

// Expires every attempt whose deadline has passed, then waits for the earliest left.
void LoadGenerator::sweep(Client& client) {
  const TimeNs now = now_ns();
  while (client.deadlines_first != nullptr && client.deadlines_first->deadline_ns <= now && !stopping_) {
    Request& due = *client.deadlines_first;
    unwatch_deadline(due);
    expire(due);
  }
  if (!stopping_ && client.deadlines_first != nullptr && client.sweep_at > client.deadlines_first->deadline_ns) {
    arm_sweep(client, client.deadlines_first->deadline_ns);
  }
}

// The attempt's deadline passed: a waiter stops waiting, an exchange ends (a timeout now, its
// connection closed); a connect has its socket closed, and its pending operation ends it as a
// timeout.
void LoadGenerator::expire(Request& request) {
  Client& client = *clients_[request.client];
  request.timed_out = true;
  switch (request.phase) {
    case Request::Phase::pool_wait:
      if (request.wait_prev != nullptr) request.wait_prev->wait_next = request.wait_next;
      else client.waiters_first = request.wait_next;
      if (request.wait_next != nullptr) request.wait_next->wait_prev = request.wait_prev;
      else client.waiters_last = request.wait_prev;
      attempt_done(request, Outcome::timeout, true);
      break;
    case Request::Phase::connecting: {
      boost::system::error_code ignored;
      request.connection->socket.close(ignored);
      break;
    }
    case Request::Phase::exchanging: exchanged(request, asio::error::timed_out); break;
    default: break;
  }
}

sim::CallSiteCounters* LoadGenerator::site_of(const Client& client) {
  return client.target.site < results_.sites.size() ? &results_.sites[client.target.site] : nullptr;
}

// An attempt that went out ended: counted on the client's call site as the engine counts an
// attempt's end on the caller's side (sim/calls.cpp).
void LoadGenerator::count_sent(const Client& client, Outcome outcome) {
  sim::CallSiteCounters* site = site_of(client);
  if (site == nullptr) return;
  ++site->attempts;
  ++site->sent;
  switch (outcome) {
    case Outcome::ok: ++site->ok; break;
    case Outcome::connection_refused: ++site->connection_refused; [[fallthrough]];
    case Outcome::error: ++site->errors; break;
    case Outcome::timeout: ++site->timeouts; break;
    case Outcome::rate_limited: ++site->rate_limited; break;
    default: break;
  }
}

// Takes an idle connection of the client's pool, or null.
LoadGenerator::Pooled* LoadGenerator::take_idle(Client& client) {
  if (stopping_ || client.idle.empty()) return nullptr;
  Pooled* pooled = client.idle.back();
  client.idle.pop_back();
  pooled->reused = true;
  return pooled;
}

// A connection no longer in the client's pool: closed, its slot freed, kept for reuse.
void LoadGenerator::close_connection(Client& client, Pooled& connection) {
  boost::system::error_code ignored;
  connection.socket.close(ignored);
  if (connection.fd >= 0) ::close(connection.fd);  // which also takes it out of the readiness set
  connection.fd = -1;
  connection.request = nullptr;
  connection.unsent = 0;
  connection.buffer.clear();
  --client.open;
  --open_connections_;
  free_connections_.push_back(&connection);
}

// A connection comes back to the pool (or, closed, frees its slot: null); the oldest waiter
// takes it.
void LoadGenerator::release(Client& client, Pooled* connection) {
  if (connection != nullptr) {
    if (connection->fd >= 0 && !stopping_) client.idle.push_back(connection);
    else close_connection(client, *connection);
  }
  if (stopping_) return;
  if (Request* waiter = client.waiters_first) {
    client.waiters_first = waiter->wait_next;
    if (client.waiters_first != nullptr) client.waiters_first->wait_prev = nullptr;
    else client.waiters_last = nullptr;
    start_attempt(*waiter);
  }
}

Outcome LoadGenerator::settle(Client& client, Pooled& connection, boost::system::error_code ec, bool fired,
                              TimeNs& retry_after_ns, bool& again_on_fresh) {
  ResponseReader& reader = connection.reader;
  std::string& data = connection.buffer;
  again_on_fresh = false;
  if (reader.until_eof && reader.head && ec == asio::error::eof) {
    reader.response_end = data.size();
    ec = {};
  }
  if (fired) {
    close_connection(client, connection);
    release(client, nullptr);
    return Outcome::timeout;
  }
  if (reader.response_end == std::string::npos || !reader.head) {
    // A kept-alive connection the server had closed: try once more on a fresh one, as HTTP
    // clients do for a request that never got a byte of answer.
    again_on_fresh = connection.reused && data.empty();
    close_connection(client, connection);
    release(client, nullptr);
    return Outcome::error;
  }
  const HttpHead& head = *reader.head;
  Outcome outcome = head.status >= 500 ? Outcome::error : Outcome::ok;
  if (head.status == 429) {
    // A rate limit's answer, with its Retry-After in seconds (an HTTP date is not read).
    outcome = Outcome::rate_limited;
    const std::string_view retry_after = header_value(std::string_view(data).substr(0, *reader.end), "retry-after");
    std::uint64_t seconds = 0;
    const auto [at, error] = std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    if (!retry_after.empty() && error == std::errc() && at == retry_after.data() + retry_after.size() && seconds < 86'400) {
      retry_after_ns = static_cast<TimeNs>(seconds) * sim::kSecond;
    }
  }
  data.erase(0, reader.response_end);
  if (head.close || reader.until_eof) {
    close_connection(client, connection);
    release(client, nullptr);
  } else {
    release(client, &connection);
  }
  return outcome;
}

}  // namespace faultline::live
