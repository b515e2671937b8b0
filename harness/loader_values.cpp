// The scenario loader's value readers: durations, ratios, distributions, names and references,
// each failing with a located error.
#include "harness/loader_internal.hpp"

namespace faultline::harness::loader_detail {

void ScenarioLoader::fail(const std::string& pointer, std::string message) const {
  throw source_.error(pointer, std::move(message));
}

void ScenarioLoader::note_limit(const std::string& pointer, std::string limit, std::string flag, const std::string& message) {
  if (limit_error_) return;
  limit_error_.emplace(source_.file(), source_.locate(pointer), pointer, std::move(limit), flag,
                       message + " (raise it with " + flag + ")");
}

TimeNs ScenarioLoader::duration(const Json& value, const std::string& pointer, bool positive) const {
  const std::string& text = value.get_ref<const std::string&>();
  std::string why;
  const std::optional<TimeNs> parsed = parse_go_duration(text, &why);
  if (!parsed) fail(pointer, why);
  if (*parsed < 0) fail(pointer, "expected a duration >= 0, got " + in_quotes(text) + " (durations are never negative)");
  if (positive && *parsed == 0) fail(pointer, "expected a duration > 0, got " + in_quotes(text));
  return *parsed;
}

TimeNs ScenarioLoader::duration_or(const Json& object, const std::string& pointer, std::string_view key, TimeNs fallback,
                                   bool positive) const {
  const Json* value = member(object, key);
  return value ? duration(*value, child(pointer, key), positive) : fallback;
}

double ScenarioLoader::ratio(const Json& value, const std::string& pointer) const {
  std::string why;
  const std::optional<double> parsed = parse_ratio(value, &why);
  if (!parsed) fail(pointer, why);
  return *parsed;
}

double ScenarioLoader::ratio_or(const Json& object, const std::string& pointer, std::string_view key, double fallback) const {
  const Json* value = member(object, key);
  return value ? ratio(*value, child(pointer, key)) : fallback;
}

std::uint32_t ScenarioLoader::u32_or(const Json& object, std::string_view key, std::uint32_t fallback) {
  const Json* value = member(object, key);
  return value ? static_cast<std::uint32_t>(value->get<std::uint64_t>()) : fallback;
}

double ScenarioLoader::number_or(const Json& object, std::string_view key, double fallback) {
  const Json* value = member(object, key);
  return value ? value->get<double>() : fallback;
}

bool ScenarioLoader::bool_or(const Json& object, std::string_view key, bool fallback) {
  const Json* value = member(object, key);
  return value ? value->get<bool>() : fallback;
}

sim::Distribution ScenarioLoader::distribution(const Json& value, const std::string& pointer) const {
  if (value.is_string()) return sim::ConstantDist{duration(value, pointer)};
  const std::string& family = value.begin().key();
  const Json& body = value.begin().value();
  const std::string at = child(pointer, family);
  if (family == "constant") return sim::ConstantDist{duration(body, at)};
  if (family == "exponential") return sim::ExponentialDist{duration(body["mean"], child(at, "mean"))};
  if (family == "uniform") {
    const sim::UniformDist dist{duration(body["min"], child(at, "min")), duration(body["max"], child(at, "max"))};
    if (dist.max_ns < dist.min_ns) {
      fail(child(at, "max"), "expected max >= min (" + format_go_duration(dist.min_ns) + "), got " +
                                 format_go_duration(dist.max_ns));
    }
    return dist;
  }
  if (family == "normal") {
    return sim::NormalDist{duration(body["mean"], child(at, "mean")), duration(body["stddev"], child(at, "stddev"))};
  }
  if (family == "lognormal") {
    const sim::LogNormalDist dist{duration(body["median"], child(at, "median"), true),
                                  duration(body["p99"], child(at, "p99"))};
    if (dist.p99_ns <= dist.median_ns) {
      fail(child(at, "p99"), "expected p99 greater than the median (" + format_go_duration(dist.median_ns) +
                                 "), got " + format_go_duration(dist.p99_ns));
    }
    return dist;
  }
  return empirical(body, at);
}

sim::EmpiricalDist ScenarioLoader::empirical(const Json& table, const std::string& pointer) const {
  sim::EmpiricalDist dist;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const std::string at = child(pointer, i);
    const sim::EmpiricalPoint point{ratio(table[i]["quantile"], child(at, "quantile")),
                                    duration(table[i]["value"], child(at, "value"))};
    if (i == 0 && point.quantile != 0.0) {
      fail(child(at, "quantile"), "expected quantile 0 for the first point of the table, got " + number_text(point.quantile));
    }
    if (i > 0 && point.quantile <= dist.points.back().quantile) {
      fail(child(at, "quantile"), "expected a quantile greater than the previous point's (" +
                                      number_text(dist.points.back().quantile) + "): quantiles rise strictly");
    }
    if (i > 0 && point.value_ns < dist.points.back().value_ns) {
      fail(child(at, "value"), "expected a value of at least the previous point's (" +
                                   format_go_duration(dist.points.back().value_ns) + "): values never fall");
    }
    if (i + 1 == table.size() && point.quantile != 1.0) {
      fail(child(at, "quantile"), "expected quantile 1 for the last point of the table, got " + number_text(point.quantile));
    }
    dist.points.push_back(point);
  }
  return dist;
}

sim::Distribution ScenarioLoader::distribution_or(const Json& object, const std::string& pointer, std::string_view key,
                                                  const sim::Distribution& fallback) const {
  const Json* value = member(object, key);
  return value ? distribution(*value, child(pointer, key)) : fallback;
}

void ScenarioLoader::define(NameTable& table, const Json& value, const std::string& pointer) const {
  const std::string& name = value.get_ref<const std::string&>();
  if (const auto existing = table.find(name)) {
    fail(pointer, "duplicate " + table.kind + " name " + in_quotes(name) + " (first defined at " +
                      table.pointers[*existing] + ")");
  }
  table.add(name, pointer);
}

std::uint32_t ScenarioLoader::resolve(const NameTable& table, const Json& value, const std::string& pointer) const {
  const std::string& name = value.get_ref<const std::string&>();
  if (const auto index = table.find(name)) return *index;
  if (table.names.empty()) fail(pointer, "unknown " + table.kind + " " + in_quotes(name) + "; there are no " + table.plural);
  fail(pointer, "unknown " + table.kind + " " + in_quotes(name) + "; the " + table.plural + " are: " + table.known());
}

std::uint32_t ScenarioLoader::operation_of(std::uint32_t service, const Json* value, const std::string& pointer) const {
  if (value == nullptr) return 0;  // the service's first operation
  const NameTable& table = operation_names_[service];
  const std::string& name = value->get_ref<const std::string&>();
  if (const auto index = table.find(name)) return *index;
  fail(pointer, "unknown operation " + in_quotes(name) + " of service " + in_quotes(services_.names[service]) +
                    "; its operations are: " + table.known());
}

}  // namespace faultline::harness::loader_detail
