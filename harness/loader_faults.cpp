// The scenario loader's faults section: the common keys (name, kind, at, duration, target) here,
// each kind's options read by its unit in faults/kinds/ through an OptionReader.
#include "harness/loader_internal.hpp"

namespace faultline::harness::loader_detail {

class ScenarioLoader::FaultOptionReader final : public faults::OptionReader {
 public:
  FaultOptionReader(const ScenarioLoader& loader, const Json& fault, const std::string& pointer, const std::string& kind_text)
      : loader_(loader), fault_(fault), pointer_(pointer), kind_text_(kind_text) {}
  bool has(std::string_view key) const override { return member(fault_, key) != nullptr; }
  bool is_text(std::string_view key) const override { return has(key) && member(fault_, key)->is_string(); }
  TimeNs duration(std::string_view key, TimeNs fallback, bool positive) const override {
    return loader_.duration_or(fault_, pointer_, key, fallback, positive);
  }
  double ratio(std::string_view key, double fallback) const override {
    return loader_.ratio_or(fault_, pointer_, key, fallback);
  }
  double number(std::string_view key, double fallback) const override { return number_or(fault_, key, fallback); }
  std::uint32_t count(std::string_view key, std::uint32_t fallback) const override { return u32_or(fault_, key, fallback); }
  bool flag(std::string_view key, bool fallback) const override { return bool_or(fault_, key, fallback); }
  sim::Distribution distribution(std::string_view key, const sim::Distribution& fallback) const override {
    return loader_.distribution_or(fault_, pointer_, key, fallback);
  }
  [[noreturn]] void fail(std::string_view key, const std::string& message) const override {
    loader_.fail(has(key) ? child(pointer_, key) : pointer_, message);
  }
  const std::string& kind_text() const override { return kind_text_; }

