// `faultline explore`: every fault of a space derived from the topology, each on K seeds, and
// the resilience matrix (candidate x assertion) it yields. Shards and merges like a sweep.
#pragma once
#include <string>
#include <vector>

namespace faultline::harness {

int command_explore(const std::vector<std::string>& args);

// True when `input` (a folder or a file) is an exploration's output rather than a sweep's.
bool is_explore_output(const std::string& input);

// `faultline merge` of exploration shards: the same outputs as one unsharded exploration.
int merge_explore(const std::vector<std::string>& inputs, const std::string& out_dir);

}  // namespace faultline::harness
