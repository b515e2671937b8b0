// The live binding file: its JSON Schema (`faultline schema --binding`), located errors through
// the real program before anything is started, and the schema and the loader agreeing on what
// a binding may hold. No network: every case here is refused, or loaded, before any socket.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_helpers.hpp"
#include "harness/json_source.hpp"
#include "harness/live/binding.hpp"
#include "harness/loader.hpp"

namespace faultline::test {
namespace {

using Json = nlohmann::json;

const std::string kDirect = kSourceDir + "/tests/data/live/direct-faults.json";        // client users, service api x1
const std::string kPartition = kSourceDir + "/tests/data/live/zone-partition.json";   // zones a, b; backend x3

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

live::Binding load(const std::string& scenario_path, const std::string& text) {
  const harness::Scenario scenario = harness::load_scenario_file(scenario_path);
  return live::parse_binding(harness::JsonSource::parse("binding.json", text), scenario);
}

}  // namespace

TEST_CASE("faultline schema --binding prints the binding schema the repository holds", "[live][binding][schema]") {
  ScratchDir scratch("binding-schema");
  const CommandResult binding = run_faultline("schema --binding", scratch);
  REQUIRE(binding.exit_code == 0);
  std::ifstream file(kSourceDir + "/harness/live/binding.schema.json");
  CHECK(Json::parse(binding.out) == Json::parse(file));
  CHECK(Json::parse(binding.out)["$id"] == "https://faultline.dev/binding.schema.json");
  // Without the flag it is still the scenario schema.
  const CommandResult scenario = run_faultline("schema", scratch);
  REQUIRE(scenario.exit_code == 0);
  CHECK(Json::parse(scenario.out)["$id"] != Json::parse(binding.out)["$id"]);
  CHECK(contains(run_faultline("schema --help", scratch).out, "--binding"));
  CHECK(run_faultline("schema --bindings", scratch).exit_code == 2);
}

TEST_CASE("the binding schema is draft 7, closed on every object, and says what each value must be", "[live][binding][schema]") {
  const Json schema = Json::parse(live::binding_schema_text());
  CHECK(schema["$schema"] == "http://json-schema.org/draft-07/schema#");
  std::vector<std::string> problems;
  std::function<void(const Json&, const std::string&)> walk = [&](const Json& node, const std::string& where) {
    if (!node.is_object()) return;
    if (node.value("type", "") == "object" && node.value("additionalProperties", Json(true)) == true) {
      problems.push_back(where + ": an object schema open to any key");
    }
    if (!node.contains("title")) problems.push_back(where + ": no title (what the error message says was expected)");
    if (node.contains("pattern") && !node.contains("maxLength")) problems.push_back(where + ": a pattern without maxLength");
    if (node.contains("properties")) {
      for (const auto& [key, child] : node["properties"].items()) walk(child, where + "/properties/" + key);
    }
    if (node.contains("additionalProperties")) walk(node["additionalProperties"], where + "/additionalProperties");
    if (node.contains("items")) walk(node["items"], where + "/items");
  };
  walk(schema, "#");
  INFO(problems.size() << " problems; the first: " << (problems.empty() ? "" : problems.front()));
  CHECK(problems.empty());
}

TEST_CASE("live refuses a binding that breaks its schema, located, before anything starts", "[live][binding]") {
  ScratchDir scratch("binding-located");
  struct Case {
    std::string text;
    std::string location;  // file:line:column
    std::string pointer;
    std::string words;
  };
  const std::vector<Case> cases = {
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:8080/\",\n  \"methd\": \"GET\"}}}\n", "binding.json:2:3",
       "/clients/users/methd", "unknown key \"methd\" (did you mean \"method\"?)"},
      {"{\"clients\": {\"users\": {\"url\": \"ftp://127.0.0.1/\"}}}\n", "binding.json:1:24", "/clients/users/url",
       "expected a URL like \"http://127.0.0.1:8080/checkout\""},
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:8080/\", \"method\": \"FETCH\"}}}\n", "binding.json:1:",
       "/clients/users/method", "expected one of: GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, got \"FETCH\""},
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:8080/\", \"max_connections\": 0}}}\n", "binding.json:1:",
       "/clients/users/max_connections", "expected an integer from 1 to 100000, got 0"},
      {"{\"clients\": {\"users\": {}}}\n", "binding.json:1:14", "/clients/users", "missing required key \"url\""},
      {"{\"services\": {}}\n", "binding.json:1:1", "at  ", "missing required key \"clients\""},  // at the root
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:8080/\"}},\n \"services\": {\"api\": {\"mode\": \"udp\", \"instances\": []}}}\n",
       "binding.json:2:", "/services/api/mode", "expected \"http\" or \"tcp\", got \"udp\""},
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:8080/\"}},\n \"services\": {\"api\": {\"instances\": {}}}}\n",
       "binding.json:2:", "/services/api/instances", "expected an array of {\"listen\", \"upstream\"}"},
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:8080/\"}},\n \"services\": {\"api\": {\"instances\": [{\"listen\": \"localhost:9001\", \"upstream\": \"127.0.0.1:7001\"}]}}}\n",
       "binding.json:2:", "/services/api/instances/0/listen", "expected an address \"IP:port\" like \"127.0.0.1:9001\", got \"localhost:9001\""},
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:8080/\"}},\n \"services\": {\"api\": {\"instances\": [{\"listen\": \"127.0.0.1:9001\"}]}}}\n",
       "binding.json:2:", "/services/api/instances/0", "missing required key \"upstream\""},
      // Beyond the schema, against the scenario and the numbers the pattern cannot check.
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:99999/\"}}}\n", "binding.json:1:", "/clients/users/url",
       "got \"http://127.0.0.1:99999/\""},
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:8080/\"}},\n \"services\": {\"api\": {\"instances\": [{\"listen\": \"127.0.0.1:9001\", \"upstream\": \"127.0.0.1:7001\"}, {\"listen\": \"127.0.0.1:9002\", \"upstream\": \"127.0.0.1:7002\"}]}}}\n",
       "binding.json:2:", "/services/api/instances", "expected 1 instances"},
      {"{\"clients\": {\"users\": {\"url\": \"http://127.0.0.1:8080/\"}},\n \"services\": {\"api\": {\"instances\": [{\"listen\": \"127.0.0.1:9001\", \"upstream\": \"127.0.0.1:7001\", \"caller_zone\": \"mars\"}]}}}\n",
       "binding.json:2:", "/services/api/instances/0/caller_zone", "expected a zone of the scenario"},
  };
  const std::string report = scratch / "report.json";
  for (const Case& c : cases) {
    write_text(scratch / "binding.json", c.text);
    const CommandResult live = run_faultline("live " + kDirect + " --bind " + (scratch / "binding.json") + " --report " + report, scratch);
    INFO(c.text << "\n" << live.err);
    CHECK(live.exit_code == 2);
    CHECK(contains(live.err, c.location));
    if (c.pointer != "at  ") CHECK(contains(live.err, ": at " + c.pointer + ": "));
    CHECK(contains(live.err, c.words));
    CHECK_FALSE(std::filesystem::exists(report));
  }
}

