// Output files through the real program: never an input, never twice, never a folder; streams
// written in place; symlinks followed; all outputs or none, even when interrupted or killed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <filesystem>

#include "cli_helpers.hpp"

using namespace faultline::test;
namespace fs = std::filesystem;

namespace {

const std::string kScenario = kSourceDir + "/tests/data/hostile/arithmetic/think-time-max.json";

std::string scenario_copy(const ScratchDir& dir) {
  fs::copy_file(kScenario, dir / "s.json");
  return dir / "s.json";
}

bool has_temporaries(const ScratchDir& dir) {
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    if (contains(entry.path().filename().string(), ".tmp.")) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("an output naming the scenario, however spelled, is refused before any work", "[cli][outputs]") {
  ScratchDir dir("out-input");
  const std::string scenario = scenario_copy(dir);
  const std::string original = read_file(scenario);
  fs::create_hard_link(scenario, dir / "hard.json");
  fs::create_symlink(scenario, dir / "link.json");
  for (const std::string& spelling : {scenario, dir / "./s.json", dir / "hard.json", dir / "link.json"}) {
    for (const char* flag : {"--report", "--html", "--junit", "--summary", "--timeseries", "--trace"}) {
      INFO(flag << " " << spelling);
      const auto result = run_faultline("run " + scenario + " " + flag + " " + spelling, dir);
      CHECK(result.exit_code == 2);
      CHECK(contains(result.err, "is the input"));
      CHECK(read_file(scenario) == original);
    }
  }
}

TEST_CASE("two outputs to one file are refused, and nothing is written", "[cli][outputs]") {
  ScratchDir dir("out-twice");
  const std::string scenario = scenario_copy(dir);
  auto result = run_faultline("run " + scenario + " --report " + (dir / "x") + " --html " + (dir / "x"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "name the same file"));
  CHECK_FALSE(fs::exists(dir / "x"));
  // The same file by two spellings, existing already.
  std::ofstream(dir / "y") << "previous";
  result = run_faultline("run " + scenario + " --report " + (dir / "y") + " --junit " + (dir / "./y"), dir);
  CHECK(result.exit_code == 2);
  CHECK(read_file(dir / "y") == "previous");
}

TEST_CASE("an output that is a folder is refused before the run writes any other output", "[cli][outputs]") {
  ScratchDir dir("out-folder");
  const std::string scenario = scenario_copy(dir);
  fs::create_directory(dir / "folder");
  const auto result = run_faultline("run " + scenario + " --report " + (dir / "r.json") + " --html " + (dir / "folder"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "is a folder"));
  CHECK_FALSE(fs::exists(dir / "r.json"));
  CHECK(fs::is_directory(dir / "folder"));
}

TEST_CASE("a character device is written in place: a full device is exit 2 and stays a device", "[cli][outputs]") {
  ScratchDir dir("out-device");
  const std::string scenario = scenario_copy(dir);
  const std::string full = dir / "full";
  if (::mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0) {
    WARN("cannot create a device node here (not root?); using /dev/full itself");
  }
  const std::string target = fs::exists(full) ? full : "/dev/full";
  auto result = run_faultline("run " + scenario + " --report " + target + " --html " + (dir / "r.html"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "No space left on device"));
  CHECK(fs::is_character_file(target));
  CHECK_FALSE(fs::exists(dir / "r.html"));  // all or nothing
  // /dev/null takes the report as a stream and stays /dev/null.
  result = run_faultline("run " + scenario + " --report /dev/null", dir);
  CHECK(result.exit_code == 0);
  CHECK(fs::is_character_file("/dev/null"));
  // /dev/stdout (a symlink into /proc) carries the report on standard output.
  result = run_faultline("run " + scenario + " --report /dev/stdout", dir);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "\"faultline_version\""));
}

