// One live run (see harness/live/live_run.hpp).
#include "harness/live/live_run.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "faults/live_effect.hpp"
#include "harness/assertions.hpp"
#include "harness/interrupt.hpp"
#include "harness/live/handler_memory.hpp"
#include "harness/live/loadgen.hpp"
#include "harness/live/proxy.hpp"
#include "reports/analysis/measures.hpp"
#include "reports/trace.hpp"
#include "sim/engine.hpp"

namespace faultline::live {
namespace {

using faults::FaultKind;
using faults::FaultSpec;
using sim::TimeNs;
using Json = nlohmann::ordered_json;

// Sends later than their instant by more than this, in more than kBottleneckShare of sends,
// mean the generator could not keep its schedule: its own delay is then in the latencies.
constexpr TimeNs kBottleneckLatenessNs = 5'000'000;
constexpr double kBottleneckShare = 0.01;
// How long the generator's warm-up (LoadGenerator::warm_up) may hold the run's start.
constexpr std::chrono::seconds kWarmUpLimit{1};

struct InstanceInfo {
  std::uint32_t service = 0;
  std::uint32_t zone = 0;
  std::uint32_t index = 0;  // within the service
};

// Instances in the engine's order: by service, then placement group.
std::vector<InstanceInfo> instance_table(const sim::ModelConfig& model) {
  std::vector<InstanceInfo> out;
  for (std::uint32_t s = 0; s < model.services.size(); ++s) {
    std::uint32_t index = 0;
    for (const sim::InstanceGroup& group : model.services[s].placement) {
      for (std::uint32_t i = 0; i < group.count; ++i) out.push_back({s, group.zone, index++});
    }
  }
  return out;
}

bool targets_link(const FaultSpec& spec) {
  return spec.kind == FaultKind::partition || spec.target.from_zone.has_value() || spec.target.to_zone.has_value();
}

const BoundInstance* bound_instance(const Binding& binding, std::uint32_t service, std::uint32_t index) {
  for (const BoundService& s : binding.services) {
    if (s.service != service) continue;
    return index < s.instances.size() ? &s.instances[index] : nullptr;
  }
  return nullptr;
}

// The global instance indices a fault acts on that have a proxy. For instance faults this is
// the injector's selection (service, zone, indices, then a seeded fraction); for link faults,
// the proxies whose callers and instance sit on either end of a cut link.
std::vector<std::uint32_t> fault_targets(const FaultSpec& spec, const sim::ModelConfig& model, const Binding& binding,
                                         std::uint64_t seed) {
  const std::vector<InstanceInfo> instances = instance_table(model);
  std::vector<std::uint32_t> out;
  if (targets_link(spec)) {
    for (std::uint32_t i = 0; i < instances.size(); ++i) {
      const BoundInstance* bound = bound_instance(binding, instances[i].service, instances[i].index);
      if (bound == nullptr) continue;
      if (spec.target.service && *spec.target.service != instances[i].service) continue;
      const std::uint32_t from = bound->caller_zone, to = instances[i].zone;
      auto matches = [&](std::uint32_t a, std::uint32_t b) {
        return (!spec.target.from_zone || *spec.target.from_zone == a) && (!spec.target.to_zone || *spec.target.to_zone == b);
      };
      if (from == to) continue;  // a link between zones never cuts traffic within one zone
      if (matches(from, to) || (spec.target.both_directions && matches(to, from))) out.push_back(i);
    }
    return out;
  }
  for (std::uint32_t i = 0; i < instances.size(); ++i) {
    if (spec.target.service && instances[i].service != *spec.target.service) continue;
    if (spec.target.zone && instances[i].zone != *spec.target.zone) continue;
    if (!spec.target.instances.empty() && std::find(spec.target.instances.begin(), spec.target.instances.end(),
                                                    instances[i].index) == spec.target.instances.end()) {
      continue;
    }
    out.push_back(i);
  }
  if (spec.target.fraction < 1.0 && !out.empty() && spec.kind != FaultKind::chaos_monkey) {
    sim::Rng rng = sim::Rng::stream(seed, "fault/" + spec.name);
    for (std::size_t i = out.size() - 1; i > 0; --i) std::swap(out[i], out[rng.below(i + 1)]);
    std::size_t keep = static_cast<std::size_t>(std::llround(spec.target.fraction * static_cast<double>(out.size())));
    if (keep == 0 && spec.target.fraction > 0) keep = 1;
    out.resize(keep);
    std::sort(out.begin(), out.end());
  }
  std::erase_if(out, [&](std::uint32_t i) { return bound_instance(binding, instances[i].service, instances[i].index) == nullptr; });
  return out;
}

std::string iso_utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

class LiveRun final : BreakerTransitionSink {
 public:
  LiveRun(const harness::Scenario& scenario, const Binding& binding, const LiveOptions& options)
      : scenario_(scenario), binding_(binding), options_(options) {
    model_ = scenario.model;
    model_.seed = options.seed;
    engine_ = std::make_unique<sim::Engine>(model_);
  }

