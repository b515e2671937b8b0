// The resource-limit flags shared by the commands that load or run scenarios.
#include "harness/cmd_limits.hpp"

namespace faultline::harness {

const char* const kLimitsHelp =
    "limits (exit 4 when hit, naming the limit and its flag):\n"
    "  --max-events N         events processed in one run (default 2000000000)\n"
    "  --max-in-flight N      calls in progress at once (default 5000000)\n"
    "  --max-wall DURATION    wall-clock time of one run, e.g. 5m (default none)\n"
    "  --max-instances N      instances in a scenario (default 100000)\n"
    "  --max-services N       services (default 10000)\n"
    "  --max-clients N        clients (default 10000)\n"
    "  --max-users N          closed-loop users over all clients (default 1000000)\n"
    "  --max-rate R           any client's arrival rate per second (default 10000000)\n"
    "  --max-sim-time DURATION  a scenario's duration (default 24h)\n";

bool take_limit_flag(ArgParser& args, LimitFlags& limits) {
  std::string value;
  if (args.option("--max-events", value)) limits.run.engine.max_events = parse_u64("--max-events", value);
  else if (args.option("--max-in-flight", value)) limits.run.engine.max_in_flight = parse_u64("--max-in-flight", value);
  else if (args.option("--max-wall", value)) {
    limits.run.max_wall_s = static_cast<double>(parse_duration("--max-wall", value)) / 1e9;
  } else if (args.option("--max-instances", value)) limits.load.max_instances = parse_u64("--max-instances", value);
  else if (args.option("--max-services", value)) limits.load.max_services = parse_u64("--max-services", value);
  else if (args.option("--max-clients", value)) limits.load.max_clients = parse_u64("--max-clients", value);
  else if (args.option("--max-users", value)) limits.load.max_users = parse_u64("--max-users", value);
  else if (args.option("--max-rate", value)) limits.load.max_rate_per_s = parse_positive("--max-rate", value);
  else if (args.option("--max-sim-time", value)) limits.load.max_duration_ns = parse_duration("--max-sim-time", value);
  else return false;
  return true;
}

}  // namespace faultline::harness
