// The what-if page's logic without HTTP (docs/serve.md): levers, requests, exports, the kept
// base; and `talentcast serve`'s bad input. The page itself runs in Chromium
// (tests/browser/check_serve.py) and the server takes hostile requests in
// tests/serve/check_requests.py.
#include <fmt/core.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "export.hpp"
#include "levers.hpp"
#include "request.hpp"
#include "support.hpp"
#include "talentcast/config/scenario_document.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/studies/compare.hpp"
#include "whatif.hpp"

using namespace talentcast;
using nlohmann::json;
using talentcast::test::TempDir;

namespace {

std::filesystem::path flagship() {
  return talentcast::test::source_dir() / "scenarios" / "china-ai-2024.toml";
}

serve::Lever lever(serve::Move move, json base) {
  serve::Lever l;
  l.key = "roles.x.demand_growth";
  l.move = move;
  l.base = std::move(base);
  return l;
}

}  // namespace

TEST_CASE("a lever moves every location of a distribution, and scales its spread too", "[serve]") {
  using serve::Move;
  const json pert = {
      {"dist", "pert"}, {"low", 0.03}, {"mode", 0.14}, {"high", 0.3}, {"source", "assumption"}};
  CHECK(serve::moved_value(lever(Move::add, pert), 0.02) ==
        "{ dist = \"pert\", high = 0.32, low = 0.05, mode = 0.16, source = \"what-if page: the "
        "base's plus 0.02 (base: assumption)\" }");
  const json normal = {{"dist", "normal"}, {"mean", 800}, {"sd", 300}, {"min", 200}, {"max", 2000}};
  // Scaled by 1.2: every location and the spread.
  CHECK(serve::moved_value(lever(Move::scale, normal), 0.2) ==
        "{ dist = \"normal\", max = 2400, mean = 960, min = 240, sd = 360, source = \"what-if "
        "page: the base's times 1.2\" }");
  // Added: the locations alone; the spread stays.
  CHECK(serve::moved_value(lever(Move::add, normal), 100) ==
        "{ dist = \"normal\", max = 2100, mean = 900, min = 300, sd = 300, source = \"what-if "
        "page: the base's plus 100\" }");
  CHECK(serve::moved_value(lever(Move::add, json(0.05)), 0.1) ==
        "{ value = 0.15, source = \"what-if page: the base's plus 0.1\" }");
  CHECK(serve::moved_value(lever(Move::scale, json{{"value", 0.5}, {"source", "s"}}), -0.5) ==
        "{ value = 0.25, source = \"what-if page: the base's times 0.5 (base: s)\" }");
  CHECK_THROWS_WITH(serve::moved_value(lever(Move::add, json{{"dist", "weibull"}, {"k", 1}}), 0.1),
                    "a 'weibull' distribution cannot be moved");
  CHECK(serve::value_text(pert) == "pert(low 0.03, mode 0.14, high 0.3)");
  // A source that holds quotes and a newline stays one TOML string.
  CHECK(serve::toml_string("a \"b\"\n\\") == "\"a \\\"b\\\"\\u000A\\\\\"");
}

TEST_CASE("the flagship's levers: per role and per graduate field, with where each is written",
          "[serve]") {
  const config::ScenarioDocument document(flagship());
  const models::Scenario scenario = document.scenario();
  const auto levers = serve::levers_of(document, scenario);
  std::map<std::string, int> groups;
  for (const auto& l : levers) ++groups[l.group];
  CHECK(groups["Demand"] == 9);
  CHECK(groups["Wages"] == 9);      // from [defaults] for every role
  CHECK(groups["Graduates"] == 3);  // ai_bachelor, masters_phd, college_graduates
  CHECK(groups["Inflows"] >= 9);    // career switchers everywhere, overseas where given
  const auto find = [&](const std::string& key) {
    const auto it = std::find_if(levers.begin(), levers.end(),
                                 [&](const serve::Lever& l) { return l.key == key; });
    REQUIRE(it != levers.end());
    return *it;
  };
  CHECK(find("roles.nlp.wage_response").read == "defaults.wage_response");
  CHECK(find("roles.llm_algorithm.overseas_inflow").read == "roles.llm_algorithm.overseas_inflow");
  CHECK(find("fields.ai_bachelor.growth").move == serve::Move::add);
  CHECK(serve::value_text(find("roles.llm_algorithm.demand_growth").base) ==
        "pert(low 0.03, mode 0.14, high 0.3)");
}

