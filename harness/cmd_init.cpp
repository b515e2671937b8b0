// `faultline init [--template NAME] FILE`: a small, working starter scenario to edit. JSON has
// no comments, so the file explains itself in its "description" and in assertion names.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/cli.hpp"
#include "harness/cmd_common.hpp"
#include "harness/commands.hpp"
#include "harness/output.hpp"

namespace faultline::harness {
namespace {

struct Template {
  const char* name;
  const char* summary;
  const char* text;
};

// One service behind one client; an instance crashes and discovery takes it out of rotation.
const char* const kBasic = R"({
  "$schema": "./faultline.schema.json",
  "version": 1,
  "name": "my-first-scenario",
  "description": "A starter scenario written by faultline init. One service, api (3 instances x 4 workers, about 5ms per request), takes 100 requests/s from one client, web. At 20s instance 0 crashes and stays down: requests routed to it fail until health checks (every 2s, 2 failures) mark it critical and the client's view refreshes (every 5s), so at most 2s x 2 + 5s = 9s of a third of the traffic fails (about 300 requests, 5% of the minute). Edit the numbers, add faults (docs/faults.md) and assertions (docs/scenario-format.md), then: faultline validate THIS_FILE && faultline run THIS_FILE.",
  "seed": 1,
  "duration": "1m",
  "zones": ["dc1"],
  "discovery": {"health_check_interval": "2s", "unhealthy_threshold": 2, "refresh_interval": "5s"},
  "services": [
    {"name": "api", "instances": 3, "workers": 4, "queue_capacity": 100, "service_time": {"lognormal": {"median": "5ms", "p99": "20ms"}}}
  ],
  "clients": [
    {"name": "web", "zone": "dc1", "service": "api", "open_loop": {"rate": 100}, "timeout": "1s", "load_balancer": "round_robin"}
  ],
  "faults": [
    {"name": "api-0-crash", "kind": "crash", "target": {"service": "api", "instances": [0]}, "at": "20s"}
  ],
  "assertions": [
    {"name": "at least 95% of web's requests succeed", "type": "availability", "client": "web", "min": "95%"},
    {"name": "no traffic reaches the crashed instance 9s after the crash", "type": "no_traffic_to_crashed", "fault": "api-0-crash", "within": "9s"},
    {"name": "p99 latency stays under 100ms", "type": "latency", "client": "web", "percentile": 99, "max": "100ms"}
  ]
}
)";

// Three services in a chain; the last slows down and a circuit breaker protects the middle.
const char* const kChain = R"({
  "$schema": "./faultline.schema.json",
  "version": 1,
  "name": "my-service-chain",
  "description": "A starter chain written by faultline init --template chain: a client, users, sends 200 requests/s to gateway, which calls orders, which calls payments. orders calls payments with a 300ms timeout, 2 attempts and a circuit breaker with gobreaker's defaults (opens after more than 5 consecutive failures, half-open after 10s). At 30s payments slows down 50x for 30s: the breaker opens and orders fails fast instead of queueing, so the gateway's other work is not starved. Change the breaker, the timeouts or the fault, run again and compare: faultline run THIS_FILE --report a.json; faultline compare a.json b.json.",
  "seed": 1,
  "duration": "2m",
  "zones": ["dc1"],
  "services": [
    {"name": "gateway", "instances": 2, "workers": 32, "queue_capacity": 500, "service_time": "1ms",
     "calls": [{"service": "orders", "timeout": "1s"}]},
    {"name": "orders", "instances": 3, "workers": 16, "queue_capacity": 500, "service_time": {"lognormal": {"median": "4ms", "p99": "15ms"}},
     "calls": [{"service": "payments", "timeout": "300ms", "retry": {"max_attempts": 2},
                "breaker": {"trip": {"consecutive_failures": 5}, "timeout": "10s"}}]},
    {"name": "payments", "instances": 3, "workers": 8, "queue_capacity": 200, "service_time": {"lognormal": {"median": "10ms", "p99": "40ms"}}}
  ],
  "clients": [
    {"name": "users", "zone": "dc1", "service": "gateway", "open_loop": {"rate": 200}, "timeout": "2s"}
  ],
  "faults": [
    {"name": "payments-slow", "kind": "slowdown", "target": {"service": "payments"}, "at": "30s", "duration": "30s", "factor": 50}
  ],
  "assertions": [
    {"name": "the breaker in front of payments opens within 5s of the slowdown", "type": "breaker", "caller_service": "orders", "callee": "payments", "fault": "payments-slow", "opens_within": "5s"},
    {"name": "users' p50 stays under 50ms", "type": "latency", "client": "users", "percentile": 50, "max": "50ms"}
  ]
}
)";

const Template kTemplates[] = {
    {"basic", "one service, one client, an instance crash, discovery (default)", kBasic},
    {"chain", "gateway -> orders -> payments, a slowdown and a circuit breaker", kChain},
};

}  // namespace

const char* const kInitUsage =
    "usage: faultline init [--template NAME] FILE\n"
    "\n"
    "Writes a small, working starter scenario to FILE (never over an existing file) and prints\n"
    "what to do next. Its description says what it models and what to expect.\n"
    "\n"
    "templates:\n"
    "  basic                  one service, one client, an instance crash, discovery (default)\n"
    "  chain                  gateway -> orders -> payments, a slowdown and a circuit breaker\n"
    "\n";

int command_init(const std::vector<std::string>& raw) {
  std::string template_name = "basic", file;
  ArgParser args("init", raw);
  while (!args.done()) {
    std::string value;
    if (args.option("--template", template_name)) continue;
    if (args.operand(value)) {
      if (!file.empty()) args.unexpected(value, "init writes one file");
      file = value;
    } else if (!args.done()) {
      args.reject();
    }
  }
  if (file.empty()) throw UsageError("init: which file? (faultline init my-scenario.json)");
  const Template* chosen = nullptr;
  std::string names;
  for (const Template& t : kTemplates) {
    if (template_name == t.name) chosen = &t;
    names += std::string(names.empty() ? "" : ", ") + t.name;
  }
  if (chosen == nullptr) throw UsageError("--template: unknown template \"" + template_name + "\"; the templates are: " + names);
  if (file == "-") {
    std::fputs(chosen->text, stdout);
    return kExitPassed;
  }
  std::error_code error;
  if (std::filesystem::symlink_status(file, error).type() != std::filesystem::file_type::not_found) {
    throw OutputError(file + " already exists; faultline init never overwrites a file (choose another name)");
  }
  write_atomically(file, chosen->text);
  std::printf("wrote %s (template %s). Next:\n  faultline validate %s\n  faultline run %s\n"
              "For completion in an editor, put the schema beside it: faultline schema > %s\n",
              file.c_str(), chosen->name, shell_quote(file).c_str(), shell_quote(file).c_str(),
              shell_quote((std::filesystem::path(file).parent_path() / "faultline.schema.json").string()).c_str());
  return kExitPassed;
}

}  // namespace faultline::harness
