// The memory budget (--max-memory): the model's size is estimated before the run, from what
// the scenario has (zone pairs, services, instances, call sites, users, time-series buckets),
// and the process's resident memory is checked while the run goes on. docs/limits.md has the
// figures behind the estimate.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "harness/scenario.hpp"

namespace faultline::harness {

inline constexpr std::uint64_t kDefaultMaxMemoryBytes = std::uint64_t{4} << 30;  // 4 GiB

struct MemoryPart {
  std::string what;  // "zone pairs (10000 zones)"
  std::uint64_t bytes = 0;
};

struct MemoryEstimate {
  std::uint64_t total_bytes = 0;
  std::vector<MemoryPart> parts;  // largest first
};

// What a run of `scenario` needs, about (within a factor of two for large models).
MemoryEstimate estimate_memory(const Scenario& scenario);

// Throws LimitError (exit 4) when the estimate is over `budget_bytes`, naming the budget, the
// largest parts and how to raise it.
void check_memory_budget(const Scenario& scenario, std::uint64_t budget_bytes);

// The process's resident memory now (from /proc/self/statm; 0 where unknown).
std::uint64_t resident_bytes();

// "4 GiB", "512 MiB", "300 KiB", "12 bytes".
std::string bytes_text(std::uint64_t bytes);

// Parses a --max-memory value: bytes, or a number with a unit (K, M, G, T, KiB, MiB, GiB, TiB;
// all powers of 1024). Returns 0 on bad syntax.
std::uint64_t parse_bytes(const std::string& text);

}  // namespace faultline::harness
