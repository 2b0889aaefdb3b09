// Sweep files: loading and validation (every rule with its message), the design's mapping to
// parameter values, and the scenario of one point.
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

namespace {
std::string small_sweep(const std::string& scenario, int points, int paths) {
  return fmt::format(R"(scenario = "{}"
design = "latin_hypercube"
points = {}
paths = {}
seed = 3

[[parameters]]
key = "roles.llm_algorithm.demand_growth"
low = 0.03
high = 0.30

[[parameters]]
key = "roles.cloud_computing.layoff_rate"   # not in the flagship's role table: set anyway
low = 0.0
high = 0.8
)",
                     scenario, points, paths);
}

// A sweep of 300 paths a point over the llm role's demand growth in
// talentcast::test::two_role_scenario(), written beside it as base.toml.
std::string llm_growth_sweep(const std::string& design, int points) {
  return fmt::format(R"(scenario = "base.toml"
design = "{}"
points = {}
paths = 300
seed = 5
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
)",
                     design, points);
}

// Whether a sweep's database has its statistics indexed by output.
bool store_indexed(const std::filesystem::path& db) {
  talentcast::io::Database d(db, talentcast::io::Access::read_only);
  return formats::store_indexed(d);
}

std::int64_t count_points(const std::filesystem::path& db) {
  try {
    talentcast::io::Database d(db, talentcast::io::Access::read_only);
    auto q = d.prepare("SELECT count(*) FROM point");
    return q.step() ? q.integer(0) : 0;
  } catch (const talentcast::io::SqliteError&) {
    return 0;  // not created yet, or its schema not yet committed
  }
}
}  // namespace

TEST_CASE("a sweep killed with kill -9 resumes to the same database", "[sweep][cli]") {
  TempDir dir;
  const std::string flagship =
      (talentcast::test::source_dir() / "scenarios" / "china-ai-2024.toml").string();
  // Fast points are committed together (about once a second, here every 50 ms on two threads):
  // the sweep outlasts its first commits on any machine, and is killed with a batch open.
  constexpr int kPoints = 24;
  dir.write("s.toml", small_sweep(flagship, kPoints, 512));
  const auto full = talentcast::test::run_talentcast(
      "sweep s.toml --db full.sqlite -q --metrics ratio,hires --periods 2024-Q1,2030-Q4",
      dir.path());
  REQUIRE(full.exit_code == 0);
  CHECK(count_points(dir.path() / "full.sqlite") == kPoints);

  // Killed (SIGKILL, as kill -9) as its sixth point is stored, by a test hook (docs/cli.md): the
  // points committed before stay, the batch open is lost.
  const auto killed = talentcast::test::run_shell(
      fmt::format(
          "TALENTCAST_TEST_SWEEP_COMMIT_SECONDS=0.05 TALENTCAST_TEST_RAISE=sweep-point:6:KILL "
          "'{}' sweep s.toml --db killed.sqlite -q --threads 2 --metrics ratio,hires "
          "--periods 2024-Q1,2030-Q4",
          TALENTCAST_EXE),
      dir.path());
  CHECK(killed.exit_code == 128 + 9);
  const auto db = dir.path() / "killed.sqlite";
  const auto interrupted_at = count_points(db);
  CHECK(interrupted_at <= 6);
  {
    talentcast::io::Database check(db, talentcast::io::Access::read_only);
    auto q = check.prepare("PRAGMA integrity_check");
    REQUIRE(q.step());
    CHECK(q.text(0) == "ok");
  }
  const auto resumed = talentcast::test::run_talentcast(
      "sweep s.toml --db killed.sqlite --metrics ratio,hires --periods 2024-Q1,2030-Q4",
      dir.path());
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.out.find(fmt::format("{} already in", interrupted_at)) != std::string::npos);
  CHECK(formats::dump_store(db) == formats::dump_store(dir.path() / "full.sqlite"));
  // Nothing left to run: a third run changes nothing.
  const auto again = talentcast::test::run_talentcast(
      "sweep s.toml --db killed.sqlite -q --metrics ratio,hires --periods 2024-Q1,2030-Q4",
      dir.path());
  CHECK(again.exit_code == 0);
  CHECK(formats::dump_store(db) == formats::dump_store(dir.path() / "full.sqlite"));
}