  LiveResult run();

 private:
  struct FaultRuntime {
    bool skipped = false;
    bool active = false;
    std::vector<std::uint32_t> targets;  // global instance indices with a proxy
    faults::LiveEffect effect;
    sim::Rng chaos_rng;
  };

  void on_client_breaker(std::uint32_t client, TimeNs at, sim::BreakerState from, sim::BreakerState to) override;
  void at(TimeNs offset, std::function<void()> action);
  void timeline(TimeNs at, sim::TimelineKind kind, std::uint32_t subject, std::uint32_t detail = 0, std::uint32_t extra = 0);
  void start_fault(std::uint32_t f);
  void stop_fault(std::uint32_t f);
  void chaos_tick(std::uint32_t f);
  void take_down(std::uint32_t instance, std::uint32_t f, bool down);
  void close_bucket(std::uint32_t bucket);
  void finish(bool interrupted);
  void poll_interrupt();
  TimeNs now_ns() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count(); }
  Json live_section() const;
  // The steps of run(): proxies up, client breakers found, faults resolved to their targets, the
  // generator made, the schedule laid out; then the report of what happened.
  void start_proxies();
  void observe_spans(Proxy& proxy, std::uint32_t instance, std::uint32_t operation);
  void find_client_breakers();
  void resolve_faults();
  void make_generator();
  void schedule();
  LiveResult build_result();

  const harness::Scenario& scenario_;
  const Binding& binding_;
  LiveOptions options_;
  sim::ModelConfig model_;
  std::unique_ptr<sim::Engine> engine_;
  // One thread runs everything (the signal handler only sets a flag, polled on a timer): no
  // locking in the scheduler or reactor.
  asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
  std::vector<std::shared_ptr<Proxy>> proxy_of_;  // by global instance index (null: unbound)
  std::vector<std::shared_ptr<Proxy>> proxies_;
  std::vector<bool> down_;                        // by global instance index
  std::vector<FaultRuntime> faults_;
  std::unique_ptr<LoadGenerator> generator_;
  std::vector<std::unique_ptr<asio::steady_timer>> timers_;
  std::vector<ProxyStats> last_stats_;            // per proxy, at the last bucket
  std::vector<std::uint32_t> client_breaker_;     // engine breaker id per client (or UINT32_MAX)
  std::string started_at_;
  Clock::time_point start_{};
  bool finished_ = false;
  asio::steady_timer interrupt_timer_{io_};
  bool interrupted_ = false;
  std::uint32_t closed_buckets_ = 0;
};

void LiveRun::on_client_breaker(std::uint32_t client, TimeNs at, sim::BreakerState from, sim::BreakerState to) {
  const std::uint32_t id = client_breaker_[client];
  if (id == UINT32_MAX) return;
  timeline(at, sim::TimelineKind::breaker, id, static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to));
  if (to == sim::BreakerState::open) ++engine_->mutable_results().services[model_.clients[client].service].breaker_opens;
}

