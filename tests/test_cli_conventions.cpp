// The command line's conventions, through the real program: help and version, --opt=value,
// duplicate and stray arguments, "-" for standard input and output, short usage errors,
// did-you-mean, and the command table behind them.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"

using namespace faultline::test;

namespace {

const std::string kCrash = kSourceDir + "/scenarios/crash-discovery.json";
const std::vector<std::string> kCommands = {"run", "validate", "sweep", "merge", "explore", "shrink", "compare", "init", "schema", "version", "help"};

std::size_t lines_of(const std::string& text) { return count_of(text, "\n"); }

// `text` with the first `from` replaced by `to` (which must be there).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("every command prints its usage for --help and -h print its usage to stdout and exit 0", "[cli][conventions]") {
  ScratchDir dir("help");
  for (const std::string& command : kCommands) {
    INFO(command);
    const auto help = run_faultline(command + " --help", dir);
    CHECK(help.exit_code == 0);
    CHECK(contains(help.out, "usage: faultline " + command));
    CHECK(help.err.empty());
    const auto short_help = run_faultline(command + " -h", dir);
    CHECK(short_help.exit_code == 0);
    CHECK(short_help.out == help.out);
    // `faultline help CMD` is the same text.
    const auto via_help = run_faultline("help " + command, dir);
    CHECK(via_help.exit_code == 0);
    CHECK(via_help.out == help.out);
  }
  const auto run_help = run_faultline("run --help", dir);
  CHECK(contains(run_help.out, "--max-events"));  // the limit flags are part of run's usage
  const auto overview = run_faultline("--help", dir);
  CHECK(overview.exit_code == 0);
  for (const std::string& command : kCommands) CHECK(contains(overview.out, "  " + command));
  const auto unknown = run_faultline("help nosuch", dir);
  CHECK(unknown.exit_code == 2);
}

TEST_CASE("version, --version and -V print the version", "[cli][conventions]") {
  ScratchDir dir("version");
  const auto version = run_faultline("version", dir);
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("faultline ", 0) == 0);
  CHECK(run_faultline("--version", dir).out == version.out);
  CHECK(run_faultline("-V", dir).out == version.out);
}

TEST_CASE("an option given as --opt=value is the same as --opt value", "[cli][conventions]") {
  ScratchDir dir("equals");
  const auto spaced = run_faultline("run " + kCrash + " --seed 5 --report " + (dir / "a.json"), dir);
  const auto joined = run_faultline("run " + kCrash + " --seed=5 --report=" + (dir / "b.json"), dir);
  CHECK(spaced.exit_code == joined.exit_code);
  CHECK(read_file(dir / "a.json") == read_file(dir / "b.json"));
  CHECK(contains(joined.out, "(seed 5)"));
}

TEST_CASE("a usage error is one line for the problem and one naming the command's --help", "[cli][conventions]") {
  ScratchDir dir("usage");
  const auto twice = run_faultline("run " + kCrash + " --seed 1 --seed 2", dir);
  CHECK(twice.exit_code == 2);
  CHECK(contains(twice.err, "--seed is given twice"));
  CHECK(contains(twice.err, "see 'faultline run --help'"));
  CHECK(lines_of(twice.err) == 2);
  CHECK(twice.out.empty());

  const auto stray = run_faultline("schema --bogus", dir);
  CHECK(stray.exit_code == 2);
  CHECK(contains(stray.err, "unknown option --bogus"));
  CHECK(lines_of(stray.err) == 2);
  CHECK(stray.out.empty());
  CHECK(run_faultline("schema extra", dir).exit_code == 2);
  CHECK(run_faultline("version extra", dir).exit_code == 2);

  const auto extra = run_faultline("run " + kCrash + " " + kCrash, dir);
  CHECK(extra.exit_code == 2);
  CHECK(contains(extra.err, "unexpected argument"));

  const auto typo = run_faultline("run " + kCrash + " --reprot r.json", dir);
  CHECK(typo.exit_code == 2);
  CHECK(contains(typo.err, "unknown option --reprot (did you mean --report?)"));

  const auto flag_value = run_faultline("run " + kCrash + " --stats=yes", dir);
  CHECK(flag_value.exit_code == 2);

  const auto command = run_faultline("rnu " + kCrash, dir);
  CHECK(command.exit_code == 2);
  CHECK(contains(command.err, "did you mean \"run\""));
  CHECK(contains(command.err, "see 'faultline --help'"));
  CHECK(lines_of(command.err) == 2);

  const auto sweep_twice = run_faultline("sweep " + kCrash + " --seeds 1-2 --seeds 3-4 --out " + (dir / "o"), dir);
  CHECK(sweep_twice.exit_code == 2);
  CHECK(contains(sweep_twice.err, "see 'faultline sweep --help'"));
  CHECK_FALSE(std::filesystem::exists(dir / "o"));
}

