// Fuzz target: reading reports (as compare, merge and --from-report do) must give a report or a
// located error for any bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/json_source.hpp"
#include "harness/report_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultline;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const harness::JsonSource source = harness::JsonSource::parse("fuzz-report.json", text);
    harness::read_report_for_fuzzing(source);
  } catch (const harness::InputError&) {
  }
  return 0;
}