TEST_CASE("a sweep's database is the same for any thread count", "[sweep][cli][determinism]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", llm_growth_sweep("sobol", 8));
  REQUIRE(talentcast::test::run_talentcast("sweep s.toml --db a.sqlite -q -j 1", dir.path())
              .exit_code == 0);
  REQUIRE(talentcast::test::run_talentcast("sweep s.toml --db b.sqlite -q -j 2", dir.path())
              .exit_code == 0);
  const std::string a = formats::dump_store(dir.path() / "a.sqlite");
  CHECK(a == formats::dump_store(dir.path() / "b.sqlite"));
  // Every metric of every series and period is stored by default.
  talentcast::io::Database d(dir.path() / "a.sqlite", talentcast::io::Access::read_only);
  auto q = d.prepare("SELECT count(*) FROM stat WHERE point = 0");
  REQUIRE(q.step());
  CHECK(q.integer(0) == 8 * (2 * 16 + 11));
}

TEST_CASE("a point's stored statistics are its scenario's forecast row for row", "[sweep][cli]") {
  // 344 rows a point: five statements of 64 rows, then 24 one by one.
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", llm_growth_sweep("latin_hypercube", 3));
  REQUIRE(talentcast::test::run_talentcast("sweep s.toml --db a.sqlite -q", dir.path()).exit_code ==
          0);
  const auto sweep = config::load_sweep(dir.path() / "s.toml");
  const auto design = sweep.design_points();
  talentcast::io::Database db(dir.path() / "a.sqlite", talentcast::io::Access::read_only);
  for (std::size_t point = 0; point < 3; ++point) {
    CAPTURE(point);
    studies::ForecastSettings settings;
    settings.paths = sweep.paths;
    settings.seed = sweep.point_seed(point);
    settings.threads = 1;
    const auto forecast =
        studies::run_forecast(config::sweep_scenario(sweep, sweep.values(design, point)), settings);
    auto q = db.prepare(
        "SELECT role, period, metric, mean, sd, p05, p10, p25, p50, p75, p90, p95, mcse FROM "
        "stats WHERE point = ?");
    q.bind(1, static_cast<std::int64_t>(point));
    std::map<std::string, std::vector<double>> stored;
    while (q.step()) {
      std::vector<double> values;
      for (int c = 3; c < 13; ++c) values.push_back(q.real(c));
      stored[q.text(0) + "," + q.text(1) + "," + q.text(2)] = values;
    }
    REQUIRE(stored.size() == forecast.rows.size());
    REQUIRE(forecast.rows.size() == 344);
    for (const auto& row : forecast.rows) {
      const std::string key = row.role + "," + row.period + "," + row.metric;
      CAPTURE(key);
      std::vector<double> expected{row.summary.mean, row.summary.sd};
      expected.insert(expected.end(), row.summary.percentiles.begin(),
                      row.summary.percentiles.end());
      expected.push_back(row.summary.mcse);
      REQUIRE(stored.count(key) == 1);
      CHECK(stored[key] == expected);
    }
  }
}

TEST_CASE("bad sweep options and a database of another sweep are user errors",
          "[sweep][cli][validation]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  const std::string sweep = R"(scenario = "base.toml"
design = "latin_hypercube"
points = 2
paths = 100
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
)";
  dir.write("s.toml", sweep);
  auto r = talentcast::test::run_talentcast(
      "sweep s.toml --db x.sqlite --metrics ratio,hirez --periods 2031-Q1", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("talentcast: --metrics: expected metric names (demand, employed, candidates, "
                   "openings, unfilled, ratio, shortage, hires, fill_rate, new_openings, "
                   "new_candidates, salary_median, salary_p10, salary_p25, salary_p75, "
                   "salary_p90) (did you mean 'hires'?), found 'hirez'\n") == 0);
  CHECK(r.err.find("talentcast: --periods: expected period labels of the scenario (2024-Q1 to "
                   "2025-Q4), found '2031-Q1'\n") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "x.sqlite"));
  REQUIRE(talentcast::test::run_talentcast("sweep s.toml --db x.sqlite -q", dir.path()).exit_code ==
          0);
  std::string reseeded = sweep;
  reseeded.replace(reseeded.find("paths = 100\n"), 12, "paths = 100\nseed = 9\n");
  dir.write("s.toml", reseeded);
  r = talentcast::test::run_talentcast("sweep s.toml --db x.sqlite -q", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: x.sqlite: holds another sweep (it differs in: sweep); use another --db to "
        "keep both\n");
  // A comment, or --metrics in another order, is the same sweep.
  dir.write("s.toml", "# a comment\n" + sweep);
  CHECK(talentcast::test::run_talentcast("sweep s.toml --db x.sqlite -q", dir.path()).exit_code ==
        0);
}