TEST_CASE("\"-\" reads the scenario from standard input and writes one output to standard output", "[cli][conventions]") {
  ScratchDir dir("stdin");
  const auto validated = run_command("timeout 300 " + kBinary + " validate - < " + kCrash, dir);
  CHECK(validated.exit_code == 0);
  CHECK(contains(validated.out, "<stdin>: valid"));

  const auto file_run = run_faultline("run " + kCrash + " --report " + (dir / "file.json"), dir);
  const auto piped = run_command("timeout 300 " + kBinary + " run - --report - < " + kCrash, dir);
  CHECK(piped.exit_code == file_run.exit_code);
  // The report alone goes to stdout; the verdict moves to stderr. Only the file name differs.
  const auto from_stdin = nlohmann::json::parse(piped.out);
  const auto from_file = nlohmann::json::parse(read_file(dir / "file.json"));
  CHECK(from_stdin["trace_hash"] == from_file["trace_hash"]);
  CHECK(contains(piped.err, "trace_hash"));

  const auto bad = run_command("echo '{\"version\": 1,' | timeout 300 " + kBinary + " validate -", dir);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "<stdin>:"));

  const auto two = run_faultline("run " + kCrash + " --report - --junit -", dir);
  CHECK(two.exit_code == 2);
  CHECK(contains(two.err, "only one output"));
}

TEST_CASE("a typo'd key next to a missing required key leads with the typo", "[cli][conventions]") {
  ScratchDir dir("typo");
  std::string text = read_file(kCrash);
  text = replaced(text, "\"version\"", "\"versoin\"");
  std::ofstream(dir / "typo.json") << text;
  for (const std::string command : {"validate", "run"}) {
    const auto result = run_faultline(command + " " + (dir / "typo.json"), dir);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "unknown key \"versoin\" (did you mean \"version\"?)"));
    CHECK_FALSE(contains(result.err, "missing required key \"version\""));
  }
}

TEST_CASE("validate lists every error it finds, schema and semantic, each located, up to a cap", "[cli][conventions][validate]") {
  ScratchDir dir("all-errors");
  // Two schema errors in different places.
  std::string schema_bad = read_file(kCrash);
  schema_bad = replaced(schema_bad, "\"workers\": 8", "\"workers\": 0");
  schema_bad = replaced(schema_bad, "\"rate\": 200", "\"rate\": \"x\"");
  std::ofstream(dir / "schema.json") << schema_bad;
  const auto schema = run_faultline("validate " + (dir / "schema.json"), dir);
  CHECK(schema.exit_code == 2);
  CHECK(contains(schema.err, "/services/0/workers"));
  CHECK(contains(schema.err, "/clients/0/open_loop/rate"));

  // Three semantic errors: an unknown fault target and two assertions naming unknown clients.
  std::string semantic = read_file(kCrash);
  semantic = replaced(semantic, "\"target\": {\"service\": \"payments\"", "\"target\": {\"service\": \"nopay\"");
  std::ofstream(dir / "semantic.json") << semantic;
  const auto one = run_faultline("validate " + (dir / "semantic.json"), dir);
  CHECK(one.exit_code == 2);
  CHECK(contains(one.err, "unknown service \"nopay\""));

  std::string assertions = read_file(kCrash);
  for (int i = 0; i < 2; ++i) {
    assertions = replaced(assertions, "\"client\": \"checkout\"", "\"client\": \"chekout\"");
  }
  std::ofstream(dir / "assertions.json") << assertions;
  const auto many = run_faultline("validate " + (dir / "assertions.json"), dir);
  CHECK(many.exit_code == 2);
  CHECK(count_of(many.err, "unknown client \"chekout\"") == 2);
  CHECK(count_of(many.err, "assertions.json:") >= 2);

  // A file with more errors than the cap lists the cap and says it stopped.
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(read_file(kCrash));
  for (int i = 0; i < 40; ++i) {
    doc["assertions"].push_back({{"name", "a" + std::to_string(i)}, {"type", "availability"}, {"client", "ghost"}, {"min", "99%"}});
  }
  std::ofstream(dir / "many.json") << doc.dump(2);
  const auto capped = run_faultline("validate " + (dir / "many.json"), dir);
  CHECK(capped.exit_code == 2);
  CHECK(count_of(capped.err, "unknown client \"ghost\"") == 20);
  CHECK(contains(capped.err, "stopped after 20 errors"));
  const auto wider = run_faultline("validate --max-errors 50 " + (dir / "many.json"), dir);
  CHECK(count_of(wider.err, "unknown client \"ghost\"") == 40);
}

