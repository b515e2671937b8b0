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

// Structure-aware mutation: a scenario that parses as JSON has one of its numbers or durations
// replaced by a value at an extreme (the class of input that overflows time arithmetic), or a
// key's value swapped for another's; anything else falls back to libFuzzer's byte mutations.
// With tests/fuzz/scenario.dict (keys and extreme values) the fuzzer finds that class by itself.
#include <nlohmann/json.hpp>

#include <cstring>
#include <random>
#include <vector>

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

using Json = nlohmann::ordered_json;

const char* const kExtremes[] = {
    "0", "1", "-1", "4294967295", "4294967296", "9007199254740992", "9007199254740993", "18446744073709551615",
    "1e308", "-1e308", "5e-324", "1.0000001", "0.5",
    "\"0s\"", "\"1ns\"", "\"9223372036854775807ns\"", "\"9223372036854775808ns\"", "\"2562047h47m16.854775807s\"",
    "\"292y\"", "\"-1s\"", "\"100%\"", "\"0%\"", "\"1ms\"", "\"1h\""};

bool looks_like_duration(const Json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  return !text.empty() && text.size() < 40 && (text[0] >= '0' && text[0] <= '9') &&
         text.find_first_of("smhun") != std::string::npos;
}

void collect(Json& value, std::vector<Json*>& leaves) {
  if (value.is_number() || looks_like_duration(value)) leaves.push_back(&value);
  if (value.is_object()) {
    for (auto& [key, member] : value.items()) collect(member, leaves);
  } else if (value.is_array()) {
    for (auto& item : value) collect(item, leaves);
  }
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  std::minstd_rand random(seed);
  if (random() % 4 != 0) {
    Json document = Json::parse(reinterpret_cast<const char*>(data), reinterpret_cast<const char*>(data) + size, nullptr,
                                false);
    if (!document.is_discarded()) {
      std::vector<Json*> leaves;
      collect(document, leaves);
      if (!leaves.empty()) {
        Json& target = *leaves[random() % leaves.size()];
        if (random() % 8 == 0 && leaves.size() > 1) {
          target = *leaves[random() % leaves.size()];  // another key's value
        } else {
          target = Json::parse(kExtremes[random() % std::size(kExtremes)]);
        }
        const std::string text = document.dump(1);
        if (text.size() <= max_size) {
          std::memcpy(data, text.data(), text.size());
          return text.size();
        }
      }
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}
