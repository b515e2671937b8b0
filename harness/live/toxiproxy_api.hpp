// A Toxiproxy-compatible control API over faultline's proxies: existing Toxiproxy clients
// (toxiproxy-node-client, toxiproxy-go, the Ruby gem) create proxies and toxics unchanged.
// One io_context serves the API and every proxy.
#pragma once
#include <string>
#include <vector>

#include "harness/live/proxy.hpp"

namespace faultline::live {

// Serves the API on `api` ("HOST:PORT") with `initial` proxies until SIGINT/SIGTERM; exit code.
int run_toxiproxy_server(const std::string& api, const std::vector<ProxyConfig>& initial);

}  // namespace faultline::live
