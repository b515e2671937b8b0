// Fuzz target: the scenario loader and validator must turn any bytes into a scenario or a
// located error, never a crash, hang or sanitizer report. Loaded scenarios are also simulated
// briefly, so the engine sees what the loader lets through.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/loader.hpp"
#include "harness/runner.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultline;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const harness::JsonSource source = harness::JsonSource::parse("fuzz.json", text);
    harness::LoadLimits limits;
    limits.max_instances = 200;
    limits.max_clients = 20;
    limits.max_users = 200;
    limits.max_rate_per_s = 10000;
    limits.max_duration_ns = 10 * sim::kSecond;
    harness::Scenario scenario = harness::load_scenario(source, limits);
    harness::RunLimits run_limits;
    run_limits.engine.max_events = 20000;
    harness::run_scenario(scenario, scenario.model.seed, run_limits);
  } catch (const harness::InputError&) {
  } catch (const harness::LimitError&) {
  }
  return 0;
}
