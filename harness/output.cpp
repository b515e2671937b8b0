// All-or-nothing output files: checked before the work, staged in unnamed temporary files,
// linked into place together at the end; streams (FIFOs, devices) written in place.
#include "harness/output.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "harness/interrupt.hpp"

namespace faultline::harness {
namespace {

std::string folder_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string named_temp(const std::string& path) {
  return folder_of(path) + "/." + base_of(path) + ".tmp." + std::to_string(::getpid());
}

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw OutputError("cannot write " + path + ": " + reason);
}

[[noreturn]] void fail_errno(const std::string& path) { fail(path, std::strerror(errno)); }

bool write_all(int fd, std::string_view content) {
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}

// Writes `content` to a stream (a FIFO, a device, the file standard output is open on),
// waiting at most 100 ms at a time for it to take more, so that an interrupt or the wall-clock
// budget is noticed even while its reader does not read. Returns 0, an errno (EPIPE when the
// reader closed its end), EINTR when `honour_interrupts` and an interrupt arrived, or ETIME
// when the wall-clock budget is spent; `written` counts the bytes the stream took.
int write_stream(int fd, std::string_view content, bool honour_interrupts, std::size_t& written) {
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  // A pipe with room for PIPE_BUF bytes takes them without blocking; a file or device never waits.
  const std::size_t chunk = regular ? content.size() : PIPE_BUF;
  written = 0;
  while (written < content.size()) {
    if (honour_interrupts && interrupted() != 0) return EINTR;
    if (honour_interrupts && wall_budget_spent()) return ETIME;
    pollfd ready{fd, POLLOUT, 0};
    const int polled = ::poll(&ready, 1, 100);
    if (polled < 0 && errno != EINTR) return errno;
    if (polled <= 0) continue;
    if ((ready.revents & (POLLERR | POLLHUP)) != 0 && (ready.revents & POLLOUT) == 0) return EPIPE;
    const ssize_t n = ::write(fd, content.data() + written, std::min(chunk, content.size() - written));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return errno;
    }
    written += static_cast<std::size_t>(n);
  }
  return 0;
}

// Holds SIGINT and SIGTERM back for its lifetime (they stay pending and arrive afterwards).
struct SignalHold {
  sigset_t previous{};
  SignalHold() {
    sigset_t held;
    sigemptyset(&held);
    sigaddset(&held, SIGINT);
    sigaddset(&held, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &held, &previous);
  }
  ~SignalHold() { pthread_sigmask(SIG_SETMASK, &previous, nullptr); }
};

// A test seam: with FAULTLINE_TEST_HOLD_OUTPUTS=FILE, commit() creates FILE once every output is
// staged and waits (up to 60 s) for an interrupt, so tests can signal at exactly that moment.
void hold_for_tests() {
  const char* marker = std::getenv("FAULTLINE_TEST_HOLD_OUTPUTS");
  if (marker == nullptr || marker[0] == '\0') return;
  if (FILE* f = std::fopen(marker, "w")) std::fclose(f);
  for (int i = 0; i < 6000 && interrupted() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

// The descriptor among standard output and standard error that is open on the file `st`
// describes, or -1.
int standard_stream_for(const struct stat& st) {
  for (const int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    struct stat open_file {};
    if (::fstat(fd, &open_file) == 0 && open_file.st_dev == st.st_dev && open_file.st_ino == st.st_ino) return fd;
  }
  return -1;
}

}  // namespace

bool names_standard_output(const std::string& path) {
  struct stat st {};
  struct stat out {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0 || ::fstat(STDOUT_FILENO, &out) != 0) return false;
  return st.st_dev == out.st_dev && st.st_ino == out.st_ino;
}

struct OutputSet::Target {
  std::string flag;
  std::string path;        // as given (standard output is "/dev/stdout")
  std::string write_path;  // the file written: `path`, or what its symlink points to
  bool stream = false;
  bool exists = false;
  dev_t device = 0;        // of the file if it exists, else of its folder
  ino_t inode = 0;
  std::string name;        // the file's name in that folder when it does not exist yet
  int fd = -1;             // the staged temporary (or, for a stream, the open stream)
  std::string temp_path;   // a named temporary, when O_TMPFILE is not available
  std::string content;     // a stream's content, written at commit
  bool staged = false;
  bool to_stdout = false;  // a stream written through standard output's descriptor

  // How messages name it.
  std::string shown() const { return to_stdout ? "standard output (" + flag + ")" : path; }

  void discard() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    if (!temp_path.empty()) ::unlink(temp_path.c_str());
    temp_path.clear();
  }
};

OutputSet::OutputSet() = default;

OutputSet::~OutputSet() {
  for (auto& target : targets_) target->discard();
}

void OutputSet::add_input(const std::string& path) {
  struct stat st {};
  if (path.empty() || path == "-" || ::stat(path.c_str(), &st) != 0) return;
  inputs_.emplace_back(static_cast<unsigned long>(st.st_dev), static_cast<unsigned long>(st.st_ino));
  input_paths_.push_back(path);
}

