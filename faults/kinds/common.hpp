// Pieces several fault kinds share: bringing an instance back with its warm-up, the option
// readers for restart and warm-up, applying a network effect to whichever hop a network fault
// targets; the live effects' toxics come from faults/live_effect.hpp. Only kinds include this.
#pragma once
#include "faults/kind.hpp"
#include "faults/live_effect.hpp"

namespace faultline::faults::kinds {

inline void read_warmup(const OptionReader& reader, Warmup& out) {
  out.warmup_ns = reader.duration("warmup", out.warmup_ns);
  out.warmup_factor = reader.number("warmup_factor", out.warmup_factor);
}

inline void read_restart(const OptionReader& reader, Restart& out) {
  out.restart_after_ns = reader.duration("restart_after", out.restart_after_ns);
  read_warmup(reader, out);
}

// The instance registers again and serves `warmup_factor` times slower for `warmup_ns`; health
// checks make it healthy after `healthy_threshold` passes.
inline void bring_back(FaultContext& context, std::uint32_t instance, const Warmup& warmup) {
  context.verbs().restart_instance(instance);
  if (warmup.warmup_ns > 0) {
    context.verbs().warm_up_instance(instance, sim::later(context.now(), warmup.warmup_ns), warmup.warmup_factor);
  }
}

// Whether `instance` is down because of this fault (and not back yet, nor down for another).
inline bool down_by_this_fault(const FaultContext& context, std::uint32_t instance) {
  const sim::InstanceRuntime& record = context.instances()[instance];
  return record.status == sim::InstanceStatus::crashed && record.down_cause == context.fault();
}

// A network fault acts on one of three things: a client's requests, the links between two
// zones (every message crossing them), or the requests towards a service's instances.
// `apply(verbs, hop, on)` sets or clears the kind's effect on one hop.
using HopEffect = void (*)(FaultContext& context, sim::Hop hop, bool on);

inline void start_on_hops(FaultContext& context, HopEffect apply) {
  const Target& target = context.spec().target;
  if (target.client && context.spec().kind != FaultKind::partition) {
    apply(context, {sim::HopKind::client, *target.client}, true);
    return;
  }
  if (context.spec().kind == FaultKind::partition || target.from_zone || target.to_zone) {
    for (std::uint32_t l : context.select_links()) apply(context, {sim::HopKind::link, l}, true);
    return;
  }
  for (std::uint32_t i : context.select_instances()) apply(context, {sim::HopKind::instance, i}, true);
}

inline void stop_on_hops(FaultContext& context, HopEffect apply) {
  const Target& target = context.spec().target;
  if (target.client && context.spec().kind != FaultKind::partition) {
    apply(context, {sim::HopKind::client, *target.client}, false);
    return;
  }
  for (std::uint32_t l : context.state().links) apply(context, {sim::HopKind::link, l}, false);
  for (std::uint32_t i : context.state().instances) apply(context, {sim::HopKind::instance, i}, false);
}

// Target keys shared by kinds.
inline constexpr std::string_view kInstanceTarget[] = {"service", "instances", "zone", "fraction"};
inline constexpr std::string_view kNetworkTarget[] = {"service", "instances", "zone", "fraction",
                                                      "client", "from_zone", "to_zone", "both_directions"};
inline constexpr std::string_view kRestartOptions[] = {"restart_after", "warmup", "warmup_factor"};

inline void read_nothing(const OptionReader&, FaultSpec&) {}

}  // namespace faultline::faults::kinds
