// The scenario loader's workload section: clients, open-loop rate schedules, closed-loop sessions.
#include "harness/loader_internal.hpp"

namespace faultline::harness::loader_detail {
namespace {

TimeNs saturating_add(TimeNs a, TimeNs b) {
  return a > std::numeric_limits<TimeNs>::max() - b ? std::numeric_limits<TimeNs>::max() : a + b;
}

}  // namespace

void ScenarioLoader::load_clients(const Json& list, sim::ModelConfig& model) {
  if (list.size() > limits_.max_clients) {
    note_limit("/clients", "max_clients", "--max-clients",
               "scenario has " + std::to_string(list.size()) + " clients; the limit is " +
                   std::to_string(limits_.max_clients));
  }
  std::uint64_t total_users = 0;
  for (std::size_t c = 0; c < list.size(); ++c) {
    const Json& client = list[c];
    const std::string at = child("/clients", c);
    define(clients_, client["name"], child(at, "name"));
    sim::ClientConfig config;
    config.name = client["name"].get<std::string>();
    config.zone = resolve(zones_, client["zone"], child(at, "zone"));
    config.service = resolve(services_, client["service"], child(at, "service"));
    config.operation = operation_of(config.service, member(client, "operation"), child(at, "operation"));
    config.start_ns = duration_or(client, at, "start", 0);
    config.stop_ns = duration_or(client, at, "stop", model.duration_ns);
    if (config.start_ns >= model.duration_ns) {
      fail(child(at, "start"), "expected a start before the end of the run (" + format_go_duration(model.duration_ns) + ")");
    }
    if (config.stop_ns <= config.start_ns) {
      fail(child(at, "stop"), "expected a stop after the start (" + format_go_duration(config.start_ns) + ")");
    }
    const Json* open = member(client, "open_loop");
    const Json* closed = member(client, "closed_loop");
    if (open && closed) fail(child(at, "closed_loop"), "give either \"open_loop\" or \"closed_loop\", not both");
    if (!open && !closed) fail(at, "missing the workload: give \"open_loop\" or \"closed_loop\"");
    if (open) load_open_loop(*open, child(at, "open_loop"), config);
    if (closed) {
      load_closed_loop(*closed, child(at, "closed_loop"), config);
      total_users = std::min(total_users + config.users, std::uint64_t{1} << 62);
      if (total_users > limits_.max_users) {
        note_limit(child(child(at, "closed_loop"), "users"), "max_users", "--max-users",
                   "scenario asks for " + std::to_string(total_users) + " closed-loop users; the limit is " +
                       std::to_string(limits_.max_users));
      }
    }
    config.policy = load_policy(client, at);
    model.clients.push_back(std::move(config));
  }
}

void ScenarioLoader::load_open_loop(const Json& open, const std::string& pointer, sim::ClientConfig& config) {
  config.arrivals = open.value("arrivals", std::string("poisson")) == "constant" ? sim::ArrivalProcess::constant
                                                                                   : sim::ArrivalProcess::poisson;
  const auto check_rate = [&](double rate, const std::string& at) {
    if (rate > limits_.max_rate_per_s) {
      note_limit(at, "max_rate_per_s", "--max-rate",
                 "client " + in_quotes(config.name) + " asks for " + number_text(rate) +
                     " requests per second; the limit is " + number_text(limits_.max_rate_per_s));
    }
  };
  config.schedule.push_back({0, open["rate"].get<double>(), false});
  check_rate(config.schedule.back().rate_per_s, child(pointer, "rate"));
  const Json* schedule = member(open, "schedule");
  for (std::size_t i = 0; schedule && i < schedule->size(); ++i) {
    const Json& point = (*schedule)[i];
    const std::string at = child(child(pointer, "schedule"), i);
    const TimeNs after = config.schedule.back().at_ns;
    const TimeNs at_ns = duration(point["at"], child(at, "at"));
    if (at_ns <= after) {
      fail(child(at, "at"), "expected a time after " + format_go_duration(after) +
                                ": schedule points come in increasing order of \"at\" (and after any spike before them ends)");
    }
    const double rate_before = config.schedule.back().rate_per_s;
    config.schedule.push_back({at_ns, point["rate"].get<double>(), bool_or(point, "ramp", false)});
    check_rate(config.schedule.back().rate_per_s, child(at, "rate"));
    if (const Json* spike = member(point, "for")) {
      // A spike is two points: up at `at`, back to the rate before it `for` later.
      config.schedule.push_back({saturating_add(at_ns, duration(*spike, child(at, "for"), true)), rate_before, false});
    }
  }
}

void ScenarioLoader::load_closed_loop(const Json& closed, const std::string& pointer, sim::ClientConfig& config) const {
  config.closed_loop = true;
  config.users = static_cast<std::uint32_t>(closed["users"].get<std::uint64_t>());
  const sim::Distribution think_time = distribution_or(closed, pointer, "think_time", sim::ConstantDist{0});
  const Json* session = member(closed, "session");
  if (session == nullptr) {
    config.session.push_back({config.operation, think_time});
    return;
  }
  for (std::size_t i = 0; i < session->size(); ++i) {
    const std::string at = child(child(pointer, "session"), i);
    const Json& step = (*session)[i];
    config.session.push_back({operation_of(config.service, &step["operation"], child(at, "operation")),
                              distribution_or(step, at, "think_time", think_time)});
  }
}

}  // namespace faultline::harness::loader_detail
