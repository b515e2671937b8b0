// The binding file of live mode: which real address each modelled client calls, and where each
// modelled service instance really runs (and where its proxy listens). Checked against the
// scenario with located errors, like a scenario file; its JSON Schema is
// harness/live/binding.schema.json.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/json_source.hpp"
#include "harness/live/http.hpp"
#include "harness/scenario.hpp"

namespace faultline::live {

struct BoundClient {
  std::uint32_t client = 0;  // index in the scenario
  HostPort address;
  std::string path = "/";
  std::string method = "GET";
  std::string host_header;
  std::string body;
  std::uint32_t max_connections = 256;
  std::optional<std::uint32_t> warm_connections;  // unset: the generator's own choice (LoadGenerator::warm_up)
  std::string pointer;  // JSON pointer of its binding, for messages
};

struct BoundInstance {
  std::uint32_t service = 0;         // index in the scenario
  std::uint32_t index = 0;           // instance index within the service
  std::string listen;                // where the proxy listens
  std::string upstream;              // the real instance
  std::uint32_t caller_zone = 0;     // the zone its callers are in (for partitions)
  std::string pointer;
};

struct BoundService {
  std::uint32_t service = 0;
  bool http = true;  // "mode": "http" (default) or "tcp"
  std::vector<BoundInstance> instances;
};

struct Binding {
  std::string file;
  std::vector<BoundClient> clients;    // one per scenario client, in scenario order
  std::vector<BoundService> services;  // bound services only
};

// The binding's JSON Schema (draft 7), compiled in from harness/live/binding.schema.json; what
// `faultline schema --binding` prints.
const char* binding_schema_text();

// Reads and checks a binding: first against its JSON Schema (the first problem, located, with
// what was expected there), then against the scenario (names, instance counts, zones).
// Throws harness::InputError (exit 2).
Binding load_binding(const std::string& path, const harness::Scenario& scenario);
Binding parse_binding(const harness::JsonSource& source, const harness::Scenario& scenario);

// Checks the real system before any load: every listen port is free and every upstream and
// client address accepts a connection. Throws harness::InputError located in the binding.
void check_binding_reachable(const harness::JsonSource& source, const Binding& binding);
// Only the first part: every listen port is free (for `faultline proxy --bind`, whose upstreams
// may start later, as with Toxiproxy).
void check_binding_listen(const harness::JsonSource& source, const Binding& binding);

}  // namespace faultline::live