void LiveRun::timeline(TimeNs at, sim::TimelineKind kind, std::uint32_t subject, std::uint32_t detail, std::uint32_t extra) {
  sim::Results& results = engine_->mutable_results();
  if (results.timeline.size() >= 200'000) {
    ++results.timeline_dropped;
    return;
  }
  results.timeline.push_back({std::clamp<TimeNs>(at, 0, model_.duration_ns), kind, subject, detail, extra});
}

void LiveRun::at(TimeNs offset, std::function<void()> action) {
  auto timer = std::make_unique<asio::steady_timer>(io_);
  timer->expires_at(start_ + std::chrono::nanoseconds(offset));
  timer->async_wait([this, action = std::move(action)](boost::system::error_code ec) {
    if (!ec && !finished_) action();
  });
  timers_.push_back(std::move(timer));
}

void LiveRun::take_down(std::uint32_t instance, std::uint32_t f, bool down) {
  if (!proxy_of_[instance] || down_[instance] == down) return;
  down_[instance] = down;
  proxy_of_[instance]->set_enabled(!down);
  timeline(now_ns(), sim::TimelineKind::instance_state, instance,
           static_cast<std::uint32_t>(down ? sim::InstanceStatus::crashed : sim::InstanceStatus::up), down ? f + 1 : 0);
}

void LiveRun::start_fault(std::uint32_t f) {
  const FaultSpec& spec = scenario_.faults[f];
  FaultRuntime& state = faults_[f];
  state.active = true;
  timeline(now_ns(), sim::TimelineKind::fault_start, f);
  if (spec.kind == FaultKind::chaos_monkey) {
    const TimeNs interval_ns = spec.options_as<faults::ChaosMonkeyOptions>().interval_ns;
    state.chaos_rng = sim::Rng::stream(options_.seed, "fault/" + spec.name + "/chaos");
    const TimeNs end = spec.duration_ns == sim::kNever ? model_.duration_ns : std::min(model_.duration_ns, spec.at_ns + spec.duration_ns);
    for (TimeNs t = spec.at_ns + interval_ns; interval_ns > 0 && t < end; t += interval_ns) {
      at(t, [this, f] { chaos_tick(f); });
    }
    return;
  }
  if (state.effect.down) {
    for (std::uint32_t i : state.targets) take_down(i, f, true);
    const TimeNs restart_after_ns = state.effect.restart_after_ns;
    if (restart_after_ns != sim::kNever && spec.at_ns <= sim::kNever - restart_after_ns) {
      at(spec.at_ns + restart_after_ns, [this, f] {
        for (std::uint32_t i : faults_[f].targets) take_down(i, f, false);
      });
    }
    return;
  }
  for (std::uint32_t i : state.targets) {
    for (const faults::ToxicSpec& toxic : state.effect.toxics) proxy_of_[i]->add_toxic(toxic);
  }
}

void LiveRun::stop_fault(std::uint32_t f) {
  FaultRuntime& state = faults_[f];
  if (!state.active) return;
  state.active = false;
  timeline(now_ns(), sim::TimelineKind::fault_end, f);
  if (scenario_.faults[f].kind == FaultKind::chaos_monkey) return;  // victims restart on their own schedule
  if (state.effect.down) {
    for (std::uint32_t i : state.targets) take_down(i, f, false);
    return;
  }
  for (std::uint32_t i : state.targets) {
    for (const faults::ToxicSpec& toxic : state.effect.toxics) proxy_of_[i]->remove_toxic(toxic.name);
    if (state.effect.reset_when_reverted) proxy_of_[i]->reset_connections();
  }
}

