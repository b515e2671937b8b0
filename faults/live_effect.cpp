// The live effects' shared pieces, and the two entry points over the registry (see
// faults/live_effect.hpp; each kind's effect is in its unit, faults/kinds/<kind>.cpp).
#include "faults/live_effect.hpp"

#include <array>

#include "faults/kind.hpp"

namespace faultline::faults {
namespace {

constexpr std::array<const char*, 11> kToxicNames = {"latency", "bandwidth", "slow_close", "timeout",
                                                     "reset_peer", "slicer", "limit_data", "http_error",
                                                     "http_delay", "http_slowdown", "http_rate"};

}  // namespace

const char* toxic_type_name(ToxicType type) { return kToxicNames[static_cast<std::size_t>(type)]; }

std::optional<ToxicType> toxic_type_from_name(const std::string& name) {
  for (std::size_t i = 0; i < kToxicNames.size(); ++i) {
    if (name == kToxicNames[i]) return static_cast<ToxicType>(i);
  }
  return std::nullopt;
}

ToxicSpec fault_toxic(const FaultSpec& spec, ToxicType type, ToxicStream stream) {
  ToxicSpec out;
  out.name = "fault:" + spec.name;
  out.type = type;
  out.stream = stream;
  return out;
}

void add_blackhole(const FaultSpec& spec, LiveEffect& effect) {
  ToxicSpec up = fault_toxic(spec, ToxicType::timeout, ToxicStream::upstream);
  up.name += "/upstream";
  ToxicSpec down = fault_toxic(spec, ToxicType::timeout, ToxicStream::downstream);
  down.name += "/downstream";
  effect.toxics.push_back(std::move(up));
  effect.toxics.push_back(std::move(down));
}

const char* network_live_refusal(const FaultSpec& spec) {
  if (spec.target.client) return "a network fault on a client's requests has no proxy to act in (the client calls its URL directly)";
  return nullptr;
}

std::optional<std::string> live_unsupported_reason(const FaultSpec& spec) {
  const KindUnit& unit = kind_unit(spec.kind);
  if (!unit.live) return std::string(unit.model_only);
  LiveEffect scratch;
  if (const char* reason = unit.live(spec, scratch)) return std::string(reason);
  return std::nullopt;
}

LiveEffect live_effect(const FaultSpec& spec) {
  LiveEffect effect;
  const KindUnit& unit = kind_unit(spec.kind);
  if (unit.live) unit.live(spec, effect);
  return effect;
}

}  // namespace faultline::faults
