// The Toxiproxy-compatible API driven by a real Toxiproxy client: the npm package
// toxiproxy-node-client, run by nodejs (installed by scripts/install-node-tools.sh).
#include <catch2/catch.hpp>

#include <fstream>

#include "live_helpers.hpp"

namespace faultline::test {

TEST_CASE("toxiproxy-node-client creates a proxy and a latency toxic on faultline proxy, and requests feel it", "[live][toxiproxy]") {
  const std::string tools = FAULTLINE_NODE_TOOLS;
  INFO("the npm package is installed by scripts/install-node-tools.sh into " << tools);
  REQUIRE(std::filesystem::exists(tools + "/node_modules/toxiproxy-node-client/package.json"));
  ScratchDir scratch("live-toxiproxy");
  Backend backend(scratch, "api", {"--latency", "1ms"});
  REQUIRE(backend.ready());
  const int api = free_port();
  const int listen = free_port();
  Child proxy({kBinary, "proxy", "--api", address(api)}, scratch / "proxy.log");
  REQUIRE(wait_for_port(api));
  // The script prints one JSON object with what it saw; the test judges it.
  const std::string script = R"(
const { Toxiproxy } = require("toxiproxy-node-client");
const http = require("http");
const api = "http://127.0.0.1:)" + std::to_string(api) + R"(";
function get(port, path) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    http.get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    }).on("error", reject);
  });
}
(async () => {
  const toxiproxy = new Toxiproxy(api);
  const out = {};
  out.version = await toxiproxy.getVersion();
  const proxy = await toxiproxy.createProxy({ name: "api", listen: "127.0.0.1:)" + std::to_string(listen) + R"(", upstream: "127.0.0.1:)" +
                             std::to_string(backend.port) + R"(" });
  out.proxy = proxy.toJson();
  out.before = await get()" + std::to_string(listen) + R"(, "/a");
  const toxic = await proxy.addToxic({ type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 400, jitter: 0 } });
  out.toxic = toxic.toJson();
  out.with_toxic = await get()" + std::to_string(listen) + R"(, "/b");
  out.listed = (await (await toxiproxy.get("api")).getToxics !== undefined);
  await toxic.remove();
  out.after_remove = await get()" + std::to_string(listen) + R"(, "/c");
  const all = await toxiproxy.getAll();
  out.names = Object.keys(all);
  const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  out.disabled = disabled.toJson();
  try { await get()" + std::to_string(listen) + R"(, "/d"); out.refused = false; } catch (e) { out.refused = true; }
  await toxiproxy.reset();
  out.after_reset = await get()" + std::to_string(listen) + R"(, "/e");
  const metrics = await fetch(api + "/metrics");
  out.metrics = await metrics.text();
  let missing;
  try { await toxiproxy.get("nope"); missing = "found"; } catch (e) { missing = e.message; }
  out.missing = missing;
  await proxy.remove();
  out.after_delete = Object.keys(await toxiproxy.getAll());
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
)";
  std::ofstream(scratch / "client.js") << script;
  const CommandResult node = run_command("cd " + scratch.path.string() + " && NODE_PATH=" + tools +
                                             "/node_modules timeout -k 5 60 node client.js", scratch);
  INFO(node.out << node.err << read_file(scratch / "proxy.log"));
  REQUIRE(node.exit_code == 0);
  const nlohmann::json out = nlohmann::json::parse(node.out);
  CHECK(contains(out["version"].get<std::string>(), "faultline"));
  CHECK(out["proxy"]["name"] == "api");
  CHECK(out["proxy"]["enabled"] == true);
  CHECK(out["before"]["status"] == 200);
  CHECK(out["toxic"]["name"] == "latency_downstream");
  CHECK(out["toxic"]["attributes"]["latency"] == 400);
  CHECK(out["with_toxic"]["status"] == 200);
  CHECK(out["with_toxic"]["ms"].get<double>() >= 400.0);  // the toxic's delay is a floor, whatever the load
  CHECK(out["after_remove"]["status"] == 200);
  CHECK(out["names"] == nlohmann::json::array({"api"}));
  CHECK(out["disabled"]["enabled"] == false);
  CHECK(out["refused"] == true);
  CHECK(out["after_reset"]["status"] == 200);
  CHECK(contains(out["metrics"].get<std::string>(), "faultline_proxy_connections_total{proxy=\"api\"}"));
  CHECK(contains(out["missing"].get<std::string>(), "404"));
  CHECK(out["after_delete"] == nlohmann::json::array());
}

