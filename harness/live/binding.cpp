// Loading and checking the binding file (see harness/live/binding.hpp).
#include "harness/live/binding.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "harness/loader.hpp"

namespace faultline::live {
namespace {

using harness::InputError;
using harness::JsonSource;
using Json = nlohmann::ordered_json;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string names_of(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

void expect_object(const JsonSource& source, const Json& value, const std::string& pointer, const char* what) {
  if (!value.is_object()) throw source.error(pointer, std::string("expected ") + what);
}

void only_keys(const JsonSource& source, const Json& object, const std::string& pointer,
               std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (known) continue;
    std::string list;
    for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + "\"" + a + "\"";
    throw source.error(pointer + "/" + harness::pointer_token(key), "unknown key \"" + key + "\"; expected one of " + list);
  }
}

std::string string_at(const JsonSource& source, const Json& object, const std::string& pointer, const char* key,
                      const char* what) {
  const std::string at = pointer + "/" + key;
  if (!object.contains(key)) throw source.error(pointer, std::string("missing \"") + key + "\": expected " + what);
  if (!object[key].is_string()) throw source.error(at, std::string("expected ") + what);
  return object[key].get<std::string>();
}

// A numeric "IPv4:port" (or "[IPv6]:port"); names are not resolved, so nothing depends on DNS.
std::string address_at(const JsonSource& source, const Json& object, const std::string& pointer, const char* key) {
  const std::string text = string_at(source, object, pointer, key, "an address \"IP:port\" like \"127.0.0.1:9001\"");
  const auto hp = parse_host_port(text);
  boost::system::error_code ec;
  if (hp) {
    std::string host = hp->host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    asio::ip::make_address(host, ec);
  }
  if (!hp || ec) {
    throw source.error(pointer + "/" + key, "expected an address \"IP:port\" like \"127.0.0.1:9001\" (a numeric IP, port 1-65535), got \"" + text + "\"");
  }
  return text;
}

std::uint32_t zone_index(const harness::Scenario& scenario, const std::string& name) {
  for (std::uint32_t z = 0; z < scenario.model.zones.size(); ++z) {
    if (scenario.model.zones[z] == name) return z;
  }
  return UINT32_MAX;
}

BoundClient parse_client(const JsonSource& source, const Json& item, const std::string& pointer, std::uint32_t index) {
  expect_object(source, item, pointer, "an object with \"url\"");
  only_keys(source, item, pointer, {"url", "method", "host", "body", "max_connections", "warm_connections"});
  BoundClient out;
  out.client = index;
  out.pointer = pointer;
  const std::string url = string_at(source, item, pointer, "url", "a URL like \"http://127.0.0.1:8080/checkout\"");
  const std::string scheme = "http://";
  bool valid = url.compare(0, scheme.size(), scheme) == 0;
  if (valid) {
    const std::string rest = url.substr(scheme.size());
    const auto slash = rest.find('/');
    const auto hp = parse_host_port(rest.substr(0, slash));
    boost::system::error_code ec;
    if (hp) asio::ip::make_address(hp->host, ec);
    valid = hp && !ec;
    if (valid) {
      out.address = *hp;
      out.path = slash == std::string::npos ? "/" : rest.substr(slash);
    }
  }
  if (!valid) {
    throw source.error(pointer + "/url", "expected a URL like \"http://127.0.0.1:8080/checkout\" (http, a numeric IP and a port), got \"" + url + "\"");
  }
  if (item.contains("method")) {
    out.method = string_at(source, item, pointer, "method", "an HTTP method like \"GET\" or \"POST\"");
    static const char* kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
    bool known = false;
    for (const char* m : kMethods) known = known || out.method == m;
    if (!known) throw source.error(pointer + "/method", "expected one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, got \"" + out.method + "\"");
  }
  if (item.contains("host")) out.host_header = string_at(source, item, pointer, "host", "a Host header value");
  if (item.contains("body")) out.body = string_at(source, item, pointer, "body", "a request body (a string)");
  if (item.contains("max_connections")) {
    const Json& v = item["max_connections"];
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() < 1 || v.get<std::uint64_t>() > 100000) {
      throw source.error(pointer + "/max_connections", "expected an integer from 1 to 100000");
    }
    out.max_connections = v.get<std::uint32_t>();
  }
  if (item.contains("warm_connections")) {
    const Json& v = item["warm_connections"];
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 100000) {
      throw source.error(pointer + "/warm_connections", "expected an integer from 0 to 100000");
    }
    out.warm_connections = v.get<std::uint32_t>();
  }
  return out;
}