TEST_CASE("/dev/stdout redirected to a file gets the whole report, with the verdict on stderr as for '-'",
          "[cli][outputs]") {
  ScratchDir dir("out-stdout-file");
  const std::string scenario = scenario_copy(dir);
  REQUIRE(run_faultline("run " + scenario + " --report " + (dir / "expected.json"), dir).exit_code == 0);
  const std::string expected = read_file(dir / "expected.json");
  // Opened anew, /dev/stdout would start at offset 0 of the file and the verdict printed after
  // it would overwrite the report's beginning; a symlink to /proc/self/fd/1 is the same file.
  fs::create_symlink("/proc/self/fd/1", dir / "to-stdout");
  for (const std::string& target : {std::string("/dev/stdout"), std::string(dir / "to-stdout")}) {
    INFO(target);
    const auto result = run_command(kBinary + " run " + scenario + " --report " + target + " > " + (dir / "out.json"), dir);
    CHECK(result.exit_code == 0);
    CHECK(read_file(dir / "out.json") == expected);
    CHECK(contains(result.err, "PASS"));
    CHECK(fs::is_symlink(dir / "to-stdout"));
  }
  // Appended to: what was there stays, the report follows it whole.
  std::ofstream(dir / "log") << "before\n";
  const auto appended = run_command(kBinary + " run " + scenario + " --junit /dev/stdout >> " + (dir / "log"), dir);
  CHECK(appended.exit_code == 0);
  const std::string log = read_file(dir / "log");
  CHECK(log.rfind("before\n<?xml", 0) == 0);
  CHECK_FALSE(contains(log, "PASS "));
}

TEST_CASE("a FIFO output is written as a stream when a reader waits, and refused without one", "[cli][outputs]") {
  ScratchDir dir("out-fifo");
  const std::string scenario = scenario_copy(dir);
  const std::string fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  auto result = run_faultline("run " + scenario + " --report " + fifo, dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "no process is reading"));
  // A reader that is there before the run (the report fits in the pipe's buffer).
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  result = run_faultline("run " + scenario + " --report " + fifo, dir);
  CHECK(result.exit_code == 0);
  std::string received;
  char buffer[4096];
  for (ssize_t n; (n = ::read(reader, buffer, sizeof buffer)) > 0;) received.append(buffer, static_cast<std::size_t>(n));
  ::close(reader);
  CHECK(contains(received, "\"faultline_version\""));
  CHECK(fs::is_fifo(fifo));
}

TEST_CASE("a FIFO whose reader never reads does not hold the run: SIGINT stops it with exit 4, no file replaced",
          "[cli][outputs][signals]") {
  ScratchDir dir("out-fifo-stuck");
  // 1 ms buckets for 20 s: a time series far larger than a pipe's buffer.
  std::string text = read_file(kScenario);
  text.replace(text.find("\"zones\""), 0, "\"metrics\": {\"bucket\": \"1ms\"},\n  ");
  std::ofstream(dir / "s.json") << text;
  std::ofstream(dir / "r.json") << "previous report";
  const std::string fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // open, and never read
  REQUIRE(reader >= 0);
  const pid_t child = spawn_faultline({"run", dir / "s.json", "--timeseries", fifo, "--report", dir / "r.json"},
                                      dir / "err.txt");
  // Ready once the pipe is full: faultline is then waiting for a reader that does not read.
  const int status = interrupt_when(child, [&] {
    int queued = 0;
    return ::ioctl(reader, FIONREAD, &queued) == 0 && queued >= 65536;
  });
  ::close(reader);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 4);
  const std::string err = read_file(dir / "err.txt");
  // The stream took what its pipe holds, and the message says so.
  CHECK(contains(err, "while writing the outputs (" + fifo + " got "));
  CHECK(contains(err, "no regular file was written"));
  CHECK_FALSE(contains(err, "nothing was written"));
  CHECK(read_file(dir / "r.json") == "previous report");
  CHECK_FALSE(has_temporaries(dir));

  // --max-wall ends the same wait with exit 4. If the budget ran out while the pipe was being
  // filled (the run itself takes well under 2 s), the message says what the stream got;
  // spent earlier, nothing was written, and it says that.
  const int idle_reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(idle_reader >= 0);
  const auto spent = run_faultline("run " + (dir / "s.json") + " --max-wall 2s --timeseries " + fifo + " --report " +
                                       (dir / "r.json"),
                                   dir);
  ::close(idle_reader);
  CHECK(spent.exit_code == 4);
  CHECK(contains(spent.err, "max_wall"));
  if (contains(spent.err, "writing the stream")) {
    CHECK(contains(spent.err, fifo + " got "));
    CHECK_FALSE(contains(spent.err, "nothing was written"));
  } else {
    CHECK(contains(spent.err, "nothing was written"));
  }
  CHECK(read_file(dir / "r.json") == "previous report");
}

