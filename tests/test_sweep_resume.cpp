// An interrupted sweep keeps its finished seeds, and --resume finishes the same aggregate.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "cli_helpers.hpp"

using namespace faultline::test;

TEST_CASE("a sweep interrupted by SIGINT resumes to the same aggregate as an uninterrupted one", "[sweep][interrupt]") {
  ScratchDir dir("resume");
  const std::string scenario = kSourceDir + "/scenarios/zone-outage-failover.json";
  const auto whole = run_faultline("sweep " + scenario + " --seeds 1-30 --jobs 1 --out " + (dir / "whole"), dir);
  REQUIRE(whole.exit_code == 0);

  const std::string out = dir / "parts";
  // Interrupted once its progress lines (standard error is a file, not a terminal) show that
  // seeds have finished; 30 seeds leave room for the rest. Nothing here depends on timing.
  const std::string err = dir / "sweep.err";
  const pid_t child = spawn_faultline({"sweep", scenario, "--seeds", "1-30", "--jobs", "1", "--out", out}, err);
  const int status = interrupt_when(child, [&] { return contains(read_file(err), "seeds done"); });
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 4);
  CHECK(std::filesystem::exists(out + "/progress.json"));
  CHECK_FALSE(std::filesystem::exists(out + "/sweep.json"));  // no aggregate from a part

  const auto resumed = run_faultline("sweep " + scenario + " --seeds 1-30 --jobs 2 --out " + out + " --resume", dir);
  REQUIRE(resumed.exit_code == 0);
  CHECK(contains(resumed.err, "resuming"));
  CHECK(read_file(out + "/sweep.json") == read_file(dir / "whole/sweep.json"));
  CHECK(read_file(out + "/seeds.json") == read_file(dir / "whole/seeds.json"));
  CHECK_FALSE(std::filesystem::exists(out + "/progress.json"));
}

TEST_CASE("resuming refuses the progress of another sweep", "[sweep]") {
  ScratchDir dir("resume-other");
  const std::string out = dir / "parts";
  std::filesystem::create_directories(out);
  // Progress from a sweep of another scenario: a finished seeds file stands in for it.
  const auto other = run_faultline("sweep " + kSourceDir + "/scenarios/crash-discovery.json --seeds 1-2 --out " + (dir / "o"), dir);
  REQUIRE(other.exit_code == 0);
  std::filesystem::copy_file(dir / "o/seeds.json", out + "/progress.json");
  const auto result =
      run_faultline("sweep " + kSourceDir + "/scenarios/rolling-restart.json --seeds 1-2 --out " + out + " --resume", dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "another sweep"));
}
