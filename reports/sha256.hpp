// SHA-256 (FIPS 180-4), for naming a scenario's exact bytes in a report.
#pragma once
#include <string>
#include <string_view>

namespace faultline::reports {

// The lowercase hex digest of `data`.
std::string sha256_hex(std::string_view data);

}  // namespace faultline::reports
