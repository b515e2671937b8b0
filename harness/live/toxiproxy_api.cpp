// The Toxiproxy-compatible control API (see harness/live/toxiproxy_api.hpp). Routes, JSON
// shapes and status codes follow Toxiproxy 2.x's documented API; docs/live.md lists the
// differences (faultline's HTTP toxics and the "protocol" field).
#include "harness/live/toxiproxy_api.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "harness/cmd_common.hpp"
#include "harness/interrupt.hpp"
#include "harness/live/http.hpp"
#include "reports/report.hpp"

namespace faultline::live {
namespace {

using Json = nlohmann::ordered_json;
using faults::ToxicSpec;
using faults::ToxicStream;
using faults::ToxicType;

constexpr const char* kApiVersion = "2.12.0";  // the Toxiproxy API this one follows

struct ApiError {
  int status;
  std::string message;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

Response json_response(int status, const Json& body) { return {status, body.dump(), "application/json"}; }
Response error_response(const ApiError& e) {
  Json body;
  body["error"] = e.message;
  body["status"] = e.status;
  return json_response(e.status, body);
}

// "localhost:8080" -> "127.0.0.1:8080": proxies take numeric addresses.
std::string numeric_address(std::string text) {
  if (text.rfind("localhost:", 0) == 0) text = "127.0.0.1" + text.substr(9);
  if (text.rfind(":", 0) == 0) text = "127.0.0.1" + text;
  return text;
}

std::int64_t int_attribute(const Json& attributes, const char* key, std::int64_t fallback) {
  if (!attributes.contains(key)) return fallback;
  const Json& v = attributes[key];
  if (!v.is_number()) throw ApiError{400, std::string("attribute ") + key + ": expected a number"};
  return v.is_number_integer() ? v.get<std::int64_t>() : static_cast<std::int64_t>(std::llround(v.get<double>()));
}

double number_attribute(const Json& attributes, const char* key, double fallback) {
  if (!attributes.contains(key)) return fallback;
  if (!attributes[key].is_number()) throw ApiError{400, std::string("attribute ") + key + ": expected a number"};
  return attributes[key].get<double>();
}

Json toxic_json(const ToxicSpec& t) {
  Json out;
  out["name"] = t.name;
  out["type"] = faults::toxic_type_name(t.type);
  out["stream"] = t.stream == ToxicStream::upstream ? "upstream" : "downstream";
  out["toxicity"] = t.toxicity;
  Json a = Json::object();
  switch (t.type) {
    case ToxicType::latency: a["latency"] = t.latency_ms; a["jitter"] = t.jitter_ms; break;
    case ToxicType::bandwidth: a["rate"] = t.rate_kb_per_s; break;
    case ToxicType::slow_close: a["delay"] = t.delay_ns / 1'000'000; break;
    case ToxicType::timeout:
    case ToxicType::reset_peer: a["timeout"] = t.timeout_ns / 1'000'000; break;
    case ToxicType::slicer:
      a["average_size"] = t.average_size;
      a["size_variation"] = t.size_variation;
      a["delay"] = t.slice_delay_us;
      break;
    case ToxicType::limit_data: a["bytes"] = t.bytes; break;
    case ToxicType::http_error: a["status"] = t.status; a["ratio"] = t.ratio; break;
    case ToxicType::http_delay: a["delay"] = t.latency_ms; a["ratio"] = t.ratio; break;
    case ToxicType::http_slowdown: a["factor"] = t.factor; break;
    case ToxicType::http_rate: a["rate"] = t.requests_per_s; break;
  }
  out["attributes"] = std::move(a);
  return out;
}

// Applies `attributes` to `t` (of t.type); attributes not given keep their values.
void set_attributes(ToxicSpec& t, const Json& attributes) {
  if (!attributes.is_object()) throw ApiError{400, "attributes: expected an object"};
  switch (t.type) {
    case ToxicType::latency:
      t.latency_ms = int_attribute(attributes, "latency", t.latency_ms);
      t.jitter_ms = int_attribute(attributes, "jitter", t.jitter_ms);
      if (t.latency_ms < 0 || t.jitter_ms < 0) throw ApiError{400, "latency and jitter must not be negative"};
      t.delay = sim::UniformDist{std::max<std::int64_t>(0, t.latency_ms - t.jitter_ms) * 1'000'000,
                                 (t.latency_ms + t.jitter_ms) * 1'000'000};
      break;
    case ToxicType::bandwidth: t.rate_kb_per_s = int_attribute(attributes, "rate", t.rate_kb_per_s); break;
    case ToxicType::slow_close: t.delay_ns = int_attribute(attributes, "delay", t.delay_ns / 1'000'000) * 1'000'000; break;
    case ToxicType::timeout:
    case ToxicType::reset_peer: t.timeout_ns = int_attribute(attributes, "timeout", t.timeout_ns / 1'000'000) * 1'000'000; break;
    case ToxicType::slicer:
      t.average_size = int_attribute(attributes, "average_size", t.average_size);
      t.size_variation = int_attribute(attributes, "size_variation", t.size_variation);
      t.slice_delay_us = int_attribute(attributes, "delay", t.slice_delay_us);
      break;
    case ToxicType::limit_data: t.bytes = static_cast<std::uint64_t>(int_attribute(attributes, "bytes", static_cast<std::int64_t>(t.bytes))); break;
    case ToxicType::http_error:
      t.status = static_cast<int>(int_attribute(attributes, "status", t.status));
      t.ratio = number_attribute(attributes, "ratio", t.ratio);
      if (t.status < 100 || t.status > 599) throw ApiError{400, "status: expected an HTTP status 100-599"};
      break;
    case ToxicType::http_delay:
      t.latency_ms = int_attribute(attributes, "delay", t.latency_ms);
      t.ratio = number_attribute(attributes, "ratio", t.ratio);
      t.delay = sim::ConstantDist{t.latency_ms * 1'000'000};
      break;
    case ToxicType::http_slowdown: t.factor = number_attribute(attributes, "factor", t.factor); break;
    case ToxicType::http_rate: t.requests_per_s = number_attribute(attributes, "rate", t.requests_per_s); break;
  }
  if (t.ratio < 0 || t.ratio > 1) throw ApiError{400, "ratio: expected a number from 0 to 1"};
}

bool is_http_toxic(ToxicType type) {
  return type == ToxicType::http_error || type == ToxicType::http_delay || type == ToxicType::http_slowdown ||
         type == ToxicType::http_rate;
}

class Api {
 public:
  explicit Api(asio::io_context& io) : io_(io) {}

