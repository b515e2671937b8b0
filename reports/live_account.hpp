// A live run's own account (the report's "live" section) as plain texts: when and where it ran,
// whether the load generator kept its schedule, its figures and connections, one row per proxy
// and the faults skipped. The Markdown summary and the HTML report each lay it out, so both say
// the same things in the same words.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace faultline::reports {

struct LiveAccount {
  std::string started_at, host;
  bool kept_schedule = true;
  std::vector<std::pair<std::string, std::string>> generator;  // label, value; the schedule's row apart
  std::vector<std::string> proxy_columns;
  std::vector<std::vector<std::string>> proxies;  // per proxy, one text per column
  std::vector<std::string> skipped_faults;
};

// Nothing for a simulated run's report (it has no "live").
std::optional<LiveAccount> live_account(const nlohmann::ordered_json& report);

// What a live report says of its reproducibility; `what` names the file ("summary", "report").
std::string live_reproducibility(const std::string& what);

// The warning when the generator did not keep its schedule (the writers put it in bold).
inline constexpr const char* kLiveFellBehind = "The load generator fell behind its schedule";
inline constexpr const char* kLiveFellBehindWhy = "the latencies include its own delay, not only the system's.";

}  // namespace faultline::reports
