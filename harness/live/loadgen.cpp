// The open-loop load generator (see harness/live/loadgen.hpp).
#include "harness/live/loadgen.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <unordered_set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "harness/live/handler_memory.hpp"
#include "harness/live/write_now.hpp"
#include "sim/arrivals.hpp"
#include "sim/runtime.hpp"
#include "sim/distribution.hpp"

namespace faultline::live {

using sim::Outcome;
using sim::TimeNs;

// A deadline on one connection: when it passes, the socket is closed and `fired` set. Its
// timer's handler may already be queued when the waiting coroutine disarms it (the answer and
// the deadline arrived together), and run after the connection is gone; so the handler holds
// this by shared_ptr and acts only while `armed` and for the attempt it was armed for.
struct Deadline {
  tcp::socket* socket = nullptr;
  std::uint64_t generation = 0;
  bool armed = false;
  bool fired = false;
};

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

struct LoadGenerator::Pooled {
  explicit Pooled(asio::io_context& io)
      : socket(io), deadline_timer(io), deadline(std::make_shared<Deadline>(Deadline{&socket})) {}
  ~Pooled() { deadline->armed = false; }
  // The deadline is allocated once per connection, not per request.
  void arm(Clock::time_point at) {
    deadline->armed = true;
    deadline->fired = false;
    const std::uint64_t generation = ++deadline->generation;
    deadline_timer.expires_at(at);
    deadline_timer.async_wait(recycled([d = deadline, generation](boost::system::error_code wait_ec) {
      if (wait_ec || !d->armed || d->generation != generation) return;
      d->fired = true;
      boost::system::error_code ignored;
      d->socket->close(ignored);
    }));
  }
  // Returns whether the deadline fired (and closed the socket).
  bool disarm() {
    if (deadline->armed) {
      deadline->armed = false;
      deadline_timer.cancel();
    }
    return deadline->fired;
  }
  tcp::socket socket;
  asio::steady_timer deadline_timer;
  std::shared_ptr<Deadline> deadline;
  std::string buffer;  // bytes read past the last response
  std::array<char, 8192> chunk;  // each read lands here (kept out of the attempt's coroutine frame)
  bool reused = false;
  // The exchange in progress on this connection when send() runs it without a coroutine.
  ResponseReader reader;
  std::uint32_t client = 0;
  TimeNs intended_ns = 0;
  TimeNs deadline_ns = sim::kNever;
};

struct PoolWaiter {
  asio::steady_timer* timer = nullptr;  // null once it stopped waiting
};

struct LoadGenerator::Client final : sim::BreakerListener {
  std::uint32_t index = 0;
  const sim::ClientConfig* config = nullptr;
  ClientTarget target;
  std::string request_bytes;
  tcp::endpoint endpoint;
  std::vector<std::unique_ptr<Pooled>> idle;
  std::uint32_t open = 0;
  // Attempts waiting for a pooled connection, oldest first. One that gave up (its deadline
  // passed) stays queued with no timer and is skipped, so neither side ever searches the queue.
  std::deque<std::shared_ptr<PoolWaiter>> waiters;
  sim::Breaker breaker;
  sim::TokenBucket limiter;  // the client's own rate limit (x/time/rate's Allow), as the engine's
  sim::RetryBudgetState budget;
  sim::Rng retry_rng;
  sim::Rng think_rng;
  std::uint32_t outstanding = 0;
  BreakerTransitionSink* sink = nullptr;
  // Open loop: the seeded arrival schedule and the timer that waits for its next instant.
  std::optional<asio::steady_timer> arrival_timer;
  sim::Rng arrival_rng;
  std::uint32_t arrival_segment = 0;
  TimeNs next_arrival_ns = 0;