TEST_CASE("the binding schema and the loader agree on what a binding may hold", "[live][binding][schema]") {
  const Json schema = Json::parse(live::binding_schema_text());
  const Json& client = schema["properties"]["clients"]["additionalProperties"];
  const Json& service = schema["properties"]["services"]["additionalProperties"];
  const Json& instance = service["properties"]["instances"]["items"];

  SECTION("every key the schema allows, the loader takes, and reads") {
    const std::string text = R"({"$schema": "x", "description": "d",
      "clients": {"users": {"url": "http://127.0.0.1:8080/checkout?x=1", "method": "POST", "host": "shop.example",
                            "body": "{}", "max_connections": 7, "warm_connections": 3}},
      "services": {"backend": {"mode": "tcp", "instances": [
        {"listen": "127.0.0.1:9001", "upstream": "127.0.0.1:7001", "caller_zone": "b"},
        {"listen": "[::1]:9002", "upstream": "[::1]:7002"},
        {"listen": "127.0.0.1:9003", "upstream": "10.0.0.3:7003"}]}}})";
    // The document holds every key of the schema, at every level.
    const Json document = Json::parse(text);
    for (const auto& [key, unused] : schema["properties"].items()) CHECK(document.contains(key));
    for (const auto& [key, unused] : client["properties"].items()) CHECK(document["clients"]["users"].contains(key));
    for (const auto& [key, unused] : service["properties"].items()) CHECK(document["services"]["backend"].contains(key));
    for (const auto& [key, unused] : instance["properties"].items()) CHECK(document["services"]["backend"]["instances"][0].contains(key));
    CHECK(harness::schema_errors(harness::JsonSource::parse("b.json", text), live::binding_schema_text(), 5).empty());
    const live::Binding b = load(kPartition, text);
    REQUIRE(b.clients.size() == 1);
    CHECK(b.clients[0].path == "/checkout?x=1");
    CHECK(b.clients[0].method == "POST");
    CHECK(b.clients[0].host_header == "shop.example");
    CHECK(b.clients[0].body == "{}");
    CHECK(b.clients[0].max_connections == 7);
    CHECK(b.clients[0].warm_connections == std::optional<std::uint32_t>(3));
    REQUIRE(b.services.size() == 1);
    CHECK_FALSE(b.services[0].http);
    REQUIRE(b.services[0].instances.size() == 3);
    CHECK(b.services[0].instances[0].caller_zone == 1);
    CHECK(b.services[0].instances[1].listen == "[::1]:9002");
  }

  SECTION("every value of the schema's enums loads") {
    for (const Json& method : client["properties"]["method"]["enum"]) {
      const live::Binding b = load(kDirect, R"({"clients": {"users": {"url": "http://127.0.0.1:8080/", "method": )" + method.dump() + "}}}");
      CHECK(b.clients[0].method == method.get<std::string>());
    }
    for (const Json& mode : service["properties"]["mode"]["enum"]) {
      const live::Binding b = load(kDirect, R"({"clients": {"users": {"url": "http://127.0.0.1:8080/"}},
        "services": {"api": {"mode": )" + mode.dump() + R"(, "instances": [{"listen": "127.0.0.1:9001", "upstream": "127.0.0.1:7001"}]}}})");
      CHECK(b.services[0].http == (mode == "http"));
    }
  }

  SECTION("the schema's defaults are the loader's") {
    const live::Binding b = load(kDirect, R"({"clients": {"users": {"url": "http://127.0.0.1:8080"}},
      "services": {"api": {"instances": [{"listen": "127.0.0.1:9001", "upstream": "127.0.0.1:7001"}]}}})");
    CHECK(b.clients[0].method == client["properties"]["method"]["default"].get<std::string>());
    CHECK(b.clients[0].max_connections == client["properties"]["max_connections"]["default"].get<std::uint32_t>());
    CHECK(b.clients[0].path == "/");
    CHECK_FALSE(b.clients[0].warm_connections.has_value());  // no default in the schema: the generator's own choice
    CHECK_FALSE(client["properties"]["warm_connections"].contains("default"));
    CHECK(b.services[0].http == (service["properties"]["mode"]["default"] == "http"));
  }

  SECTION("the bounds the schema sets are the loader's") {
    const Json& bound = client["properties"]["max_connections"];
    for (const std::uint64_t n : {bound["minimum"].get<std::uint64_t>(), bound["maximum"].get<std::uint64_t>()}) {
      const live::Binding b = load(kDirect, R"({"clients": {"users": {"url": "http://127.0.0.1:8080/", "max_connections": )" +
                                                std::to_string(n) + "}}}");
      CHECK(b.clients[0].max_connections == n);
    }
    for (const std::uint64_t n : {bound["minimum"].get<std::uint64_t>() - 1, bound["maximum"].get<std::uint64_t>() + 1}) {
      const std::string text = R"({"clients": {"users": {"url": "http://127.0.0.1:8080/", "max_connections": )" + std::to_string(n) + "}}}";
      CHECK_THROWS_AS(load(kDirect, text), harness::InputError);
      CHECK_FALSE(harness::schema_errors(harness::JsonSource::parse("b.json", text), live::binding_schema_text(), 5).empty());
    }
    const Json& warm = client["properties"]["warm_connections"];
    for (const std::uint64_t n : {warm["minimum"].get<std::uint64_t>(), warm["maximum"].get<std::uint64_t>()}) {
      const live::Binding b = load(kDirect, R"({"clients": {"users": {"url": "http://127.0.0.1:8080/", "warm_connections": )" +
                                                std::to_string(n) + "}}}");
      CHECK(b.clients[0].warm_connections == std::optional<std::uint32_t>(static_cast<std::uint32_t>(n)));
    }
    for (const std::string& n : {std::string("-1"), std::to_string(warm["maximum"].get<std::uint64_t>() + 1), std::string("2.5")}) {
      const std::string text = R"({"clients": {"users": {"url": "http://127.0.0.1:8080/", "warm_connections": )" + n + "}}}";
      CHECK_THROWS_AS(load(kDirect, text), harness::InputError);
      CHECK_FALSE(harness::schema_errors(harness::JsonSource::parse("b.json", text), live::binding_schema_text(), 5).empty());
    }
  }
}