namespace {

// The descriptor a stream output is written through. `st`: the file's status when it exists.
int open_stream(const std::string& path, const struct stat* st, bool& to_stdout) {
  if (st != nullptr && standard_stream_for(*st) >= 0) {
    // The file standard output (or error) is open on, e.g. /dev/stdout redirected to a file:
    // written through that descriptor, at its offset, so that what the command prints there
    // after the outputs follows them instead of overwriting them from offset 0.
    const int standard = standard_stream_for(*st);
    to_stdout = standard == STDOUT_FILENO;
    const int fd = ::fcntl(standard, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) fail_errno(path);
    return fd;
  }
  // Opened now, without blocking: a FIFO nobody reads is refused before the work.
  const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENXIO) fail(path, "it is a FIFO that no process is reading");
    fail_errno(path);
  }
  struct stat opened {};
  if (::fstat(fd, &opened) == 0 && S_ISREG(opened.st_mode)) {
    ::fcntl(fd, F_SETFL, O_WRONLY | O_APPEND);
  } else {
    ::fcntl(fd, F_SETFL, O_WRONLY);
  }
  return fd;
}

}  // namespace

void OutputSet::add_output(const std::string& flag, const std::string& path) {
  auto target = std::make_unique<Target>();
  target->flag = flag;
  target->path = path;
  target->write_path = path;
  if (path.empty()) throw OutputError(flag + ": the output path is empty");
  if (path.back() == '/') fail(path, "it names a folder (" + flag + " needs a file)");

  struct stat link {};
  const bool present = ::lstat(path.c_str(), &link) == 0;
  struct stat st {};
  if (present && S_ISLNK(link.st_mode)) {
    if (::stat(path.c_str(), &st) != 0) fail(path, "it is a symlink to a missing file (faultline writes a symlink's target)");
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) != nullptr) target->write_path = resolved;
    else target->stream = true;  // e.g. /proc/self/fd/1 pointing at a pipe
  } else if (present) {
    st = link;
  }
  target->exists = present;
  if (present) {
    if (S_ISDIR(st.st_mode)) fail(path, "it is a folder (" + flag + " needs a file)");
    target->device = st.st_dev;
    target->inode = st.st_ino;
    if (!S_ISREG(st.st_mode) || starts_with(path, "/dev/") || starts_with(path, "/proc/") ||
        starts_with(target->write_path, "/dev/") || starts_with(target->write_path, "/proc/")) {
      target->stream = true;
    }
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
      if (inputs_[i] == std::pair<unsigned long, unsigned long>(st.st_dev, st.st_ino)) {
        fail(path, "it is the input " + input_paths_[i] + " (" + flag + " would overwrite it); choose another file");
      }
    }
    if (!target->stream && ::access(path.c_str(), W_OK) != 0) fail_errno(path);
  } else {
    const std::string folder = folder_of(path);
    struct stat dir {};
    if (::stat(folder.c_str(), &dir) != 0) fail(path, "folder " + folder + ": " + std::strerror(errno));
    if (!S_ISDIR(dir.st_mode)) fail(path, folder + " is not a folder");
    if (::access(folder.c_str(), W_OK) != 0) fail(path, "folder " + folder + ": " + std::strerror(errno));
    target->device = dir.st_dev;
    target->inode = dir.st_ino;
    target->name = base_of(path);
  }
  for (const auto& other : targets_) {
    if (other->exists == target->exists && other->device == target->device && other->inode == target->inode &&
        other->name == target->name) {
      throw OutputError(flag + " " + path + " and " + other->flag + " " + other->path +
                        " name the same file; give each output its own file");
    }
  }
  if (target->stream) target->fd = open_stream(path, present ? &st : nullptr, target->to_stdout);
  targets_.push_back(std::move(target));
}

void OutputSet::add_output_folder(const std::string& flag, const std::string& folder, const std::vector<std::string>& names) {
  struct stat st {};
  if (::stat(folder.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw OutputError(flag + " " + folder + ": not a folder");
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
      if (inputs_[i] == std::pair<unsigned long, unsigned long>(st.st_dev, st.st_ino)) {
        throw OutputError(flag + " " + folder + ": it is the input " + input_paths_[i] +
                          " (the outputs would overwrite it); choose another folder");
      }
    }
  } else {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) throw OutputError("cannot create folder " + folder + ": " + error.message());
  }
  for (const std::string& name : names) add_output(flag, folder + "/" + name);
}

bool OutputSet::declared(const std::string& path) const {
  for (const auto& target : targets_) {
    if (target->path == path) return true;
  }
  return false;
}

OutputSet::Target& OutputSet::find(const std::string& path) {
  for (auto& target : targets_) {
    if (target->path == path) return *target;
  }
  throw std::logic_error("output " + path + " was not declared");
}

