// The registry of fault kinds: one unit per kind, in FaultKind's order. Adding a kind adds
// its file in faults/kinds/, its options struct and enum entry in faults/fault.hpp, and one
// line here.
#include <algorithm>
#include <array>

#include "faults/kind.hpp"

namespace faultline::faults {

namespace kinds {
extern const KindUnit crash_unit, shutdown_unit, hang_unit, pause_unit, slowdown_unit, worker_loss_unit,
    queue_shrink_unit, error_ratio_unit, operation_errors_unit, latency_unit, packet_loss_unit, blackhole_unit,
    partition_unit, bandwidth_unit, zone_down_unit, registry_outage_unit, registry_delay_unit,
    flapping_health_check_unit, stale_entries_unit, chaos_monkey_unit;
}  // namespace kinds

namespace {

const std::array<const KindUnit*, kFaultKindCount> kUnits{
    &kinds::crash_unit,          &kinds::shutdown_unit,         &kinds::hang_unit,
    &kinds::pause_unit,          &kinds::slowdown_unit,         &kinds::worker_loss_unit,
    &kinds::queue_shrink_unit,   &kinds::error_ratio_unit,      &kinds::operation_errors_unit,
    &kinds::latency_unit,        &kinds::packet_loss_unit,      &kinds::blackhole_unit,
    &kinds::partition_unit,      &kinds::bandwidth_unit,        &kinds::zone_down_unit,
    &kinds::registry_outage_unit, &kinds::registry_delay_unit,  &kinds::flapping_health_check_unit,
    &kinds::stale_entries_unit,  &kinds::chaos_monkey_unit,
};

// Each options struct sits at its kind's index in FaultOptions.
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(FaultKind::crash), FaultOptions>, CrashOptions>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(FaultKind::latency), FaultOptions>, LatencyOptions>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(FaultKind::chaos_monkey), FaultOptions>,
                             ChaosMonkeyOptions>);

template <std::size_t... I>
FaultOptions options_at(std::size_t index, std::index_sequence<I...>) {
  FaultOptions out;
  ((index == I ? (out.emplace<I>(), 0) : 0), ...);
  return out;
}

}  // namespace

std::span<const KindUnit* const> fault_kinds() { return kUnits; }

const KindUnit& kind_unit(FaultKind kind) { return *kUnits[static_cast<std::size_t>(kind)]; }

const char* fault_kind_name(FaultKind kind) { return kind_unit(kind).name.data(); }

const KindUnit* find_kind(std::string_view name) {
  for (const KindUnit* unit : kUnits) {
    if (unit->name == name) return unit;
  }
  return nullptr;
}

std::span<const std::string_view> all_option_keys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> out;
    for (const KindUnit* unit : kUnits) {
      for (std::string_view key : unit->option_keys) {
        if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
      }
    }
    return out;
  }();
  return keys;
}

FaultOptions default_options(FaultKind kind) {
  return options_at(static_cast<std::size_t>(kind), std::make_index_sequence<kFaultKindCount>{});
}

FaultSpec make_fault_spec(std::string name, FaultKind kind, TimeNs at_ns, TimeNs duration_ns) {
  FaultSpec spec;
  spec.name = std::move(name);
  spec.kind = kind;
  spec.at_ns = at_ns;
  spec.duration_ns = duration_ns;
  spec.options = default_options(kind);
  return spec;
}

}  // namespace faultline::faults
