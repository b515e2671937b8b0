// Writing output files so that nothing is ever half-written: a temporary file in the target's
// folder, flushed to disk, then renamed into place.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace faultline::harness {

struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Checks, before a long run, that `path` can be written (its folder exists and is writable).
void check_writable(const std::string& path);

// Writes `content` to `path` atomically. Throws OutputError naming the path and the reason.
void write_atomically(const std::string& path, std::string_view content);

}  // namespace faultline::harness