  Response handle(const std::string& method, const std::string& target, const std::string& body);
  void add_proxy(const ProxyConfig& config);
  void stop_all() {
    for (auto& [name, proxy] : proxies_) proxy->stop();
  }

 private:
  Json proxy_json(const Proxy& proxy) const {
    Json out;
    out["name"] = proxy.config().name;
    out["listen"] = proxy.config().listen;
    out["upstream"] = proxy.config().upstream;
    out["enabled"] = proxy.enabled();
    out["protocol"] = proxy.config().http ? "http" : "tcp";
    Json toxics = Json::array();
    for (const ToxicSpec& t : proxy.toxics()) toxics.push_back(toxic_json(t));
    out["toxics"] = std::move(toxics);
    return out;
  }
  std::shared_ptr<Proxy>& find(const std::string& name) {
    const auto it = proxies_.find(name);
    if (it == proxies_.end()) throw ApiError{404, "proxy not found"};
    return it->second;
  }
  ProxyConfig config_from(const Json& body, bool require_all) const;
  Json create_or_replace(const Json& body);
  Response toxics(const std::string& method, Proxy& proxy, const std::string& toxic, const Json& body);
  std::string metrics() const;

  asio::io_context& io_;
  std::map<std::string, std::shared_ptr<Proxy>> proxies_;
};

ProxyConfig Api::config_from(const Json& body, bool require_all) const {
  if (!body.is_object()) throw ApiError{400, "bad request body: expected a JSON object"};
  ProxyConfig config;
  for (const char* key : {"name", "listen", "upstream"}) {
    if (body.contains(key) && !body[key].is_string()) throw ApiError{400, std::string(key) + ": expected a string"};
    if (require_all && !body.contains(key)) throw ApiError{400, std::string("missing required field: ") + key};
  }
  config.name = body.value("name", "");
  config.listen = numeric_address(body.value("listen", "127.0.0.1:0"));
  config.upstream = numeric_address(body.value("upstream", ""));
  config.enabled = body.value("enabled", true);
  config.http = body.value("protocol", "tcp") == "http";
  if (config.name.empty()) throw ApiError{400, "missing required field: name"};
  const std::string listen_check = config.listen.substr(0, config.listen.rfind(':')) + ":1";
  if (!parse_host_port(listen_check) || !parse_host_port(config.upstream)) {
    throw ApiError{400, "listen and upstream: expected IP:port (or localhost:port)"};
  }
  return config;
}

void Api::add_proxy(const ProxyConfig& config) {
  auto proxy = Proxy::create(io_, config);
  proxy->start();
  proxies_[config.name] = std::move(proxy);
}

Json Api::create_or_replace(const Json& body) {
  const ProxyConfig config = config_from(body, true);
  if (const auto it = proxies_.find(config.name); it != proxies_.end()) {
    Proxy& existing = *it->second;
    if (existing.config().listen == config.listen || config.listen.ends_with(":0")) {
      existing.set_upstream(config.upstream);
      existing.set_enabled(config.enabled);
      return proxy_json(existing);
    }
    existing.stop();
    proxies_.erase(it);
  }
  try {
    add_proxy(config);
  } catch (const std::exception& e) {
    throw ApiError{409, std::string("listen ") + config.listen + ": " + e.what()};
  }
  return proxy_json(*proxies_[config.name]);
}

Response Api::toxics(const std::string& method, Proxy& proxy, const std::string& toxic, const Json& body) {
  if (toxic.empty()) {
    if (method == "GET") {
      Json list = Json::array();
      for (const ToxicSpec& t : proxy.toxics()) list.push_back(toxic_json(t));
      return json_response(200, list);
    }
    if (method != "POST") throw ApiError{405, "method not allowed"};
    if (!body.is_object()) throw ApiError{400, "bad request body: expected a JSON object"};
    ToxicSpec spec;
    const std::string type = body.value("type", "");
    const auto parsed = faults::toxic_type_from_name(type);
    if (!parsed) throw ApiError{400, "invalid toxic type: \"" + type + "\""};
    spec.type = *parsed;
    const std::string stream = body.value("stream", "downstream");
    if (stream != "upstream" && stream != "downstream") throw ApiError{400, "stream: expected upstream or downstream"};
    spec.stream = stream == "upstream" ? ToxicStream::upstream : ToxicStream::downstream;
    spec.toxicity = body.value("toxicity", 1.0);
    if (spec.toxicity < 0 || spec.toxicity > 1) throw ApiError{400, "toxicity: expected a number from 0 to 1"};
    if (is_http_toxic(spec.type)) {
      if (!proxy.config().http) throw ApiError{400, "HTTP toxics need a proxy created with \"protocol\": \"http\""};
      if (spec.type == ToxicType::http_error || spec.type == ToxicType::http_delay || spec.type == ToxicType::http_rate) {
        spec.stream = ToxicStream::upstream;  // they act on requests
      }
    }
    spec.name = body.value("name", type + "_" + (spec.stream == ToxicStream::upstream ? "upstream" : "downstream"));
    set_attributes(spec, body.value("attributes", Json::object()));
    if (proxy.find_toxic(spec.name) != nullptr) throw ApiError{409, "toxic already exists"};
    proxy.add_toxic(spec);
    return json_response(200, toxic_json(spec));
  }
  const ToxicSpec* existing = proxy.find_toxic(toxic);
  if (existing == nullptr) throw ApiError{404, "toxic not found"};
  if (method == "GET") return json_response(200, toxic_json(*existing));
  if (method == "DELETE") {
    proxy.remove_toxic(toxic);
    return {204, "", "application/json"};
  }
  if (method != "POST" && method != "PATCH") throw ApiError{405, "method not allowed"};
  ToxicSpec updated = *existing;
  if (body.contains("toxicity")) updated.toxicity = body["toxicity"].get<double>();
  if (body.contains("attributes")) set_attributes(updated, body["attributes"]);
  proxy.update_toxic(updated);
  return json_response(200, toxic_json(updated));
}

std::string Api::metrics() const {
  std::string out;
  auto family = [&](const char* name, const char* help, auto value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
    for (const auto& [proxy_name, proxy] : proxies_) {
      out += std::string(name) + "{proxy=\"" + proxy_name + "\"} " + std::to_string(value(proxy->stats())) + "\n";
    }
  };
  family("faultline_proxy_connections_total", "Connections accepted.", [](const ProxyStats& s) { return s.connections_accepted; });
  family("faultline_proxy_connections_reset_total", "Connections reset by a fault or toxic.", [](const ProxyStats& s) { return s.connections_reset; });
  family("faultline_proxy_upstream_failures_total", "Upstream connects that failed.", [](const ProxyStats& s) { return s.upstream_failures; });
  family("faultline_proxy_sent_bytes_upstream_total", "Bytes forwarded client to server.", [](const ProxyStats& s) { return s.bytes_upstream; });
  family("faultline_proxy_sent_bytes_downstream_total", "Bytes forwarded server to client.", [](const ProxyStats& s) { return s.bytes_downstream; });
  family("faultline_proxy_http_requests_total", "HTTP requests seen (http protocol).", [](const ProxyStats& s) { return s.requests; });
  family("faultline_proxy_http_injected_errors_total", "HTTP requests answered by an http_error toxic.", [](const ProxyStats& s) { return s.injected_errors; });
  out += "# HELP faultline_proxy_connections_active Connections open now.\n# TYPE faultline_proxy_connections_active gauge\n";
  for (const auto& [name, proxy] : proxies_) {
    out += "faultline_proxy_connections_active{proxy=\"" + name + "\"} " + std::to_string(proxy->stats().connections_active) + "\n";
  }
  return out;
}

Response Api::handle(const std::string& method, const std::string& target, const std::string& body_text) {
  try {
    Json body;
    if (!body_text.empty()) {
      body = Json::parse(body_text, nullptr, false);
      if (body.is_discarded()) throw ApiError{400, "bad request body: not JSON"};
    }
    std::string path = target.substr(0, target.find('?'));
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path == "/version" && method == "GET") {
      Json v;
      v["version"] = std::string(kApiVersion) + "-faultline-" + reports::kVersion;
      return json_response(200, v);
    }
    if (path == "/metrics" && method == "GET") return {200, metrics(), "text/plain; version=0.0.4"};
    if (path == "/reset" && method == "POST") {
      for (auto& [name, proxy] : proxies_) {
        proxy->set_enabled(true);
        proxy->remove_all_toxics();
      }
      return {204, "", "application/json"};
    }
    if (path == "/populate" && method == "POST") {
      if (!body.is_array()) throw ApiError{400, "bad request body: expected an array of proxies"};
      Json list = Json::array();
      for (const Json& item : body) list.push_back(create_or_replace(item));
      Json out;
      out["proxies"] = std::move(list);
      return json_response(201, out);
    }
    if (path == "/proxies") {
      if (method == "GET") {
        Json all = Json::object();
        for (const auto& [name, proxy] : proxies_) all[name] = proxy_json(*proxy);
        return json_response(200, all);
      }
      if (method != "POST") throw ApiError{405, "method not allowed"};
      const ProxyConfig config = config_from(body, true);
      if (proxies_.contains(config.name)) throw ApiError{409, "proxy already exists"};
      return json_response(201, create_or_replace(body));
    }
    if (path.rfind("/proxies/", 0) == 0) {
      std::string rest = path.substr(9);
      const auto slash = rest.find('/');
      const std::string name = rest.substr(0, slash);
      std::shared_ptr<Proxy>& proxy = find(name);
      if (slash != std::string::npos) {
        const std::string sub = rest.substr(slash + 1);
        if (sub == "toxics") return toxics(method, *proxy, "", body);
        if (sub.rfind("toxics/", 0) == 0) return toxics(method, *proxy, sub.substr(7), body);
        throw ApiError{404, "not found"};
      }
      if (method == "GET") return json_response(200, proxy_json(*proxy));
      if (method == "DELETE") {
        proxy->stop();
        proxies_.erase(name);
        return {204, "", "application/json"};
      }
      if (method != "POST" && method != "PATCH") throw ApiError{405, "method not allowed"};
      if (!body.is_object()) throw ApiError{400, "bad request body: expected a JSON object"};
      if (body.contains("upstream")) proxy->set_upstream(numeric_address(body["upstream"].get<std::string>()));
      if (body.contains("listen") && numeric_address(body["listen"].get<std::string>()) != proxy->config().listen) {
        proxy->stop();
        proxy->set_listen(numeric_address(body["listen"].get<std::string>()));
        proxy->start();
      }
      if (body.contains("enabled")) proxy->set_enabled(body["enabled"].get<bool>());
      return json_response(200, proxy_json(*proxy));
    }
    throw ApiError{404, "not found"};
  } catch (const ApiError& e) {
    return error_response(e);
  } catch (const std::exception& e) {
    return error_response({400, e.what()});
  }
}

asio::awaitable<void> serve_api_connection(Api& api, tcp::socket socket) {
  std::string data;
  std::array<char, 8192> buffer;
  boost::system::error_code ec;
  for (;;) {
    std::optional<std::size_t> end;
    while (!(end = head_end(data))) {
      const std::size_t n = co_await socket.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      data.append(buffer.data(), n);
      if (data.size() > 1 << 20) co_return;
    }
    const auto head = parse_request_head(std::string_view(data).substr(0, *end));
    if (!head || head->chunked || head->content_length > (1u << 20)) co_return;
    while (data.size() < *end + head->content_length) {
      const std::size_t n = co_await socket.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      data.append(buffer.data(), n);
    }
    const std::string body = data.substr(*end, head->content_length);
    data.erase(0, *end + head->content_length);
    const Response response = api.handle(head->method, head->target, body);
    const std::string text = response.status == 204 ? "HTTP/1.1 204 No Content\r\n\r\n"
                                                    : simple_response(response.status, response.body, response.content_type);
    co_await asio::async_write(socket, asio::buffer(text), asio::redirect_error(asio::use_awaitable, ec));
    if (ec || head->close) co_return;
  }
}

}  // namespace

int run_toxiproxy_server(const std::string& api_address, const std::vector<ProxyConfig>& initial) {
  asio::io_context io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);  // one thread; signals are polled, not posted
  Api api(io);
  for (const ProxyConfig& config : initial) api.add_proxy(config);
  const auto hp = parse_host_port(numeric_address(api_address));
  tcp::acceptor acceptor(io);
  const tcp::endpoint at(asio::ip::make_address(hp->host), hp->port);
  boost::system::error_code bind_ec;
  acceptor.open(at.protocol(), bind_ec);
  if (!bind_ec) acceptor.set_option(asio::socket_base::reuse_address(true), bind_ec);
  if (!bind_ec) acceptor.bind(at, bind_ec);
  if (!bind_ec) acceptor.listen(asio::socket_base::max_listen_connections, bind_ec);
  if (bind_ec) {
    throw harness::UsageError("proxy: --api: cannot listen on " + api_address + ": " + bind_ec.message() +
                              " (is the port in use?)");
  }
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (!acceptor.is_open()) co_return;
      if (!ec) asio::co_spawn(io, serve_api_connection(api, std::move(socket)), asio::detached);
    }
  }, asio::detached);
  std::fprintf(stderr, "faultline proxy: API on %s, %zu proxies (SIGINT stops)\n", api_address.c_str(), initial.size());
  asio::steady_timer poll(io);
  std::function<void()> check = [&] {
    poll.expires_after(std::chrono::milliseconds(20));
    poll.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      if (harness::interrupted() != 0) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        api.stop_all();
        io.stop();
        return;
      }
      check();
    });
  };
  check();
  io.run();
  return 0;
}

}  // namespace faultline::live
