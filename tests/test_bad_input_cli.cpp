// Every malformed scenario, given to the real program: exit 2 (or 4 for a limit), a message
// naming file:line:column, and no output file written. How fast it is refused is measured in
// bench/ (bad-input figures), never asserted here: a busy machine must not fail the suite.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "cli_helpers.hpp"

using namespace faultline::test;

TEST_CASE("each malformed scenario exits 2 or 4 with a located message and writes nothing", "[cli][corpus]") {
  ScratchDir dir("bad-cli");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kSourceDir + "/tests/data/bad")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 50);
  const std::regex located(R"(:[0-9]+:[0-9]+: )");
  for (const auto& file : files) {
    INFO(file.filename().string());
    const std::string report = dir / "report.json";
    const auto result = run_faultline("run '" + file.string() + "' --report " + report + " --html " + (dir / "r.html"), dir);
    CHECK((result.exit_code == 2 || result.exit_code == 4));
    CHECK(contains(result.err, file.filename().string()));
    CHECK(std::regex_search(result.err, located));
    CHECK_FALSE(std::filesystem::exists(report));
    CHECK_FALSE(std::filesystem::exists(dir / "r.html"));
  }
}

TEST_CASE("an empty file, a directory and a missing file are input errors", "[cli][corpus]") {
  ScratchDir dir("bad-cli-files");
  std::ofstream(dir / "empty.json") << "";
  for (const std::string& path : {dir / "empty.json", dir.path.string(), dir / "missing.json"}) {
    INFO(path);
    const auto result = run_faultline("run " + path + " --report " + (dir / "r.json"), dir);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, path));
    CHECK_FALSE(std::filesystem::exists(dir / "r.json"));
  }
}
