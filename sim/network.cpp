// The network subsystem: per-message delay from zone latency and hop faults (delay, loss with
// TCP-like retransmission, blackholes, bandwidth limits).
#include "sim/network.hpp"

namespace faultline::sim {

namespace {
const HopFaults kNoFaults{};
}  // namespace

void Network::build(const ModelConfig& config) {
  zone_count_ = static_cast<std::uint32_t>(config.zones.size());
  same_zone_ = &config.network.same_zone_latency;
  cross_zone_ = &config.network.cross_zone_latency;
  link_index_.clear();
  link_faults_.clear();
  latency_overrides_.clear();
  for (const auto& link : config.network.links) {
    latency_overrides_[link.from_zone * zone_count_ + link.to_zone] = &link.latency;
  }
}

const Distribution& Network::overridden_latency(std::uint32_t from, std::uint32_t to) const {
  const auto found = latency_overrides_.find(from * zone_count_ + to);
  if (found != latency_overrides_.end()) return *found->second;
  return from == to ? *same_zone_ : *cross_zone_;
}

HopFaults* Network::find_link(std::uint32_t index) {
  if (link_index_.empty()) return nullptr;
  const auto found = link_index_.find(index);
  return found == link_index_.end() ? nullptr : found->second;
}

HopFaults& Network::link(std::uint32_t index) {
  if (HopFaults* existing = find_link(index)) return *existing;
  HopFaults& created = link_faults_.emplace_back();
  link_index_.emplace(index, &created);
  return created;
}

const HopFaults& Network::link(std::uint32_t from, std::uint32_t to) const {
  const HopFaults* found = const_cast<Network*>(this)->find_link(from * zone_count_ + to);
  return found != nullptr ? *found : kNoFaults;
}

// A lossy hop: each loss costs a retransmission timeout that doubles, as TCP's does; after
// `max_retransmits` losses in a row the message is gone (returns false).
bool Network::cross_lossy_hop(const HopFaults& hop, Rng& rng, TimeNs& delay) {
  if (hop.loss_ratio <= 0) return true;
  TimeNs timeout = hop.retransmit_ns;
  std::uint32_t losses = 0;
  while (rng.chance(hop.loss_ratio)) {
    if (++losses > hop.max_retransmits) return false;
    delay = sum_ns(delay, timeout);
    timeout = sum_ns(timeout, timeout);
  }
  return true;
}

TimeNs Network::limited_bandwidth_wait(HopFaults& hop, TimeNs now) {
  const TimeNs pass_at = hop.bandwidth_next_free_ns > now ? hop.bandwidth_next_free_ns : now;
  hop.bandwidth_next_free_ns = later(pass_at, spacing_ns(hop.bandwidth_per_s));
  return pass_at - now;
}

TimeNs Network::fault_delay(const DelayFault& fault, TimeNs now, Rng& rng) {
  TimeNs delay = sample(*fault.delay, rng);
  if (fault.ramp_ns > 0 && now - fault.start_ns < fault.ramp_ns) {
    const double share = static_cast<double>(now - fault.start_ns) / static_cast<double>(fault.ramp_ns);
    delay = scaled_ns(delay, share);
  }
  return delay;
}

// The draws happen in a fixed order (latency, then the delays of link, client and callee, then
// the losses in the same order), so a fault on one hop never shifts another hop's draws. A hop
// without faults draws nothing, which is why the fast path in message_delay() draws the same.
TimeNs Network::faulted_message_delay(TimeNs now, std::uint32_t from_zone, std::uint32_t to_zone,
                                      HopFaults* link_faults, const HopFaults* callee, HopFaults* client_link,
                                      Rng& rng, bool& lost) {
  // A link no fault has acted on has no faults: kNoFaults stands in (it has no bandwidth
  // limit, so its bandwidth state is never written).
  const HopFaults& link = link_faults != nullptr ? *link_faults : kNoFaults;
  if (link.blocked || (callee != nullptr && callee->blocked) || (client_link != nullptr && client_link->blocked)) {
    lost = true;
    return 0;
  }
  TimeNs delay = sample(latency(from_zone, to_zone), rng);
  if (link.delay.delay != nullptr) delay = sum_ns(delay, fault_delay(link.delay, now, rng));
  if (client_link != nullptr && client_link->delay.delay != nullptr) {
    delay = sum_ns(delay, fault_delay(client_link->delay, now, rng));
  }
  if (callee != nullptr && callee->delay.delay != nullptr) delay = sum_ns(delay, fault_delay(callee->delay, now, rng));
  bool delivered = cross_lossy_hop(link, rng, delay);
  if (delivered && client_link != nullptr) delivered = cross_lossy_hop(*client_link, rng, delay);
  if (delivered && callee != nullptr) delivered = cross_lossy_hop(*callee, rng, delay);
  if (!delivered) {
    lost = true;
    return 0;
  }
  // Rate-limited hops queue the message before it travels (the callee's own limit applies on
  // arrival, in Engine::deliver()).
  if (client_link != nullptr) delay = sum_ns(delay, wait_for_bandwidth(*client_link, now));
  if (link_faults != nullptr) delay = sum_ns(delay, wait_for_bandwidth(*link_faults, now));
  return delay;
}

void Network::note_change(HopFaults& hop) {
  hop.faulted = hop.blocked || hop.delay.delay != nullptr || hop.loss_ratio > 0 || hop.bandwidth_per_s > 0;
}

void Network::set_delay(HopFaults& hop, DelayFault delay) {
  hop.delay = delay;
  note_change(hop);
}

void Network::set_blocked(HopFaults& hop, bool blocked) {
  hop.blocked = blocked;
  note_change(hop);
}

void Network::set_loss(HopFaults& hop, double loss_ratio, TimeNs retransmit_ns, std::uint32_t max_retransmits) {
  hop.loss_ratio = loss_ratio;
  hop.retransmit_ns = retransmit_ns;
  hop.max_retransmits = max_retransmits;
  note_change(hop);
}

void Network::set_bandwidth(HopFaults& hop, double messages_per_s, TimeNs now) {
  hop.bandwidth_per_s = messages_per_s;
  if (messages_per_s > 0) hop.bandwidth_next_free_ns = now;
  note_change(hop);
}

}  // namespace faultline::sim
