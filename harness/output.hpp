// Writing output files all or nothing: every output of a command is checked before any work
// (never an input, never twice, never a folder), staged in an unnamed temporary file, and put in
// place only when all of them are ready. docs/limits.md describes the rules.
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::harness {

struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An interrupt (SIGINT, SIGTERM) arrived before the outputs were put in place: nothing was
// written and the previous files are intact. Commands exit 4.
struct OutputsInterrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The outputs of one command. Usage: declare the inputs and every output (checked at once, before
// the work), stage each output's content, then commit. Destroying an uncommitted set leaves
// every target as it was.
//
// The rules, for each output path:
// - it must not name an input of the command, however spelled (device and inode compared: a
//   symlink, "./x" or a hard link to an input is refused), nor another output;
// - it must not be a folder, and its folder must exist and be writable;
// - a symlink is followed: the file it points to is written and the link stays (a dangling
//   symlink is refused);
// - a target that is not a regular file (a FIFO, a character device such as /dev/stdout or
//   /dev/null, anything under /dev or /proc) is a stream: written in place at commit, never
//   replaced; a write error there (ENOSPC on /dev/full) is an OutputError; a stream that is
//   the file standard output or standard error is open on is written through that descriptor,
//   so it shares its offset and nothing printed there overwrites it (or is overwritten);
// - a regular file is written to an unnamed temporary (O_TMPFILE) in its folder, so that even
//   SIGKILL leaves nothing behind, and linked into place at commit.
class OutputSet {
 public:
  OutputSet();
  ~OutputSet();
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  // A file (or folder) the command reads; outputs naming it are refused. A path that does not
  // exist is ignored (the command reports it when it reads it).
  void add_input(const std::string& path);

  // Declares an output `path` given by `flag` (for messages, e.g. "--report"). Throws
  // OutputError if it breaks a rule above.
  void add_output(const std::string& flag, const std::string& path);

  // Declares an output folder (sweep --out, merge --out) and the file names the command will
  // write in it; the folder must not be an input, and is created if missing.
  void add_output_folder(const std::string& flag, const std::string& folder, const std::vector<std::string>& names);

  // The content of an output declared before; writes it to the output's temporary file.
  void stage(const std::string& path, std::string_view content);

  // Puts every staged output in place: streams are written, then every temporary file is
  // renamed over its target, with SIGINT and SIGTERM held back while that happens. Throws
  // OutputsInterrupted if an interrupt arrived before, OutputError on a write error (then no
  // regular file was replaced).
  // `honour_interrupts` false is for the file written because of an interrupt (sweep's progress).
  void commit(bool honour_interrupts = true);

  bool declared(const std::string& path) const;

 private:
  struct Target;
  std::vector<std::unique_ptr<Target>> targets_;
  std::vector<std::pair<unsigned long, unsigned long>> inputs_;  // device, inode
  std::vector<std::string> input_paths_;
  Target& find(const std::string& path);
  // The steps of commit(): each discards every staged output before it throws.
  void discard_all();
  void throw_if_interrupted(bool honour_interrupts, const std::string& when);
  std::string write_streams(bool honour_interrupts);  // returns the streams written whole
  void name_temporaries();
  void rename_temporaries();
};

// True when `path` names the file standard output is open on (/dev/stdout, /proc/self/fd/1,
// or the very file stdout was redirected to): such an output is standard output, like "-".
bool names_standard_output(const std::string& path);

// Checks, before a long run, that `path` can be written (its folder exists and is writable).
// Prefer OutputSet, which also checks the rules above.
void check_writable(const std::string& path);

// Writes `content` to `path` on its own, with the rules of OutputSet (for a single file that
// is not one of a command's outputs: the sweep's progress file). Throws OutputError.
void write_atomically(const std::string& path, std::string_view content);

}  // namespace faultline::harness
