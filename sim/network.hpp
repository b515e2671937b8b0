// The network subsystem: latency between zones and the faults on each hop a message crosses
// (a client's access link, the zone-pair link, the requests towards an instance). It decides
// how long one message travels, or that it is lost; it knows nothing of requests or calls.
#pragma once
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "sim/config.hpp"
#include "sim/distribution.hpp"
#include "sim/rng.hpp"
#include "sim/runtime.hpp"

namespace faultline::sim {

// Memory grows with what the model uses, not with pairs of zones: a zone pair has a latency of
// its own only when the scenario overrides it (the rest take the same-zone or cross-zone
// default), and faults of its own only once a fault has acted on it.
class Network {
 public:
  // Latencies come from `config`, which must outlive the network.
  void build(const ModelConfig& config);

  std::uint32_t zone_count() const { return zone_count_; }
  // A link's faults, created (without faults) the first time a fault acts on it; the reference
  // stays valid for the network's life.
  HopFaults& link(std::uint32_t from, std::uint32_t to) { return link(from * zone_count_ + to); }
  HopFaults& link(std::uint32_t index);
  // A link's faults as they are now (no faults for a link none has acted on).
  const HopFaults& link(std::uint32_t from, std::uint32_t to) const;
  // Links that have had a fault (for the memory figures and tests).
  std::size_t faulted_links() const { return link_faults_.size(); }

  // One message from `from_zone` to `to_zone` at `now`. A request names its callee's inbound
  // faults and, when a client sends it, that client's access link; a reply names neither.
  // Returns the delay, or sets `lost` (the message is dropped; the sender is not told).
  // Most messages cross hops no fault has acted on: they take only the latency draw, inline.
  TimeNs message_delay(TimeNs now, std::uint32_t from_zone, std::uint32_t to_zone, const HopFaults* callee,
                       HopFaults* client_link, Rng& rng, bool& lost) {
    lost = false;
    HopFaults* link_faults = link_index_.empty() ? nullptr : find_link(from_zone * zone_count_ + to_zone);
    if (link_faults == nullptr && (callee == nullptr || !callee->faulted) &&
        (client_link == nullptr || !client_link->faulted)) {
      return sample(latency(from_zone, to_zone), rng);
    }
    return faulted_message_delay(now, from_zone, to_zone, link_faults, callee, client_link, rng, lost);
  }

  // A hop of limited message rate: messages leave one by one, each `1 / rate` after the last;
  // returns how long this one waits for its turn (0 without a limit).
  static TimeNs wait_for_bandwidth(HopFaults& hop, TimeNs now) {
    return hop.bandwidth_per_s > 0 ? limited_bandwidth_wait(hop, now) : 0;
  }

  // The verbs faults use: each sets one effect on one hop (and keeps HopFaults::faulted).
  static void set_delay(HopFaults& hop, DelayFault delay);
  static void set_loss(HopFaults& hop, double loss_ratio, TimeNs retransmit_ns, std::uint32_t max_retransmits);
  static void set_blocked(HopFaults& hop, bool blocked);
  static void set_bandwidth(HopFaults& hop, double messages_per_s, TimeNs now);

 private:
  // message_delay() when some hop it crosses has a fault (`link_faults` is null for a link no
  // fault has acted on).
  TimeNs faulted_message_delay(TimeNs now, std::uint32_t from_zone, std::uint32_t to_zone, HopFaults* link_faults,
                               const HopFaults* callee, HopFaults* client_link, Rng& rng, bool& lost);
  static void note_change(HopFaults& hop);
  static TimeNs limited_bandwidth_wait(HopFaults& hop, TimeNs now);
  static TimeNs fault_delay(const DelayFault& fault, TimeNs now, Rng& rng);
  static bool cross_lossy_hop(const HopFaults& hop, Rng& rng, TimeNs& delay);

  const Distribution& latency(std::uint32_t from, std::uint32_t to) const {
    if (latency_overrides_.empty()) return from == to ? *same_zone_ : *cross_zone_;
    return overridden_latency(from, to);
  }
  const Distribution& overridden_latency(std::uint32_t from, std::uint32_t to) const;
  HopFaults* find_link(std::uint32_t index);

  std::uint32_t zone_count_ = 0;
  const Distribution* same_zone_ = nullptr;
  const Distribution* cross_zone_ = nullptr;
  // Link index (from * zone_count + to) -> its faults, for the links faults have acted on.
  std::unordered_map<std::uint32_t, HopFaults*> link_index_;
  std::deque<HopFaults> link_faults_;
  // Link index -> its latency, for the pairs the scenario overrides.
  std::unordered_map<std::uint32_t, const Distribution*> latency_overrides_;
};

}  // namespace faultline::sim
