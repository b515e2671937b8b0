// One fault-injecting proxy: a listener that forwards each connection to an upstream address,
// passing the bytes through its toxics (Toxiproxy's model), on the caller's io_context. In HTTP
// mode it also frames HTTP/1.1 requests and responses (keep-alive) for per-request faults.
// No thread per connection: each connection is two coroutines (one per direction).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "faults/live_effect.hpp"
#include "sim/rng.hpp"

namespace faultline::live {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct ProxyConfig {
  std::string name;
  std::string listen;    // "127.0.0.1:9001"
  std::string upstream;  // "127.0.0.1:7001"
  bool http = false;     // frame HTTP/1.1 (needed by the http_* toxics and request counts)
  bool enabled = true;
};

struct ProxyStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_active = 0;
  std::uint64_t connections_reset = 0;       // reset by a fault or toxic
  std::uint64_t upstream_failures = 0;       // the upstream refused or did not answer the connect
  std::uint64_t bytes_upstream = 0;          // client -> server, forwarded
  std::uint64_t bytes_downstream = 0;        // server -> client, forwarded
  std::uint64_t requests = 0;                // HTTP mode: requests seen
  std::uint64_t responses_ok = 0;            // HTTP mode: upstream answers below 500
  std::uint64_t responses_error = 0;         // HTTP mode: upstream answers 500 and above
  std::uint64_t injected_errors = 0;         // answered by the proxy (http_error; TCP mode: reset)
};

class Proxy : public std::enable_shared_from_this<Proxy> {
 public:
  // Resolves nothing: listen and upstream must be numeric "IP:port" (checked by the caller).
  static std::shared_ptr<Proxy> create(asio::io_context& io, ProxyConfig config);
  ~Proxy();

  // Binds and listens (if enabled). Throws std::system_error (e.g. the port is in use).
  void start();
  // Stops listening and closes every connection (gracefully); the proxy can be dropped then.
  void stop();

  // Disabled: the listener is closed (new connections refused) and connections are reset.
  void set_enabled(bool enabled);
  bool enabled() const { return config_.enabled; }

  // Toxics apply to existing connections from their next chunk on.
  void add_toxic(faults::ToxicSpec toxic);
  bool update_toxic(const faults::ToxicSpec& toxic);  // false: no toxic of that name
  bool remove_toxic(const std::string& name);
  void remove_all_toxics();
  const faults::ToxicSpec* find_toxic(const std::string& name) const;
  std::vector<faults::ToxicSpec> toxics() const;

  // Resets (TCP RST) every open connection.
  void reset_connections();

  // HTTP mode: called with each upstream answer (when its request was forwarded, when the
  // answer's head arrived, its status), for the live trace's request spans.
  using ResponseObserver = std::function<void(Clock::time_point forwarded, Clock::time_point answered, int status)>;
  void observe_responses(ResponseObserver observer) { observer_ = std::move(observer); }

  const ProxyConfig& config() const { return config_; }
  const ProxyStats& stats() const { return stats_; }
  void set_upstream(const std::string& upstream);
  void set_listen(const std::string& listen);  // takes effect at the next start()

  struct Connection;
  struct ToxicEntry {
    std::uint64_t id = 0;
    faults::ToxicSpec spec;
    Clock::time_point added_at{};  // a latency ramp starts here
  };

 private:
  Proxy(asio::io_context& io, ProxyConfig config);
  void open_listener();
  asio::awaitable<void> accept_loop(std::uint64_t generation);
  asio::awaitable<void> serve(tcp::socket client);
  asio::awaitable<void> pump(std::shared_ptr<Connection> connection, faults::ToxicStream stream);
  asio::awaitable<void> forward_requests(std::shared_ptr<Connection> c, std::string_view data, Clock::time_point read_at);
  asio::awaitable<int> request_toxics(std::shared_ptr<Connection> c);
  void count_response(std::string_view data, Clock::time_point forwarded, Clock::time_point answered);
  bool whole_request(Connection& c, std::string_view data);
  bool passes_as_is(Connection& c, faults::ToxicStream stream, std::string_view data);
  double slowdown_factor(Connection& c);
  asio::awaitable<void> pass_close(std::shared_ptr<Connection> c, faults::ToxicStream stream);
  sim::TimeNs latency_delay(const ToxicEntry& toxic, Clock::time_point read_at);
  void arm_close(const std::shared_ptr<Connection>& c, sim::TimeNs after_ns, bool reset);
  asio::awaitable<bool> write_sliced(std::shared_ptr<Connection> c, faults::ToxicStream stream, const faults::ToxicSpec& spec,
                                     std::string_view data);
  asio::awaitable<bool> forward_chunk(std::shared_ptr<Connection> c, faults::ToxicStream stream, std::string_view data,
                                      Clock::time_point read_at);
  bool applies(Connection& c, const ToxicEntry& toxic);

  asio::io_context& io_;
  ProxyConfig config_;
  tcp::acceptor acceptor_;
  std::uint64_t listen_generation_ = 0;  // a new accept loop per (re)open
  std::vector<std::shared_ptr<const ToxicEntry>> toxics_;
  std::uint64_t next_toxic_id_ = 1;
  std::unordered_set<Connection*> connections_;
  std::map<std::uint64_t, Clock::time_point> rate_slots_;  // http_rate: next free slot per toxic
  ProxyStats stats_;
  ResponseObserver observer_;
  sim::Rng rng_;
  bool stopped_ = false;
  friend struct Connection;
};

}  // namespace faultline::live