TEST_CASE("a sweep's statistics are indexed by output once its last point is in",
          "[sweep][sensitivity][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", llm_growth_sweep("latin_hypercube", 6));
  const auto sweep = config::load_sweep(dir.path() / "s.toml");
  const auto indexed = [&] { return store_indexed(dir.path() / "s.sqlite"); };
  // Stopped after its second point: no index, and sensitivity refuses the sweep at once.
  std::atomic<bool> stop{false};
  studies::SweepRunOptions options;
  options.threads = 1;
  options.stop = &stop;
  options.on_progress = [&](std::size_t done, std::size_t) {
    if (done >= 2) stop = true;
  };
  const auto stopped = studies::run_sweep(sweep, dir.path() / "s.sqlite", options);
  REQUIRE(stopped.interrupted);
  const std::int64_t committed = count_points(dir.path() / "s.sqlite");
  REQUIRE(committed >= 2);
  REQUIRE(committed < 6);
  CHECK_FALSE(indexed());
  // Refused before any output is read: an output that is not stored gets the same answer.
  const auto refused = talentcast::test::run_talentcast(
      "sensitivity --db s.sqlite --output ratio:nobody:2025-Q4:p50", dir.path());
  CHECK(refused.exit_code == 2);
  CHECK(refused.err == fmt::format("talentcast: s.sqlite: the sweep is incomplete ({} of 6 "
                                   "points); run talentcast sweep again to finish it\n",
                                   committed));
  // Finished: indexed, and sensitivity's query of one output uses the index.
  options.stop = nullptr;
  options.on_progress = nullptr;
  const auto finished = studies::run_sweep(sweep, dir.path() / "s.sqlite", options);
  CHECK_FALSE(finished.interrupted);
  CHECK(finished.run == static_cast<std::size_t>(6 - committed));
  REQUIRE(indexed());
  talentcast::io::Database d(dir.path() / "s.sqlite", talentcast::io::Access::read_only);
  auto plan = d.prepare(
      "EXPLAIN QUERY PLAN SELECT point, p50 FROM stats WHERE metric = 'ratio' AND role = 'llm' "
      "AND period = '2025-Q4' ORDER BY point");
  std::string details;
  while (plan.step()) details += plan.text(3) + "\n";
  CHECK(details.find("stat_by_output") != std::string::npos);
  CHECK(talentcast::test::run_talentcast("sensitivity --db s.sqlite --output ratio:llm:2025-Q4:p50",
                                         dir.path())
            .exit_code == 0);
}