// As the injector's strike: with the probability, crash one random up target, never leaving
// more than max_down_per_service of a service down; drawn from the fault's own seeded stream.
void LiveRun::chaos_tick(std::uint32_t f) {
  const faults::ChaosMonkeyOptions& options = scenario_.faults[f].options_as<faults::ChaosMonkeyOptions>();
  FaultRuntime& state = faults_[f];
  if (!state.active || !state.chaos_rng.chance(options.probability)) return;
  const std::vector<InstanceInfo> instances = instance_table(model_);
  std::vector<std::uint32_t> down(model_.services.size(), 0);
  for (std::uint32_t i = 0; i < instances.size(); ++i) down[instances[i].service] += down_[i] ? 1 : 0;
  std::vector<std::uint32_t> candidates;
  for (std::uint32_t i : state.targets) {
    if (!down_[i] && down[instances[i].service] < options.max_down_per_service) candidates.push_back(i);
  }
  if (candidates.empty()) return;
  const std::uint32_t victim = candidates[state.chaos_rng.below(candidates.size())];
  take_down(victim, f, true);
  if (options.restart_after_ns != sim::kNever) {
    at(now_ns() + options.restart_after_ns, [this, victim, f] { take_down(victim, f, false); });
  }
}

void LiveRun::close_bucket(std::uint32_t bucket) {
  if (bucket < closed_buckets_) return;
  closed_buckets_ = bucket + 1;
  generator_->close_bucket(bucket);
  sim::Results& results = engine_->mutable_results();
  for (std::size_t p = 0; p < proxies_.size(); ++p) {
    const ProxyStats& now = proxies_[p]->stats();
    ProxyStats& last = last_stats_[p];
    std::uint32_t service = 0;
    for (std::uint32_t i = 0; i < proxy_of_.size(); ++i) {
      if (proxy_of_[i] == proxies_[p]) service = instance_table(model_)[i].service;
    }
    sim::EntityResults& entity = results.services[service];
    sim::Counters delta;
    delta.requests = now.requests - last.requests;
    delta.ok = now.responses_ok - last.responses_ok;
    delta.errors = (now.responses_error - last.responses_error) + (now.injected_errors - last.injected_errors);
    entity.totals.add(delta);
    if (bucket < entity.series.size()) {
      entity.series[bucket].counts.add(delta);
      entity.series[bucket].in_flight += static_cast<std::uint32_t>(now.connections_active);
    }
    last = now;
  }
}

void LiveRun::finish(bool interrupted) {
  if (finished_) return;
  finished_ = true;
  interrupted_ = interrupted;
  const TimeNs end = std::min(now_ns(), model_.duration_ns);
  if (!interrupted) {
    const TimeNs bucket_ns = model_.bucket_ns > 0 ? model_.bucket_ns : sim::kSecond;
    close_bucket(static_cast<std::uint32_t>(std::max<TimeNs>(end - 1, 0) / bucket_ns));
  }
  generator_->stop();
  // Every fault is removed and every listener closed, whatever happens next.
  for (auto& proxy : proxies_) {
    proxy->remove_all_toxics();
    proxy->set_enabled(true);
    proxy->stop();
  }
  for (auto& timer : timers_) timer->cancel();
  interrupt_timer_.cancel();
  engine_->mutable_results().end_ns = interrupted ? end : model_.duration_ns;
  engine_->mutable_results().stop = interrupted ? sim::StopReason::stopped : sim::StopReason::finished;
}

void LiveRun::poll_interrupt() {
  if (finished_) return;
  if (harness::interrupted() != 0) {
    finish(true);
    return;
  }
  // One timer, re-armed: the poll allocates nothing (it runs 50 times a second).
  interrupt_timer_.expires_after(std::chrono::milliseconds(20));
  interrupt_timer_.async_wait(recycled([this](boost::system::error_code ec) {
    if (!ec) poll_interrupt();
  }));
}

