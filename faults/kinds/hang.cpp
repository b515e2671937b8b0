// hang: the instance accepts requests and never answers them; workers busy at the start stay
// stuck. When it ends, stuck work is answered with an error (the connection resets).
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

void start(FaultContext& context) {
  for (std::uint32_t i : context.select_instances()) context.verbs().hang_instance(i);
}

void stop(FaultContext& context) {
  for (std::uint32_t i : context.state().instances) context.verbs().unhang_instance(i);
}

// Live: accept, then never answer; requests are swallowed and the connections reset at the end.
const char* live(const FaultSpec& spec, LiveEffect& effect) {
  effect.toxics.push_back(fault_toxic(spec, ToxicType::timeout, ToxicStream::upstream));
  effect.reset_when_reverted = true;
  return nullptr;
}

}  // namespace

extern const KindUnit hang_unit{
    .kind = FaultKind::hang,
    .name = "hang",
    .target_rule = TargetRule::service,
    .target_keys = kInstanceTarget,
    .option_keys = {},
    .duration_rule = DurationRule::optional,
    .traits = {},
    .read_options = read_nothing,
    .start = start,
    .stop = stop,
    .live = live,
};

}  // namespace faultline::faults::kinds