void OutputSet::stage(const std::string& path, std::string_view content) {
  Target& target = find(path);
  target.staged = true;
  if (target.stream) {
    target.content.assign(content);
    return;
  }
  target.discard();
  const std::string folder = folder_of(target.write_path);
  target.fd = ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (target.fd < 0) {
    // A file system without O_TMPFILE: a named temporary, removed on every path but SIGKILL.
    target.temp_path = named_temp(target.write_path);
    target.fd = ::open(target.temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (target.fd < 0) {
      target.temp_path.clear();
      fail_errno(path);
    }
  }
  if (!write_all(target.fd, content) || ::fsync(target.fd) != 0) {
    const int error = errno;
    target.discard();
    fail(path, std::strerror(error));
  }
}

void OutputSet::discard_all() {
  for (auto& target : targets_) target->discard();
}

void OutputSet::throw_if_interrupted(bool honour_interrupts, const std::string& when) {
  if (const int signal = interrupted(); signal != 0 && honour_interrupts) {
    discard_all();
    throw OutputsInterrupted("interrupted by signal " + std::to_string(signal) + " " + when);
  }
}

// Streams first: a write error there (a full device) leaves every regular file as it was.
// What the command printed before goes first where a stream shares standard output's file.
// A stream can block for as long as its reader does not read (a FIFO), so it is written with
// SIGINT and SIGTERM deliverable and the wall-clock budget checked: an interrupt or a spent
// budget stops it (part of that stream was written) and replaces no regular file.
std::string OutputSet::write_streams(bool honour_interrupts) {
  std::fflush(stdout);
  std::cout.flush();
  // What the streams written so far received, for the message when one of them is stopped:
  // a stream cannot be taken back, so the message says what it got.
  std::string whole_streams;
  const auto what_was_written = [&](const Target& stopped, std::size_t written) {
    std::string text = stopped.shown() + " got " + std::to_string(written) + " of its " +
                       std::to_string(stopped.content.size()) + " bytes";
    if (!whole_streams.empty()) text += "; " + whole_streams + " got all of theirs";
    return text + "; no regular file was written";
  };
  for (auto& target : targets_) {
    if (!target->stream || !target->staged) continue;
    std::size_t written = 0;
    const int error = write_stream(target->fd, target->content, honour_interrupts, written);
    if (error == EINTR) {
      throw_if_interrupted(honour_interrupts, "while writing the outputs (" + what_was_written(*target, written) + ")");
    }
    if (error == ETIME) {
      discard_all();
      try {
        check_wall_budget(("writing the stream " + target->shown()).c_str());
      } catch (WallBudgetSpent& spent) {
        spent.written = what_was_written(*target, written);
        throw;
      }
    }
    if (error == EPIPE) {
      discard_all();
      fail(target->shown(), "its reader closed it before the end (EPIPE: " + what_was_written(*target, written) + ")");
    }
    if (error != 0) {
      discard_all();
      fail(target->shown(), std::string(std::strerror(error)) + " (" + what_was_written(*target, written) + ")");
    }
    whole_streams += (whole_streams.empty() ? "" : ", ") + target->shown();
    ::close(target->fd);
    target->fd = -1;
  }
  return whole_streams;
}

// Gives every unnamed temporary a name next to its target.
void OutputSet::name_temporaries() {
  for (auto& target : targets_) {
    if (target->stream || !target->staged || !target->temp_path.empty()) continue;
    const std::string temp = named_temp(target->write_path);
    ::unlink(temp.c_str());
    const std::string proc = "/proc/self/fd/" + std::to_string(target->fd);
    if (::linkat(target->fd, "", AT_FDCWD, temp.c_str(), AT_EMPTY_PATH) != 0 &&
        ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, temp.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      const int error = errno;
      discard_all();
      fail(target->path, std::strerror(error));
    }
    target->temp_path = temp;
  }
}

void OutputSet::rename_temporaries() {
  for (auto& target : targets_) {
    if (target->stream || !target->staged) continue;
    if (std::rename(target->temp_path.c_str(), target->write_path.c_str()) != 0) {
      const int error = errno;
      discard_all();
      fail(target->path, std::strerror(error));
    }
    target->temp_path.clear();
    ::close(target->fd);
    target->fd = -1;
  }
}

void OutputSet::commit(bool honour_interrupts) {
  if (honour_interrupts) hold_for_tests();
  throw_if_interrupted(honour_interrupts, "before the outputs were written; the previous files are intact");
  const std::string whole_streams = write_streams(honour_interrupts);
  SignalHold hold;
  throw_if_interrupted(honour_interrupts,
                       whole_streams.empty() ? "before the outputs were written; the previous files are intact"
                                             : "after " + whole_streams +
                                                   " got all of their bytes; no regular file was written, the previous files are intact");
  name_temporaries();
  rename_temporaries();
}

void check_writable(const std::string& path) {
  OutputSet check;
  check.add_output("output", path);
}

void write_atomically(const std::string& path, std::string_view content) {
  OutputSet set;
  set.add_output("output", path);
  set.stage(path, content);
  set.commit(false);
}

}  // namespace faultline::harness