  void on_breaker_transition(std::uint32_t, TimeNs at, sim::BreakerState from, sim::BreakerState to) override {
    if (sink != nullptr) sink->on_client_breaker(index, at, from, to);
  }
};

namespace {

// A timer registered while a coroutine waits on it, so stop() can wake every waiter. The
// registry is an intrusive list: registering costs no allocation.
struct RegisteredTimer {
  RegisteredTimer(asio::io_context& io, LoadGenerator::TimerLink& head) : timer(io) {
    link.timer = &timer;
    link.prev = &head;
    link.next = head.next;
    if (head.next != nullptr) head.next->prev = &link;
    head.next = &link;
  }
  RegisteredTimer(const RegisteredTimer&) = delete;
  RegisteredTimer& operator=(const RegisteredTimer&) = delete;
  ~RegisteredTimer() {
    link.prev->next = link.next;
    if (link.next != nullptr) link.next->prev = link.prev;
  }
  asio::steady_timer timer;
  LoadGenerator::TimerLink link;
};

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
    : io_(io), model_(model), results_(results) {
  for (std::uint32_t c = 0; c < model.clients.size(); ++c) {
    auto client = std::make_unique<Client>();
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

LoadGenerator::~LoadGenerator() {
  *alive_ = false;
}

TimeNs LoadGenerator::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
}

void LoadGenerator::start(Clock::time_point start) {
  start_ = start;
  for (std::uint32_t c = 0; c < clients_.size(); ++c) {
    const sim::ClientConfig& config = *clients_[c]->config;
    if (config.closed_loop) {
      for (std::uint32_t u = 0; u < config.users; ++u) asio::co_spawn(io_, closed_loop_user(c, u), asio::detached);
    } else {
      Client& client = *clients_[c];
      client.arrival_timer.emplace(io_);
      client.arrival_rng = sim::Rng::stream(model_.seed, "client/" + config.name + "/arrivals");
      client.arrival_segment = 0;
      client.next_arrival_ns = sim::next_open_loop_arrival(config, client.arrival_segment, client.arrival_rng, config.start_ns);
      // The first arrival is handled from the event loop, as the coroutine's first step was.
      asio::post(io_, recycled([this, alive = alive_, c] {
        if (*alive) arrive(c);
      }));
    }
  }
}

void LoadGenerator::stop() {
  stopping_ = true;
  boost::system::error_code ignored;
  // Cancelling posts the waiters' completions (none runs here), so the list stays as it is.
  for (TimerLink* link = timers_.next; link != nullptr; link = link->next) link->timer->cancel();
  for (auto& client : clients_) {
    if (client->arrival_timer) client->arrival_timer->cancel();
  }
  for (Pooled* pooled : connections_) {
    pooled->socket.close(ignored);
    pooled->disarm();
  }
  for (auto& client : clients_) {
    for (auto& pooled : client->idle) connections_.erase(pooled.get());
    client->idle.clear();
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
  // Every arrival whose instant has come is sent now; then the timer waits for the next one.
  for (TimeNs& t = client.next_arrival_ns; t < config.stop_ns && t < model_.duration_ns && !stopping_;
       t = sim::next_open_loop_arrival(config, client.arrival_segment, client.arrival_rng, t)) {
    const Clock::time_point intended = start_ + std::chrono::nanoseconds(t);
    if (Clock::now() < intended) {
      client.arrival_timer->expires_at(intended);
      client.arrival_timer->async_wait(recycled([this, alive = alive_, index](boost::system::error_code) {
        if (*alive && !stopping_) arrive(index);
      }));
      return;
    }
    const TimeNs lateness = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - intended).count();
    ++stats_.sends;
    stats_.lateness.record(std::max<TimeNs>(lateness, 0));
    if (lateness > kLateNs) ++stats_.late_sends;
    send(index, t);
  }
}

asio::awaitable<void> LoadGenerator::closed_loop_user(std::uint32_t index, std::uint32_t) {
  const sim::ClientConfig& config = *clients_[index]->config;
  RegisteredTimer wait(io_, timers_);
  boost::system::error_code ec;
  wait.timer.expires_at(start_ + std::chrono::nanoseconds(config.start_ns));
  co_await wait.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  while (!stopping_ && now_ns() < std::min(config.stop_ns, model_.duration_ns)) {
    for (const sim::SessionStep& step : config.session) {
      if (stopping_) co_return;
      ++stats_.sends;
      co_await request(index, now_ns(), {});
      const TimeNs think = sim::sample(step.think_time, clients_[index]->think_rng);
      if (think > 0 && !stopping_) {
        wait.timer.expires_after(std::chrono::nanoseconds(think));
        co_await wait.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    if (config.session.empty()) co_return;
  }
}

void LoadGenerator::send(std::uint32_t index, TimeNs intended_ns) {
  Client& client = *clients_[index];
  const sim::CallPolicy& policy = client.config->policy;
  if (policy.rate_limit.enabled || policy.breaker.enabled || stopping_ || client.idle.empty()) {
    asio::co_spawn(io_, request(index, intended_ns, {}), asio::detached);
    return;
  }
  // The first attempt on an idle kept-alive connection, as attempt() makes it, in callbacks.
  ++client.outstanding;
  client.budget.deposit(now_ns());
  std::unique_ptr<Pooled> pooled = take_idle(client);
  pooled->deadline_ns = policy.timeout_ns > 0 ? now_ns() + policy.timeout_ns : sim::kNever;
  if (pooled->deadline_ns != sim::kNever) pooled->arm(start_ + std::chrono::nanoseconds(pooled->deadline_ns));
  pooled->reader.reset();
  pooled->client = index;
  pooled->intended_ns = intended_ns;
  boost::system::error_code ec;
  const std::string_view request_bytes = client.request_bytes;
  const std::size_t sent = write_now(pooled->socket, request_bytes, ec);
  if (!ec && sent < request_bytes.size()) {
    tcp::socket& socket = pooled->socket;
    asio::async_write(socket, asio::buffer(request_bytes.substr(sent)),
                      recycled([this, alive = alive_, pooled = std::move(pooled)](boost::system::error_code write_ec,
                                                                                  std::size_t) mutable {
                        if (*alive) exchange_read(std::move(pooled), write_ec);
                      }));
    return;
  }
  exchange_read(std::move(pooled), ec);
}

// Reads until the response is whole (or the read fails), one async_read_some at a time.
void LoadGenerator::exchange_read(std::unique_ptr<Pooled> pooled, boost::system::error_code ec) {
  if (stopping_) {  // abandoned at the end of the run: not counted (as request() does)
    connections_.erase(pooled.get());
    return;
  }
  if (ec || pooled->reader.done(pooled->buffer)) {
    exchange_done(std::move(pooled), ec);
    return;
  }
  Pooled& connection = *pooled;
  connection.socket.async_read_some(
      asio::buffer(connection.chunk),
      recycled([this, alive = alive_, pooled = std::move(pooled)](boost::system::error_code read_ec, std::size_t n) mutable {
        if (!*alive) return;
        pooled->buffer.append(pooled->chunk.data(), n);
        exchange_read(std::move(pooled), read_ec);
      }));
}

void LoadGenerator::exchange_done(std::unique_ptr<Pooled> pooled, boost::system::error_code ec) {
  Client& client = *clients_[pooled->client];
  const TimeNs intended_ns = pooled->intended_ns;
  const bool fired = pooled->disarm();
  FirstAttempt first;
  first.made = true;
  first.deadline_ns = pooled->deadline_ns;
  first.outcome = settle(client, std::move(pooled), ec, fired, first.retry_after_ns, first.again_on_fresh);
  if (first.outcome == Outcome::ok && !first.again_on_fresh) {
    count_sent(client, Outcome::ok);
    --client.outstanding;
    record(client.index, Outcome::ok, now_ns() - intended_ns);
    return;
  }
  // A failure: retries, backoff and budget are the policy's, in request().
  asio::co_spawn(io_, request(client.index, intended_ns, first), asio::detached);
}

asio::awaitable<void> LoadGenerator::request(std::uint32_t index, TimeNs intended_ns, FirstAttempt first) {
  const auto alive = alive_;
  Client& client = *clients_[index];
  const sim::CallPolicy& policy = client.config->policy;
  if (!first.made) {
    ++client.outstanding;
    client.budget.deposit(now_ns());
  }
  Outcome outcome = Outcome::ok;
  for (std::uint32_t attempts = 1;; ++attempts) {
    TimeNs retry_after_ns = 0;  // a 429's Retry-After
    sim::Breaker::Admission admission;
    if (attempts == 1 && first.made && !first.again_on_fresh) {
      outcome = first.outcome;  // made by send() (no rate limit, no breaker)
      retry_after_ns = first.retry_after_ns;
      count_sent(client, outcome);
    } else if (attempts == 1 && first.again_on_fresh) {
      // send()'s kept-alive connection was closed by the server: once more on a fresh one,
      // within the same deadline.
      outcome = co_await attempt(client, first.deadline_ns, retry_after_ns, 1);
      if (!*alive || stopping_) co_return;
      count_sent(client, outcome);
    } else if (policy.rate_limit.enabled && !client.limiter.take(policy.rate_limit, now_ns())) {
      outcome = Outcome::rate_limited;  // the client's own limiter said no: never sent (as in the engine)
      if (sim::CallSiteCounters* site = site_of(client)) {
        ++site->attempts;
        ++site->throttled;
      }
    } else {
      if (policy.breaker.enabled) admission = client.breaker.before_request(now_ns());
      if (admission.allowed()) {
        const TimeNs deadline = policy.timeout_ns > 0 ? now_ns() + policy.timeout_ns : sim::kNever;
        outcome = co_await attempt(client, deadline, retry_after_ns, 0);
        if (!*alive || stopping_) co_return;  // abandoned at the end of the run: not counted
        count_sent(client, outcome);
        if (policy.breaker.enabled) {
          // What the breaker counts as a failure is the policy's (gobreaker's IsSuccessful).
          client.breaker.after_request(now_ns(), admission.generation,
                                       (policy.breaker.failure_mask & sim::outcome_bit(outcome)) == 0);
        }
      } else {
        outcome = Outcome::rejected;
        if (sim::CallSiteCounters* site = site_of(client)) {
          ++site->attempts;
          ++site->short_circuited;
        }
      }
    }
    if (outcome == Outcome::ok) break;
    if (attempts >= policy.retry.max_attempts || (policy.retry.retry_on_mask & sim::outcome_bit(outcome)) == 0) break;
    if (!client.budget.try_withdraw(now_ns())) break;
    ++results_.clients[index].totals.retries;
    if (sim::CallSiteCounters* site = site_of(client)) ++site->retries;
    ++results_.clients[index].series[std::min<std::size_t>(current_bucket_, results_.clients[index].series.size() - 1)]
          .counts.retries;
    TimeNs backoff = sim::retry_backoff_ns(policy.retry, attempts, client.retry_rng);
    // The 429 said when to come back (Retry-After); the backoff applies if it is longer.
    if (outcome == Outcome::rate_limited && policy.retry.honour_retry_after && retry_after_ns > backoff) {
      backoff = retry_after_ns;
    }
    if (backoff > 0) {
      RegisteredTimer wait(io_, timers_);
      boost::system::error_code ec;
      wait.timer.expires_after(std::chrono::nanoseconds(backoff));
      co_await wait.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!*alive || stopping_) co_return;
    }
  }
  --client.outstanding;
  record(index, outcome, now_ns() - intended_ns);
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

// Takes an idle connection of the client's pool (no coroutine needed), or null.
std::unique_ptr<LoadGenerator::Pooled> LoadGenerator::take_idle(Client& client) {
  if (stopping_ || client.idle.empty()) return nullptr;
  std::unique_ptr<Pooled> pooled = std::move(client.idle.back());
  client.idle.pop_back();
  pooled->reused = true;
  return pooled;
}

asio::awaitable<std::unique_ptr<LoadGenerator::Pooled>> LoadGenerator::acquire(Client& client, TimeNs deadline_ns,
                                                                                bool& timed_out, bool& refused) {
  boost::system::error_code ec;
  for (;;) {
    if (stopping_) co_return nullptr;
    if (auto pooled = take_idle(client)) co_return pooled;
    if (client.open < client.target.max_connections) {
      ++client.open;
      ++open_connections_;
      ++stats_.connections_opened;
      stats_.connections_peak = std::max(stats_.connections_peak, open_connections_);
      auto pooled = std::make_unique<Pooled>(io_);
      connections_.insert(pooled.get());
      if (deadline_ns != sim::kNever) pooled->arm(start_ + std::chrono::nanoseconds(deadline_ns));
      co_await pooled->socket.async_connect(client.endpoint, asio::redirect_error(asio::use_awaitable, ec));
      const bool fired = pooled->disarm();
      if (ec || stopping_) {
        connections_.erase(pooled.get());
        --client.open;
        --open_connections_;
        timed_out = fired;
        refused = !fired && ec == asio::error::connection_refused;  // nothing listens there (ECONNREFUSED)
        co_return nullptr;
      }
      pooled->socket.set_option(tcp::no_delay(true), ec);
      pooled->socket.non_blocking(true, ec);  // for write_now
      co_return pooled;
    }
    // Every connection of the pool is busy: wait for one (or the deadline).
    ++stats_.pool_waits;
    RegisteredTimer wait(io_, timers_);
    wait.timer.expires_at(deadline_ns == sim::kNever ? Clock::time_point::max()
                                                      : start_ + std::chrono::nanoseconds(deadline_ns));
    const auto waiter = std::make_shared<PoolWaiter>(PoolWaiter{&wait.timer});
    client.waiters.push_back(waiter);
    co_await wait.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    waiter->timer = nullptr;
    if (!ec) {
      timed_out = true;
      co_return nullptr;
    }
  }
}

void LoadGenerator::release(Client& client, std::unique_ptr<Pooled> pooled) {
  if (pooled && pooled->socket.is_open() && !stopping_) {
    client.idle.push_back(std::move(pooled));
  } else if (pooled) {
    boost::system::error_code ignored;
    connections_.erase(pooled.get());
    pooled->socket.close(ignored);
    --client.open;
    --open_connections_;
  }
  while (!client.waiters.empty()) {
    const std::shared_ptr<PoolWaiter> waiter = std::move(client.waiters.front());
    client.waiters.pop_front();
    if (waiter->timer == nullptr) continue;  // gave up already
    waiter->timer->cancel();
    waiter->timer = nullptr;
    break;
  }
}

asio::awaitable<Outcome> LoadGenerator::attempt(Client& client, TimeNs deadline_ns, TimeNs& retry_after_ns,
                                                int tries_done) {
  const auto alive = alive_;
  for (int tries = tries_done; tries < 2; ++tries) {
    bool timed_out = false, refused = false;
    // An idle kept-alive connection is taken at once; only a new or awaited one needs acquire's
    // coroutine.
    std::unique_ptr<Pooled> pooled = take_idle(client);
    if (!pooled) {
      pooled = co_await acquire(client, deadline_ns, timed_out, refused);
      if (!*alive) co_return Outcome::error;
      // A refused connection is the model's connection_refused (an error that retry_on and a
      // breaker's failures can name apart).
      if (!pooled) co_return timed_out ? Outcome::timeout : refused ? Outcome::connection_refused : Outcome::error;
    }
    if (deadline_ns != sim::kNever) pooled->arm(start_ + std::chrono::nanoseconds(deadline_ns));
    boost::system::error_code ec;
    const std::string_view request_bytes = client.request_bytes;
    const std::size_t sent = write_now(pooled->socket, request_bytes, ec);
    if (!ec && sent < request_bytes.size()) {
      co_await asio::async_write(pooled->socket, asio::buffer(request_bytes.substr(sent)),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    pooled->reader.reset();
    std::string& data = pooled->buffer;
    std::array<char, 8192>& chunk = pooled->chunk;
    while (!ec && !pooled->reader.done(data)) {
      const std::size_t n =
          co_await pooled->socket.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
      if (!*alive) co_return Outcome::error;
      data.append(chunk.data(), n);
    }
    const bool fired = pooled->disarm();
    if (!*alive) co_return Outcome::error;
    bool again_on_fresh = false;
    const Outcome outcome = settle(client, std::move(pooled), ec, fired, retry_after_ns, again_on_fresh);
    if (again_on_fresh) continue;
    co_return outcome;
  }
  co_return Outcome::error;
}

Outcome LoadGenerator::settle(Client& client, std::unique_ptr<Pooled> pooled, boost::system::error_code ec, bool fired,
                              TimeNs& retry_after_ns, bool& again_on_fresh) {
  ResponseReader& reader = pooled->reader;
  std::string& data = pooled->buffer;
  again_on_fresh = false;
  if (reader.until_eof && reader.head && ec == asio::error::eof) {
    reader.response_end = data.size();
    ec = {};
  }
  if (fired) {
    connections_.erase(pooled.get());
    --client.open;
    --open_connections_;
    pooled.reset();
    release(client, nullptr);
    return Outcome::timeout;
  }
  if (reader.response_end == std::string::npos || !reader.head) {
    // A kept-alive connection the server had closed: try once more on a fresh one, as HTTP
    // clients do for a request that never got a byte of answer.
    again_on_fresh = pooled->reused && data.empty();
    pooled->socket.close(ec);
    release(client, std::move(pooled));
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
  if (head.close || reader.until_eof) pooled->socket.close(ec);
  release(client, std::move(pooled));
  return outcome;
}

}  // namespace faultline::live
