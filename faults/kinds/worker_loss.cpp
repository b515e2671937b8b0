// worker_loss: concurrency reduced to `workers` per instance; restored when it ends.
#include "faults/kinds/common.hpp"

namespace faultline::faults::kinds {
namespace {

constexpr std::string_view kOptions[] = {"workers"};

void read(const OptionReader& reader, FaultSpec& spec) {
  WorkerLossOptions& options = spec.options_as<WorkerLossOptions>();
  options.workers = reader.count("workers", options.workers);
}

void start(FaultContext& context) {
  FaultState& state = context.state();
  context.select_instances();
  state.saved.clear();
  for (std::uint32_t i : state.instances) {
    state.saved.push_back(context.instances()[i].workers);
    context.verbs().set_workers(i, context.options<WorkerLossOptions>().workers);
  }
}

void stop(FaultContext& context) {
  const FaultState& state = context.state();
  for (std::size_t k = 0; k < state.instances.size(); ++k) context.verbs().set_workers(state.instances[k], state.saved[k]);
}

}  // namespace

extern const KindUnit worker_loss_unit{
    .kind = FaultKind::worker_loss,
    .name = "worker_loss",
    .target_rule = TargetRule::service,
    .target_keys = kInstanceTarget,
    .option_keys = kOptions,
    .duration_rule = DurationRule::optional,
    .traits = {},
    .read_options = read,
    .start = start,
    .stop = stop,
    .model_only = "the worker count of a real service is not the proxy's to change",
};

}  // namespace faultline::faults::kinds