TEST_CASE("faultline's own HTTP toxic answers a share of requests with a status", "[live][toxiproxy]") {
  ScratchDir scratch("live-http-toxic");
  Backend backend(scratch, "api", {"--latency", "1ms"});
  REQUIRE(backend.ready());
  const int api = free_port();
  const int listen = free_port();
  Child proxy({kBinary, "proxy", "--api", address(api)}, scratch / "proxy.log");
  REQUIRE(wait_for_port(api));
  const std::string base = "curl -s -o /dev/null -w '%{http_code}\\n' ";
  auto curl = [&](const std::string& args) { return run_command("timeout 30 curl -s " + args, scratch); };
  CHECK(contains(curl("-X POST -d '{\"name\":\"api\",\"listen\":\"" + address(listen) + "\",\"upstream\":\"" +
                      address(backend.port) + "\",\"protocol\":\"http\"}' http://" + address(api) + "/proxies").out,
                 "\"protocol\":\"http\""));
  const CommandResult toxic = curl("-X POST -d '{\"type\":\"http_error\",\"attributes\":{\"status\":503,\"ratio\":1.0}}' http://" +
                                   address(api) + "/proxies/api/toxics");
  CHECK(contains(toxic.out, "\"status\":503"));
  const CommandResult statuses = run_command(
      "for i in 1 2 3 4 5; do timeout 30 " + base + "http://" + address(listen) + "/x; done", scratch);
  CHECK(count_of(statuses.out, "503") == 5);
  curl("-X DELETE http://" + address(api) + "/proxies/api/toxics/http_error_upstream");
  const CommandResult healthy = run_command("timeout 30 " + base + "http://" + address(listen) + "/y", scratch);
  CHECK(contains(healthy.out, "200"));
  // A TCP proxy refuses HTTP toxics with Toxiproxy's error shape.
  curl("-X POST -d '{\"name\":\"raw\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + address(backend.port) + "\"}' http://" + address(api) + "/proxies");
  const CommandResult refused = curl("-X POST -d '{\"type\":\"http_error\"}' http://" + address(api) + "/proxies/raw/toxics");
  CHECK(contains(refused.out, "\"status\":400"));
}

TEST_CASE("faultline proxy refuses an API or proxy port in use: exit 2, said plainly, nothing served", "[live][toxiproxy]") {
  ScratchDir scratch("live-proxy-in-use");
  Backend backend(scratch, "api", {"--latency", "1ms"});
  REQUIRE(backend.ready());
  // The backend's own port is in use (by the backend, started and stopped by this test).
  const CommandResult api = run_faultline("proxy --api " + address(backend.port), scratch);
  INFO(api.err);
  CHECK(api.exit_code == 2);
  CHECK(contains(api.err, "proxy: --api: cannot listen on " + address(backend.port) + ": "));
  CHECK(contains(api.err, "(is the port in use?)"));
  std::ofstream(scratch / "binding.json") << R"({"clients": {"users": {"url": "http://127.0.0.1:1/"}},
  "services": {"api": {"instances": [{"listen": ")" << address(backend.port) << R"(", "upstream": "127.0.0.1:1"}]}}})" << "\n";
  const CommandResult bound = run_faultline("proxy --api " + address(free_port()) + " --bind " + (scratch / "binding.json") +
                                                " --scenario " + kSourceDir + "/tests/data/live/direct-faults.json", scratch);
  INFO(bound.err);
  CHECK(bound.exit_code == 2);
  CHECK(contains(bound.err, "binding.json:2:"));
  CHECK(contains(bound.err, "at /services/api/instances/0/listen: cannot listen on " + address(backend.port)));
}

}  // namespace faultline::test