BoundService parse_service(const JsonSource& source, const harness::Scenario& scenario, const Json& item,
                           const std::string& pointer, std::uint32_t service) {
  expect_object(source, item, pointer, "an object with \"instances\"");
  only_keys(source, item, pointer, {"mode", "instances"});
  BoundService out;
  out.service = service;
  if (item.contains("mode")) {
    const std::string mode = string_at(source, item, pointer, "mode", "\"http\" or \"tcp\"");
    if (mode != "http" && mode != "tcp") throw source.error(pointer + "/mode", "expected \"http\" or \"tcp\", got \"" + mode + "\"");
    out.http = mode == "http";
  }
  const sim::ServiceConfig& config = scenario.model.services[service];
  std::uint32_t expected = 0;
  std::vector<std::uint32_t> zones;
  for (const sim::InstanceGroup& g : config.placement) {
    expected += g.count;
    zones.insert(zones.end(), g.count, g.zone);
  }
  if (!item.contains("instances") || !item["instances"].is_array()) {
    throw source.error(item.contains("instances") ? pointer + "/instances" : pointer,
                       "expected \"instances\": an array of " + std::to_string(expected) + " {\"listen\", \"upstream\"}");
  }
  const Json& instances = item["instances"];
  if (instances.size() != expected) {
    throw source.error(pointer + "/instances", "expected " + std::to_string(expected) + " instances (service \"" +
                                                   config.name + "\" has " + std::to_string(expected) +
                                                   " in the scenario), got " + std::to_string(instances.size()));
  }
  const std::uint32_t default_caller_zone = scenario.model.clients.empty() ? 0 : scenario.model.clients.front().zone;
  for (std::uint32_t i = 0; i < instances.size(); ++i) {
    const std::string at = pointer + "/instances/" + std::to_string(i);
    expect_object(source, instances[i], at, "an object with \"listen\" and \"upstream\"");
    only_keys(source, instances[i], at, {"listen", "upstream", "caller_zone"});
    BoundInstance instance;
    instance.service = service;
    instance.index = i;
    instance.pointer = at;
    instance.listen = address_at(source, instances[i], at, "listen");
    instance.upstream = address_at(source, instances[i], at, "upstream");
    instance.caller_zone = default_caller_zone;
    if (instances[i].contains("caller_zone")) {
      const std::string zone = string_at(source, instances[i], at, "caller_zone", "a zone of the scenario");
      instance.caller_zone = zone_index(scenario, zone);
      if (instance.caller_zone == UINT32_MAX) {
        throw source.error(at + "/caller_zone", "expected a zone of the scenario (" + names_of(scenario.model.zones) +
                                                    "), got \"" + zone + "\"");
      }
    }
    out.instances.push_back(std::move(instance));
  }
  return out;
}

}  // namespace

