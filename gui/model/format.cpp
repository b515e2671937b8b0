// Number formatting shared by the panels and the headless output.
#include "gui/model/format.hpp"

#include "reports/format.hpp"

#include <cmath>
#include <cstdio>

namespace faultline::gui {

std::string format_time(sim::TimeNs t_ns, int decimals) {
  if (decimals < 0) decimals = 0;
  if (decimals > 9) decimals = 9;
  const bool negative = t_ns < 0;
  const unsigned long long ns = negative ? static_cast<unsigned long long>(-t_ns) : static_cast<unsigned long long>(t_ns);
  const unsigned long long total_s = ns / 1'000'000'000ULL;
  unsigned long long fraction = ns % 1'000'000'000ULL;
  for (int d = 9; d > decimals; --d) fraction /= 10;
  const unsigned long long hours = total_s / 3600;
  const unsigned long long minutes = total_s / 60 % 60;
  const unsigned long long seconds = total_s % 60;
  char buffer[64];
  const char* sign = negative ? "-" : "";
  if (hours > 0) {
    if (decimals == 0) std::snprintf(buffer, sizeof buffer, "%s%lluh%02llum%02llus", sign, hours, minutes, seconds);
    else std::snprintf(buffer, sizeof buffer, "%s%lluh%02llum%02llu.%0*llus", sign, hours, minutes, seconds, decimals, fraction);
  } else if (decimals == 0) {
    if (minutes > 0) std::snprintf(buffer, sizeof buffer, "%s%llum%02llus", sign, minutes, seconds);
    else std::snprintf(buffer, sizeof buffer, "%s%llus", sign, seconds);
  } else if (minutes > 0) {
    std::snprintf(buffer, sizeof buffer, "%s%llum%02llu.%0*llus", sign, minutes, seconds, decimals, fraction);
  } else {
    std::snprintf(buffer, sizeof buffer, "%s%llu.%0*llus", sign, seconds, decimals, fraction);
  }
  return buffer;
}

std::string format_span(sim::TimeNs ns) {
  char buffer[64];
  const double v = static_cast<double>(ns);
  if (ns == sim::kNever) return "never";
  if (ns < 1'000) std::snprintf(buffer, sizeof buffer, "%lldns", static_cast<long long>(ns));
  else if (ns < 1'000'000) std::snprintf(buffer, sizeof buffer, "%.3gµs", v / 1e3);
  else if (ns < 1'000'000'000) std::snprintf(buffer, sizeof buffer, "%.3gms", v / 1e6);
  else if (ns < 60'000'000'000LL) std::snprintf(buffer, sizeof buffer, "%.3gs", v / 1e9);
  else {
    const long long s = static_cast<long long>(ns / 1'000'000'000LL);
    if (s % 60 == 0) std::snprintf(buffer, sizeof buffer, "%lldm", s / 60);
    else std::snprintf(buffer, sizeof buffer, "%lldm%llds", s / 60, s % 60);
  }
  return buffer;
}

std::string format_rate(double per_s) {
  char buffer[32];
  if (!std::isfinite(per_s)) return "-";
  if (per_s >= 1e6) std::snprintf(buffer, sizeof buffer, "%.2fM/s", per_s / 1e6);
  else if (per_s >= 1e4) std::snprintf(buffer, sizeof buffer, "%.1fk/s", per_s / 1e3);
  else if (per_s >= 1e3) std::snprintf(buffer, sizeof buffer, "%.2fk/s", per_s / 1e3);
  else if (per_s >= 10) std::snprintf(buffer, sizeof buffer, "%.0f/s", per_s);
  else std::snprintf(buffer, sizeof buffer, "%.1f/s", per_s);
  return buffer;
}

std::string format_percent(double ratio) { return reports::percent_compact(ratio); }

std::string format_count(unsigned long long value) {
  std::string digits = std::to_string(value);
  std::string out;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[static_cast<std::size_t>(i)];
  }
  return out;
}

std::string format_speed(double speed) {
  char buffer[32];
  if (speed < 0.1) std::snprintf(buffer, sizeof buffer, "%.2fx", speed);
  else if (speed < 10) std::snprintf(buffer, sizeof buffer, "%.3gx", speed);
  else std::snprintf(buffer, sizeof buffer, "%.0fx", speed);
  return buffer;
}

}  // namespace faultline::gui