TEST_CASE("a sweep stopped while indexing keeps its points, and is indexed when run again",
          "[sweep][sensitivity][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", llm_growth_sweep("latin_hypercube", 4));
  const auto sweep = config::load_sweep(dir.path() / "s.toml");
  const auto db = dir.path() / "s.sqlite";
  const auto indexed = [&] { return store_indexed(db); };
  // Stopped when the indexing starts (Ctrl-C then): every point in, no index.
  std::atomic<bool> stop{false};
  studies::SweepRunOptions options;
  options.threads = 1;
  options.stop = &stop;
  options.on_indexing = [&] { stop = true; };
  const auto stopped = studies::run_sweep(sweep, db, options);
  CHECK(stopped.interrupted);
  CHECK(stopped.interrupted_indexing);
  CHECK(stopped.run == 4);
  CHECK(count_points(db) == 4);
  CHECK_FALSE(indexed());
  const auto refused = talentcast::test::run_talentcast(
      "sensitivity --db s.sqlite --output ratio:llm:2025-Q4:p50", dir.path());
  CHECK(refused.exit_code == 2);
  CHECK(refused.err ==
        "talentcast: s.sqlite: the sweep's statistics are not indexed by output (it was stopped "
        "while indexing them); run talentcast sweep again to index them\n");
  // Run again: nothing to run, the index built.
  stop = false;
  options.on_indexing = nullptr;
  const auto again = studies::run_sweep(sweep, db, options);
  CHECK_FALSE(again.interrupted);
  CHECK(again.already_done == 4);
  CHECK(again.run == 0);
  CHECK(indexed());
  // A point removed by hand: the index is dropped while the point runs again, then rebuilt.
  {
    talentcast::io::Database d(db);
    d.execute(
        "DELETE FROM stat WHERE point = 2; DELETE FROM point_value WHERE point = 2; DELETE FROM "
        "point WHERE id = 2");
  }
  bool indexed_while_running = true;
  options.on_progress = [&](std::size_t done, std::size_t) {
    if (done == 4) indexed_while_running = indexed();
  };
  const auto resumed = studies::run_sweep(sweep, db, options);
  CHECK(resumed.run == 1);
  CHECK_FALSE(indexed_while_running);
  CHECK(indexed());
}

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

TEST_CASE("points whose values clash are all reported before any runs", "[sweep][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  // Each share is valid with the other at its base value; at (0.7, 0.7) they sum above 1.
  dir.write("s.toml", R"(scenario = "base.toml"
design = "grid"
levels = 2
[[parameters]]
key = "fields.ai_major.shares.llm"
low = 0.1
high = 0.7
[[parameters]]
key = "fields.ai_major.shares.cloud"
low = 0.2
high = 0.7
)");
  const auto r = talentcast::test::run_talentcast("sweep s.toml --db x.sqlite -q", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("point 3 (fields.ai_major.shares.llm = 0.7, fields.ai_major.shares.cloud = "
                   "0.7): expected fields.ai_major.shares: rates (or their distributions' maxima) "
                   "that sum to at most 1, found a sum of 1.4") != std::string::npos);
  CHECK(r.err.find("no point was run") != std::string::npos);
  CHECK(count_points(dir.path() / "x.sqlite") == 0);
  // Another program's database is not touched.
  {
    talentcast::io::Database other(dir.path() / "other.sqlite");
    other.execute("CREATE TABLE t (x INTEGER)");
  }
  dir.write("ok.toml", R"(scenario = "base.toml"
design = "grid"
levels = 2
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.2
)");
  const auto foreign =
      talentcast::test::run_talentcast("sweep ok.toml --db other.sqlite -q", dir.path());
  CHECK(foreign.exit_code == 2);
  CHECK(foreign.err ==
        "talentcast: other.sqlite: is a database of something else (it has tables but no "
        "sweep); use another --db\n");
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

TEST_CASE("a number written with its source can be swept like any number", "[sweep][cli]") {
  TempDir dir;
  std::string base = talentcast::test::two_role_scenario();
  base.replace(base.find("demand_vol = 0.1"), 16,
               "demand_vol = { value = 0.1, source = \"an assumption\" }");
  dir.write("base.toml", base);
  dir.write("s.toml", R"(scenario = "base.toml"
design = "grid"
levels = 2
paths = 400
[[parameters]]
key = "defaults.demand_vol"
low = 0.02
high = 0.4
)");
  const auto r = talentcast::test::run_talentcast("sweep s.toml --db s.sqlite -q", dir.path());
  REQUIRE(r.exit_code == 0);
  talentcast::io::Database d(dir.path() / "s.sqlite", talentcast::io::Access::read_only);
  auto q = d.prepare(
      "SELECT v.value, s.sd FROM point_value v JOIN stats s ON s.point = v.point "
      "WHERE s.role = 'llm' AND s.period = '2025-Q4' AND s.metric = 'openings' ORDER BY v.value");
  std::vector<std::pair<double, double>> rows;
  while (q.step()) rows.emplace_back(q.real(0), q.real(1));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].first == 0.02);
  CHECK(rows[1].first == 0.4);
  CHECK(rows[1].second > 2 * rows[0].second);  // more demand volatility, more spread
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
