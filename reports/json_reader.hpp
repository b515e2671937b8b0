// Reading a report-like JSON file field by field, by JSON pointer (internal to reports/).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/report_view.hpp"

namespace faultline::reports {

// One value of a report file being read, with the RFC 6901 pointer it lives at: each accessor
// checks presence and type and throws ReportError naming the pointer. The typed report view
// (report_view.cpp) and seeds.json (sweep_report.cpp: merge, sweep --resume) read through it.
class JsonReader {
 public:
  JsonReader(const nlohmann::ordered_json& value, std::string pointer) : value_(value), pointer_(std::move(pointer)) {}
  const nlohmann::ordered_json& value() const { return value_; }
  const std::string& pointer() const { return pointer_; }

  JsonReader at(const std::string& key, const char* expected = "an object") const {
    if (!value_.is_object()) throw ReportError(pointer_, "expected an object");
    const std::string where = pointer_ + "/" + key;
    if (!value_.contains(key)) throw ReportError(where, "missing; expected " + std::string(expected));
    return JsonReader(value_.at(key), where);
  }
  bool has(const std::string& key) const { return value_.is_object() && value_.contains(key); }
  std::vector<JsonReader> items(const std::string& key) const {
    const JsonReader list = at(key, "an array");
    if (!list.value_.is_array()) throw ReportError(list.pointer_, "expected an array");
    std::vector<JsonReader> out;
    for (std::size_t i = 0; i < list.value_.size(); ++i) out.emplace_back(list.value_[i], list.pointer_ + "/" + std::to_string(i));
    return out;
  }
  std::string text(const std::string& key) const {
    const JsonReader n = at(key, "a string");
    if (!n.value_.is_string()) throw ReportError(n.pointer_, "expected a string");
    return n.value_.get<std::string>();
  }
  std::optional<std::string> text_or_null(const std::string& key) const {
    const JsonReader n = at(key, "a string or null");
    if (n.value_.is_null()) return std::nullopt;
    if (!n.value_.is_string()) throw ReportError(n.pointer_, "expected a string or null");
    return n.value_.get<std::string>();
  }
  double number(const std::string& key) const {
    const JsonReader n = at(key, "a number");
    if (!n.value_.is_number()) throw ReportError(n.pointer_, "expected a number");
    return n.value_.get<double>();
  }
  std::optional<double> number_or_null(const std::string& key) const {
    const JsonReader n = at(key, "a number or null");
    if (n.value_.is_null()) return std::nullopt;
    if (!n.value_.is_number()) throw ReportError(n.pointer_, "expected a number or null");
    return n.value_.get<double>();
  }
  std::uint64_t unsigned_number(const std::string& key) const {
    const JsonReader n = at(key, "a non-negative integer");
    const bool whole = n.value_.is_number_unsigned() || (n.value_.is_number_integer() && n.value_.get<std::int64_t>() >= 0);
    if (!whole) throw ReportError(n.pointer_, "expected a non-negative integer");
    return n.value_.get<std::uint64_t>();
  }
  // This value itself (an array's element).
  std::string as_text() const {
    if (!value_.is_string()) throw ReportError(pointer_, "expected a string");
    return value_.get<std::string>();
  }
  bool as_boolean() const {
    if (!value_.is_boolean()) throw ReportError(pointer_, "expected true or false");
    return value_.get<bool>();
  }
  std::optional<double> as_number_or_null() const {
    if (value_.is_null()) return std::nullopt;
    if (!value_.is_number()) throw ReportError(pointer_, "expected a number or null");
    return value_.get<double>();
  }
  bool boolean(const std::string& key) const {
    const JsonReader n = at(key, "true or false");
    if (!n.value_.is_boolean()) throw ReportError(n.pointer_, "expected true or false");
    return n.value_.get<bool>();
  }

 private:
  const nlohmann::ordered_json& value_;
  std::string pointer_;
};

}  // namespace faultline::reports
