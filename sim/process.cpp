// Closed-loop users as fibers: request, wait for the answer, think, repeat.
#include "sim/process.hpp"

#include <string>

#include "sim/engine.hpp"
#include "sim/event_kinds.hpp"

namespace faultline::sim {

ProcessRunner::ProcessRunner(Engine& engine) : engine_(engine) {}

ProcessRunner::~ProcessRunner() { stop_all(); }

void ProcessRunner::spawn_user(std::uint32_t client, std::uint32_t user) {
  const std::uint32_t index = static_cast<std::uint32_t>(processes_.size());
  auto process = std::make_unique<Process>();
  process->client = client;
  process->user = user;
  const ClientConfig& config = engine_.config_.clients[client];
  process->rng = Rng::stream(engine_.config_.seed, "client/" + config.name + "/user/" + std::to_string(user));
  processes_.push_back(std::move(process));
  // Small stacks: a user's loop is shallow, and thousands of users must fit.
  processes_.back()->fiber = boost::fibers::fiber(std::allocator_arg, boost::fibers::fixedsize_stack(64 * 1024),
                                                  [this, index] { user_loop(index); });
  engine_.queue_.push(config.start_ns, kProcessResume, index, 0);
}

void ProcessRunner::user_loop(std::uint32_t index) {
  {
    std::unique_lock<boost::fibers::mutex> lock(mutex_);
    processes_[index]->wake.wait(lock, [&] { return processes_[index]->running; });
  }
  Process& self = *processes_[index];
  const ClientConfig& config = engine_.config_.clients[self.client];
  // A user whose cycles take no simulated time at all (requests that fail at once, zero think
  // time) would spin at one instant until --max-events; after this many such cycles in a row
  // the run stops, naming the client.
  constexpr std::uint32_t kMaxCyclesAtOneInstant = 100'000;
  std::uint32_t cycles_at_one_instant = 0;
  TimeNs instant = engine_.now();
  while (!self.stopping) {
    for (const SessionStep& step : config.session) {
      if (self.stopping || engine_.now() >= config.stop_ns) break;
      engine_.process_request(index, self.client, step.operation);
      if (self.stopping) break;
      const TimeNs think = sample(step.think_time, self.rng);
      engine_.process_sleep(index, think);
    }
    if (self.stopping || engine_.now() >= config.stop_ns) break;
    if (engine_.now() != instant) {
      instant = engine_.now();
      cycles_at_one_instant = 0;
    } else if (++cycles_at_one_instant >= kMaxCyclesAtOneInstant) {
      engine_.stop_without_progress(self.client);
      break;
    }
  }
  std::unique_lock<boost::fibers::mutex> lock(mutex_);
  self.done = true;
  self.running = false;
  main_wake_.notify_one();
}

void ProcessRunner::wait(std::uint32_t index) {
  Process& self = *processes_[index];
  std::unique_lock<boost::fibers::mutex> lock(mutex_);
  self.running = false;
  main_wake_.notify_one();
  self.wake.wait(lock, [&] { return self.running; });
}

void ProcessRunner::resume(std::uint32_t index) {
  Process& process = *processes_[index];
  if (process.done) return;
  std::unique_lock<boost::fibers::mutex> lock(mutex_);
  process.running = true;
  process.wake.notify_one();
  main_wake_.wait(lock, [&] { return !process.running; });
}

void ProcessRunner::complete(std::uint32_t index, Outcome outcome) {
  processes_[index]->last_outcome = outcome;
  engine_.queue_.push(engine_.now(), kProcessResume, index, 0);
}

void ProcessRunner::stop_all() {
  for (std::uint32_t i = 0; i < processes_.size(); ++i) {
    Process& process = *processes_[i];
    if (!process.done) {
      process.stopping = true;
      resume(i);
    }
    if (process.fiber.joinable()) process.fiber.join();
  }
}

Outcome Engine::process_request(std::uint32_t process, std::uint32_t client, std::uint32_t operation) {
  start_client_request(client, services_[config_.clients[client].service].first_operation + operation, process);
  processes_->wait(process);
  return processes_->last_outcome(process);
}

void Engine::process_sleep(std::uint32_t process, TimeNs duration) {
  queue_.push(later(now_, duration), kProcessResume, process, 0);
  processes_->wait(process);
}

}  // namespace faultline::sim
