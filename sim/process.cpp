// Closed-loop users as fibers: request, wait for the answer, think, repeat.
#include "sim/process.hpp"

#include <string>


namespace faultline::sim {

ProcessRunner::ProcessRunner(ProcessHost& host, const ModelConfig& config) : host_(host), config_(config) {}

ProcessRunner::~ProcessRunner() { stop_all(); }

void ProcessRunner::spawn_user(std::uint32_t client, std::uint32_t user) {
  const std::uint32_t index = static_cast<std::uint32_t>(processes_.size());
  auto process = std::make_unique<Process>();
  process->client = client;
  process->user = user;
  const ClientConfig& config = config_.clients[client];
  process->rng = Rng::stream(config_.seed, "client/" + config.name + "/user/" + std::to_string(user));
  processes_.push_back(std::move(process));
  // Small stacks: a user's loop is shallow, and thousands of users must fit.
  processes_.back()->fiber = boost::fibers::fiber(std::allocator_arg, boost::fibers::fixedsize_stack(64 * 1024),
                                                  [this, index] { user_loop(index); });
  host_.schedule_process_resume(config.start_ns, index);
}

void ProcessRunner::user_loop(std::uint32_t index) {
  {
    std::unique_lock<boost::fibers::mutex> lock(mutex_);
    processes_[index]->wake.wait(lock, [&] { return processes_[index]->running; });
  }
  Process& self = *processes_[index];
  const ClientConfig& config = config_.clients[self.client];
  // A user whose cycles take no simulated time at all (requests that fail at once, zero think
  // time) would spin at one instant until --max-events; after this many such cycles in a row
  // the run stops, naming the client.
  constexpr std::uint32_t kMaxCyclesAtOneInstant = 100'000;
  std::uint32_t cycles_at_one_instant = 0;
  TimeNs instant = host_.process_clock();
  while (!self.stopping) {
    for (const SessionStep& step : config.session) {
      if (self.stopping || host_.process_clock() >= config.stop_ns) break;
      request(index, step.operation);
      if (self.stopping) break;
      const TimeNs think = sample(step.think_time, self.rng);
      sleep(index, think);
    }
    if (self.stopping || host_.process_clock() >= config.stop_ns) break;
    if (host_.process_clock() != instant) {
      instant = host_.process_clock();
      cycles_at_one_instant = 0;
    } else if (++cycles_at_one_instant >= kMaxCyclesAtOneInstant) {
      host_.stop_without_progress(self.client);
      break;
    }
  }
  std::unique_lock<boost::fibers::mutex> lock(mutex_);
  self.done = true;
  self.running = false;
  main_wake_.notify_one();
}

Outcome ProcessRunner::request(std::uint32_t index, std::uint32_t operation) {
  host_.start_process_request(index, processes_[index]->client, operation);
  wait(index);
  return processes_[index]->last_outcome;
}

void ProcessRunner::sleep(std::uint32_t index, TimeNs duration) {
  host_.schedule_process_resume(later(host_.process_clock(), duration), index);
  wait(index);
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
  host_.schedule_process_resume(host_.process_clock(), index);
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

}  // namespace faultline::sim