TEST_CASE("the docs' docker-compose and Kubernetes bindings load against their scenario", "[live][binding][docs]") {
  // docs/live.md binds docs/examples/live/checkout.json to both set-ups; each section's ```json
  // block must pass the binding schema and match the scenario (service names, instance counts).
  const std::string scenario = kSourceDir + "/docs/examples/live/checkout.json";
  ScratchDir scratch("binding-docs");
  CHECK(run_faultline("validate " + scenario, scratch).exit_code == 0);
  const std::string page = read_file(kSourceDir + "/docs/live.md");
  for (const std::string heading : {"### Binding a docker-compose set-up", "### Binding a Kubernetes port-forward set-up"}) {
    const auto section = page.find(heading);
    REQUIRE(section != std::string::npos);
    const auto open = page.find("```json\n", section);
    REQUIRE(open != std::string::npos);
    REQUIRE(open < page.find("\n## ", section));  // the block is in this section
    const auto body = open + 8;
    const std::string text = page.substr(body, page.find("```", body) - body);
    INFO(heading << "\n" << text);
    CHECK(harness::schema_errors(harness::JsonSource::parse("binding.json", text), live::binding_schema_text(), 5).empty());
    const live::Binding b = load(scenario, text);
    REQUIRE(b.clients.size() == 1);
    CHECK(b.clients[0].address.port == 8080);
    REQUIRE(b.services.size() == 1);
    REQUIRE(b.services[0].instances.size() == 2);
    CHECK(b.services[0].instances[0].upstream == "127.0.0.1:7001");
    CHECK(b.services[0].instances[1].upstream == "127.0.0.1:7002");
  }
}

}  // namespace faultline::test
