// Running independent, deterministic jobs on a few threads. Results go into slots indexed by
// job number, so what the caller reads never depends on which thread ran which job.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "harness/interrupt.hpp"

namespace faultline::harness {

// Calls job(i) for every i in [0, count) on up to `threads` threads. After SIGINT/SIGTERM no new
// job starts. Rethrows the first exception a job raised (no new job starts after it).
template <typename Job>
void run_parallel(std::size_t count, unsigned threads, Job job) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> abort{false};
  std::mutex mutex;
  std::exception_ptr error;
  auto worker = [&]() {
    while (!abort.load() && interrupted() == 0) {
      const std::size_t index = next.fetch_add(1);
      if (index >= count) break;
      try {
        job(index);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        abort.store(true);
      }
    }
  };
  const std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(threads, count));
  std::vector<std::thread> pool;
  pool.reserve(n);
  for (std::size_t t = 0; t < n; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace faultline::harness
