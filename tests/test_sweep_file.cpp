// Sweep files (docs/sweeps.md): what load_sweep accepts, the points it builds, and every rule's
// exact message.

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "support.hpp"
#include "talentcast/config/sweep.hpp"
#include "talentcast/formats/sweep_store.hpp"
#include "talentcast/io/sqlite.hpp"
#include "talentcast/studies/forecast.hpp"
#include "talentcast/studies/sweep_run.hpp"

using namespace talentcast;
using talentcast::test::TempDir;

namespace {
std::string messages(const std::filesystem::path& path) {
  try {
    config::load_sweep(path);
  } catch (const io::UserError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("the example sweep loads, and a point is the flagship with its values", "[sweep]") {
  const auto sweep =
      config::load_sweep(talentcast::test::source_dir() / "scenarios" / "sweep-flagship-lhs.toml");
  REQUIRE(sweep.parameters.size() == 3);
  CHECK(sweep.design == config::DesignKind::latin_hypercube);
  CHECK(sweep.paths == 2000);
  const auto design = sweep.design_points();
  REQUIRE(design.points() == 200);
  for (std::size_t i = 0; i < design.points(); ++i) {
    const auto v = sweep.values(design, i);
    CHECK(v[0] >= 0.03);
    CHECK(v[0] <= 0.30);
    CHECK(v[1] >= 0.0);
    CHECK(v[1] <= 0.20);
  }
  const auto v = sweep.values(design, 17);
  const auto scenario = config::sweep_scenario(sweep, v);
  const auto llm = *scenario.role_index("llm_algorithm");
  CHECK(scenario.roles[llm][models::RoleParam::demand_growth]->median() == v[0]);
  CHECK(scenario.roles[llm][models::RoleParam::demand_growth]->is_constant());
  CHECK(scenario.roles[0][models::RoleParam::wage_response]->median() == v[2]);
  CHECK(scenario.fields[0].growth.median() == v[1]);
  // Everything else is the flagship's: roles keep their order, other parameters their values.
  const auto flagship =
      config::load_scenario(talentcast::test::source_dir() / "scenarios" / "china-ai-2024.toml");
  REQUIRE(scenario.roles.size() == flagship.roles.size());
  for (std::size_t r = 0; r < scenario.roles.size(); ++r) {
    CHECK(scenario.roles[r].name == flagship.roles[r].name);
    CHECK(scenario.roles[r][models::RoleParam::attrition]->describe() ==
          flagship.roles[r][models::RoleParam::attrition]->describe());
  }
  // Point seeds: a pure function of (sweep seed, point), all different.
  CHECK(sweep.point_seed(17) == sweep.point_seed(17));
  std::set<std::uint64_t> seeds;
  for (std::size_t i = 0; i < 1000; ++i) seeds.insert(sweep.point_seed(i));
  CHECK(seeds.size() == 1000);
}

TEST_CASE("the example Saltelli sweep is valid", "[sweep]") {
  const auto sweep = config::load_sweep(talentcast::test::source_dir() / "scenarios" /
                                        "sweep-flagship-saltelli.toml");
  CHECK(sweep.design == config::DesignKind::saltelli);
  REQUIRE(sweep.parameters.size() == 4);
  CHECK(sweep.design_points().points() == 256 * 6);
}

TEST_CASE("levels, grids, and an event's parameter by index", "[sweep]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario() +
                             "\n[[events]]\nname = \"freeze\"\nfrom = \"2025\"\n"
                             "demand_growth_add = -0.1\n");
  const auto sweep = config::load_sweep(dir.write("grid.toml", R"(scenario = "base.toml"
design = "grid"
levels = 3

[[parameters]]
key = "roles.llm.salary"
low = 50000
high = 70000

[[parameters]]
key = "events[0].demand_growth_add"
levels = [-0.2, 0.0]
)"));
  const auto design = sweep.design_points();
  REQUIRE(design.points() == 6);
  std::vector<std::vector<double>> values;
  for (std::size_t i = 0; i < 6; ++i) values.push_back(sweep.values(design, i));
  CHECK(values[0] == std::vector<double>{50000, -0.2});
  CHECK(values[1] == std::vector<double>{50000, 0.0});
  CHECK(values[2] == std::vector<double>{60000, -0.2});
  CHECK(values[5] == std::vector<double>{70000, 0.0});
  const auto scenario = config::sweep_scenario(sweep, values[2]);
  CHECK(scenario.roles[0][models::RoleParam::salary]->median() == 60000);
  CHECK(scenario.events[0].demand_growth_add->median() == -0.2);
}

TEST_CASE("every sweep rule has its message, all at once", "[sweep][validation]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  const auto path = dir.write("bad.toml", R"(scenario = "base.toml"
design = "latin_hypercub"
points = 0
pathz = 10

[[parameters]]
key = "roles.llm.atrition"
low = 0.1
high = 0.2

[[parameters]]
key = "defaults.attrition"
low = 0.1
high = 1.5

[[parameters]]
key = "roles.cloud.salary"
levels = [30000, 40000]
low = 1

[[parameters]]
key = "title"
low = 1
high = 2

[[parameters]]
key = "fields.ai_major.growth"
low = 0.3
high = 0.1
)");
  const std::string f = path.string();
  CHECK(
      messages(path) ==
      f +
          ":2:10: design: expected one of grid, latin_hypercube, sobol, morris, saltelli (did "
          "you mean 'latin_hypercube'?), found the string \"latin_hypercub\"\n" +
          f + ":3:10: points: expected an integer in [1, 10000000], found 0\n" + f +
          ":4:9: pathz: expected a sweep key (did you mean 'paths'?), found unknown key 'pathz'\n" +
          f +
          ":7:7: parameters[0].key: expected the key path of a number in the scenario, found "
          "no 'atrition' in roles.llm (did you mean 'attrition'?)\n" +
          f + ":14:8: parameters[1].high: expected a number in [0, 1], found 1.5\n" + f +
          ":18:10: parameters[2].levels: expected either levels or low and high, found both\n" + f +
          ":22:7: parameters[3].key: expected the key path of a number (or a distribution) in "
          "the scenario, found 'title', which is the string \"Two roles\"\n" +
          f + ":26:1: parameters[4]: expected low < high, found low = 0.3, high = 0.1\n");
}

TEST_CASE("sweep rules found in review: sizes, duplicates, keys a design does not use",
          "[sweep][validation]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  const auto bad = dir.write("bad.toml", R"(scenario = "base.toml"
design = "latin_hypercube"
points = 4
levels = 3
[[parameters]]
key = "roles.llm.demand_growth"
levels = [0.1]
[[parameters]]
key = "roles.cloud.attrition"
low = 0.1
high = 0.2
[[parameters]]
key = "roles.cloud.attrition"
low = 0.1
high = 0.3
)");
  const std::string f = bad.string();
  CHECK(messages(bad) ==
        f +
            ":4:10: levels: expected 'levels' only with a grid or a morris design (values per "
            "parameter), found 'levels'\n" +
            f +
            ":7:10: parameters[0].levels: expected an array of at least two numbers, found 1 "
            "value\n" +
            f +
            ":13:7: parameters[2].key: expected each key path once, found "
            "'roles.cloud.attrition' again\n");
  std::string huge = "scenario = \"base.toml\"\ndesign = \"grid\"\nlevels = 1000\n";
  for (const char* key :
       {"roles.llm.demand_growth", "roles.cloud.demand_growth", "defaults.seeker_exit"}) {
    huge += fmt::format("[[parameters]]\nkey = \"{}\"\nlow = 0.1\nhigh = 0.2\n", key);
  }
  const auto big = dir.write("big.toml", huge);
  CHECK(messages(big) ==
        big.string() +
            ":1:1: levels: expected a grid of at most 10,000,000 points, found 1e+09 "
            "points\n");
}
