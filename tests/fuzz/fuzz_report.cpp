// Fuzz target: reading reports, as `compare`, `run --from-report` and `merge` do, must end in
// a result or a located input error (exit 0, 1, 2 or 4) for any bytes; exit 3 (an internal
// error) or a crash is a finding. compare and --from-report read every report through the
// typed view (reports/report_view.hpp), so this fuzzes that view.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/cli.hpp"

namespace {

int run(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return faultline::harness::run_cli(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string folder = [] {
    const std::string dir = "/tmp/faultline-fuzz-report-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir + "/shard");
    // Quiet: the commands print their verdicts and errors; the fuzzer only needs exit codes.
    std::freopen("/dev/null", "w", stdout);
    return dir;
  }();
  const std::string report = folder + "/report.json";
  {
    FILE* out = std::fopen(report.c_str(), "wb");
    std::fwrite(data, 1, size, out);
    std::fclose(out);
  }
  std::filesystem::copy_file(report, folder + "/shard/seeds.json", std::filesystem::copy_options::overwrite_existing);
  const int codes[] = {
      run({"faultline", "compare", report, report}),
      run({"faultline", "compare", report, report, "--format", "json"}),
      run({"faultline", "run", "--from-report", report, "--max-events", "20000", "--max-instances", "200",
           "--max-rate", "10000", "--max-sim-time", "10s", "--max-users", "200"}),
      run({"faultline", "merge", folder + "/shard", "--out", folder + "/merged"}),
  };
  for (int code : codes) {
    if (code == faultline::harness::kExitInternal) std::abort();
  }
  return 0;
}
