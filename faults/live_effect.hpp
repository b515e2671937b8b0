// The live meaning of each fault kind: what a fault does to real traffic through faultline's
// proxies (harness/live/). Described as data, so faults/ stays free of sockets: a fault becomes
// "take the proxy down" and/or a set of toxics, Toxiproxy's word for a per-connection effect.
// Each kind's unit (faults/kinds/<kind>.cpp) says what it does, through KindUnit::live; the
// two functions at the end of this file consult the registry.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faults/fault.hpp"
#include "sim/distribution.hpp"
#include "sim/time.hpp"

namespace faultline::faults {

// Toxiproxy's toxics, with its attribute names and units, plus faultline's HTTP toxics.
enum class ToxicType : std::uint8_t {
  latency,        // each chunk waits `delay` (Toxiproxy: latency ms ± jitter ms, uniform)
  bandwidth,      // at most rate_kb_per_s kilobytes per second
  slow_close,     // the close is delayed by delay_ns
  timeout,        // no data passes; closes after timeout_ns (0: holds until removed)
  reset_peer,     // resets the connection (TCP RST) after timeout_ns
  slicer,         // chunks cut into slices of average_size ± size_variation bytes, delay_us apart
  limit_data,     // closes the connection after `bytes` bytes
  // faultline's per-request toxics. On an HTTP proxy a request is a framed request; on a TCP
  // proxy it is each chunk the client sends, and its answer the next chunk back.
  http_error,     // a share `ratio` of requests answered with `status` by the proxy (TCP: reset)
  http_delay,     // a share `ratio` of requests delayed by `delay` before forwarding
  http_slowdown,  // each answer held back (factor - 1) x the upstream's time to it
  http_rate,      // at most requests_per_s requests forwarded; the excess waits
};
const char* toxic_type_name(ToxicType type);
std::optional<ToxicType> toxic_type_from_name(const std::string& name);

// Toxiproxy's `stream`: upstream is client -> server, downstream server -> client.
enum class ToxicStream : std::uint8_t { upstream, downstream };

struct ToxicSpec {
  std::string name;
  ToxicType type = ToxicType::latency;
  ToxicStream stream = ToxicStream::downstream;
  double toxicity = 1.0;  // the share of connections the toxic applies to, drawn per connection
  // latency, http_delay: the delay per chunk or request (a distribution gives jitter).
  sim::Distribution delay = sim::ConstantDist{0};
  // latency: the delay grows linearly from nothing to its full size over this long from when
  // the toxic was added (a latency fault's `ramp`, as the simulator's ramp from the fault's start).
  sim::TimeNs ramp_ns = 0;
  // For the Toxiproxy API, which reads back what was set: latency and jitter in ms.
  std::int64_t latency_ms = 0;
  std::int64_t jitter_ms = 0;
  std::int64_t rate_kb_per_s = 0;  // bandwidth
  sim::TimeNs delay_ns = 0;        // slow_close
  sim::TimeNs timeout_ns = 0;      // timeout, reset_peer
  std::int64_t average_size = 0;   // slicer
  std::int64_t size_variation = 0;
  std::int64_t slice_delay_us = 0;
  std::uint64_t bytes = 0;         // limit_data
  int status = 503;                // http_error
  double ratio = 1.0;              // http_error, http_delay
  double factor = 1.0;             // http_slowdown
  double requests_per_s = 0;       // http_rate
};

// What one fault does to each proxy it targets while it is active.
struct LiveEffect {
  bool down = false;                 // the process is gone: listener closed, connections reset
  bool reset_when_reverted = false;  // connections held by the fault are reset when it ends
  // With `down`: the proxies come back this long after the fault starts (kNever: when it ends).
  sim::TimeNs restart_after_ns = sim::kNever;
  std::vector<ToxicSpec> toxics;     // added while active, named "fault:NAME"
};

// Pieces the kinds' live effects share: a toxic named "fault:NAME", and a blackhole (nothing
// passes either way, connections stay open, callers time out).
ToxicSpec fault_toxic(const FaultSpec& spec, ToxicType type, ToxicStream stream);
void add_blackhole(const FaultSpec& spec, LiveEffect& effect);
// Why a network fault (latency, bandwidth, blackhole) cannot act here: on a client's requests
// there is no proxy in between. Null when it can.
const char* network_live_refusal(const FaultSpec& spec);

// Why a fault has no meaning on real traffic (so `live` refuses it), or nullopt when it has.
std::optional<std::string> live_unsupported_reason(const FaultSpec& spec);

// The fault's effect on each of its target proxies. Only for faults with a live meaning.
// Crash and chaos_monkey take proxies down; their timing (restart_after, strikes) is the
// live runner's, from the same spec and seed as the simulator's.
LiveEffect live_effect(const FaultSpec& spec);

}  // namespace faultline::faults
