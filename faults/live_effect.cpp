// Each fault kind's effect on real traffic (see faults/live_effect.hpp).
#include "faults/live_effect.hpp"

#include <array>

namespace faultline::faults {
namespace {

constexpr std::array<const char*, 11> kToxicNames = {"latency", "bandwidth", "slow_close", "timeout",
                                                     "reset_peer", "slicer", "limit_data", "http_error",
                                                     "http_delay", "http_slowdown", "http_rate"};

ToxicSpec toxic(const FaultSpec& spec, ToxicType type, ToxicStream stream) {
  ToxicSpec out;
  out.name = "fault:" + spec.name;
  out.type = type;
  out.stream = stream;
  return out;
}

// A blackhole: nothing passes either way and connections stay open (callers time out).
void add_blackhole(const FaultSpec& spec, LiveEffect& effect) {
  ToxicSpec up = toxic(spec, ToxicType::timeout, ToxicStream::upstream);
  up.name += "/upstream";
  ToxicSpec down = toxic(spec, ToxicType::timeout, ToxicStream::downstream);
  down.name += "/downstream";
  effect.toxics.push_back(std::move(up));
  effect.toxics.push_back(std::move(down));
}

}  // namespace

const char* toxic_type_name(ToxicType type) { return kToxicNames[static_cast<std::size_t>(type)]; }

std::optional<ToxicType> toxic_type_from_name(const std::string& name) {
  for (std::size_t i = 0; i < kToxicNames.size(); ++i) {
    if (name == kToxicNames[i]) return static_cast<ToxicType>(i);
  }
  return std::nullopt;
}

std::optional<std::string> live_unsupported_reason(const FaultSpec& spec) {
  const bool on_client = spec.target.client.has_value();
  switch (spec.kind) {
    case FaultKind::crash:
    case FaultKind::hang:
    case FaultKind::slowdown:
    case FaultKind::error_ratio:
    case FaultKind::zone_down:
    case FaultKind::chaos_monkey:
    case FaultKind::partition:
      return std::nullopt;
    case FaultKind::latency:
    case FaultKind::bandwidth:
    case FaultKind::blackhole:
      if (on_client) return "a network fault on a client's requests has no proxy to act in (the client calls its URL directly)";
      return std::nullopt;
    case FaultKind::shutdown:
      return "a graceful shutdown needs the real service to drain; the proxy cannot make it deregister";
    case FaultKind::pause: return "a stop-the-world pause happens inside the process; the proxy cannot freeze it";
    case FaultKind::worker_loss: return "the worker count of a real service is not the proxy's to change";
    case FaultKind::queue_shrink: return "the queue capacity of a real service is not the proxy's to change";
    case FaultKind::operation_errors: return "the binding does not map operations to requests";
    case FaultKind::packet_loss: return "packet loss needs the kernel (tc netem); the proxy sees whole streams";
    case FaultKind::registry_outage:
    case FaultKind::registry_delay:
    case FaultKind::flapping_health_check:
    case FaultKind::stale_entries:
      return "no service registry is bound in live mode";
  }
  return "unknown fault kind";
}

LiveEffect live_effect(const FaultSpec& spec) {
  LiveEffect effect;
  switch (spec.kind) {
    case FaultKind::crash:
    case FaultKind::chaos_monkey:
      // Refuse new connections and reset existing ones, as a dead process on a live host.
      effect.down = true;
      break;
    case FaultKind::hang: {
      // Accept, then never answer: requests are swallowed; the connections reset at the end.
      effect.toxics.push_back(toxic(spec, ToxicType::timeout, ToxicStream::upstream));
      effect.reset_when_reverted = true;
      break;
    }
    case FaultKind::slowdown: {
      ToxicSpec slow = toxic(spec, ToxicType::http_slowdown, ToxicStream::downstream);
      slow.factor = spec.factor;
      effect.toxics.push_back(std::move(slow));
      break;
    }
    case FaultKind::error_ratio: {
      ToxicSpec error = toxic(spec, ToxicType::http_error, ToxicStream::upstream);
      error.ratio = spec.ratio;
      error.status = 503;
      effect.toxics.push_back(std::move(error));
      break;
    }
    case FaultKind::latency: {
      ToxicSpec delay = toxic(spec, ToxicType::latency, ToxicStream::upstream);
      delay.delay = spec.delay;
      delay.ramp_ns = spec.ramp_ns;
      effect.toxics.push_back(std::move(delay));
      break;
    }
    case FaultKind::bandwidth: {
      ToxicSpec rate = toxic(spec, ToxicType::http_rate, ToxicStream::upstream);
      rate.requests_per_s = spec.messages_per_s;
      effect.toxics.push_back(std::move(rate));
      break;
    }
    case FaultKind::blackhole:
    case FaultKind::partition:
      add_blackhole(spec, effect);
      break;
    case FaultKind::zone_down:
      // The zone goes silent and its work is lost: a blackhole, then resets when it is back.
      add_blackhole(spec, effect);
      effect.reset_when_reverted = true;
      break;
    default: break;
  }
  return effect;
}

}  // namespace faultline::faults
