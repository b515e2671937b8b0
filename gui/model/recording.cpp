// Recording a whole run with checkpoints, on the caller's thread or a worker thread.
#include "gui/model/recording.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

#include "gui/model/run.hpp"
#include "harness/runner.hpp"

namespace faultline::gui {
namespace {

// Checkpoints at a multiple of the bucket width, at most ~2048 over the run.
TimeNs checkpoint_interval(const sim::ModelConfig& model) {
  const TimeNs bucket = model.bucket_ns > 0 ? model.bucket_ns : sim::kSecond;
  const TimeNs wanted = std::max<TimeNs>(bucket, model.duration_ns / 2048);
  return (wanted + bucket - 1) / bucket * bucket;
}

// Keeps checkpoints within roughly 64 MB.
std::size_t checkpoint_capacity(const Snapshot& sample) {
  std::size_t bytes = sizeof(Snapshot) + sample.instances.size() * sizeof(InstanceSnapshot) +
                      sample.breakers.size() * sizeof(BreakerSnapshot) + (sample.client_totals.size() + sample.service_totals.size()) * sizeof(sim::Counters);
  for (const SiteSnapshot& s : sample.sites) bytes += sizeof(SiteSnapshot) + s.view.size() * sizeof(std::uint32_t);
  return std::clamp<std::size_t>((64u << 20) / std::max<std::size_t>(bytes, 1), 64, 1024);
}

EntitySeries copy_entity(const sim::EntityResults& e) {
  EntitySeries out;
  out.name = e.name;
  out.series = e.series;
  out.totals = e.totals;
  if (!e.latency.empty()) {
    out.p50_ns = e.latency.percentile(50.0);
    out.p99_ns = e.latency.percentile(99.0);
  }
  out.breaker_opens = e.breaker_opens;
  out.ejections = e.ejections;
  return out;
}

std::shared_ptr<Recording> finish_recording(std::shared_ptr<Recording> out, std::chrono::steady_clock::time_point wall_start,
                                            std::atomic<double>* progress) {
  out->wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (progress != nullptr) progress->store(1.0, std::memory_order_relaxed);
  return out;
}

}  // namespace

std::shared_ptr<Recording> record_run(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed,
                                      std::string label, const std::atomic<bool>* cancel, std::atomic<double>* progress) {
  auto out = std::make_shared<Recording>();
  out->label = std::move(label);
  out->seed = seed;
  out->scenario = scenario;
  const auto wall_start = std::chrono::steady_clock::now();
  try {
    Run run(scenario, seed);
    const sim::ModelConfig& model = run.engine().config();
    out->topology = run.topology();
    out->duration_ns = model.duration_ns;
    out->bucket_ns = model.bucket_ns > 0 ? model.bucket_ns : sim::kSecond;
    const TimeNs interval = checkpoint_interval(model);
    Snapshot snapshot;
    run.capture(snapshot);
    out->checkpoints = CheckpointStore(checkpoint_capacity(snapshot));
    out->checkpoints.offer(snapshot);
    for (TimeNs t = interval; !run.at_end(); t += interval) {
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
        out->error = "cancelled";
        return out;
      }
      run.advance_to(std::min(t, model.duration_ns));
      run.capture(snapshot);
      out->checkpoints.offer(snapshot);
      if (progress != nullptr) {
        progress->store(static_cast<double>(run.now()) / static_cast<double>(model.duration_ns), std::memory_order_relaxed);
      }
    }
    if (!run.error().empty()) {
      out->error = run.error();  // an invariant failed: nothing of this run can be judged
      return finish_recording(out, wall_start, progress);
    }
    const sim::Engine& engine = run.engine();
    const sim::Results& results = engine.results();
    out->end_ns = results.end_ns;
    for (const auto& c : results.clients) out->clients.push_back(copy_entity(c));
    for (const auto& s : results.services) out->services.push_back(copy_entity(s));
    out->timeline = results.timeline;
    out->trace_hash = results.trace_hash;
    out->events = results.events;
    out->stop = results.stop;
    harness::Judgement judged = harness::judge_run(*scenario, seed, engine);
    out->assertions = std::move(judged.assertions);
    out->report = std::move(judged.report);
    out->passed = judged.passed;
  } catch (const std::exception& e) {
    out->error = e.what();
  }
  return finish_recording(out, wall_start, progress);
}

RecordingJob::RecordingJob(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed, std::string label) {
  thread_ = std::thread([this, scenario = std::move(scenario), seed, label = std::move(label)]() mutable {
    result_ = record_run(std::move(scenario), seed, std::move(label), &cancel_, &progress_);
    done_.store(true, std::memory_order_release);
  });
}

RecordingJob::~RecordingJob() {
  cancel_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

void RecordingJob::wait() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace faultline::gui
