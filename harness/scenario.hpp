// A loaded scenario: metadata, the model to simulate, its faults and its assertions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faults/fault.hpp"
#include "sim/config.hpp"

namespace faultline::harness {

using sim::TimeNs;

enum class AssertionKind : std::uint8_t {
  availability,       // ok / requests of a client or service >= min_ratio
  latency,            // a latency percentile of a client or service <= max_ns
  count,              // a counter within [min_count, max_count]
  recovery,           // after `fault` ends, availability over `window_ns` is back >= min_ratio within max_ns
  breaker,            // a breaker on caller->callee opens within open_within_ns of the fault's start and closes within close_within_ns of its end
  no_traffic_to_crashed,  // no request reaches an instance crashed by `fault` later than within_ns after the crash
  impact,             // users spend at most max_ns in buckets whose availability is below min_ratio
};

enum class TargetKind : std::uint8_t { client, service, all_clients };

enum class CountMetric : std::uint8_t {
  requests, ok, errors, timeouts, rejected, retries, breaker_opens, ejections, unavailable,
};

struct AssertionSpec {
  std::string name;
  AssertionKind kind = AssertionKind::availability;
  TargetKind target_kind = TargetKind::all_clients;
  std::uint32_t target = 0;  // client or service index
  // availability, recovery
  double min_ratio = 0.99;
  TimeNs window_ns = 0;  // availability: 0 = whole run; >0 = every window of this width
  std::optional<std::uint32_t> during_fault;  // availability only inside this fault's window
  bool degraded_failed = false;  // availability: degraded requests (ok with a fallback) count as failed
  // latency
  double percentile = 99.0;
  // false: ok requests only; true: all requests, a failed one counting as +inf (slower than any
  // bound), so the percentile fails once failures exceed (100 - percentile)% of requests.
  bool include_failed = false;
  TimeNs max_ns = 0;  // latency bound; recovery: time allowed to recover
  // count
  CountMetric metric = CountMetric::requests;
  std::optional<std::uint64_t> min_count;
  std::optional<std::uint64_t> max_count;
  // recovery, breaker, no_traffic_to_crashed
  std::optional<std::uint32_t> fault;
  // breaker
  std::optional<std::uint32_t> caller_service;  // or caller_client
  std::optional<std::uint32_t> caller_client;
  std::uint32_t callee_service = 0;
  TimeNs open_within_ns = 0;
  std::optional<TimeNs> close_within_ns;
  // no_traffic_to_crashed
  TimeNs within_ns = 0;
};

struct Scenario {
  std::string file;          // path it was loaded from
  std::string bytes;         // the exact file contents (hashed into the report)
  std::uint32_t version = 1;
  std::string name;
  std::string description;
  sim::ModelConfig model;
  std::vector<faults::FaultSpec> faults;
  std::vector<AssertionSpec> assertions;
  // What the loader changed and says so (the time series coarsened to fit the bucket cap).
  std::vector<std::string> notes;
};

}  // namespace faultline::harness
