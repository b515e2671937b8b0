// Playback, seeking and background recording over one live engine.
#include "gui/model/session.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "gui/model/timeline.hpp"
#include "harness/assertions.hpp"

namespace faultline::gui {
namespace {

double wall_seconds() {
  using clock = std::chrono::steady_clock;
  static const clock::time_point start = clock::now();
  return std::chrono::duration<double>(clock::now() - start).count();
}

// Engine slices aim at this many events, so one slice stays well under a millisecond.
constexpr std::uint64_t kSliceEvents = 20'000;

}  // namespace

Session::Session() = default;

Session::~Session() {
  // Jobs first: they hold shared pointers to the scenario only, never to the live run.
  comparison_job_.reset();
  recording_job_.reset();
  live_.reset();
}

void Session::load(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed, std::string label) {
  recording_job_.reset();
  recording_.reset();
  comparison_job_.reset();
  comparison_.reset();
  scenario_ = std::move(scenario);
  seed_ = seed;
  label_ = std::move(label);
  live_ = std::make_unique<Run>(scenario_, seed_);
  topology_ = std::make_shared<const Topology>(live_->topology());
  cursor_ns_ = 0;
  playing_ = false;
  engine_limited_ = false;
  carry_ns_ = 0;
  chunk_ns_ = std::max<TimeNs>(bucket_ns() / 8, sim::kMillisecond);
  replays_ = 0;
  ++generation_;
  captured_events_ = ~0ull;
  captured_at_ = -1;
  live_verdicts_.clear();
  verdict_events_ = ~0ull;
  recording_job_ = std::make_unique<RecordingJob>(scenario_, seed_, label_);
  refresh_display();
}

void Session::unload() {
  recording_job_.reset();
  recording_.reset();
  comparison_job_.reset();
  comparison_.reset();
  live_.reset();
  topology_.reset();
  scenario_.reset();
  display_ = Snapshot{};
  display_exact_ = false;
  playing_ = false;
  cursor_ns_ = 0;
  ++generation_;
  ++display_version_;
}

TimeNs Session::duration_ns() const { return live_ ? live_->engine().config().duration_ns : 0; }

TimeNs Session::bucket_ns() const {
  if (!live_) return sim::kSecond;
  const TimeNs b = live_->engine().config().bucket_ns;
  return b > 0 ? b : sim::kSecond;
}

void Session::play() {
  if (!live_) return;
  if (at_end()) seek(0);
  playing_ = true;
}

void Session::toggle_play() {
  if (playing_) pause();
  else play();
}

void Session::set_speed(double speed) { speed_ = std::clamp(speed, kMinSpeed, kMaxSpeed); }

void Session::seek(TimeNs t_ns) {
  if (!live_) return;
  cursor_ns_ = std::clamp<TimeNs>(t_ns, 0, duration_ns());
  carry_ns_ = 0;
}

void Session::step_forward() {
  if (!live_) return;
  const auto timeline = known_timeline();
  const TimeNs next = next_entry_after(timeline, cursor_ns_ - 1);
  if (next >= 0) {
    seek(next + 1);
  } else if (recording_) {
    seek(duration_ns());
  } else {
    seek((cursor_ns_ / bucket_ns() + 1) * bucket_ns());
  }
}

void Session::step_back() {
  if (!live_) return;
  const TimeNs previous = previous_entry_before(known_timeline(), cursor_ns_);
  seek(previous >= 0 ? previous : 0);
}

void Session::restart_live() {
  live_ = std::make_unique<Run>(scenario_, seed_);
  ++replays_;
  captured_events_ = ~0ull;
}

void Session::advance_live(TimeNs target, double budget_s) {
  if (live_->now() > target) restart_live();
  const double start = wall_seconds();
  while (live_->now() < target && !live_->at_end()) {
    const TimeNs step = std::min(chunk_ns_, target - live_->now());
    const std::uint64_t before = live_->events();
    live_->advance_to(live_->now() + step);
    const std::uint64_t done = live_->events() - before;
    // Adapt the slice to the event rate: bursts shrink it, quiet stretches grow it.
    if (step == chunk_ns_) {
      if (done > 2 * kSliceEvents) chunk_ns_ = std::max<TimeNs>(chunk_ns_ / 2, sim::kMicrosecond);
      else if (done < kSliceEvents / 2) chunk_ns_ = std::min<TimeNs>(chunk_ns_ * 2, 60 * sim::kSecond);
    }
    if (budget_s >= 0 && wall_seconds() - start > budget_s) break;
  }
}

void Session::update(double wall_dt_s, double budget_s) {
  poll_jobs();
  if (!live_) return;
  if (live_->now() != cursor_ns_) {
    // Seeking: catch up first; playback resumes from the cursor once there.
    advance_live(cursor_ns_, budget_s);
    if (live_->at_end()) cursor_ns_ = std::min(cursor_ns_, live_->now());
  } else if (playing_) {
    TimeNs target = duration_ns();
    if (!unlimited_) {
      const double advance = std::max(0.0, wall_dt_s) * speed_ * 1e9 + carry_ns_;
      const double whole = std::floor(advance);
      carry_ns_ = advance - whole;
      target = std::min<TimeNs>(duration_ns(), cursor_ns_ + static_cast<TimeNs>(whole));
    }
    advance_live(target, budget_s);
    engine_limited_ = !unlimited_ && live_->now() < target;
    // While playing, the cursor follows the engine, so a slow engine slows playback down rather
    // than letting the display fall behind the cursor.
    cursor_ns_ = live_->now();
    if (live_->at_end()) playing_ = false;
  }
  refresh_display();
}

void Session::settle() {
  poll_jobs();
  if (!live_) return;
  advance_live(cursor_ns_, -1.0);
  if (live_->at_end()) cursor_ns_ = std::min(cursor_ns_, live_->now());
  refresh_display();
}

void Session::wait_for_recordings() {
  if (recording_job_) recording_job_->wait();
  if (comparison_job_) comparison_job_->wait();
  poll_jobs();
  refresh_display();
}

void Session::poll_jobs() {
  if (recording_job_ && recording_job_->done()) {
    recording_ = recording_job_->result();
    recording_job_.reset();
  }
  if (comparison_job_ && comparison_job_->done()) {
    comparison_ = comparison_job_->result();
    comparison_job_.reset();
  }
}

void Session::refresh_display() {
  if (!live_) return;
  const bool exact = live_->now() == cursor_ns_;
  const Snapshot* checkpoint = nullptr;
  if (!exact && recording_ && recording_->error.empty()) {
    checkpoint = recording_->checkpoints.at_or_before(cursor_ns_);
    if (checkpoint != nullptr && checkpoint->at_ns <= live_->now()) checkpoint = nullptr;
  }
  if (checkpoint != nullptr) {
    if (display_exact_ || display_.at_ns != checkpoint->at_ns || captured_events_ != ~0ull) {
      display_ = *checkpoint;
      display_exact_ = false;
      captured_events_ = ~0ull;
      ++display_version_;
    }
    return;
  }
  if (live_->events() != captured_events_ || live_->now() != captured_at_ || display_exact_ != exact) {
    live_->capture(display_);
    display_exact_ = exact;
    captured_events_ = live_->events();
    captured_at_ = live_->now();
    ++display_version_;
  }
}

std::string Session::run_error() const {
  if (live_ && !live_->error().empty()) return live_->error();
  if (recording_ && !recording_->error.empty() && recording_->error != "cancelled") return recording_->error;
  return {};
}

double Session::recording_progress() const {
  if (recording_) return 1.0;
  return recording_job_ ? recording_job_->progress() : 0.0;
}

double Session::comparison_progress() const {
  if (comparison_job_) return comparison_job_->progress();
  return comparison_ ? 1.0 : 0.0;
}

std::span<const sim::TimelineEntry> Session::known_timeline() const {
  if (recording_ && recording_->error.empty()) return recording_->timeline;
  if (live_) return live_->engine().results().timeline;
  return {};
}

const std::vector<reports::AssertionResult>& Session::live_verdicts() {
  if (!live_) {
    live_verdicts_.clear();
    return live_verdicts_;
  }
  const double now = wall_seconds();
  if (live_->events() != verdict_events_ && (now - verdict_wall_s_ > 0.2 || !playing_)) {
    try {
      live_verdicts_ = harness::evaluate_assertions(*scenario_, live_->engine());
    } catch (const std::exception&) {
      live_verdicts_.clear();
    }
    verdict_events_ = live_->events();
    verdict_wall_s_ = now;
  }
  return live_verdicts_;
}

void Session::start_comparison(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed, std::string label) {
  comparison_job_ = std::make_unique<RecordingJob>(std::move(scenario), seed, std::move(label));
}

void Session::set_comparison(std::shared_ptr<const Recording> recording) {
  comparison_job_.reset();
  comparison_ = std::move(recording);
}

void Session::clear_comparison() {
  comparison_job_.reset();
  comparison_.reset();
}

}  // namespace faultline::gui
