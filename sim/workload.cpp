// Open-loop workload: arrivals from a rate schedule, Poisson or evenly spaced.
#include <cmath>

#include "sim/detmath.hpp"
#include "sim/arrivals.hpp"
#include "sim/engine.hpp"
#include "sim/event_kinds.hpp"

namespace faultline::sim {
namespace {

// Seconds to simulated nanoseconds, rounded, saturating at kNever.
TimeNs seconds_to_ns(double seconds) {
  return ns_from_double(seconds * 1e9);
}

}  // namespace

// The next arrival after `from`: draw an amount of "work" E (Exp(1) for Poisson, exactly 1 for
// evenly spaced arrivals) and find t with integral of rate(s) ds over [from, t] = E. Each
// segment of the schedule is constant or linear, so the integral is solved in closed form
// (time rescaling), which is exact for time-varying Poisson processes.
TimeNs next_open_loop_arrival(const ClientConfig& config, std::uint32_t& schedule_index, Rng& rng, TimeNs from) {
  const std::vector<RatePoint>& points = config.schedule;
  if (points.empty()) return kNever;
  double remaining = config.arrivals == ArrivalProcess::poisson ? -det_log(1.0 - rng.uniform01()) : 1.0;
  std::uint32_t i = schedule_index;
  while (i + 1 < points.size() && points[i + 1].at_ns <= from) ++i;
  schedule_index = i;
  TimeNs t = from;
  for (;;) {
    const bool last = i + 1 >= points.size();
    const TimeNs segment_end = last ? kNever : points[i + 1].at_ns;
    // Rate at t and at the segment's end.
    double rate_start = points[i].rate_per_s;
    double rate_end = rate_start;
    if (!last && points[i + 1].ramp) {
      const double span = static_cast<double>(points[i + 1].at_ns - points[i].at_ns);
      const double slope = (points[i + 1].rate_per_s - points[i].rate_per_s) / span;
      rate_start = points[i].rate_per_s + slope * static_cast<double>(t - points[i].at_ns);
      rate_end = points[i + 1].rate_per_s;
    }
    if (last) {
      if (rate_start <= 0) return kNever;
      const TimeNs dt = seconds_to_ns(remaining / rate_start);
      return later(t, dt);
    }
    const double width_s = static_cast<double>(segment_end - t) / 1e9;
    const double area = 0.5 * (rate_start + rate_end) * width_s;
    if (area >= remaining && width_s > 0) {
      const double slope_per_s = (rate_end - rate_start) / width_s;
      double tau_s;
      if (std::fabs(slope_per_s) < 1e-12) {
        tau_s = remaining / rate_start;
      } else {
        // rate_start * tau + slope/2 * tau^2 = remaining
        const double disc = rate_start * rate_start + 2.0 * slope_per_s * remaining;
        tau_s = (-rate_start + std::sqrt(disc > 0 ? disc : 0)) / slope_per_s;
      }
      TimeNs dt = seconds_to_ns(tau_s);
      if (dt > segment_end - t) dt = segment_end - t;
      return t + dt;
    }
    remaining -= area;
    t = segment_end;
    ++i;
  }
}

TimeNs Engine::next_arrival(ClientRuntime& client, TimeNs from) {
  const ClientConfig& config = config_.clients[&client - clients_.data()];
  return next_open_loop_arrival(config, client.schedule_index, client.arrivals, from);
}

void Engine::on_client_arrival(std::uint32_t client) {
  const ClientConfig& config = config_.clients[client];
  start_client_request(client, services_[config.service].first_operation + config.operation, kNone);
  const TimeNs next = next_arrival(clients_[client], now_);
  if (next < config.stop_ns && next < config_.duration_ns) queue_.push(next, kClientArrival, client, 0);
}

void Engine::start_client_request(std::uint32_t client, std::uint32_t operation, std::uint32_t process) {
  ClientRuntime& runtime = clients_[client];
  ++runtime.outstanding;
  ++runtime.started;
  if (process == kNone) {
    start_call(runtime.site, CallerKind::client, client, 0, kNone, operation);
  } else {
    start_call(runtime.site, CallerKind::process, process, 0, kNone, operation);
  }
}

// Closed-loop users (sim/process.cpp) reach the engine through these ProcessHost verbs only.
void Engine::start_process_request(std::uint32_t process, std::uint32_t client, std::uint32_t operation) {
  start_client_request(client, services_[config_.clients[client].service].first_operation + operation, process);
}

void Engine::schedule_process_resume(TimeNs at, std::uint32_t process) { queue_.push(at, kProcessResume, process, 0); }

void Engine::stop_without_progress(std::uint32_t client) {
  results_.stop = StopReason::no_progress;
  results_.stalled_client = client;
  finished_ = true;
}

}  // namespace faultline::sim
