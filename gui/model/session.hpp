// The GUI's driver over the engine: the loaded scenario, a live run positioned at the cursor,
// playback in simulated time, seeking (forward by rolling on, backward by replaying from the
// start, which the engine's determinism makes exact), a background recording of the whole run,
// and an optional second run (B) for comparison. No ImGui in here: the tests drive it directly.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gui/model/recording.hpp"
#include "gui/model/run.hpp"
#include "gui/model/snapshot.hpp"
#include "harness/scenario.hpp"
#include "reports/report.hpp"

namespace faultline::gui {

inline constexpr double kMinSpeed = 0.01;
inline constexpr double kMaxSpeed = 10'000.0;

class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Replaces what is loaded with `scenario` at time 0, paused, and starts recording the whole
  // run in the background. `label` names the run in A/B views.
  void load(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed, std::string label = "A");
  void unload();
  bool loaded() const { return live_ != nullptr; }
  const harness::Scenario& scenario() const { return *scenario_; }
  std::shared_ptr<const harness::Scenario> scenario_ptr() const { return scenario_; }
  std::uint64_t seed() const { return seed_; }
  // Stays the same object from load to load, also across replays from the start.
  const Topology& topology() const { return *topology_; }
  TimeNs duration_ns() const;
  TimeNs bucket_ns() const;
  // Bumps on every load, so panels know to drop what they cached about the previous scenario.
  std::uint64_t generation() const { return generation_; }

  // Playback. Speed is simulated seconds per wall-clock second.
  void play();
  void pause() { playing_ = false; }
  void toggle_play();
  bool playing() const { return playing_; }
  void set_speed(double speed);
  double speed() const { return speed_; }
  void set_unlimited(bool unlimited) { unlimited_ = unlimited; }
  bool unlimited() const { return unlimited_; }
  // True when the engine could not keep up with the asked speed in the last frame.
  bool engine_limited() const { return engine_limited_; }

  // Moves the cursor; the live engine follows within the per-frame budget (replaying from the
  // start when going backwards) and the display shows the nearest checkpoint meanwhile.
  void seek(TimeNs t_ns);
  // To just after the next timeline entry at or after the cursor (one bucket when the future is
  // not known yet), or to just before the latest one before it.
  void step_forward();
  void step_back();

  TimeNs cursor_ns() const { return cursor_ns_; }
  TimeNs live_ns() const { return live_ ? live_->now() : 0; }
  bool catching_up() const { return live_ && live_->now() != cursor_ns_; }
  bool at_end() const { return live_ && live_->at_end() && cursor_ns_ >= live_->now(); }
  // Why the run stopped short, if it did: a violated engine invariant (a simulator bug) in the
  // live run, or an error of the background recording. Empty otherwise.
  std::string run_error() const;

  // One frame: playback, catching up, snapshot. Spends at most `budget_s` wall seconds on the engine.
  void update(double wall_dt_s, double budget_s);
  // Runs the live engine to the cursor with no time limit.
  void settle();
  void wait_for_recordings();

  // What the panels draw: exact when the live engine is at the cursor.
  const Snapshot& snapshot() const { return display_; }
  bool snapshot_exact() const { return display_exact_; }
  const Run& live() const { return *live_; }
  const sim::Results& live_results() const { return live_->engine().results(); }
  // Counts every change of the displayed snapshot.
  std::uint64_t display_version() const { return display_version_; }
  // Replays from the start so far (for tests and the status line).
  std::uint64_t replays() const { return replays_; }

  std::shared_ptr<const Recording> recording() const { return recording_; }
  double recording_progress() const;
  // Timeline entries known: the whole run once recorded, else what the live engine has seen.
  std::span<const sim::TimelineEntry> known_timeline() const;

  // Verdicts of the assertions on the run so far (refreshed at most a few times a second).
  const std::vector<reports::AssertionResult>& live_verdicts();

  // The B run of an A/B comparison, recorded in the background.
  void start_comparison(std::shared_ptr<const harness::Scenario> scenario, std::uint64_t seed, std::string label);
  void set_comparison(std::shared_ptr<const Recording> recording);
  void clear_comparison();
  std::shared_ptr<const Recording> comparison() const { return comparison_; }
  bool comparison_running() const { return comparison_job_ != nullptr; }
  double comparison_progress() const;

 private:
  void restart_live();
  void advance_live(TimeNs target, double budget_s);
  void refresh_display();
  void poll_jobs();

  std::shared_ptr<const harness::Scenario> scenario_;
  std::uint64_t seed_ = 0;
  std::string label_;
  std::unique_ptr<Run> live_;
  std::shared_ptr<const Topology> topology_;
  std::unique_ptr<RecordingJob> recording_job_;
  std::shared_ptr<const Recording> recording_;
  std::unique_ptr<RecordingJob> comparison_job_;
  std::shared_ptr<const Recording> comparison_;

  TimeNs cursor_ns_ = 0;
  bool playing_ = false;
  bool unlimited_ = false;
  bool engine_limited_ = false;
  double speed_ = 1.0;
  double carry_ns_ = 0;       // fractions of a nanosecond of playback not yet applied
  TimeNs chunk_ns_ = 0;       // simulated time per engine slice, adapted to the event rate
  std::uint64_t generation_ = 0;
  std::uint64_t replays_ = 0;

  Snapshot display_;
  bool display_exact_ = false;
  std::uint64_t display_version_ = 0;
  std::uint64_t captured_events_ = ~0ull;
  TimeNs captured_at_ = -1;

  std::vector<reports::AssertionResult> live_verdicts_;
  std::uint64_t verdict_events_ = ~0ull;
  double verdict_wall_s_ = -1;
};

}  // namespace faultline::gui