Binding parse_binding(const JsonSource& source, const harness::Scenario& scenario) {
  const std::vector<InputError> errors = harness::schema_errors(source, binding_schema_text(), 1);
  if (!errors.empty()) throw errors.front();
  const Json& root = source.root();
  expect_object(source, root, "", "a binding object with \"clients\" and \"services\"");
  only_keys(source, root, "", {"$schema", "description", "clients", "services"});
  Binding binding;
  binding.file = source.file();
  std::vector<std::string> client_names, service_names;
  for (const auto& c : scenario.model.clients) client_names.push_back(c.name);
  for (const auto& s : scenario.model.services) service_names.push_back(s.name);
  if (!root.contains("clients")) throw source.error("", "missing \"clients\": expected the URL each scenario client calls");
  expect_object(source, root["clients"], "/clients", "an object: scenario client name -> {\"url\"}");
  std::vector<bool> bound(scenario.model.clients.size(), false);
  for (const auto& [name, item] : root["clients"].items()) {
    const std::string pointer = "/clients/" + harness::pointer_token(name);
    std::uint32_t index = UINT32_MAX;
    for (std::uint32_t c = 0; c < client_names.size(); ++c) {
      if (client_names[c] == name) index = c;
    }
    if (index == UINT32_MAX) {
      throw source.error(pointer, "unknown client \"" + name + "\"; the scenario's clients are: " + names_of(client_names));
    }
    bound[index] = true;
    binding.clients.push_back(parse_client(source, item, pointer, index));
  }
  for (std::uint32_t c = 0; c < bound.size(); ++c) {
    if (!bound[c]) throw source.error("/clients", "missing client \"" + client_names[c] + "\": every scenario client needs a URL");
  }
  std::sort(binding.clients.begin(), binding.clients.end(), [](const auto& a, const auto& b) { return a.client < b.client; });
  if (root.contains("services")) {
    expect_object(source, root["services"], "/services", "an object: scenario service name -> {\"instances\"}");
    for (const auto& [name, item] : root["services"].items()) {
      const std::string pointer = "/services/" + harness::pointer_token(name);
      std::uint32_t index = UINT32_MAX;
      for (std::uint32_t s = 0; s < service_names.size(); ++s) {
        if (service_names[s] == name) index = s;
      }
      if (index == UINT32_MAX) {
        throw source.error(pointer, "unknown service \"" + name + "\"; the scenario's services are: " + names_of(service_names));
      }
      binding.services.push_back(parse_service(source, scenario, item, pointer, index));
    }
  }
  // Two proxies cannot listen on one address.
  std::vector<std::pair<std::string, std::string>> listens;
  for (const BoundService& s : binding.services) {
    for (const BoundInstance& i : s.instances) {
      for (const auto& [address, where] : listens) {
        if (address == i.listen) throw source.error(i.pointer + "/listen", "address " + address + " is already the listen address at " + where);
      }
      listens.emplace_back(i.listen, i.pointer);
    }
  }
  return binding;
}

Binding load_binding(const std::string& path, const harness::Scenario& scenario) {
  const JsonSource source = JsonSource::load(path);
  return parse_binding(source, scenario);
}

namespace {

// Connects to `address` within `timeout`; the error, or success.
boost::system::error_code try_connect(const std::string& address, std::chrono::milliseconds timeout) {
  asio::io_context io;
  const auto hp = parse_host_port(address);
  tcp::socket socket(io);
  boost::system::error_code result = asio::error::timed_out;
  asio::steady_timer timer(io, timeout);
  std::string host = hp->host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  socket.async_connect(tcp::endpoint(asio::ip::make_address(host), hp->port), [&](boost::system::error_code ec) {
    result = ec;
    timer.cancel();
  });
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) socket.close();
  });
  io.run();
  return result;
}

}  // namespace

void check_binding_listen(const JsonSource& source, const Binding& binding) {
  for (const BoundService& s : binding.services) {
    for (const BoundInstance& i : s.instances) {
      asio::io_context io;
      tcp::acceptor probe(io);
      boost::system::error_code ec;
      const auto hp = parse_host_port(i.listen);
      std::string host = hp->host;
      if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
      const tcp::endpoint at(asio::ip::make_address(host), hp->port);
      probe.open(at.protocol(), ec);
      if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) probe.bind(at, ec);
      if (ec) throw source.error(i.pointer + "/listen", "cannot listen on " + i.listen + ": " + ec.message() + " (is the port in use?)");
      probe.close(ec);
    }
  }
}

void check_binding_reachable(const JsonSource& source, const Binding& binding) {
  check_binding_listen(source, binding);
  for (const BoundService& s : binding.services) {
    for (const BoundInstance& i : s.instances) {
      const auto reached = try_connect(i.upstream, std::chrono::milliseconds(2000));
      if (reached) {
        throw source.error(i.pointer + "/upstream", "upstream " + i.upstream + " is unreachable: " + reached.message() +
                                                        " (start the real instance before faultline live)");
      }
    }
  }
  for (const BoundClient& c : binding.clients) {
    const std::string address = host_port_text(c.address);
    // A client may call one of faultline's own proxies, which is not listening yet.
    bool proxied = false;
    for (const BoundService& s : binding.services) {
      for (const BoundInstance& i : s.instances) proxied = proxied || i.listen == address;
    }
    if (proxied) continue;
    const auto reached = try_connect(address, std::chrono::milliseconds(2000));
    if (reached) {
      throw source.error(c.pointer + "/url", "client address " + address + " is unreachable: " + reached.message() +
                                                 " (start the system under test before faultline live)");
    }
  }
}

}  // namespace faultline::live