TEST_CASE("validate scenarios/*.json passes and skips the schema file", "[cli][conventions][validate]") {
  ScratchDir dir("glob");
  const auto result = run_command("cd " + kSourceDir + " && timeout 300 " + kBinary + " validate scenarios/*.json", dir);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "scenarios/faultline.schema.json: skipped"));
  CHECK(contains(result.out, "scenarios/crash-discovery.json: valid"));
  // The scenario files' "$schema" still points at the schema beside them.
  CHECK(contains(read_file(kCrash), "\"$schema\": \"./faultline.schema.json\""));
}

TEST_CASE("validate --github annotates each error at its line", "[cli][conventions][validate]") {
  ScratchDir dir("validate-github");
  std::string text = read_file(kCrash);
  text = replaced(text, "\"workers\": 8", "\"workers\": 0");
  std::ofstream(dir / "bad.json") << text;
  const auto result = run_faultline("validate --github " + (dir / "bad.json"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.out, "::error file=" + (dir / "bad.json") + ",line="));
}

TEST_CASE("run --stats reports this process's own peak memory, not its parent's", "[cli][conventions]") {
  ScratchDir dir("stats");
  // A parent holding 400 MiB launches faultline; ru_maxrss would report at least that.
  const auto result = run_command("python3 -c \"import subprocess,sys; held = bytearray(400 << 20); "
                                  "sys.exit(subprocess.run(['" + kBinary + "', 'run', '" + kCrash +
                                      "', '--stats']).returncode)\"",
                                  dir);
  REQUIRE(result.exit_code == 0);
  const auto at = result.err.find("peak memory ");
  REQUIRE(at != std::string::npos);
  const double mib = std::stod(result.err.substr(at + 12));
  CHECK(mib > 0);
  CHECK(mib < 300);
}

TEST_CASE("init writes a starter scenario that validates and runs, and never overwrites a file", "[cli][conventions][init]") {
  ScratchDir dir("init");
  for (const std::string& name : {std::string("basic"), std::string("chain")}) {
    INFO(name);
    const std::string file = dir / (name + ".json");
    const auto written = run_faultline("init --template " + name + " " + file, dir);
    REQUIRE(written.exit_code == 0);
    CHECK(contains(written.out, "faultline run " + file));
    CHECK(run_faultline("validate " + file, dir).exit_code == 0);
    const auto ran = run_faultline("run " + file, dir);
    CHECK(ran.exit_code == 0);  // a starter that fails its own assertions would teach nothing
    CHECK(contains(read_file(file), "\"description\""));
  }
  CHECK(read_file(dir / "basic.json") == run_faultline("init -", dir).out);
  // An existing file is left as it was.
  std::ofstream(dir / "mine.json") << "my work";
  const auto refused = run_faultline("init " + (dir / "mine.json"), dir);
  CHECK(refused.exit_code == 2);
  CHECK(contains(refused.err, "already exists"));
  CHECK(read_file(dir / "mine.json") == "my work");
  const auto unknown = run_faultline("init --template nosuch " + (dir / "x.json"), dir);
  CHECK(unknown.exit_code == 2);
  CHECK(contains(unknown.err, "basic, chain"));
  CHECK_FALSE(std::filesystem::exists(dir / "x.json"));
}
