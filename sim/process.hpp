// Long-lived sequential behaviours (closed-loop users) as Boost.Fiber fibers. The event loop
// resumes exactly one fiber at a time, at the simulated instant its wake-up event is due, and
// waits until that fiber blocks again, so processes read as plain sequential code and stay
// deterministic.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/fiber/all.hpp>

#include "sim/config.hpp"
#include "sim/rng.hpp"

namespace faultline::sim {

class Engine;

class ProcessRunner {
 public:
  explicit ProcessRunner(Engine& engine);
  ~ProcessRunner();
  ProcessRunner(const ProcessRunner&) = delete;
  ProcessRunner& operator=(const ProcessRunner&) = delete;

  // A closed-loop user of `client`: runs its session over and over from the client's start.
  void spawn_user(std::uint32_t client, std::uint32_t user);
  // The event loop's side: run process `process` until it blocks again.
  void resume(std::uint32_t process);
  // A request of `process` completed: wake it at the current instant.
  void complete(std::uint32_t process, Outcome outcome);
  // Ends every process (at the end of the run).
  void stop_all();

  // The process's side (called from inside its fiber).
  void wait(std::uint32_t process);
  bool stopping(std::uint32_t process) const { return processes_[process]->stopping; }
  Outcome last_outcome(std::uint32_t process) const { return processes_[process]->last_outcome; }
  std::size_t size() const { return processes_.size(); }

 private:
  struct Process {
    std::uint32_t client = 0;
    std::uint32_t user = 0;
    bool running = false;   // it holds the (single) thread of control
    bool stopping = false;
    bool done = false;
    Outcome last_outcome = Outcome::ok;
    Rng rng;
    boost::fibers::condition_variable wake;
    boost::fibers::fiber fiber;
  };
  void user_loop(std::uint32_t process);

  Engine& engine_;
  std::vector<std::unique_ptr<Process>> processes_;
  boost::fibers::mutex mutex_;
  boost::fibers::condition_variable main_wake_;
};

}  // namespace faultline::sim
