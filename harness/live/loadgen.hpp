// The open-loop load generator of live mode. Each client's arrival instants come from the same
// seeded schedule as the simulator's (sim/arrivals.hpp); each request is timed from its
// *intended* send instant, so a slow system or a late generator shows as latency and is never
// hidden (wrk2's correction for coordinated omission). Requests follow the client's policy
// (timeout, retries with backoff and budget, breaker) with the engine's own code for each.
// HTTP/1.1 keep-alive connections come from a bounded pool per client.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "harness/live/http.hpp"
#include "sim/breaker.hpp"
#include "sim/config.hpp"
#include "sim/histogram.hpp"
#include "sim/results.hpp"
#include "sim/retry.hpp"
#include "sim/rng.hpp"

namespace faultline::live {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Where one client's requests go.
struct ClientTarget {
  HostPort address;
  std::string path = "/";
  std::string method = "GET";
  std::string host_header;  // empty: host:port of the address
  std::string body;
  std::uint32_t max_connections = 256;
  std::uint32_t site = UINT32_MAX;  // the engine's call site of this client (its caller-side counters)
};

struct GeneratorStats {
  std::uint64_t sends = 0;            // first attempts sent (retries not included)
  std::uint64_t late_sends = 0;       // sent more than kLateNs after their intended instant
  sim::LatencyHistogram lateness;     // how late each send was
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_peak = 0;  // open at once, all clients
  std::uint32_t max_connections = 0;   // the bound, all clients
  std::uint64_t pool_waits = 0;        // attempts that waited for a pooled connection
};

// A send later than this after its intended instant counts as late.
inline constexpr sim::TimeNs kLateNs = 1'000'000;

// Receives breaker transitions of the clients' breakers (client index, at, from, to).
struct BreakerTransitionSink {
  virtual void on_client_breaker(std::uint32_t client, sim::TimeNs at, sim::BreakerState from, sim::BreakerState to) = 0;

 protected:
  ~BreakerTransitionSink() = default;
};

class LoadGenerator {
 public:
  // `results` has one EntityResults per client (with its series sized); it is filled as
  // requests complete. Times are offsets from `start`.
  LoadGenerator(asio::io_context& io, const sim::ModelConfig& model, std::vector<ClientTarget> targets,
                sim::Results& results, BreakerTransitionSink* breakers);
  ~LoadGenerator();

  // Starts every client's schedule at `start` (the run's instant 0).
  void start(Clock::time_point start);
  // No new requests; requests in flight are abandoned (not counted), as at the end of a run.
  void stop();
  // Closes the time-series bucket `bucket` of every client (in-flight sampled now).
  void close_bucket(std::uint32_t bucket);

  const GeneratorStats& stats() const { return stats_; }
  sim::TimeNs now_ns() const;

  struct Pooled;
  struct Client;
  struct ResponseReader;
  // The outcome of a first attempt made without a coroutine (the fast path of send()), handed
  // to request() when the policy has more to do (a retry, or a stale connection to try again).
  struct FirstAttempt {
    bool made = false;
    sim::Outcome outcome = sim::Outcome::ok;
    sim::TimeNs retry_after_ns = 0;
    bool again_on_fresh = false;  // a kept-alive connection the server had closed: redo it once
    sim::TimeNs deadline_ns = sim::kNever;  // the attempt's deadline, kept for that redo
  };
  struct TimerLink {
    asio::steady_timer* timer = nullptr;
    TimerLink* prev = nullptr;
    TimerLink* next = nullptr;
  };

 private:
  // Open loop: a timer per client, its handler sending every arrival that is due (no coroutine).
  void arrive(std::uint32_t client);
  asio::awaitable<void> closed_loop_user(std::uint32_t client, std::uint32_t user);
  // Starts one request: on an idle kept-alive connection of a client without rate limit or
  // breaker, its first attempt runs as plain callbacks whose memory is recycled (no coroutine,
  // no allocation); otherwise, or once the first attempt needs the policy, as request().
  void send(std::uint32_t client, sim::TimeNs intended_ns);
  void exchange_read(std::unique_ptr<Pooled> pooled, boost::system::error_code ec);
  void exchange_done(std::unique_ptr<Pooled> pooled, boost::system::error_code ec);
  asio::awaitable<void> request(std::uint32_t client, sim::TimeNs intended_ns, FirstAttempt first);
  asio::awaitable<sim::Outcome> attempt(Client& client, sim::TimeNs deadline_ns, sim::TimeNs& retry_after_ns, int tries_done);
  // After a response ended (or the read failed): the outcome, the connection back to the pool
  // or closed; `again_on_fresh` when a kept-alive connection turned out closed by the server.
  sim::Outcome settle(Client& client, std::unique_ptr<Pooled> pooled, boost::system::error_code ec, bool fired,
                      sim::TimeNs& retry_after_ns, bool& again_on_fresh);
  std::unique_ptr<Pooled> take_idle(Client& client);
  asio::awaitable<std::unique_ptr<Pooled>> acquire(Client& client, sim::TimeNs deadline_ns, bool& timed_out, bool& refused);
  void release(Client& client, std::unique_ptr<Pooled> connection);
  void record(std::uint32_t client, sim::Outcome outcome, sim::TimeNs latency_ns);
  sim::CallSiteCounters* site_of(const Client& client);
  void count_sent(const Client& client, sim::Outcome outcome);

  asio::io_context& io_;
  const sim::ModelConfig& model_;
  sim::Results& results_;
  std::vector<std::unique_ptr<Client>> clients_;
  GeneratorStats stats_;
  Clock::time_point start_{};
  std::uint32_t current_bucket_ = 0;
  std::uint64_t open_connections_ = 0;
  bool stopping_ = false;
  // Every wait in progress, woken by stop(): an intrusive list, so a wait costs no allocation.
  TimerLink timers_;  // the list's head (a sentinel; timers_.next is the first)
  std::unordered_set<Pooled*> connections_;  // every open connection (idle or busy), closed by stop()
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultline::live
