// queue_shrink: queue capacity reduced to `queue_capacity` per instance; restored when it ends.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kOptions[] = {"queue_capacity"};

void read(const OptionReader& reader, FaultSpec& spec) {
  QueueShrinkOptions& options = spec.options_as<QueueShrinkOptions>();
  options.queue_capacity = reader.count("queue_capacity", options.queue_capacity);
}

void start(FaultContext& context) {
  FaultState& state = context.state();
  context.select_instances();
  state.saved.clear();
  for (std::uint32_t i : state.instances) {
    state.saved.push_back(context.instances()[i].queue_capacity);
    context.verbs().set_queue_capacity(i, context.options<QueueShrinkOptions>().queue_capacity);
  }
}

void stop(FaultContext& context) {
  const FaultState& state = context.state();
  for (std::size_t k = 0; k < state.instances.size(); ++k) {
    context.verbs().set_queue_capacity(state.instances[k], state.saved[k]);
  }
}

}  // namespace

extern const KindUnit queue_shrink_unit{
    .kind = FaultKind::queue_shrink,
    .name = "queue_shrink",
    .target_rule = TargetRule::service,
    .target_keys = kInstanceTarget,
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {},
    .read_options = read,
    .start = start,
    .stop = stop,
    .model_only = "the queue capacity of a real service is not the proxy's to change",
};

}  // namespace faultline::faults::kinds
