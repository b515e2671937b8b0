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
#include "sim/time.hpp"

namespace faultline::sim {

// What a closed-loop user needs of the simulation, and all it can reach: the clock, starting a
// request, being resumed at an instant, and stopping a run that cannot progress. The engine
// implements it (privately); a process sees nothing else of the engine.
class ProcessHost {
 public:
  virtual TimeNs process_clock() const = 0;
  // Starts a request of `client`'s operation (an index into its service's operations) on
  // behalf of `process`; its completion comes back through ProcessRunner::complete.
  virtual void start_process_request(std::uint32_t process, std::uint32_t client, std::uint32_t operation) = 0;
  // Resumes `process` at `at` (its wake-up event).
  virtual void schedule_process_resume(TimeNs at, std::uint32_t process) = 0;
  // Ends the run: the closed-loop users of `client` cannot make simulated time advance.
  virtual void stop_without_progress(std::uint32_t client) = 0;

 protected:
  ~ProcessHost() = default;
};

class ProcessRunner {
 public:
  ProcessRunner(ProcessHost& host, const ModelConfig& config);
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
  // The process's side (called from inside its fiber): each blocks until the process is resumed.
  Outcome request(std::uint32_t process, std::uint32_t operation);
  void sleep(std::uint32_t process, TimeNs duration);
  void wait(std::uint32_t process);

  ProcessHost& host_;
  const ModelConfig& config_;
  std::vector<std::unique_ptr<Process>> processes_;
  boost::fibers::mutex mutex_;
  boost::fibers::condition_variable main_wake_;
};

}  // namespace faultline::sim
