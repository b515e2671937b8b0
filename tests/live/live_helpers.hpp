// Helpers for the live tests: free loopback ports, real server processes (the project's test
// backend, HAProxy, node) started by the test and stopped by the PID it started, never by name.
#pragma once
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../cli_helpers.hpp"

namespace faultline::test {

inline const std::string kBackend = FAULTLINE_TEST_BACKEND;

// A port on 127.0.0.1 that was free a moment ago (the kernel's choice for port 0).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

inline bool port_accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// Waits (up to a generous hang guard) until `port` accepts connections.
inline bool wait_for_port(int port) {
  const auto guard = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < guard) {
    if (port_accepts(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// A child process with its output in a file; stopped (SIGTERM, then SIGKILL) when destroyed.
struct Child {
  pid_t pid = -1;
  std::string log;
  Child(const std::vector<std::string>& argv, const std::string& log_path) : log(log_path) {
    pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      _exit(127);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { stop(); }
  void stop() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200; ++i) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    pid = -1;
  }
};

// The project's backend on a free port; `extra` adds flags (--latency, --error-ratio, ...).
struct Backend {
  int port = free_port();
  Child child;
  Backend(const ScratchDir& scratch, const std::string& name, const std::vector<std::string>& extra = {})
      : child(make_args(name, extra), scratch / ("backend-" + name + ".log")) {}
  std::vector<std::string> make_args(const std::string& name, const std::vector<std::string>& extra) const {
    std::vector<std::string> args{kBackend, "--listen", "127.0.0.1:" + std::to_string(port), "--name", name,
                                  "--max-seconds", "120"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  bool ready() const { return wait_for_port(port); }
};

inline std::string address(int port) { return "127.0.0.1:" + std::to_string(port); }

inline nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_file(path)); }

inline std::uint64_t failed_requests(const nlohmann::json& client) {
  const auto& t = client["totals"];
  return t["errors"].get<std::uint64_t>() + t["timeouts"].get<std::uint64_t>() + t["rejected"].get<std::uint64_t>() +
         t["unavailable"].get<std::uint64_t>();
}

}  // namespace faultline::test