TEST_CASE("an interrupt while the scenario is being read stops with exit 4 and writes nothing", "[cli][outputs][signals]") {
  ScratchDir dir("load-interrupt");
  // A scenario arriving through a FIFO whose writer sends half of it and waits: faultline is
  // loading, for as long as the writer likes.
  const std::string fifo = dir / "s.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const int keep_open = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(keep_open >= 0);
  const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
  REQUIRE(writer >= 0);
  const std::string half = "{\"version\": 1,\n \"name\": \"half\",\n";
  REQUIRE(::write(writer, half.data(), half.size()) == static_cast<ssize_t>(half.size()));
  for (const std::string command : {"run", "validate"}) {
    INFO(command);
    std::vector<std::string> args{command, fifo};
    if (command == "run") args.insert(args.end(), {"--report", dir / "r.json"});
    const pid_t child = spawn_faultline(args, dir / "err.txt");
    const int status = interrupt_when(child, [] { return true; });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 4);
    const std::string err = read_file(dir / "err.txt");
    CHECK(contains(err, "interrupted by signal 2 (SIGINT) while reading " + fifo));
    CHECK(contains(err, "nothing was written"));
  }
  ::close(writer);
  ::close(keep_open);
  CHECK_FALSE(fs::exists(dir / "r.json"));
  CHECK_FALSE(has_temporaries(dir));
}

namespace {

// Runs ARGV with standard output on a pipe whose reader is already gone and SIGPIPE at its
// default action (as in a shell; the test runner may ignore it, and exec keeps that), standard
// error to `err_path`. Returns the wait status.
int run_with_stdout_closed_by_reader(const std::vector<std::string>& args, const std::string& err_path) {
  int ends[2];
  if (::pipe(ends) != 0) return -1;
  ::close(ends[0]);
  const pid_t child = ::fork();
  if (child == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(ends[1], STDOUT_FILENO);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err < 0) _exit(127);
    ::dup2(err, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(kBinary.c_str())};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::alarm(300);  // hang guard
    ::execv(kBinary.c_str(), argv.data());
    _exit(127);
  }
  ::close(ends[1]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return status;
}

}  // namespace

TEST_CASE("a reader that closes its pipe early gets exit 2 and one line, not death by SIGPIPE", "[cli][outputs]") {
  ScratchDir dir("out-epipe");
  const std::string scenario = scenario_copy(dir);
  std::ofstream(dir / "r.json") << "previous report";
  // An output on '-' (a stream): exit 2, and the regular outputs of the run are not replaced.
  int status = run_with_stdout_closed_by_reader({"run", scenario, "--junit", "-", "--report", dir / "r.json"}, dir / "err.txt");
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  std::string err = read_file(dir / "err.txt");
  CHECK(contains(err, "cannot write standard output (--junit): its reader closed it before the end (EPIPE"));
  CHECK(read_file(dir / "r.json") == "previous report");
  // Text the command prints (the schema, 170 KB): the same.
  status = run_with_stdout_closed_by_reader({"schema"}, dir / "err.txt");
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  err = read_file(dir / "err.txt");
  CHECK(contains(err, "cannot write standard output: its reader closed the pipe before the end (EPIPE)"));
  CHECK(count_of(err, "\n") == 1);
  // As people write it: `| head -c 10`, the schema being far larger than the pipe's buffer.
  const auto head = run_command("{ " + kBinary + " schema 2> " + (dir / "err.txt") +
                                    "; echo $? > " + (dir / "code.txt") + "; } | head -c 10",
                                dir);
  CHECK(head.out == "{\n  \"$sche");
  CHECK(read_file(dir / "code.txt") == "2\n");
}

TEST_CASE("a symlink output writes the file it points to and stays a symlink; a dangling one is refused", "[cli][outputs]") {
  ScratchDir dir("out-symlink");
  const std::string scenario = scenario_copy(dir);
  std::ofstream(dir / "target.json") << "previous";
  fs::create_symlink(dir / "target.json", dir / "link.json");
  auto result = run_faultline("run " + scenario + " --report " + (dir / "link.json"), dir);
  CHECK(result.exit_code == 0);
  CHECK(fs::is_symlink(dir / "link.json"));
  CHECK(contains(read_file(dir / "target.json"), "\"faultline_version\""));
  fs::create_symlink(dir / "missing.json", dir / "dangling.json");
  result = run_faultline("run " + scenario + " --report " + (dir / "dangling.json"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "symlink to a missing file"));
  CHECK_FALSE(fs::exists(dir / "missing.json"));
}

