// Checks that stay on: FAULTLINE_ASSERT survives Release builds (NDEBUG), the conservation
// checker names what does not balance, and `run --check-invariants` runs library scenarios
// to the same report as without (the invariants hold there).
#include <catch2/catch.hpp>

#include <string>

#include "cli_helpers.hpp"
#include "sim/check.hpp"
#include "sim/invariant_checker.hpp"

using namespace faultline;
using namespace faultline::test;

TEST_CASE("FAULTLINE_ASSERT is checked in every build type, NDEBUG or not", "[invariants]") {
  const int two = 2;
  CHECK_NOTHROW(FAULTLINE_ASSERT(two == 2));
  CHECK_THROWS_AS(FAULTLINE_ASSERT(two == 3), sim::InvariantViolation);
}

TEST_CASE("the conservation checker names the client or instance that does not balance", "[invariants]") {
  CHECK_NOTHROW(sim::InvariantChecker::check_client("web", sim::kSecond, 10, 7, 3));
  CHECK_THROWS_WITH(sim::InvariantChecker::check_client("web", 2 * sim::kSecond, 10, 7, 2),
                    Catch::Contains("client web at simulated time 2.000000000s: started 10 != finished 7 + outstanding 2"));
  CHECK_NOTHROW(sim::InvariantChecker::check_instance("api/0", 0, 10, 5, 1, 2, 2));
  CHECK_THROWS_WITH(sim::InvariantChecker::check_instance("api/0", 0, 10, 5, 1, 2, 1),
                    Catch::Contains("instance api/0"));
}

TEST_CASE("run --check-invariants gives the same report as a plain run on library scenarios", "[invariants][cli]") {
  ScratchDir dir("invariants");
  for (const std::string name : {"crash-discovery", "zone-outage-failover"}) {
    const std::string scenario = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/" + name + ".json";
    const auto plain = run_faultline("run " + scenario + " --seed 2 --report " + (dir / (name + "-plain.json")), dir);
    const auto checked =
        run_faultline("run " + scenario + " --seed 2 --check-invariants --report " + (dir / (name + "-checked.json")), dir);
    CHECK(checked.exit_code == plain.exit_code);
    CHECK(checked.exit_code != 3);
    CHECK(read_file(dir / (name + "-plain.json")) == read_file(dir / (name + "-checked.json")));
  }
}
