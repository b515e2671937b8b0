// Validation with locations, and opening scenarios and reports.
#include "gui/model/document.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "harness/json_source.hpp"
#include "harness/loader.hpp"

namespace faultline::gui {

namespace {

Diagnostic from_input_error(const harness::InputError& e) {
  return {e.where.line, e.where.column, e.pointer, e.message, false};
}

}  // namespace

Validation validate_scenario_text(const std::string& file, std::string_view text) {
  Validation out;
  try {
    const harness::JsonSource source = harness::JsonSource::parse(file, text);
    for (const harness::InputError& e : harness::schema_errors(source)) out.diagnostics.push_back(from_input_error(e));
    if (!out.diagnostics.empty()) return out;
    auto scenario = std::make_shared<harness::Scenario>(harness::load_scenario(source));
    scenario->file = file;
    scenario->bytes = std::string(text);
    out.scenario = std::move(scenario);
  } catch (const harness::LimitError& e) {
    out.diagnostics.push_back({e.where.line, e.where.column, e.pointer, e.message + " (limit " + e.limit + ", raise with " + e.flag + ")", true});
  } catch (const harness::InputError& e) {
    out.diagnostics.push_back(from_input_error(e));
  } catch (const std::exception& e) {
    out.diagnostics.push_back({0, 0, "", e.what(), false});
  }
  return out;
}

OpenedFile read_input_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  OpenedFile out;
  out.path = path;
  out.scenario_text = buffer.str();
  // A report is recognised by its keys; anything else is treated as a scenario and validated.
  const auto document = nlohmann::json::parse(out.scenario_text, nullptr, false);
  if (document.is_object() && document.contains("faultline_version") && document.contains("trace_hash")) {
    const auto scenario = document.find("scenario");
    if (scenario == document.end() || !scenario->is_object() || !scenario->contains("source") ||
        !(*scenario)["source"].is_string()) {
      throw std::runtime_error(path + ": this report does not embed its scenario's source, so it cannot be replayed");
    }
    out.is_report = true;
    out.scenario_text = (*scenario)["source"].get<std::string>();
    if (document.contains("seed") && document["seed"].is_number_unsigned()) out.seed = document["seed"].get<std::uint64_t>();
    if (document["trace_hash"].is_string()) out.report_trace_hash = document["trace_hash"].get<std::string>();
    if (document["faultline_version"].is_string()) out.report_version = document["faultline_version"].get<std::string>();
  }
  return out;
}

std::string format_diagnostic(const std::string& file, const Diagnostic& d) {
  std::string text = file;
  if (d.line > 0) text += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
  text += ": ";
  if (!d.pointer.empty()) text += "at " + d.pointer + ": ";
  return text + d.message;
}

}  // namespace faultline::gui
