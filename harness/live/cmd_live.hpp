// The `live` and `proxy` commands.
#pragma once
#include <string>
#include <vector>

namespace faultline::live {

extern const char* kLiveUsage;
extern const char* kProxyUsage;

int command_live(const std::vector<std::string>& args);
int command_proxy(const std::vector<std::string>& args);

}  // namespace faultline::live
