// The resource-limit flags shared by the commands that load or run scenarios.
#include "harness/cmd_limits.hpp"

#include "harness/interrupt.hpp"
#include "harness/memory_budget.hpp"

namespace faultline::harness {

const char* const kLimitsHelp =
    "limits (exit 4 when hit, naming the limit and its flag):\n"
    "  --max-events N         events processed in one run (default 2000000000)\n"
    "  --max-in-flight N      calls in progress at once (default 5000000)\n"
    "  --max-wall DURATION    wall-clock time of the whole command, e.g. 5m (default none)\n"
    "  --max-memory SIZE      memory of the model, estimated before and checked during the run\n"
    "                         (default 4GiB; e.g. 16GiB)\n"
    "  --max-instances N      instances in a scenario (default 100000)\n"
    "  --max-services N       services (default 10000)\n"
    "  --max-clients N        clients (default 10000)\n"
    "  --max-users N          closed-loop users over all clients (default 1000000)\n"
    "  --max-rate R           any client's arrival rate per second (default 10000000)\n"
    "  --max-sim-time DURATION  a scenario's duration (default 24h)\n"
    "  --max-buckets N        time-series buckets of a run; beyond it they are widened, with a note\n"
    "                         (default 100000)\n";

LimitFlags::LimitFlags() { run.max_memory_bytes = kDefaultMaxMemoryBytes; }

bool take_limit_flag(ArgParser& args, LimitFlags& limits) {
  std::string value;
  if (args.option("--max-events", value)) limits.run.engine.max_events = parse_u64("--max-events", value);
  else if (args.option("--max-in-flight", value)) limits.run.engine.max_in_flight = parse_u64("--max-in-flight", value);
  else if (args.option("--max-wall", value)) {
    // The budget runs from here and bounds the whole command, not only the event loop.
    limits.run.max_wall_s = static_cast<double>(parse_duration("--max-wall", value)) / 1e9;
    set_wall_budget(limits.run.max_wall_s);
  } else if (args.option("--max-memory", value)) {
    limits.run.max_memory_bytes = parse_bytes(value);
    if (limits.run.max_memory_bytes == 0) {
      throw UsageError("--max-memory: expected a size like 8GiB, 512MiB or 2G, got \"" + value + "\"");
    }
  } else if (args.option("--max-instances", value)) limits.load.max_instances = parse_u64("--max-instances", value);
  else if (args.option("--max-services", value)) limits.load.max_services = parse_u64("--max-services", value);
  else if (args.option("--max-clients", value)) limits.load.max_clients = parse_u64("--max-clients", value);
  else if (args.option("--max-users", value)) limits.load.max_users = parse_u64("--max-users", value);
  else if (args.option("--max-rate", value)) limits.load.max_rate_per_s = parse_positive("--max-rate", value);
  else if (args.option("--max-buckets", value)) limits.load.max_buckets = parse_u64("--max-buckets", value);
  else if (args.option("--max-sim-time", value)) limits.load.max_duration_ns = parse_duration("--max-sim-time", value);
  else return false;
  return true;
}

}  // namespace faultline::harness
