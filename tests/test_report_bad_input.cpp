// Reports that are JSON but not what faultline wrote: compare and merge answer with exit 2
// naming the file, never crash (a fuzzer found compare reading a missing key).
#include <catch2/catch.hpp>

#include <filesystem>

#include "cli_helpers.hpp"

using namespace faultline::test;

TEST_CASE("compare gives exit 2 for reports with missing or mistyped keys", "[compare][corpus]") {
  ScratchDir dir("bad-reports");
  const std::string header = R"("scenario": {"name": "s", "sha256": "abc"}, )";
  const std::vector<std::string> documents = {
      "{" + header + R"("assertions": [{}]})",
      "{" + header + R"("assertions": [1, 2]})",
      "{" + header + R"("assertions": [{"name": "a"}]})",
      "{" + header + R"("assertions": [], "clients": [{"name": 3}]})",
      "{" + header + R"("assertions": [], "kind": "faultline-sweep"})",
      "{" + header + R"("assertions": [], "seed": 1, "faultline_version": 7})",
  };
  for (std::size_t i = 0; i < documents.size(); ++i) {
    INFO(documents[i]);
    const std::string path = dir / ("r" + std::to_string(i) + ".json");
    std::ofstream(path) << documents[i];
    const auto result = run_faultline("compare " + path + " " + path, dir);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, path));
  }
}

TEST_CASE("merge gives exit 2 for a seeds file with missing keys", "[sweep][corpus]") {
  ScratchDir dir("bad-seeds");
  std::filesystem::create_directories(dir / "shard");
  std::ofstream(dir / "shard/seeds.json") << R"({"kind": "faultline-sweep-seeds", "faultline_version": "0.1.0"})";
  const auto result = run_faultline("merge " + (dir / "shard") + " --out " + (dir / "out"), dir);
  CHECK(result.exit_code == 2);
}