TEST_CASE("a what-if request's problems are told each beside what set it, all at once", "[serve]") {
  std::vector<serve::Problem> problems;
  serve::read_whatif("[1, 2]", problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message == "expected a JSON object (docs/serve.md, \"API\")");
  problems.clear();
  serve::read_whatif(std::string(100, '[') + std::string(100, ']'), problems);
  REQUIRE(problems.size() == 1);  // too deep: refused before it is parsed
  problems.clear();
  const auto whatif = serve::read_whatif(
      R"({"scenario": 0, "levers": [{"key": "a", "by": "x"}, 5, {"by": 1}],
          "values": [{"key": "title"}],
          "events": [{"from": 2026, "roles": ["nlp", 42]}]})",
      problems);
  REQUIRE(problems.size() == 8);
  CHECK(problems[0].key == "scenario");
  CHECK(problems[0].message == "expected a scenario's id, found 0");
  CHECK(problems[1].where == "lever");
  CHECK(problems[1].message == "expected a number, found \"x\"");
  // An element that is not an object, or lacks a field, is a problem too (not dropped): each
  // keeps its index in the request.
  CHECK(problems[2].index == 1);
  CHECK(problems[2].message == "expected a JSON object, found 5");
  CHECK(problems[3].index == 2);
  CHECK(problems[3].message == "expected a lever's key path");
  CHECK(whatif.levers.size() == 3);
  CHECK(problems[4].where == "value");
  CHECK(problems[4].message == "expected a TOML value");
  CHECK(problems[5].where == "event");
  CHECK(problems[5].message == "expected a list of role names, found 42");
  CHECK(problems[6].message == "expected a date such as \"2026-Q1\", found 2026");
  CHECK(problems[7].message == "expected a number");
  // What a wrong type holds is shown as io::printable shows it, never cut again: cut, it split a
  // UTF-8 character (control characters take 4 bytes each), and the answer was an internal
  // error.
  problems.clear();
  serve::read_whatif(fmt::format(R"({{"scenario": "0", "paths": "{}{}"}})", std::string(5, '\x7f'),
                                 std::string(80, 'x') + "\u00e9\u00e9"),
                     problems);
  REQUIRE(problems.size() == 1);
  // Its message is valid UTF-8: the answer, JSON, can be written.
  CHECK_NOTHROW(json(problems[0].message).dump());

  // Applied to the flagship: a lever beyond its range, a value of the wrong kind, an event of an
  // unknown role; each told where it belongs.
  const config::ScenarioDocument document(flagship());
  const models::Scenario base = document.scenario();
  const auto levers = serve::levers_of(document, base);
  problems.clear();
  const auto bad = serve::read_whatif(R"({"scenario": "0",
      "levers": [{"key": "fields.ai_bachelor.growth", "by": 0.1},
                 {"key": "roles.nlp.demand_growth", "by": 5}],
      "values": [{"key": "roles.nlp.attrition", "value": "\"high\""}],
      "events": [{"roles": ["nlp", "plumber"], "from": "2026-Q1", "to": "2026-Q4",
                  "demand_growth_add": -0.2}]})",
                                      problems);
  REQUIRE(problems.empty());
  auto changes = serve::changes_of(bad, levers, base, problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].where == "lever");
  CHECK(problems[0].index == 1);
  CHECK(problems[0].message == "expected an amount in [-0.3, 0.3], found 5");
  // The lever's problem stays, and the others are added to it: every problem at once.
  std::vector<std::pair<std::string, std::string>> merged;
  CHECK_FALSE(serve::apply(document, base, bad, changes, merged, problems));
  REQUIRE(problems.size() == 3);
  CHECK(problems[1].where == "value");
  CHECK(problems[1].key == "roles.nlp.attrition");
  CHECK(problems[1].message.starts_with("expected "));
  CHECK(problems[2].where == "event");
  CHECK(problems[2].index == 0);
  CHECK(problems[2].key.starts_with("events[0]"));
}

