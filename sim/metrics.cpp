// Counting outcomes into totals, latency histograms and time-series buckets.
#include <array>

#include "sim/engine.hpp"
#include "sim/event_kinds.hpp"
#include "sim/invariant_checker.hpp"

namespace faultline::sim {
namespace {

// Counts one outcome into the run's totals and the current bucket alike (one switch for both).
void count_outcome(Counters& totals, Counters& bucket, Outcome outcome) {
  const auto add = [&](std::uint64_t Counters::*field) {
    ++(totals.*field);
    ++(bucket.*field);
  };
  switch (outcome) {
    case Outcome::ok: add(&Counters::ok); break;
    case Outcome::error:
    case Outcome::connection_refused: add(&Counters::errors); break;
    case Outcome::timeout: add(&Counters::timeouts); break;
    case Outcome::rejected: add(&Counters::rejected); break;
    case Outcome::unavailable: add(&Counters::unavailable); break;
    case Outcome::cancelled: break;  // only calls from a cancelled request; counted per call site
    case Outcome::rate_limited: add(&Counters::rejected); break;  // refused, as a full queue refuses
    case Outcome::bulkhead_full: add(&Counters::rejected); break;  // refused, as an open breaker refuses
    case Outcome::degraded:
      add(&Counters::ok);  // a success, answered in part by a fallback
      add(&Counters::degraded);
      break;
  }
}

}  // namespace

std::uint32_t Engine::bucket_of(TimeNs t) const {
  const TimeNs bucket = config_.bucket_ns > 0 ? config_.bucket_ns : kSecond;
  const std::size_t count = results_.clients.empty() ? results_.services.front().series.size()
                                                     : results_.clients.front().series.size();
  const std::size_t index = static_cast<std::size_t>(t / bucket);
  return static_cast<std::uint32_t>(index < count ? index : count - 1);
}

void Engine::count_client(std::uint32_t client, Outcome outcome, TimeNs latency_ns) {
  EntityResults& entity = results_.clients[client];
  BucketSample& sample = entity.series[current_bucket_];
  ++entity.totals.requests;
  ++sample.counts.requests;
  count_outcome(entity.totals, sample.counts, outcome);
  if (succeeded(outcome)) {
    entity.latency.record(latency_ns);
    entity.bucket_latency.record(latency_ns);
  }
}

void Engine::count_service(std::uint32_t service, Outcome outcome, TimeNs latency_ns) {
  EntityResults& entity = results_.services[service];
  count_outcome(entity.totals, entity.series[current_bucket_].counts, outcome);
  if (succeeded(outcome)) {
    entity.latency.record(latency_ns);
    entity.bucket_latency.record(latency_ns);
  }
}

// Failures the callee never answered (timeouts) or never saw (breaker, no instance) are
// counted against the callee service as the callers saw them.
void Engine::count_attempt_failure(std::uint32_t service, Outcome outcome) {
  if (outcome != Outcome::timeout && outcome != Outcome::unavailable) return;
  EntityResults& entity = results_.services[service];
  count_outcome(entity.totals, entity.series[current_bucket_].counts, outcome);
}

void Engine::close_bucket(EntityResults& entity, std::uint32_t bucket) {
  if (bucket >= entity.series.size()) return;
  BucketSample& sample = entity.series[bucket];
  if (!entity.bucket_latency.empty()) {
    static constexpr std::array<double, 3> kQuantiles = {50.0, 90.0, 99.0};
    std::array<TimeNs, 3> values{};
    entity.bucket_latency.percentiles(kQuantiles, values);
    sample.p50_ns = values[0];
    sample.p90_ns = values[1];
    sample.p99_ns = values[2];
    sample.max_ns = entity.bucket_latency.max();
    entity.bucket_latency.clear();
  }
}

void Engine::on_bucket_tick(std::uint32_t bucket) {
  const std::uint32_t closing = bucket - 1;
  for (std::uint32_t c = 0; c < results_.clients.size(); ++c) {
    close_bucket(results_.clients[c], closing);
    results_.clients[c].series[closing].in_flight = clients_[c].outstanding;
  }
  for (std::uint32_t s = 0; s < results_.services.size(); ++s) {
    EntityResults& entity = results_.services[s];
    close_bucket(entity, closing);
    std::uint32_t queued = 0;
    std::uint32_t in_flight = 0;
    const ServiceRuntime& service = services_[s];
    for (std::uint32_t i = service.first_instance; i < service.first_instance + service.instance_count; ++i) {
      const std::uint32_t waiting = instances_[i].queue.size() - instances_[i].cancelled_queued;
      queued += waiting;
      in_flight += waiting + instances_[i].busy;
    }
    entity.series[closing].queue_depth = queued;
    entity.series[closing].in_flight = in_flight;
  }
  current_bucket_ = bucket;
  if (check_invariants_) InvariantChecker::check(*this);
  const TimeNs width = config_.bucket_ns > 0 ? config_.bucket_ns : kSecond;
  const TimeNs next = static_cast<TimeNs>(bucket + 1) * width;
  if (next < config_.duration_ns) queue_.push(next, kBucketTick, bucket + 1, 0);
}

}  // namespace faultline::sim