 private:
  const ScenarioLoader& loader_;
  const Json& fault_;
  const std::string& pointer_;
  const std::string& kind_text_;
};

faults::FaultSpec ScenarioLoader::load_fault(const Json& fault, const std::string& pointer, const sim::ModelConfig& model) {
  define(faults_, fault["name"], child(pointer, "name"));
  const std::string kind = fault["kind"].get<std::string>();
  const faults::KindUnit& unit = *faults::find_kind(kind);  // the schema allows only known kinds
  faults::FaultSpec spec = faults::make_fault_spec(fault["name"].get<std::string>(), unit.kind, 0);
  const std::string kind_text = with_article(kind) + " fault";

  for (std::string_view option : faults::all_option_keys()) {
    if (member(fault, option) && !contains(unit.option_keys, option)) {
      fail(child(pointer, option), "option " + in_quotes(option) + " does not apply to " + kind_text);
    }
  }
  spec.at_ns = duration(fault["at"], child(pointer, "at"));
  if (spec.at_ns >= model.duration_ns) {
    fail(child(pointer, "at"), "expected a start before the end of the run (" + format_go_duration(model.duration_ns) + ")");
  }
  if (const Json* length = member(fault, "duration")) {
    if (unit.duration_rule == faults::DurationRule::forbidden) {
      fail(child(pointer, "duration"), "option \"duration\" does not apply to " + kind_text +
                                           ": a crash is not reverted; use \"restart_after\" to bring instances back");
    }
    spec.duration_ns = duration(*length, child(pointer, "duration"), true);
  } else if (unit.duration_rule == faults::DurationRule::required) {
    fail(pointer, "missing required key \"duration\" (" + kind_text + " needs one)");
  }
  load_fault_target(fault, pointer, unit, kind_text, spec);
  const FaultOptionReader reader(*this, fault, pointer, kind_text);
  unit.read_options(reader, spec);
  return spec;
}

void ScenarioLoader::load_fault_target(const Json& fault, const std::string& pointer, const faults::KindUnit& unit,
                                       const std::string& kind_text, faults::FaultSpec& spec) const {
  static const Json kEmpty = Json::object();
  const Json* target_json = member(fault, "target");
  const Json& target = target_json ? *target_json : kEmpty;
  const std::string at = child(pointer, "target");
  for (const auto& [key, value] : target.items()) {
    if (!contains(unit.target_keys, key) && !is_extension_key(key)) {
      fail(child(at, key), "target key " + in_quotes(key) + " does not apply to " + kind_text);
    }
  }
  const auto needs = [&](std::string_view what) {
    fail(target_json ? at : pointer, kind_text + " needs " + std::string(what));
  };
  faults::Target& out = spec.target;
  if (const Json* v = member(target, "service")) out.service = resolve(services_, *v, child(at, "service"));
  if (const Json* v = member(target, "zone")) out.zone = resolve(zones_, *v, child(at, "zone"));
  if (const Json* v = member(target, "client")) out.client = resolve(clients_, *v, child(at, "client"));
  if (const Json* v = member(target, "from_zone")) out.from_zone = resolve(zones_, *v, child(at, "from_zone"));
  if (const Json* v = member(target, "to_zone")) out.to_zone = resolve(zones_, *v, child(at, "to_zone"));
  out.fraction = ratio_or(target, at, "fraction", out.fraction);
  out.both_directions = bool_or(target, "both_directions", out.both_directions);
  const bool link = out.from_zone || out.to_zone;
  if (out.from_zone.has_value() != out.to_zone.has_value()) {
    fail(child(at, out.from_zone ? "from_zone" : "to_zone"), "a link needs both \"from_zone\" and \"to_zone\"");
  }
  switch (unit.target_rule) {
    case TargetRule::service:
      if (!out.service) needs("target.service");
      break;
    case TargetRule::zone:
      if (!out.zone) needs("target.zone");
      break;
    case TargetRule::link:
      if (!link) needs("target.from_zone and target.to_zone");
      if (*out.from_zone == *out.to_zone) fail(child(at, "to_zone"), "a partition needs two different zones");
      break;
    case TargetRule::network: {
      const int forms = (out.service ? 1 : 0) + (out.client ? 1 : 0) + (link ? 1 : 0);
      if (forms != 1) {
        needs("exactly one of target.service, target.client, or target.from_zone with target.to_zone");
      }
      if (!out.service) {
        for (std::string_view key : {"instances", "zone", "fraction"}) {
          if (member(target, key)) fail(child(at, key), "target key " + in_quotes(key) + " needs target.service");
        }
      }
      if (!link && member(target, "both_directions")) {
        fail(child(at, "both_directions"), "\"both_directions\" only applies to a link (from_zone and to_zone)");
      }
      break;
    }
    case TargetRule::none:
      break;
  }
  if (const Json* list = member(target, "instances")) load_target_instances(*list, child(at, "instances"), out);
  if (out.service && out.zone && !has_instances_in(*out.service, *out.zone)) {
    fail(child(at, "zone"), "service " + in_quotes(services_.names[*out.service]) + " has no instances in zone " +
                                in_quotes(zones_.names[*out.zone]));
  }
  if (const Json* v = member(target, "operation")) {
    out.operation = operation_of(*out.service, v, child(at, "operation"));
  } else if (unit.traits.needs_operation) {
    needs("target.operation");
  }
}

void ScenarioLoader::load_target_instances(const Json& list, const std::string& pointer, faults::Target& out) const {
  const std::uint64_t count = instance_counts_[*out.service];
  std::set<std::uint64_t> listed;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::uint64_t index = list[i].get<std::uint64_t>();
    if (index >= count) {
      fail(child(pointer, i), "service " + in_quotes(services_.names[*out.service]) + " has " + std::to_string(count) +
                                  " instances (0 to " + std::to_string(count - 1) + "); there is no instance " +
                                  std::to_string(index));
    }
    if (!listed.insert(index).second) fail(child(pointer, i), "instance " + std::to_string(index) + " is listed twice");
    out.instances.push_back(static_cast<std::uint32_t>(index));
  }
}

bool ScenarioLoader::has_instances_in(std::uint32_t service, std::uint32_t zone) const {
  const Json& instances = source_.root()["services"][service]["instances"];
  if (instances.is_number()) return zone < std::min<std::uint64_t>(instances.get<std::uint64_t>(), zones_.names.size());
  return std::any_of(instances.begin(), instances.end(),
                     [&](const Json& group) { return zones_.find(group["zone"].get<std::string>()) == zone; });
}

}  // namespace faultline::harness::loader_detail