TEST_CASE("the exported variant states only the changes and gives the page's what-if", "[serve]") {
  const config::ScenarioDocument document(flagship());
  const models::Scenario base = document.scenario();
  std::vector<serve::Problem> problems;
  const auto whatif = serve::read_whatif(R"({"scenario": "0",
      "levers": [{"key": "fields.ai_bachelor.growth", "by": 0.1},
                 {"key": "roles.nlp.wage_response", "by": -0.5}],
      "values": [{"key": "roles.nlp.attrition", "value": "0.2"}],
      "events": [{"roles": ["llm_algorithm"], "from": "2026-Q1", "to": "2026-Q4",
                  "demand_growth_add": -0.2}]})",
                                         problems);
  const auto changes = serve::changes_of(whatif, serve::levers_of(document, base), base, problems);
  std::vector<std::pair<std::string, std::string>> merged;
  const auto page = serve::apply(document, base, whatif, changes, merged, problems);
  REQUIRE(problems.empty());
  REQUIRE(page);
  const std::string text = serve::variant_toml(flagship(), merged, whatif, 0, 300, 7, problems);
  REQUIRE(problems.empty());
  CHECK(text.find("extends = \"" + flagship().lexically_normal().string() + "\"") !=
        std::string::npos);
  CHECK(text.find("roles.nlp.attrition = 0.2\n") != std::string::npos);
  CHECK(text.find("\n[[events]]\nname = \"what-if event 1\"\nfrom = \"2026-Q1\"\nto = "
                  "\"2026-Q4\"\nroles = [\"llm_algorithm\"]\ndemand_growth_add = -0.2\n") !=
        std::string::npos);
  TempDir dir;
  const models::Scenario exported = config::load_scenario(dir.write("whatif.toml", text));
  // The same what-if: compared with the base on the same paths, every number is the page's.
  studies::ForecastSettings settings;
  settings.paths = 300;
  settings.seed = 7;
  const auto a = studies::run_comparison(base, *page, settings);
  const auto b = studies::run_comparison(base, exported, settings);
  REQUIRE(a.rows.size() == b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    CAPTURE(a.rows[i].role, a.rows[i].period, a.rows[i].metric);
    CHECK(a.rows[i].summary.percentiles == b.rows[i].summary.percentiles);
  }
  CHECK(exported.title == "What-if of " + base.title);
  // A change inside one of the base's [[events]] is not something a variant can state.
  const auto inside = serve::read_whatif(
      R"({"scenario": "0", "values": [{"key": "events[0].demand_growth_add", "value": "0.1"}]})",
      problems);
  serve::variant_toml(flagship(), serve::changes_of(inside, {}, base, problems), inside, 0, 300, 7,
                      problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].where == "value");
  CHECK(problems[0].key == "events[0].demand_growth_add");
}

TEST_CASE("an event added by key path comes after the scenario's own, and copies keep it",
          "[serve][scenario-document]") {
  config::ScenarioDocument document(talentcast::test::source_dir() / "scenarios" /
                                    "china-ai-hiring-freeze.toml");
  document.set("events[+]", R"({ name = "extra", from = "2027", demand_growth_add = -0.1 })");
  const config::ScenarioDocument copy(document);
  for (const config::ScenarioDocument* d :
       std::initializer_list<const config::ScenarioDocument*>{&document, &copy}) {
    const models::Scenario s = d->scenario();
    REQUIRE(s.events.size() == 3);
    CHECK(s.events[2].name == "extra");
    REQUIRE(s.changes.size() == 1);
    CHECK(s.changes[0].first == "events[+]");
  }
  // Two added events are both kept, in order.
  document.set("events[+]", R"({ name = "more", from = "2028", demand_growth_add = 0.1 })");
  CHECK(document.scenario().events.size() == 4);
  CHECK_THROWS_WITH(document.set("events[+]", "3"),
                    "(set by key path): events[+]: expected an event as an inline table, such "
                    "as { from = \"2026\", demand_growth_add = -0.2 }, found '3'\n");
}

