// The network subsystem: latency between zones and the faults on each hop a message crosses
// (a client's access link, the zone-pair link, the requests towards an instance). It decides
// how long one message travels, or that it is lost; it knows nothing of requests or calls.
#pragma once
#include <cstdint>
#include <vector>

#include "sim/config.hpp"
#include "sim/rng.hpp"
#include "sim/runtime.hpp"

namespace faultline::sim {

class Network {
 public:
  // Latencies come from `config`, which must outlive the network.
  void build(const ModelConfig& config);

  std::uint32_t zone_count() const { return zone_count_; }
  HopFaults& link(std::uint32_t from, std::uint32_t to) { return links_[from * zone_count_ + to]; }
  const HopFaults& link(std::uint32_t from, std::uint32_t to) const { return links_[from * zone_count_ + to]; }
  HopFaults& link(std::uint32_t index) { return links_[index]; }

  // One message from `from_zone` to `to_zone` at `now`. A request names its callee's inbound
  // faults and, when a client sends it, that client's access link; a reply names neither.
  // Returns the delay, or sets `lost` (the message is dropped; the sender is not told).
  TimeNs message_delay(TimeNs now, std::uint32_t from_zone, std::uint32_t to_zone, const HopFaults* callee,
                       HopFaults* client_link, Rng& rng, bool& lost);

  // A hop of limited message rate: messages leave one by one, each `1 / rate` after the last;
  // returns how long this one waits for its turn (0 without a limit).
  static TimeNs wait_for_bandwidth(HopFaults& hop, TimeNs now);

  // The verbs faults use: each sets one effect on one hop.
  static void set_delay(HopFaults& hop, DelayFault delay) { hop.delay = delay; }
  static void set_loss(HopFaults& hop, double loss_ratio, TimeNs retransmit_ns, std::uint32_t max_retransmits);
  static void set_blocked(HopFaults& hop, bool blocked) { hop.blocked = blocked; }
  static void set_bandwidth(HopFaults& hop, double messages_per_s, TimeNs now);

 private:
  static TimeNs fault_delay(const DelayFault& fault, TimeNs now, Rng& rng);
  static bool cross_lossy_hop(const HopFaults& hop, Rng& rng, TimeNs& delay);

  std::uint32_t zone_count_ = 0;
  std::vector<HopFaults> links_;               // zone_count * zone_count
  std::vector<const Distribution*> latency_;  // per zone pair
};

}  // namespace faultline::sim