TEST_CASE("compare and merge refuse an output that is one of their inputs", "[cli][outputs]") {
  ScratchDir dir("out-compare-merge");
  const std::string scenario = scenario_copy(dir);
  REQUIRE(run_faultline("run " + scenario + " --report " + (dir / "a.json"), dir).exit_code == 0);
  REQUIRE(run_faultline("run " + scenario + " --seed 2 --report " + (dir / "b.json"), dir).exit_code == 0);
  const std::string a = read_file(dir / "a.json");
  auto result = run_faultline("compare " + (dir / "a.json") + " " + (dir / "b.json") + " --out " + (dir / "a.json"), dir);
  CHECK(result.exit_code == 2);
  CHECK(read_file(dir / "a.json") == a);
  for (const std::string shard : {"1", "2"}) {
    REQUIRE(run_faultline("sweep " + scenario + " --seeds 1-4 --jobs 1 --shard " + shard + "/2 --out " + (dir / ("s" + shard)), dir)
                .exit_code <= 1);
  }
  const std::string shard1 = read_file(dir / "s1/seeds.json");
  result = run_faultline("merge " + (dir / "s1") + " " + (dir / "s2") + " --out " + (dir / "s1"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, "is the input"));
  CHECK(read_file(dir / "s1/seeds.json") == shard1);
}

TEST_CASE("an interrupt while the outputs are being written exits 4 and leaves the previous files", "[cli][outputs][signals]") {
  ScratchDir dir("out-interrupt");
  const std::string scenario = scenario_copy(dir);
  std::ofstream(dir / "r.json") << "previous report";
  std::ofstream(dir / "r.html") << "previous html";
  const std::string marker = dir / "staged";
  ::setenv("FAULTLINE_TEST_HOLD_OUTPUTS", marker.c_str(), 1);
  const pid_t child = spawn_faultline({"run", scenario, "--report", dir / "r.json", "--html", dir / "r.html"});
  ::unsetenv("FAULTLINE_TEST_HOLD_OUTPUTS");
  const int status = interrupt_when(child, [&] { return fs::exists(marker); });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 4);
  CHECK(read_file(dir / "r.json") == "previous report");
  CHECK(read_file(dir / "r.html") == "previous html");
  CHECK_FALSE(has_temporaries(dir));
}

TEST_CASE("SIGKILL while the outputs are staged leaves no temporary file and the previous files", "[cli][outputs][signals]") {
  ScratchDir dir("out-kill");
  const std::string scenario = scenario_copy(dir);
  std::ofstream(dir / "r.json") << "previous report";
  const std::string marker = dir / "staged";
  ::setenv("FAULTLINE_TEST_HOLD_OUTPUTS", marker.c_str(), 1);
  const pid_t child = spawn_faultline({"run", scenario, "--report", dir / "r.json", "--junit", dir / "j.xml"});
  ::unsetenv("FAULTLINE_TEST_HOLD_OUTPUTS");
  for (int i = 0; i < 30000 && !fs::exists(marker); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(fs::exists(marker));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(read_file(dir / "r.json") == "previous report");
  CHECK_FALSE(fs::exists(dir / "j.xml"));
  CHECK_FALSE(has_temporaries(dir));
}

TEST_CASE("a scenario path that is a FIFO without a writer does not block", "[cli][outputs]") {
  ScratchDir dir("in-fifo");
  const std::string fifo = dir / "scenario.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const auto result = run_faultline("run " + fifo + " --report " + (dir / "r.json"), dir);
  CHECK(result.exit_code == 2);
  CHECK(contains(result.err, fifo));
  CHECK_FALSE(fs::exists(dir / "r.json"));
  // A pipe with a writer, as `<(cat s.json)` or /dev/stdin gives, is read.
  const auto piped = run_command("cat " + kScenario + " | timeout -k 10 300 " + kBinary + " run /dev/stdin --report " + (dir / "p.json"), dir);
  CHECK(piped.exit_code == 0);
  CHECK(fs::exists(dir / "p.json"));
}
