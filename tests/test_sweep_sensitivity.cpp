// What reads a sweep's database: sensitivity (its tables, warnings and charts) and export.

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

TEST_CASE("sensitivity and export read a sweep's database", "[sweep][sensitivity][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", R"(scenario = "base.toml"
design = "saltelli"
points = 8
paths = 200
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
[[parameters]]
key = "defaults.seeker_exit"
low = 1.0
high = 3.0
)");
  REQUIRE(
      talentcast::test::run_talentcast("sweep s.toml --db s.sqlite -q --metrics ratio", dir.path())
          .exit_code == 0);
  const auto csv = talentcast::test::run_talentcast(
      "sensitivity --db s.sqlite --output ratio:llm:2025-Q4:p50 -f csv", dir.path());
  REQUIRE(csv.exit_code == 0);
  const auto lines = talentcast::test::lines_of(csv.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] ==
        "output,parameter,first,first_low,first_high,total,total_low,total_high,mu,mu_star,"
        "sigma,low_tenth_mean,high_tenth_mean");
  CHECK(lines[1].rfind("ratio:llm:2025-Q4:p50,roles.llm.demand_growth,", 0) == 0);
  CHECK(lines[2].rfind("ratio:llm:2025-Q4:p50,defaults.seeker_exit,", 0) == 0);
  // Every period of an output at once.
  const auto all = talentcast::test::run_talentcast(
      "sensitivity --db s.sqlite --output ratio:total:*:mean -f json", dir.path());
  REQUIRE(all.exit_code == 0);
  CHECK(std::count(all.out.begin(), all.out.end(), '{') >= 16);  // 8 periods x 2 parameters
  // An output that is not stored, and a malformed one.
  auto bad = talentcast::test::run_talentcast(
      "sensitivity --db s.sqlite --output hires:llm:2025-Q4:p50", dir.path());
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "talentcast: --output: expected an output stored in s.sqlite (metric, role, period as "
        "in its stats view), found 'hires:llm:2025-Q4:p50'\n");
  bad =
      talentcast::test::run_talentcast("sensitivity --db s.sqlite --output ratio:llm", dir.path());
  CHECK(bad.exit_code == 2);
  // Export: tidy CSV, one row per stored statistic, with the point's values.
  const auto exported = talentcast::test::run_talentcast("export --db s.sqlite", dir.path());
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out.rfind("point,roles.llm.demand_growth,defaults.seeker_exit,role,period,"
                           "metric,mean,sd,p05,p10,p25,p50,p75,p90,p95,mcse\n",
                           0) == 0);
  CHECK(std::count(exported.out.begin(), exported.out.end(), '\n') ==
        1 + 8 * 4 * 3 * 8);  // points (8 rows x 4), series (llm, cloud, total), periods
}

TEST_CASE("tornado data separates a grid's levels, ties included", "[sweep][sensitivity][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", R"(scenario = "base.toml"
design = "grid"
levels = 2
paths = 200
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
[[parameters]]
key = "roles.cloud.salary"
low = 30000
high = 50000
)");
  REQUIRE(
      talentcast::test::run_talentcast("sweep s.toml --db g.sqlite -q --metrics demand", dir.path())
          .exit_code == 0);
  const auto r = talentcast::test::run_talentcast(
      "sensitivity --db g.sqlite --output demand:llm:2025-Q4:mean -f json", dir.path());
  REQUIRE(r.exit_code == 0);
  const auto json = nlohmann::json::parse(r.out);
  REQUIRE(json.size() == 2);
  // llm's demand grows with its own demand_growth; cloud's salary barely matters to it.
  CHECK(json[0]["high_tenth_mean"].get<double>() > 1.3 * json[0]["low_tenth_mean"].get<double>());
  CHECK(json[1]["high_tenth_mean"].get<double>() ==
        Approx(json[1]["low_tenth_mean"].get<double>()).epsilon(0.05));
}

