// Helpers for tests that run the real `faultline` program (FAULTLINE_BINARY) and other tools:
// a scratch folder per test, and running a shell command capturing its output and exit code.
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace faultline::test {

inline const std::string kBinary = FAULTLINE_BINARY;
inline const std::string kSourceDir = FAULTLINE_SOURCE_DIR;

inline std::string fixture(const std::string& name) { return kSourceDir + "/tests/data/reports/" + name; }

// A fresh folder under the system's temporary folder, removed when the test ends.
struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& tag) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("faultline-" + tag + "-XXXXXX")).string();
    path = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs `command` through /bin/sh with its standard error sent to a file next to `scratch`.
inline CommandResult run_command(const std::string& command, const ScratchDir& scratch) {
  CommandResult result;
  const std::string err_path = scratch / ".stderr";
  FILE* pipe = ::popen((command + " 2>" + err_path).c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = read_file(err_path);
  return result;
}

// `faultline ARGS` (ARGS already shell-quoted where needed), under a generous hang guard: a
// process still running after five minutes is killed (exit 124; a sanitizer build is slow), which fails only on a real hang.
inline CommandResult run_faultline(const std::string& args, const ScratchDir& scratch) {
  return run_command("timeout -k 10 300 " + kBinary + " " + args, scratch);
}

// The same with environment assignments first ("NAME=VALUE NAME=VALUE").
inline CommandResult run_faultline_env(const std::string& env, const std::string& args, const ScratchDir& scratch) {
  return run_command(env + " timeout -k 10 300 " + kBinary + " " + args, scratch);
}

// Starts `faultline ARGS...` with SIGINT ignored until the program installs its own handler, so
// an interrupt sent before it is ready is lost rather than killing it with the default action.
// With `stderr_path`, the child's standard error goes to that file (to watch its progress lines).
inline pid_t spawn_faultline(const std::vector<std::string>& args, const std::string& stderr_path = "") {
  // SIGINT is blocked across fork until the child ignores it: one sent at once would otherwise
  // reach the child while it still runs the test framework's own SIGINT handler.
  sigset_t interrupt, previous;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  ::sigprocmask(SIG_BLOCK, &interrupt, &previous);
  const pid_t child = ::fork();
  if (child != 0) ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  if (child == 0) {
    ::signal(SIGINT, SIG_IGN);
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    if (!stderr_path.empty()) {
      const int fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) _exit(127);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    std::vector<char*> argv{const_cast<char*>(kBinary.c_str())};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(kBinary.c_str(), argv.data());
    _exit(127);
  }
  return child;
}

// Waits until `ready()` holds, then sends SIGINT every 50 ms until the child exits, and returns
// its wait status. The decision never depends on timing: how soon the child becomes ready or
// reacts does not matter. A child still running after 300 s is killed (a hang), giving a status
// that no test accepts.
inline int interrupt_when(pid_t child, const std::function<bool()>& ready) {
  using namespace std::chrono;
  const auto guard = steady_clock::now() + seconds(300);
  int status = 0;
  bool armed = false;
  while (steady_clock::now() < guard) {
    if (::waitpid(child, &status, WNOHANG) == child) return status;
    if (!armed) armed = ready();
    if (armed) ::kill(child, SIGINT);
    std::this_thread::sleep_for(milliseconds(50));
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, &status, 0);
  return status;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

}  // namespace faultline::test
