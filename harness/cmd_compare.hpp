// `faultline compare BASE CANDIDATE`: two run reports or two sweep reports side by side.
#pragma once
#include <string>
#include <vector>

namespace faultline::harness {

int command_compare(const std::vector<std::string>& args);

}  // namespace faultline::harness
