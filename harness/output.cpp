// Atomic output files: temp file, fsync, rename.
#include "harness/output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace faultline::harness {
namespace {

std::string folder_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string temp_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return folder_of(path) + "/." + base + ".tmp." + std::to_string(::getpid());
}

}  // namespace

void check_writable(const std::string& path) {
  if (path.empty()) throw OutputError("an output path is empty");
  if (!path.empty() && path.back() == '/') throw OutputError("cannot write " + path + ": it names a folder");
  const std::string folder = folder_of(path);
  if (::access(folder.c_str(), W_OK) != 0) {
    throw OutputError("cannot write " + path + ": folder " + folder + ": " + std::strerror(errno));
  }
  if (::access(path.c_str(), F_OK) == 0 && ::access(path.c_str(), W_OK) != 0) {
    throw OutputError("cannot write " + path + ": " + std::strerror(errno));
  }
}

void write_atomically(const std::string& path, std::string_view content) {
  const std::string temp = temp_name(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw OutputError("cannot write " + path + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(temp.c_str());
      throw OutputError("cannot write " + path + ": " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw OutputError("cannot write " + path + ": " + reason);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw OutputError("cannot write " + path + ": " + reason);
  }
}

}  // namespace faultline::harness
