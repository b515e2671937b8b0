// A whole run recorded in the background: its time series, timeline, verdicts, report and
// evenly spaced checkpoints. The scrubber, the charts' future, the final verdicts and A/B
// comparisons come from recordings; the live engine supplies the exact present.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "gui/model/checkpoints.hpp"
#include "gui/model/topology.hpp"
#include "harness/scenario.hpp"
#include "reports/report.hpp"
#include "sim/results.hpp"

namespace faultline::gui {

struct EntitySeries {
  std::string name;
  std::vector<sim::BucketSample> series;
  sim::Counters totals;
  TimeNs p50_ns = 0;
  TimeNs p99_ns = 0;
  std::uint64_t breaker_opens = 0;
  std::uint64_t ejections = 0;
};

struct Recording {
  std::string label;  // "A  failover-demo  seed 7"
  std::uint64_t seed = 0;
  std::shared_ptr<const harness::Scenario> scenario;
  Topology topology;
  TimeNs duration_ns = 0;
  TimeNs bucket_ns = 0;
  TimeNs end_ns = 0;
  std::vector<EntitySeries> clients;
  std::vector<EntitySeries> services;
  std::vector<sim::TimelineEntry> timeline;
  std::vector<reports::AssertionResult> assertions;
  bool passed = false;
  std::uint64_t trace_hash = 0;
  std::uint64_t events = 0;
  sim::StopReason stop = sim::StopReason::finished;
  nlohmann::ordered_json report;
  CheckpointStore checkpoints;
  double wall_s = 0;
  std::string error;  // set when the run could not complete
};

// Simulates `scenario` with `seed` to the end on the calling thread. `cancel` stops it early
// (the result then has `error` set); `progress` receives the share of simulated time done.
std::shared_ptr<Recording> record_run(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed,
                                      std::string label, const std::atomic<bool>* cancel = nullptr,
                                      std::atomic<double>* progress = nullptr);

// record_run on a worker thread of its own. The engine is created, run and destroyed on that
// thread (its fibers belong to it); the result is handed over when complete.
class RecordingJob {
 public:
  RecordingJob(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed, std::string label);
  ~RecordingJob();  // cancels and joins
  RecordingJob(const RecordingJob&) = delete;
  RecordingJob& operator=(const RecordingJob&) = delete;

  bool done() const { return done_.load(std::memory_order_acquire); }
  double progress() const { return progress_.load(std::memory_order_relaxed); }
  // The recording once done(), else null.
  std::shared_ptr<const Recording> result() const { return done() ? result_ : nullptr; }
  void wait();

 private:
  std::atomic<bool> cancel_{false};
  std::atomic<bool> done_{false};
  std::atomic<double> progress_{0.0};
  std::shared_ptr<Recording> result_;
  std::thread thread_;
};

}  // namespace faultline::gui