Json LiveRun::live_section() const {
  const GeneratorStats& g = generator_->stats();
  Json live;
  live["started_at"] = started_at_;
  live["host"] = host_name();
  live["reproducible"] = "the arrival instants and the fault schedule follow from the seed; responses and timings do not";
  Json generator;
  generator["sends"] = g.sends;
  generator["late_sends"] = g.late_sends;
  generator["late_threshold_ms"] = reports::round_ms(kLateNs);
  generator["lateness_p50_ms"] = reports::round_ms(g.lateness.percentile(50));
  generator["lateness_p99_ms"] = reports::round_ms(g.lateness.percentile(99));
  generator["lateness_max_ms"] = reports::round_ms(g.lateness.max());
  generator["own_latency_p50_ms"] = reports::round_ms(g.own_latency.percentile(50));
  generator["own_latency_p99_ms"] = reports::round_ms(g.own_latency.percentile(99));
  generator["own_latency_max_ms"] = reports::round_ms(g.own_latency.max());
  // More than kBottleneckShare of the sends later than kBottleneckLatenessNs, or of the answered
  // requests delayed that much by the generator itself (late sends plus answers left unread).
  const double share = 100.0 * (1.0 - kBottleneckShare);
  const bool bottleneck = (g.sends > 0 && g.lateness.percentile(share) > kBottleneckLatenessNs) ||
                          (g.own_latency.count() > 0 && g.own_latency.percentile(share) > kBottleneckLatenessNs);
  generator["bottleneck"] = bottleneck;
  generator["latency_measured_from"] = "intended send instant";
  live["generator"] = std::move(generator);
  Json connections;
  connections["max"] = g.max_connections;
  connections["opened"] = g.connections_opened;
  connections["peak"] = g.connections_peak;
  connections["pool_waits"] = g.pool_waits;
  connections["found_closed"] = g.found_closed;
  live["connections"] = std::move(connections);
  Json proxies = Json::array();
  for (const auto& proxy : proxies_) {
    const ProxyStats& s = proxy->stats();
    Json item;
    item["name"] = proxy->config().name;
    item["listen"] = proxy->config().listen;
    item["upstream"] = proxy->config().upstream;
    item["mode"] = proxy->config().http ? "http" : "tcp";
    item["connections"] = s.connections_accepted;
    item["connections_reset"] = s.connections_reset;
    item["upstream_failures"] = s.upstream_failures;
    item["requests"] = s.requests;
    item["responses_ok"] = s.responses_ok;
    item["responses_error"] = s.responses_error;
    item["injected_errors"] = s.injected_errors;
    item["bytes_upstream"] = s.bytes_upstream;
    item["bytes_downstream"] = s.bytes_downstream;
    proxies.push_back(std::move(item));
  }
  live["proxies"] = std::move(proxies);
  Json skipped = Json::array();
  for (std::size_t f = 0; f < faults_.size(); ++f) {
    if (faults_[f].skipped) skipped.push_back(scenario_.faults[f].name);
  }
  live["skipped_faults"] = std::move(skipped);
  return live;
}

// Each answered request through the proxy becomes a span on its instance's track.
void LiveRun::observe_spans(Proxy& proxy, std::uint32_t instance, std::uint32_t operation) {
  const std::size_t max_spans = options_.trace_max_events / 2 + 1;
  proxy.observe_responses([this, instance, operation, max_spans](Clock::time_point forwarded, Clock::time_point answered, int status) {
    auto offset = [this](Clock::time_point t) {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(t - start_).count();
    };
    const sim::TimeNs from = offset(forwarded), to = offset(answered);
    // As run's --trace-window: only requests overlapping the window, and those not counted as left out.
    if (to < options_.trace_window.from_ns || from >= options_.trace_window.to_ns) return;
    sim::Results& results = engine_->mutable_results();
    if (results.spans.size() >= max_spans) {
      ++results.spans_dropped;
      return;
    }
    results.spans.push_back({from, to, instance, operation,
                             static_cast<std::uint8_t>(status >= 500 ? sim::Outcome::error : sim::Outcome::ok)});
  });
}

