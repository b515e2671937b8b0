// The engine against queueing theory: M/M/1, M/M/c (Erlang C), and the response-time law for
// closed-loop users. Long runs with our own parameters; tolerances are a few percent.
#include <catch2/catch.hpp>

#include <cmath>

#include "model_builders.hpp"
#include "sim/engine.hpp"

using namespace faultline;
using namespace faultline::testing;

namespace {

// Erlang C: the probability that an arrival waits in an M/M/c queue with offered load a = lambda/mu.
double erlang_c(int servers, double offered_load) {
  double term = 1.0;  // a^k / k!
  double sum = 0.0;
  for (int k = 0; k < servers; ++k) {
    sum += term;
    term *= offered_load / (k + 1);
  }
  const double rho = offered_load / servers;
  const double last = term / (1.0 - rho);  // a^c / c! * 1/(1-rho)
  return last / (sum + last);
}

double mean_wait_ms(const sim::Engine& engine, std::uint32_t service) {
  return engine.results().services[service].queue_wait.mean() / 1e6;
}

}  // namespace

TEST_CASE("an M/M/1 queue waits as long as theory says", "[queueing]") {
  // lambda = 700/s, mu = 1000/s: rho = 0.7, Wq = rho / (mu - lambda) = 2.333 ms.
  auto m = model(11, 3000 * sim::kSecond);
  m.services.push_back(service("server", 1, 1, exp_ms(1.0)));
  m.clients.push_back(open_client("load", 0, 700.0));
  sim::Engine engine(m);
  engine.run();
  const double expected_ms = 0.7 / (1000.0 - 700.0) * 1e3;
  CHECK(mean_wait_ms(engine, 0) == Approx(expected_ms).epsilon(0.02));
  // Sojourn time W = 1 / (mu - lambda) = 3.333 ms, measured end to end by the client.
  CHECK(engine.results().clients[0].latency.mean() / 1e6 == Approx(1e3 / 300.0).epsilon(0.02));
}

TEST_CASE("an M/M/c queue waits as long as Erlang C says", "[queueing]") {
  // c = 4 workers of mu = 500/s each, lambda = 1600/s: a = 3.2, rho = 0.8.
  auto m = model(12, 1500 * sim::kSecond);
  m.services.push_back(service("server", 1, 4, exp_ms(2.0)));
  m.clients.push_back(open_client("load", 0, 1600.0));
  sim::Engine engine(m);
  engine.run();
  const double mu = 500.0, lambda = 1600.0;
  const double expected_ms = erlang_c(4, lambda / mu) / (4 * mu - lambda) * 1e3;
  CHECK(mean_wait_ms(engine, 0) == Approx(expected_ms).epsilon(0.02));
  // The share of arrivals that waited at all is Erlang C itself.
  const auto& wait = engine.results().services[0].queue_wait;
  std::uint64_t waited = 0;
  wait.for_each_bucket([&](const sim::LatencyHistogram::Bucket& b) {
    if (b.low_ns > 0) waited += b.count;
  });
  CHECK(static_cast<double>(waited) / static_cast<double>(wait.count()) == Approx(erlang_c(4, 3.2)).epsilon(0.02));
}

TEST_CASE("closed-loop users obey the response time law", "[queueing][process]") {
  // N users, think time Z: throughput X = N / (R + Z), whatever the service does.
  auto m = model(13, 600 * sim::kSecond);
  m.services.push_back(service("server", 1, 2, exp_ms(4.0)));
  sim::ClientConfig users;
  users.name = "users";
  users.service = 0;
  users.closed_loop = true;
  users.users = 50;
  users.session.push_back({0, exp_ms(100.0)});
  m.clients.push_back(users);
  sim::Engine engine(m);
  engine.run();
  const auto& client = engine.results().clients[0];
  const double throughput = static_cast<double>(client.totals.ok) / 600.0;
  const double response_s = client.latency.mean() / 1e9;
  CHECK(throughput * (response_s + 0.100) == Approx(50.0).epsilon(0.02));
  CHECK(client.totals.ok > 100000);
}

TEST_CASE("utilisation follows the offered load", "[queueing]") {
  // Little's law at the server: mean busy workers = lambda * E[S].
  auto m = model(14, 200 * sim::kSecond);
  m.services.push_back(service("server", 2, 3, exp_ms(2.0)));
  m.clients.push_back(open_client("load", 0, 1000.0));
  sim::Engine engine(m);
  engine.run();
  const auto& s = engine.results().services[0];
  CHECK(static_cast<double>(s.totals.ok) / 200.0 == Approx(1000.0).epsilon(0.01));
}
