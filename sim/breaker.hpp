// A circuit breaker with exactly the state machine of sony/gobreaker (v1 CircuitBreaker), driven
// by simulated time passed in by the caller instead of a wall clock.
#pragma once
#include <cstdint>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace faultline::sim {

enum class BreakerState : std::uint8_t { closed, half_open, open };

// "closed", "half-open" or "open", as gobreaker's State.String() spells them.
const char* breaker_state_name(BreakerState state);

// Counts of one generation, as gobreaker's Counts. Requests counts admitted requests, including
// those still in flight, so failure ratios see in-flight requests as neither success nor failure.
// The fields wrap around on overflow, as Go's uint32 does.
struct BreakerCounts {
  std::uint32_t requests = 0;
  std::uint32_t total_successes = 0;
  std::uint32_t total_failures = 0;
  std::uint32_t consecutive_successes = 0;
  std::uint32_t consecutive_failures = 0;

  friend bool operator==(const BreakerCounts&, const BreakerCounts&) = default;
};

// Told of every state change, at the simulated instant the breaker makes it. An interface rather
// than a callback object so that attaching costs nothing per request.
struct BreakerListener {
  virtual void on_breaker_transition(std::uint32_t breaker_id, TimeNs at, BreakerState from,
                                     BreakerState to) = 0;

 protected:
  ~BreakerListener() = default;
};

class Breaker {
 public:
  enum class Rejection : std::uint8_t {
    none,
    open,               // gobreaker's ErrOpenState
    too_many_requests,  // gobreaker's ErrTooManyRequests: half-open and max_requests in flight
  };

  // The answer to before_request. The generation must be handed back to after_request, so that a
  // result from before the counts were last cleared is ignored.
  struct Admission {
    Rejection rejection = Rejection::none;
    std::uint64_t generation = 0;
    bool allowed() const { return rejection == Rejection::none; }
  };

  // A breaker with BreakerPolicy's defaults, as if created at time 0.
  Breaker() : Breaker(BreakerPolicy{}) {}

  // Zero or negative settings take gobreaker's defaults: max_requests 0 means 1, interval_ns <= 0
  // never clears counts while closed, timeout_ns <= 0 means 60 s. `created_at` starts the first
  // closed interval, as NewCircuitBreaker does with time.Now().
  explicit Breaker(const BreakerPolicy& policy, TimeNs created_at = 0);

  // Reports transitions to `listener` (may be null) tagged with `breaker_id`.
  void attach(std::uint32_t breaker_id, BreakerListener* listener);

  // Asks to send a request at `now`. An allowed request counts toward Requests at once.
  Admission before_request(TimeNs now);

  // Reports the result of a request admitted with `generation`. Results from an older
  // generation (counts cleared or state changed since) are ignored, as in gobreaker.
  void after_request(TimeNs now, std::uint64_t generation, bool success);

  // The state at `now`. Like gobreaker's State(), this applies any expiry that has passed, so it
  // may change the state, start a new generation and notify the listener.
  BreakerState state(TimeNs now);

  // The state as of the last call, without applying expiry.
  BreakerState last_state() const { return state_; }
  const BreakerCounts& counts() const { return counts_; }

  // When the current generation ends: the end of the closed interval, or the end of the open
  // timeout. kNever stands for gobreaker's zero time (closed without interval, or half-open).
  // The change happens at the first observation strictly after this instant (gobreaker uses
  // expiry.Before(now)), so a caller wanting it on the timeline can call state(expiry() + 1).
  TimeNs expiry() const { return expiry_ns_; }

  // Starts at 1, as gobreaker's constructor starts a generation.
  std::uint64_t generation() const { return generation_; }

  // How many times the breaker has entered the open state.
  std::uint32_t opens() const { return opens_; }

 private:
  void apply_expiry(TimeNs now);
  void on_success(TimeNs now);
  void on_failure(TimeNs now);
  bool ready_to_trip() const;
  void set_state(BreakerState to, TimeNs now);
  void start_generation(TimeNs now);

  // Settings after defaults are applied.
  std::uint32_t max_requests_ = 1;
  TimeNs interval_ns_ = 0;  // 0: never clear while closed
  TimeNs timeout_ns_ = 60 * kSecond;
  TripRule trip_ = TripRule::consecutive_failures;
  std::uint32_t trip_consecutive_failures_ = 5;
  double trip_failure_ratio_ = 0.5;
  std::uint32_t trip_min_requests_ = 10;

  BreakerState state_ = BreakerState::closed;
  std::uint64_t generation_ = 1;
  BreakerCounts counts_;
  TimeNs expiry_ns_ = kNever;
  std::uint32_t opens_ = 0;

  std::uint32_t id_ = 0;
  BreakerListener* listener_ = nullptr;
};

}  // namespace faultline::sim
