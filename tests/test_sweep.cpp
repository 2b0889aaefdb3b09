// Running sweeps (docs/sweeps.md): the results database, resumption after kill -9, the same
// database for any thread count, indexing, and points whose values clash.

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
