// A fault kind as one unit: its name, how its options are read, what it may target, its
// traits, and how it starts and stops against a narrow fault context. Every kind lives in
// faults/kinds/<kind>.cpp; faults/registry.cpp lists them. The loader, the injector, the GUI
// and the report writers consult the registry instead of switching on the kind.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "faults/fault.hpp"
#include "sim/engine.hpp"

namespace faultline::faults {

// What a kind's `target` must name (the loader checks it).
enum class TargetRule : std::uint8_t {
  none,      // nothing (registry faults), or optionally a service or a zone (chaos monkey)
  service,   // target.service, narrowed by instances, zone and fraction
  zone,      // target.zone
  link,      // target.from_zone and target.to_zone
  network,   // exactly one of: a service's instances, a client, a link
};

// Whether a fault of the kind has, may have or must have a `duration`.
enum class DurationRule : std::uint8_t { optional, required, forbidden };

struct KindTraits {
  bool crashes_instances = false;   // its instances go down (no_traffic_to_crashed applies)
  bool network = false;             // acts on messages (a hop: client, link or instance)
  bool ends_at_restart = false;     // without a duration, its window closes when its victims are back
  bool shows_window = true;         // its window is an impairment to shade (not a random process)
  bool freezes_discovery = false;   // callers' views stop changing while it is active
  bool needs_operation = false;     // target.operation is required
};

// Reads a fault's option keys with located errors. The loader implements it over the file
// (every failure names file:line:column and the JSON pointer); keys not given keep the
// option struct's defaults, so a kind's reader passes its current value as the fallback.
class OptionReader {
 public:
  virtual bool has(std::string_view key) const = 0;
  virtual bool is_text(std::string_view key) const = 0;
  virtual TimeNs duration(std::string_view key, TimeNs fallback, bool positive = false) const = 0;
  virtual double ratio(std::string_view key, double fallback) const = 0;
  virtual double number(std::string_view key, double fallback) const = 0;
  virtual std::uint32_t count(std::string_view key, std::uint32_t fallback) const = 0;
  virtual bool flag(std::string_view key, bool fallback) const = 0;
  virtual sim::Distribution distribution(std::string_view key, const sim::Distribution& fallback) const = 0;
  // Fails at the key (or at the fault itself when the key is missing).
  [[noreturn]] virtual void fail(std::string_view key, const std::string& message) const = 0;
  // "a crash fault", "an error_ratio fault": for messages.
  virtual const std::string& kind_text() const = 0;

 protected:
  ~OptionReader() = default;
};

// Phases of a fault's events: the low 4 bits of the engine's phase word; the rest carries an
// instance. kStart and kEnd are every fault's; a kind may schedule its own from kTimer on.
enum FaultPhase : std::uint32_t { kStart = 0, kEnd = 1, kRestart = 2, kTimer = 3 };

// What the injector keeps per fault while it runs.
struct FaultState {
  std::vector<std::uint32_t> instances;  // selected at start (chaos monkey: its victims)
  std::vector<std::uint32_t> saved;      // values to restore, parallel to `instances`
  std::vector<std::uint32_t> links;      // zone-pair link indices affected
  sim::Rng rng;                          // the fault's own stream, if it draws
  bool active = false;
};

// The narrow view a kind has of the run: its own spec and state, target selection, scheduling
// its own phases, and the engine's fault verbs. No mutable engine record is reachable.
class FaultContext {
 public:
  FaultContext(sim::Engine& engine, const FaultSpec& spec, FaultState& state, std::uint32_t fault)
      : engine_(engine), spec_(spec), state_(state), fault_(fault) {}

  const FaultSpec& spec() const { return spec_; }
  template <typename Options>
  const Options& options() const {
    return spec_.options_as<Options>();
  }
  FaultState& state() { return state_; }
  std::uint32_t fault() const { return fault_; }
  TimeNs now() const { return engine_.now(); }
  std::uint64_t seed() const { return engine_.config().seed; }

  // The target's instances (service, narrowed by zone, indices and a seeded fraction), kept in
  // state().instances in index order.
  std::span<const std::uint32_t> select_instances();
  // The link from_zone -> to_zone, and the way back when both_directions is set.
  std::span<const std::uint32_t> select_links();
  // Schedules a phase of this fault (kRestart, or kTimer + n) at `at`, with an instance.
  void schedule(TimeNs at, std::uint32_t phase, std::uint32_t instance = 0);
  // Read-only views of the model.
  std::span<const sim::InstanceRuntime> instances() const { return engine_.instances(); }
  std::span<const sim::ServiceRuntime> services() const { return engine_.services(); }
  bool is_up(std::uint32_t instance) const { return instances()[instance].status == sim::InstanceStatus::up; }
  // The engine's fault verbs (sim/engine.hpp documents each).
  sim::Engine& verbs() { return engine_; }

 private:
  sim::Engine& engine_;
  const FaultSpec& spec_;
  FaultState& state_;
  std::uint32_t fault_;
};

// The live-mode side of a kind is described in faults/live_effect.hpp (data only: faults/
// stays free of sockets); harness/live/ applies it through its proxies.
struct LiveEffect;

// One fault kind. Function pointers, not virtual classes: the table is constant data.
struct KindUnit {
  FaultKind kind;
  std::string_view name;
  TargetRule target_rule;
  std::span<const std::string_view> target_keys;  // keys `target` may hold
  std::span<const std::string_view> option_keys;  // option keys the fault may hold
  DurationRule duration_rule;
  KindTraits traits;
  // Reads the kind's options into spec.options (already holding the defaults).
  void (*read_options)(const OptionReader& reader, FaultSpec& spec);
  void (*start)(FaultContext& context);
  void (*stop)(FaultContext& context);
  // Further phases the kind scheduled itself (kRestart, kTimer...); null when it has none.
  void (*on_phase)(FaultContext& context, std::uint32_t phase, std::uint32_t instance) = nullptr;
  // Its effect on real traffic (live mode): fills `effect` for this fault and returns null, or
  // returns why this fault has no meaning on real traffic (say, a network fault on a client).
  // Null: the kind acts on the model only, and `model_only` says why (live refuses it).
  const char* (*live)(const FaultSpec& spec, LiveEffect& effect) = nullptr;
  std::string_view model_only = {};
};

// The registry: one unit per kind, indexed by FaultKind.
std::span<const KindUnit* const> fault_kinds();
const KindUnit& kind_unit(FaultKind kind);
// The unit named `name`, or null.
const KindUnit* find_kind(std::string_view name);
// Every option key any kind accepts (for "does not apply" errors), in first-seen order.
std::span<const std::string_view> all_option_keys();

}  // namespace faultline::faults