// One proxy per bound instance, listening before any load is sent.
void LiveRun::start_proxies() {
  const std::vector<InstanceInfo> instances = instance_table(model_);
  proxy_of_.assign(instances.size(), nullptr);
  down_.assign(instances.size(), false);
  for (const BoundService& service : binding_.services) {
    for (const BoundInstance& bound : service.instances) {
      ProxyConfig config;
      config.name = model_.services[service.service].name + "/" + std::to_string(bound.index);
      config.listen = bound.listen;
      config.upstream = bound.upstream;
      config.http = service.http;
      auto proxy = Proxy::create(io_, config);
      proxy->start();
      const std::uint32_t global = engine_->services()[service.service].first_instance + bound.index;
      if (options_.trace_max_events > 0) observe_spans(*proxy, global, engine_->services()[service.service].first_operation);
      proxy_of_[global] = proxy;
      proxies_.push_back(std::move(proxy));
    }
  }
  last_stats_.assign(proxies_.size(), ProxyStats{});
}

void LiveRun::find_client_breakers() {
  client_breaker_.assign(model_.clients.size(), UINT32_MAX);
  for (std::uint32_t b = 0; b < engine_->breaker_info().size(); ++b) {
    for (std::uint32_t c = 0; c < model_.clients.size(); ++c) {
      if (engine_->breaker_info()[b].site == engine_->clients()[c].site) client_breaker_[c] = b;
    }
  }
}

void LiveRun::resolve_faults() {
  faults_.resize(scenario_.faults.size());
  for (std::uint32_t f = 0; f < scenario_.faults.size(); ++f) {
    const FaultSpec& spec = scenario_.faults[f];
    faults_[f].skipped = live_unsupported_reason(spec).has_value();
    if (faults_[f].skipped) continue;
    faults_[f].targets = fault_targets(spec, model_, binding_, options_.seed);
    faults_[f].skipped = faults_[f].targets.empty();
    faults_[f].effect = faults::live_effect(spec);
  }
}

void LiveRun::make_generator() {
  std::vector<ClientTarget> targets;
  for (const BoundClient& c : binding_.clients) {
    ClientTarget target;
    target.address = c.address;
    target.path = c.path;
    target.method = c.method;
    target.host_header = c.host_header;
    target.body = c.body;
    target.max_connections = c.max_connections;
    target.warm_connections = c.warm_connections;
    target.site = engine_->clients()[c.client].site;
    targets.push_back(std::move(target));
  }
  generator_ = std::make_unique<LoadGenerator>(io_, model_, std::move(targets), engine_->mutable_results(), static_cast<BreakerTransitionSink*>(this));
}

// The faults' starts and stops, the buckets' ends and the run's end, at their offsets from start_.
void LiveRun::schedule() {
  for (std::uint32_t f = 0; f < scenario_.faults.size(); ++f) {
    if (faults_[f].skipped) continue;
    const FaultSpec& spec = scenario_.faults[f];
    if (spec.at_ns >= model_.duration_ns) continue;
    at(spec.at_ns, [this, f] { start_fault(f); });
    if (spec.duration_ns != sim::kNever && spec.at_ns <= sim::kNever - spec.duration_ns) {
      at(spec.at_ns + spec.duration_ns, [this, f] { stop_fault(f); });
    }
  }
  const TimeNs bucket_ns = model_.bucket_ns > 0 ? model_.bucket_ns : sim::kSecond;
  for (TimeNs t = bucket_ns; t < model_.duration_ns; t += bucket_ns) {
    const auto bucket = static_cast<std::uint32_t>(t / bucket_ns - 1);
    at(t, [this, bucket] { close_bucket(bucket); });
  }
  at(model_.duration_ns, [this] { finish(false); });
}