TEST_CASE("the service answers a what-if, tells a bad one, and stops a run when told", "[serve]") {
  serve::WhatIfService service({flagship()}, {.paths = 400, .seed = 5, .threads = 2});
  const auto ok = service.compare(
      R"({"scenario": "0", "levers": [{"key": "fields.ai_bachelor.growth", "by": 0.1}]})");
  REQUIRE(ok.status == 200);
  const json body = json::parse(ok.body);
  CHECK(body["paths"] == 400);
  CHECK(body["seed"] == 5);
  REQUIRE(body["series"].size() == 10);
  CHECK(body["series"][9]["name"] == "total");
  CHECK(body["series"][0]["ratio"]["difference"].size() == 28);
  const auto bad = service.compare(R"({"scenario": "0", "paths": 401})");
  CHECK(bad.status == 422);
  CHECK(json::parse(bad.body)["text"] ==
        "paths: expected 1 to 400 paths (serve --paths), found 401\n1 error; nothing was run");
  CHECK(service.levers("7").status == 422);
  const auto toml = service.export_toml(R"({"scenario": "0"})");
  CHECK(toml.status == 200);
  CHECK(toml.filename == "whatif.toml");

  // A key set twice (the title, a lever and then a value of the same key) is exported once, as
  // it was run: the later setting. (Written twice, the file did not load.)
  const auto twice = service.export_toml(R"({"scenario": "0",
      "levers": [{"key": "roles.nlp.demand_growth", "by": 0.1}],
      "values": [{"key": "title", "value": "\"Mine\""},
                 {"key": "roles.nlp.demand_growth", "value": "0.3"}]})");
  REQUIRE(twice.status == 200);
  TempDir dir;
  const models::Scenario exported = config::load_scenario(dir.write("whatif.toml", twice.body));
  CHECK(exported.title == "Mine");
  CHECK(twice.body.find("roles.nlp.demand_growth = 0.3\n") != std::string::npos);
  CHECK(twice.body.find("what-if page: the base's plus") == std::string::npos);
  // What a variant cannot state is refused before it runs: a part of a distribution, an event
  // by key path (the page adds events itself).
  const auto part = service.compare(R"({"scenario": "0", "values": [
      {"key": "roles.nlp.demand_growth.mode", "value": "0.1"},
      {"key": "events[+]", "value": "{ from = \"2026\", demand_growth_add = -0.1 }"}]})");
  REQUIRE(part.status == 422);
  const json told = json::parse(part.body)["problems"];
  REQUIRE(told.size() == 2);
  CHECK(told[0]["message"] ==
        "expected the key path of a whole value: set roles.nlp.demand_growth to a number or a "
        "whole distribution, such as { dist = \"pert\", low = 0.1, mode = 0.15, high = 0.2 }");
  CHECK(told[1]["message"] == "add an event with the page's hiring freeze or cut");
}

TEST_CASE("a what-if that arrived later stops the one running, and Ctrl-C stops the base",
          "[serve]") {
  std::atomic<bool> ctrl_c{false};
  serve::WhatIfService service({flagship()},
                               {.paths = 10000, .seed = 5, .threads = 2, .stop = &ctrl_c});
  REQUIRE(service.compare(R"({"scenario": "0", "paths": 100})").status == 200);  // the base
  // A what-if of 10,000 paths, and small ones sent after it until it has answered: one of them
  // arrives while it waits or runs, and stops it.
  std::atomic<bool> answered{false};
  serve::Reply first;
  std::thread running([&] {
    first = service.compare(
        R"({"scenario": "0", "levers": [{"key": "fields.ai_bachelor.growth", "by": 0.1}]})");
    answered = true;
  });
  std::vector<int> later;
  while (!answered) {
    later.push_back(service.compare(R"({"scenario": "0", "paths": 100})").status);
  }
  running.join();
  CHECK(first.status == 409);
  CHECK(json::parse(first.body)["cancelled"] == "a newer what-if replaced this one");
  REQUIRE_FALSE(later.empty());
  CHECK(later.back() == 200);
  // Ctrl-C (the server's stop) stops a base being run: switching to a new base answers 409.
  serve::WhatIfService two({flagship(), flagship()},
                           {.paths = 1000, .seed = 5, .threads = 2, .stop = &ctrl_c});
  ctrl_c = true;
  const auto stopped = two.compare(R"({"scenario": "1"})");
  CHECK(stopped.status == 409);
  CHECK(json::parse(stopped.body)["cancelled"] == "the server is stopping");
}

TEST_CASE("serve refuses bad scenarios and flags with exit code 2, before listening",
          "[serve][cli]") {
  TempDir dir;
  const auto bad = dir.write("bad.toml", "title = 3\n");
  auto r = talentcast::test::run_talentcast(fmt::format("serve {} --port 0", bad.string()));
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("what-if page is at") == std::string::npos);
  CHECK(r.err.find("bad.toml") != std::string::npos);
  r = talentcast::test::run_talentcast("serve --port 70000");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--port") != std::string::npos);
  r = talentcast::test::run_talentcast("serve --paths 10");
  CHECK(r.exit_code == 2);
  r = talentcast::test::run_talentcast(
      fmt::format("serve {} --host 203.0.113.1 --port 0", flagship().string()));
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --host 203.0.113.1 --port 0: cannot listen there (is the port in use, or "
        "the host not this machine's?); choose another with --port, or --port 0 for any free "
        "port\n");
}