TEST_CASE("sensitivity warns when the intervals are too wide to rank the parameters",
          "[sweep][sensitivity][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  const auto sweep = [&](int base_rows) {
    const std::string name = fmt::format("s{}", base_rows);
    dir.write(name + ".toml", fmt::format(R"(scenario = "base.toml"
design = "saltelli"
points = {}
paths = 200
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
[[parameters]]
key = "defaults.seeker_exit"
low = 1.0
high = 3.0
)",
                                          base_rows));
    REQUIRE(talentcast::test::run_talentcast(
                fmt::format("sweep {0}.toml --db {0}.sqlite -q --metrics ratio", name), dir.path())
                .exit_code == 0);
    return talentcast::test::run_talentcast(
        fmt::format("sensitivity --db {}.sqlite --output ratio:llm:2025-Q4:p50 -f csv", name),
        dir.path());
  };
  // The rule, applied here to the printed intervals: neighbours in the order of an index must
  // have disjoint intervals, unless both end below 0.05.
  const auto expected_warnings = [](const std::string& csv) {
    struct Row {
      std::string parameter;
      double index[2][3];  // first, total: value, low, high
    };
    std::vector<Row> rows;
    for (const auto& line : talentcast::test::lines_of(csv)) {
      if (line.rfind("ratio:", 0) != 0) continue;
      std::vector<std::string> f;
      std::stringstream fields(line);
      for (std::string field; std::getline(fields, field, ',');) f.push_back(field);
      Row row{f[1], {}};
      for (int i = 0; i < 6; ++i) row.index[i / 3][i % 3] = std::stod(f[2 + i]);
      rows.push_back(row);
    }
    std::string warnings;
    for (int k = 0; k < 2; ++k) {
      auto order = rows;
      std::stable_sort(order.begin(), order.end(),
                       [&](const Row& a, const Row& b) { return a.index[k][0] > b.index[k][0]; });
      for (std::size_t i = 1; i < order.size(); ++i) {
        const auto& a = order[i - 1].index[k];
        const auto& b = order[i].index[k];
        if (a[1] > b[2] || (a[2] < 0.05 && b[2] < 0.05)) continue;
        warnings += fmt::format(
            "talentcast: warning: ratio:llm:2025-Q4:p50: the intervals are too wide to rank {} "
            "({:.3f} [{:.3f}, {:.3f}]) above {} ({:.3f} [{:.3f}, {:.3f}]) by their {} index\n",
            order[i - 1].parameter, a[0], a[1], a[2], order[i].parameter, b[0], b[1], b[2],
            k == 0 ? "first-order" : "total");
      }
    }
    return warnings;
  };
  const std::string rule =
      "talentcast: the rule: parameters are ranked by an index in the order of its values; two "
      "next to each other in that order are told apart when their 95% intervals do not overlap, "
      "or when both intervals end below 0.05 (neither parameter matters); more base rows (the "
      "sweep's points) narrow the intervals\n";
  // 8 base rows cannot rank the two parameters; 128 can, and say nothing.
  const auto few = sweep(8);
  REQUIRE(few.exit_code == 0);
  const std::string warnings = expected_warnings(few.out);
  CHECK_FALSE(warnings.empty());
  CHECK(few.err == warnings + rule);
  const auto enough = sweep(128);
  REQUIRE(enough.exit_code == 0);
  CHECK(expected_warnings(enough.out).empty());
  CHECK(enough.err.empty());
}

TEST_CASE("sensitivity --charts draws a tornado and Sobol indices with their intervals",
          "[sweep][sensitivity][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", R"(scenario = "base.toml"
design = "saltelli"
points = 8
paths = 200
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
[[parameters]]
key = "defaults.seeker_exit"
low = 1.0
high = 3.0
)");
  REQUIRE(
      talentcast::test::run_talentcast("sweep s.toml --db s.sqlite -q --metrics ratio", dir.path())
          .exit_code == 0);
  const auto r = talentcast::test::run_talentcast(
      "sensitivity --db s.sqlite --output ratio:llm:2025-Q4:p50 --output ratio:total:2024-Q1:mean "
      "--charts out/charts",
      dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("wrote 4 charts (SVG and PNG) in out/charts\n") != std::string::npos);
  const auto charts = dir.path() / "out" / "charts";
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(charts)) {
    names.insert(entry.path().filename().string());
  }
  CHECK(names == std::set<std::string>{
                     "ratio-llm-2025-Q4-p50-sobol.png", "ratio-llm-2025-Q4-p50-sobol.svg",
                     "ratio-llm-2025-Q4-p50-tornado.png", "ratio-llm-2025-Q4-p50-tornado.svg",
                     "ratio-total-2024-Q1-mean-sobol.png", "ratio-total-2024-Q1-mean-sobol.svg",
                     "ratio-total-2024-Q1-mean-tornado.png", "ratio-total-2024-Q1-mean-tornado.svg",
                     "manifest.json"});
  CHECK(talentcast::test::read_file(charts / "manifest.json")
            .find("\"format\": \"talentcast-sensitivity-charts-1\"") != std::string::npos);
  // The same directory again: it is a chart set's, so its charts are replaced.
  REQUIRE(talentcast::test::run_talentcast(
              "sensitivity --db s.sqlite --output ratio:llm:2025-Q4:p50 --charts out/charts",
              dir.path())
              .exit_code == 0);
  // A directory of the user's is not written into.
  std::filesystem::create_directories(dir.path() / "mine");
  dir.write("mine/notes.txt", "mine");
  const auto refused = talentcast::test::run_talentcast(
      "sensitivity --db s.sqlite --output ratio:llm:2025-Q4:p50 --charts mine", dir.path());
  CHECK(refused.exit_code == 2);
  CHECK(refused.err ==
        "talentcast: --charts mine: expected a new or empty directory, or an earlier one of "
        "`sensitivity --charts`, found a directory holding 'notes.txt' and no manifest.json\n");
  CHECK(refused.out.empty());
  // Each chart says what it is and where it comes from, as text beside its drawing; the Sobol
  // chart of an output whose ranking the intervals do not support says so.
  const std::string sobol = talentcast::test::read_file(charts / "ratio-llm-2025-Q4-p50-sobol.svg");
  CHECK(sobol.find("<title>Sobol indices: ratio:llm:2025-Q4:p50</title>") != std::string::npos);
  CHECK(sobol.find("<desc>Intervals overlap: no ranking by first-order index is supported; run "
                   "more base rows Sweep s.toml of base.toml: saltelli design, 32 points of 200 "
                   "paths, seed 1.") != std::string::npos);
  const std::string tornado =
      talentcast::test::read_file(charts / "ratio-llm-2025-Q4-p50-tornado.svg");
  CHECK(tornado.find("<title>Tornado: ratio:llm:2025-Q4:p50</title>") != std::string::npos);
  CHECK(tornado.find("<desc>Sweep s.toml of base.toml") != std::string::npos);
  // Without --charts, nothing is written.
  std::filesystem::remove_all(charts);
  REQUIRE(talentcast::test::run_talentcast(
              "sensitivity --db s.sqlite --output ratio:llm:2025-Q4:p50", dir.path())
              .exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(charts));
}
