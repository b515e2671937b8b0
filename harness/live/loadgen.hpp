// The open-loop load generator of live mode. Each client's arrival instants come from the same
// seeded schedule as the simulator's (sim/arrivals.hpp); each request is timed from its
// *intended* send instant, so a slow system or a late generator shows as latency and is never
// hidden (wrk2's correction for coordinated omission). Requests follow the client's policy
// (timeout, retries with backoff and budget, rate limit, breaker) with the engine's own code for
// each (sim/breaker.hpp, sim/retry.hpp, sim/runtime.hpp's TokenBucket). HTTP/1.1 keep-alive
// connections come from a bounded pool per client. Every request, whatever its client's
// policy, runs as callbacks on recycled objects: no coroutine, no allocation per request and
// no timer armed or cancelled per request (one deadline timer per client). Once connected, the
// connections leave Asio's reactor for an edge-triggered epoll set of the generator's own,
// which Asio watches as one descriptor: an exchange costs a send and a receive, and waiting
// for its answer costs no system call of its own (Asio re-arms a descriptor for each wait, so
// one wait per wake-up, whatever number of answers it brings, instead of one per request).
#pragma once
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
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
  std::optional<std::uint32_t> warm_connections;  // unset: see LoadGenerator::warm_up
  std::uint32_t site = UINT32_MAX;  // the engine's call site of this client (its caller-side counters)
};

struct GeneratorStats {
  std::uint64_t sends = 0;            // first attempts sent (retries not included)
  std::uint64_t late_sends = 0;       // sent more than kLateNs after their intended instant
  sim::LatencyHistogram lateness;     // how late each send was
  // The generator's own share of each answered request's latency: its send's lateness plus,
  // per attempt, how long the answer waited in the kernel before the generator read it.
  sim::LatencyHistogram own_latency;
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_peak = 0;  // open at once, all clients
  std::uint32_t max_connections = 0;   // the bound, all clients
  std::uint64_t pool_waits = 0;        // attempts that waited for a pooled connection
  // Attempts whose kept-alive connection turned out closed by the server (no byte of answer),
  // made again on a fresh one.
  std::uint64_t found_closed = 0;
};

// A send later than this after its intended instant counts as late.
inline constexpr sim::TimeNs kLateNs = 1'000'000;
// The open-loop schedule wakes the generator at most once per this (a timed wake-up costs
// reprogramming a timer and an interrupt: about 10 us of CPU on a virtual machine, measured);
// arrivals closer together than this are sent together, up to this much late.
inline constexpr sim::TimeNs kMinWakeGapNs = 50'000;
// Connections opened before the run per millisecond of a client's highest open-loop rate.
inline constexpr double kWarmConnectionsPerMs = 1.0;
// Arrivals started in one go before the event loop runs what else is ready (a generator behind
// its schedule would otherwise start every overdue arrival before reading a single answer).
inline constexpr std::uint32_t kArrivalBatch = 64;

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
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Before the run's instant 0: opens part of each client's pool (kWarmConnectionsPerMs per
  // millisecond of arrivals at its highest open-loop rate, or one per closed-loop user, at most
  // its max_connections; the binding's warm_connections instead, when given: 0 starts the pool
  // cold), so that the first arrivals find kept-alive connections, as a client in its steady
  // state does, instead of measuring connection set-up. warming() holds until each
  // has connected or failed (a failed one is simply not in the pool).
  void warm_up();
  bool warming() const { return warming_ > 0; }
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
  struct Request;
  struct User;
  struct ResponseReader;

 private:
  // Every request runs as plain callbacks on objects recycled from free lists (no coroutine,
  // no allocation once as many were in flight as will be), whatever its client's policy.
  // Open loop: a timer per client, its handler starting every arrival that is due.
  void arrive(std::uint32_t client);
  // Closed loop: a user's next request (or the end of its session).
  void user_next(User& user);
  // A request's life: begin (one per arrival or user step), each attempt admitted by the
  // client's own rate limit and breaker (next_attempt), given a connection (start_attempt:
  // idle, new or awaited), exchanged on it (write, read, settle), then retried after a backoff
  // or finished with its outcome.
  void begin(std::uint32_t client, sim::TimeNs intended_ns, sim::TimeNs lateness_ns, User* user);
  void next_attempt(Request& request);
  void admit(Request& request);
  void start_attempt(Request& request);
  void connect(Request& request);
  Pooled& new_connection(Client& client);  // counted open; its socket not yet connected
  void warm_connect(Client& client);
  void exchange(Request& request, Pooled& connection);
  void send_rest(Request& request);
  void read(Request& request);
  void exchanged(Request& request, boost::system::error_code ec);
  // The connections' own readiness set: each connection is in it from its connect to its
  // close; one wait in Asio's reactor covers them all.
  bool watch(Pooled& connection);
  void wait_ready();
  void on_ready();
  void drop_idle(Client& client, Pooled& connection);  // the server closed an idle connection
  void attempt_done(Request& request, sim::Outcome outcome, bool sent);
  void finish(Request& request, sim::Outcome outcome);
  void abandon(Request& request);  // at stop(): not counted
  // Each client's attempt deadlines, in order, woken by one timer (no timer per request).
  void watch_deadline(Request& request);
  void unwatch_deadline(Request& request);
  void arm_sweep(Client& client, sim::TimeNs at);
  void sweep(Client& client);
  void expire(Request& request);
  // After a response ended (or the read failed): the outcome, the connection back to the pool
  // or closed; `again_on_fresh` when a kept-alive connection turned out closed by the server.
  sim::Outcome settle(Client& client, Pooled& connection, boost::system::error_code ec, bool fired,
                      sim::TimeNs& retry_after_ns, bool& again_on_fresh);
  Pooled* take_idle(Client& client);
  void release(Client& client, Pooled* connection);  // null: a connection slot was freed
  void close_connection(Client& client, Pooled& connection);
  Request& new_request();
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
  std::uint32_t warming_ = 0;  // warm-up connects not ended yet
  // Requests and connections are kept for the generator's life and recycled: a pending
  // operation's handler may always refer to its own.
  std::vector<std::unique_ptr<Request>> requests_;
  std::vector<Request*> free_requests_;
  std::vector<std::unique_ptr<Pooled>> connections_;
  std::vector<Pooled*> free_connections_;
  std::vector<std::unique_ptr<User>> users_;
  // The epoll set of the connected sockets (edge-triggered), as Asio's reactor watches it.
  asio::posix::stream_descriptor ready_;
};

}  // namespace faultline::live