LiveResult LiveRun::run() {
  start_proxies();
  find_client_breakers();
  resolve_faults();
  make_generator();
  // The clients' pools are opened before instant 0, within kWarmUpLimit (a client that cannot
  // connect yet is not waited for: its requests connect, or fail, as they come).
  generator_->warm_up();
  const Clock::time_point warm_limit = Clock::now() + kWarmUpLimit;
  while (generator_->warming() && io_.run_one_until(warm_limit) > 0) {
  }
  if (io_.stopped()) io_.restart();
  started_at_ = iso_utc_now();
  start_ = Clock::now() + std::chrono::milliseconds(20);
  schedule();
  generator_->start(start_);
  poll_interrupt();
  io_.run();
  if (interrupted_) {
    LiveResult result;
    result.interrupted = true;
    return result;
  }
  return build_result();
}

// The same report as `run`, marked live, with its assertions judged, and the trace if asked.
LiveResult LiveRun::build_result() {
  LiveResult result;
  result.assertions = harness::evaluate_assertions(scenario_, *engine_);
  reports::RunInput input;
  input.scenario_name = scenario_.name;
  input.scenario_description = scenario_.description;
  input.scenario_bytes = scenario_.bytes;
  input.seed = options_.seed;
  input.engine = engine_.get();
  input.faults = scenario_.faults;
  input.assertions = result.assertions;
  const Json built = reports::build_run_report(input);
  // No trace hash or event count (nothing here is replayable to the bit), the measured breaker
  // openings, and what only a live run knows.
  Json report;
  for (const auto& [key, value] : built.items()) {
    if (key == "trace_hash" || key == "events") continue;
    report[key] = value;
    if (key == "faultline_version") report["mode"] = "live";
  }
  // Refused connections are told apart in live mode whatever the policies name: a refused
  // connect (nothing listens) is connection_refused, as the model's crashed instance.
  const sim::Results& results = engine_->results();
  for (std::size_t s = 0; s < report["call_sites"].size() && s < results.sites.size(); ++s) {
    report["call_sites"][s]["failed"]["connection_refused"] = results.sites[s].connection_refused;
  }
  for (Json& breaker : report["breakers"]) {
    std::uint64_t opens = 0;
    for (const Json& t : breaker["transitions"]) opens += t["to"] == "open" ? 1 : 0;
    breaker["opens"] = opens;
  }
  report["live"] = live_section();
  result.report = std::move(report);
  if (options_.trace_max_events > 0) {
    // The whole run: a live run is short and its spans were capped while recorded.
    reports::Trace trace = reports::render_trace(*engine_, scenario_.faults, options_.trace_max_events, options_.trace_window);
    result.trace = std::move(trace.text);
    result.trace_dropped = trace.dropped_events;
  }
  // The verdict from the analysis layer, as run's (never read back out of the report).
  result.passed = analysis::run_passed(results.stop, result.assertions);
  return result;
}

}  // namespace

std::vector<std::string> unsupported_faults(const harness::Scenario& scenario, const Binding& binding) {
  std::vector<std::string> out;
  for (const FaultSpec& spec : scenario.faults) {
    if (const auto reason = faults::live_unsupported_reason(spec)) {
      out.push_back("fault \"" + spec.name + "\" (" + faults::fault_kind_name(spec.kind) + "): " + *reason);
      continue;
    }
    if (fault_targets(spec, scenario.model, binding, scenario.model.seed).empty()) {
      out.push_back("fault \"" + spec.name + "\" (" + faults::fault_kind_name(spec.kind) +
                    "): none of its targets is bound to a proxy (bind the service's instances in the binding file)");
    }
  }
  return out;
}

std::vector<std::string> unsupported_client_policies(const harness::Scenario& scenario) {
  std::vector<std::string> out;
  for (const sim::ClientConfig& client : scenario.model.clients) {
    if (client.policy.hedging.enabled) {
      out.push_back("client \"" + client.name +
                    "\": hedging is not applied by live mode's load generator (it sends one attempt at a time)");
    }
  }
  return out;
}

LiveResult run_live(const harness::Scenario& scenario, const Binding& binding, const LiveOptions& options) {
  LiveRun run(scenario, binding, options);
  return run.run();
}

}  // namespace faultline::live
