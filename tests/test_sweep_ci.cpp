// A sweep's CI outputs through the real program: --junit (one testcase per assertion with its
// pass ratio and failing seeds), --summary and $GITHUB_STEP_SUMMARY, --github annotations, and
// the progress lines on a standard error that is not a terminal (or is one that takes no
// escape codes).
#include <filesystem>

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

using namespace faultline::test;
using json = nlohmann::ordered_json;

namespace {

const std::string kTiny = fixture("tiny-sweep.json");

}  // namespace

TEST_CASE("sweep --junit writes one testcase per assertion with its pass ratio and failing seeds", "[sweep][ci]") {
  ScratchDir dir("sweep-junit");
  const auto sweep = run_faultline("sweep " + kTiny + " --seeds 1-10 --jobs 2 --out " + (dir / "out") + " --junit " +
                                       (dir / "j.xml") + " --summary " + (dir / "s.md"),
                                   dir);
  REQUIRE(sweep.exit_code == 1);  // some seeds fail the availability bound (see test_sweep.cpp)
  const json aggregate = json::parse(read_file(dir / "out/sweep.json"));
  const std::string xml = read_file(dir / "j.xml");
  CHECK(run_command("xmllint --noout " + (dir / "j.xml"), dir).exit_code == 0);
  CHECK(count_of(xml, "<testcase ") == aggregate["assertions"].size());
  CHECK(contains(xml, "file=\"" + kTiny + "\""));
  CHECK(contains(xml, "line=\""));
  // The failing assertion names its ratio and its failing seeds, the first of them replayable.
  std::string seeds;
  for (const json& failure : aggregate["failures"]) {
    if (!seeds.empty()) seeds += ", ";
    seeds += std::to_string(failure["seed"].get<int>());
  }
  const json& availability = aggregate["assertions"][0];
  CHECK(contains(xml, "passed on " + availability["passed"].dump() + " of 10 seeds (pass ratio " +
                          availability["pass_ratio"].dump() + "); failing seeds: " + seeds));
  CHECK(contains(xml, "replay: faultline run " + kTiny + " --seed " + aggregate["failures"][0]["seed"].dump()));
  CHECK(count_of(xml, "<failure ") == 1);
  // --summary is the sweep's Markdown summary.
  CHECK(read_file(dir / "s.md") == read_file(dir / "out/summary.md"));
}

TEST_CASE("sweep --junit - writes the JUnit to standard output and the sweep's text to standard error", "[sweep][ci]") {
  ScratchDir dir("sweep-junit-stdout");
  const auto sweep = run_faultline("sweep " + kTiny + " --seeds 1-4 --out " + (dir / "out") + " --junit -", dir);
  REQUIRE(sweep.exit_code <= 1);
  CHECK(sweep.out.rfind("<?xml", 0) == 0);  // the whole of stdout is the JUnit document
  CHECK(contains(sweep.out, "<testcase "));
  CHECK_FALSE(std::filesystem::exists(dir / "-"));  // not a file named "-"
  CHECK(contains(sweep.err, "seeds"));
  // Only one output may take standard output, and never beside --github's annotations.
  const auto both = run_faultline("sweep " + kTiny + " --seeds 1-4 --out " + (dir / "out2") + " --junit - --summary -", dir);
  CHECK(both.exit_code == 2);
  CHECK(contains(both.err, "only one output can go to standard output"));
  CHECK_FALSE(std::filesystem::exists(dir / "out2"));
  const auto github = run_faultline("sweep " + kTiny + " --seeds 1-4 --out " + (dir / "out3") + " --summary - --github", dir);
  CHECK(github.exit_code == 2);
  CHECK(contains(github.err, "--github writes annotations to standard output"));
  CHECK_FALSE(std::filesystem::exists(dir / "out3"));
}

TEST_CASE("sweep --github annotates failing assertions and appends to the step summary", "[sweep][ci]") {
  ScratchDir dir("sweep-github");
  const auto sweep = run_command("GITHUB_STEP_SUMMARY=" + (dir / "step.md") + " timeout 300 " + kBinary + " sweep " + kTiny +
                                     " --seeds 1-10 --out " + (dir / "out") + " --github",
                                 dir);
  REQUIRE(sweep.exit_code == 1);
  CHECK(contains(sweep.out, "::error file=" + kTiny + ",line="));
  CHECK(contains(sweep.out, "failed on some seeds"));
  CHECK(contains(read_file(dir / "step.md"), read_file(dir / "out/summary.md").substr(0, 40)));
  // An invalid scenario is annotated too.
  const auto bad = run_faultline("sweep " + kSourceDir + "/tests/data/bad/duplicate-key.json --seeds 1-2 --out " +
                                     (dir / "bad") + " --github",
                                 dir);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.out, "::error file="));
}

TEST_CASE("a sweep shows plain progress lines when standard error is not a terminal", "[sweep][progress]") {
  ScratchDir dir("sweep-progress");
  const auto sweep = run_faultline("sweep " + kTiny + " --seeds 1-20 --jobs 1 --out " + (dir / "out"), dir);
  CHECK(sweep.exit_code == 1);
  // A line at least every 10% of the seeds (2 here); more when 10 s pass between them.
  CHECK(count_of(sweep.err, "faultline: sweep: ") >= 9);
  CHECK(contains(sweep.err, "/20 seeds done ("));
  CHECK_FALSE(contains(sweep.err, "\x1b"));
  CHECK_FALSE(contains(sweep.err, "\r"));
  const auto quiet = run_faultline("sweep " + kTiny + " --seeds 1-20 --jobs 1 --quiet --out " + (dir / "q"), dir);
  CHECK_FALSE(contains(quiet.err, "seeds done"));
}

TEST_CASE("on a terminal the progress line is live, and NO_COLOR or TERM=dumb take escape codes away", "[sweep][progress]") {
  ScratchDir dir("sweep-tty");
  // script(1) gives the program a pseudo-terminal; its output file records what the terminal saw.
  auto on_terminal = [&](const std::string& environment, const std::string& name) {
    const std::string command = environment + " " + kBinary + " sweep " + kTiny + " --seeds 1-20 --jobs 1 --out " +
                                (dir / name);
    run_command("timeout 300 script -qec " + std::string("'") + command + "' " + (dir / (name + ".tty")), dir);
    return read_file(dir / (name + ".tty"));
  };
  const std::string live = on_terminal("TERM=xterm", "live");
  CHECK(contains(live, "\x1b[K"));
  CHECK(contains(live, "seeds done"));
  const std::string no_color = on_terminal("TERM=xterm NO_COLOR=1", "nocolor");
  CHECK(contains(no_color, "seeds done"));
  CHECK_FALSE(contains(no_color, "\x1b"));
  const std::string dumb = on_terminal("TERM=dumb", "dumb");
  CHECK(contains(dumb, "seeds done"));
  CHECK_FALSE(contains(dumb, "\x1b"));
}
