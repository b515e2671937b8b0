// Helpers for tests that run the real `faultline` program (FAULTLINE_BINARY) and other tools:
// a scratch folder per test, and running a shell command capturing its output and exit code.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

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

// `faultline ARGS` (ARGS already shell-quoted where needed).
inline CommandResult run_faultline(const std::string& args, const ScratchDir& scratch) {
  return run_command(kBinary + " " + args, scratch);
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

}  // namespace faultline::test
