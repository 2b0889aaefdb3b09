// A sweep's database in harm's way: a second sweep on it while one runs, damaged pages, read-only
// media, a design too large to check in a blink, and a sweep file that names a missing scenario.
#include <fmt/core.h>
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "support.hpp"
#include "talentcast/config/sweep.hpp"
#include "talentcast/core/progress.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/io/sqlite.hpp"

using namespace talentcast;
using talentcast::test::run_talentcast;
using talentcast::test::TempDir;

namespace {

std::int64_t points_in(const std::filesystem::path& db) {
  if (!std::filesystem::exists(db)) return 0;
  try {
    talentcast::io::Database d(db, talentcast::io::Access::read_only);
    auto q = d.prepare("SELECT count(*) FROM point");
    return q.step() ? q.integer(0) : 0;
  } catch (const talentcast::io::SqliteError&) {
    return 0;  // its schema not yet committed
  }
}

// Polls until done() holds, for at most `seconds` (a bound against hanging, not a timing test).
template <typename Done>
bool wait_until(Done done, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// Starts `talentcast ARGS` in dir in the background; its pid goes to dir/pid and, once it has
// ended, its exit code to dir/rc.
void start_talentcast(const TempDir& dir, const std::string& args) {
  const std::string command = fmt::format(
      "cd '{}' && ( sh -c 'echo $$ > pid.tmp && mv pid.tmp pid && exec {} {}' </dev/null "
      ">out.txt 2>err.txt; echo $? > rc.tmp; mv rc.tmp rc ) &",
      dir.path().string(), TALENTCAST_EXE, args);
  REQUIRE(std::system(command.c_str()) == 0);
  REQUIRE(wait_until([&] { return std::filesystem::exists(dir.path() / "pid"); }, 60));
}

int background_pid(const TempDir& dir) {
  return std::stoi(talentcast::test::read_file(dir.path() / "pid"));
}

std::string lhs_sweep(int points, int paths, int seed) {
  return fmt::format(R"(scenario = "{}"
design = "latin_hypercube"
points = {}
paths = {}
seed = {}
[[parameters]]
key = "roles.llm_algorithm.demand_growth"
low = 0.03
high = 0.30
)",
                     (talentcast::test::source_dir() / "scenarios" / "china-ai-2024.toml").string(),
                     points, paths, seed);
}

const char* kGrid = R"(scenario = "base.toml"
design = "grid"
levels = 3
paths = 100
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
[[parameters]]
key = "defaults.seeker_exit"
low = 1.0
high = 3.0
)";

// Overwrites the page that holds the root of a table or index with garbage.
void damage_root_page(const std::filesystem::path& db, const std::string& name) {
  std::int64_t page_size = 0, root = 0;
  {
    talentcast::io::Database d(db);
    auto size = d.prepare("PRAGMA page_size");
    REQUIRE(size.step());
    page_size = size.integer(0);
    auto q = d.prepare("SELECT rootpage FROM sqlite_master WHERE name = ?");
    q.bind(1, name);
    REQUIRE(q.step());
    root = q.integer(0);
  }
  REQUIRE(root > 1);
  std::string garbage(static_cast<std::size_t>(page_size), '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>(i * 37 + 11);
  std::fstream file(db, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp((root - 1) * page_size);
  file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  REQUIRE(file.good());
}

std::string sha256_of(const std::filesystem::path& file) {
  return talentcast::io::sha256_hex(talentcast::test::read_file(file));
}

}  // namespace

TEST_CASE("a sweep on a database that a running sweep holds is refused at once",
          "[sweep][cli][safety]") {
  TempDir dir;
  dir.write("s.toml", lhs_sweep(40, 2000, 3));
  const std::string flags = "--db x.sqlite -q -j 1 --metrics ratio --periods 2030-Q4";
  start_talentcast(dir, "sweep s.toml " + flags);
  REQUIRE(wait_until([&] { return points_in(dir.path() / "x.sqlite") >= 1; }, 600));

  const auto second = run_talentcast("sweep s.toml " + flags, dir.path());
  CHECK(second.exit_code == 2);
  CHECK(second.err ==
        "talentcast: x.sqlite: another sweep is running on this database (its process holds the "
        "database's lock); wait for it to finish or stop it, or use another --db\n");
  CHECK(second.out.empty());

  // The lock dies with its process, even by kill -9: the next sweep gets past it (here to the
  // check that the database holds its sweep).
  REQUIRE(std::system(fmt::format("kill -9 {}", background_pid(dir)).c_str()) == 0);
  REQUIRE(wait_until([&] { return std::filesystem::exists(dir.path() / "rc"); }, 60));
  dir.write("other.toml", lhs_sweep(40, 2000, 4));
  const auto third = run_talentcast("sweep other.toml " + flags, dir.path());
  CHECK(third.exit_code == 2);
  CHECK(third.err ==
        "talentcast: x.sqlite: holds another sweep (it differs in: sweep); use another --db to "
        "keep both\n");
}

TEST_CASE("a database with a damaged page is refused by sweep, sensitivity and export",
          "[sweep][cli][safety]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", kGrid);
  REQUIRE(run_talentcast("sweep s.toml --db s.sqlite -q --metrics ratio", dir.path()).exit_code ==
          0);
  std::filesystem::copy_file(dir.path() / "s.sqlite", dir.path() / "d.sqlite");
  // An index that none of the three reads: without a check, each would go on as if all were well.
  damage_root_page(dir.path() / "d.sqlite", "sqlite_autoindex_parameter_1");
  const std::string damage =
      "talentcast: d.sqlite: is damaged (SQLite's quick_check: Page 4: btreeInitPage() returns "
      "error code 11); restore it from a copy, or run the sweep again with another --db\n";

  const auto sweep = run_talentcast("sweep s.toml --db d.sqlite --metrics ratio", dir.path());
  CHECK(sweep.exit_code == 2);
  CHECK(sweep.err == damage);
  CHECK(sweep.out.empty());
  const auto sensitivity =
      run_talentcast("sensitivity --db d.sqlite --output ratio:llm:2025-Q4:p50", dir.path());
  CHECK(sensitivity.exit_code == 2);
  CHECK(sensitivity.err == damage);
  CHECK(sensitivity.out.empty());
  const auto exported = run_talentcast("export --db d.sqlite --out d.csv", dir.path());
  CHECK(exported.exit_code == 2);
  CHECK(exported.err == damage.substr(0, damage.size() - 1) + "; nothing was written\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "d.csv"));
  // The undamaged original is still read.
  CHECK(run_talentcast("export --db s.sqlite --out s.csv", dir.path()).exit_code == 0);
}

TEST_CASE("a finished sweep's database is read where no file can be created beside it",
          "[sweep][cli][safety]") {
  // Read-only media, as root: SQLite opens its -wal and -shm files with O_NOFOLLOW, so dangling
  // symbolic links at their names make creating them fail for any user, root included.
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", kGrid);
  REQUIRE(run_talentcast("sweep s.toml --db s.sqlite -q --metrics ratio", dir.path()).exit_code ==
          0);
  const auto media = dir.path() / "media";
  std::filesystem::create_directories(media);
  std::filesystem::copy_file(dir.path() / "s.sqlite", media / "s.sqlite");
  const std::string before = sha256_of(media / "s.sqlite");
  const auto expected = run_talentcast("export --db s.sqlite", dir.path());
  REQUIRE(expected.exit_code == 0);
  const auto expected_sensitivity =
      run_talentcast("sensitivity --db s.sqlite --output ratio:llm:2025-Q4:p50 -f csv", dir.path());
  REQUIRE(expected_sensitivity.exit_code == 0);
  for (const char* beside : {"s.sqlite-wal", "s.sqlite-shm"}) {
    std::filesystem::create_symlink("/nonexistent-talentcast-dir/x", media / beside);
  }

  const auto exported = run_talentcast("export --db media/s.sqlite", dir.path());
  CHECK(exported.exit_code == 0);
  CHECK(exported.err.empty());
  CHECK(exported.out == expected.out);
  const auto sensitivity = run_talentcast(
      "sensitivity --db media/s.sqlite --output ratio:llm:2025-Q4:p50 -f csv", dir.path());
  CHECK(sensitivity.exit_code == 0);
  CHECK(sensitivity.out == expected_sensitivity.out);
  CHECK(sha256_of(media / "s.sqlite") == before);
}

TEST_CASE("commits in a write-ahead log that cannot be read there are not silently skipped",
          "[sweep][cli][safety]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", kGrid);
  REQUIRE(run_talentcast("sweep s.toml --db s.sqlite -q --metrics ratio", dir.path()).exit_code ==
          0);
  const auto media = dir.path() / "media";
  std::filesystem::create_directories(media);
  {
    // A commit left in the log, as a sweep killed before its log was checkpointed leaves it.
    talentcast::io::Database writer(dir.path() / "s.sqlite");
    writer.execute("PRAGMA wal_autocheckpoint = 0; UPDATE point SET wall_seconds = 1");
    std::filesystem::copy_file(dir.path() / "s.sqlite", media / "s.sqlite");
    std::filesystem::copy_file(dir.path() / "s.sqlite-wal", media / "s.sqlite-wal");
  }
  std::filesystem::create_symlink("/nonexistent-talentcast-dir/x", media / "s.sqlite-shm");
  const auto exported = run_talentcast("export --db media/s.sqlite --out e.csv", dir.path());
  CHECK(exported.exit_code == 2);
  CHECK(exported.err ==
        "talentcast: media/s.sqlite: its write-ahead log media/s.sqlite-wal holds commits that are "
        "not in the database file yet, and SQLite cannot create media/s.sqlite-shm beside it to "
        "read them (read-only media?); copy both files to a writable folder and read them "
        "there; nothing was written\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "e.csv"));
}

TEST_CASE("a database opened to read cannot be written", "[sweep][safety]") {
  TempDir dir;
  {
    talentcast::io::Database db(dir.path() / "r.sqlite");
    db.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)");
  }
  talentcast::io::Database db(dir.path() / "r.sqlite", talentcast::io::Access::read_only);
  CHECK_THROWS_WITH(db.execute("INSERT INTO t VALUES (2)"), "attempt to write a readonly database");
}

TEST_CASE("SIGTERM while a huge design's points are checked stops at once, writing nothing",
          "[sweep][cli][safety]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  // 1,000,000 points: checking that each makes a valid scenario takes minutes.
  dir.write("big.toml", R"(scenario = "base.toml"
design = "grid"
levels = 100
paths = 100
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
[[parameters]]
key = "roles.cloud.attrition"
low = 0.1
high = 0.2
[[parameters]]
key = "defaults.seeker_exit"
low = 1.0
high = 3.0
)");
  start_talentcast(dir, "sweep big.toml --db new/big.sqlite");
  const int pid = background_pid(dir);
  // Its handler is in place (the kernel's list of caught signals has SIGTERM) before it checks.
  const auto catches_sigterm = [&] {
    std::ifstream status(fmt::format("/proc/{}/status", pid));
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("SigCgt:", 0) == 0) {
        return (std::stoull(line.substr(7), nullptr, 16) >> (SIGTERM - 1) & 1) == 1;
      }
    }
    return false;
  };
  REQUIRE(wait_until(catches_sigterm, 60));
  REQUIRE(::kill(pid, SIGTERM) == 0);
  REQUIRE(wait_until([&] { return std::filesystem::exists(dir.path() / "rc"); }, 600));
  CHECK(talentcast::test::read_file(dir.path() / "rc") == "130\n");
  CHECK(talentcast::test::read_file(dir.path() / "err.txt") ==
        "talentcast: interrupted while checking that the design's 1000000 points make valid "
        "scenarios; nothing was run or written\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "new"));  // nor the folder made for it
}

TEST_CASE("the sweep's progress bars: checking a huge design, then points per minute",
          "[sweep][cli][safety]") {
  if (const auto reason = talentcast::test::no_pseudo_terminal()) {
    return talentcast::test::skip_test(*reason);
  }
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("big.toml", R"(scenario = "base.toml"
design = "grid"
levels = 1000
paths = 100
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
[[parameters]]
key = "roles.cloud.attrition"
low = 0.1
high = 0.2
)");
  // script(1) (util-linux) runs the command on a pseudo-terminal, where the bar is drawn.
  dir.write("run.sh",
            fmt::format("echo $$ > pid.tmp && mv pid.tmp pid && exec {} \"$@\"\n", TALENTCAST_EXE));
  const auto typescript = [&] { return talentcast::test::read_file(dir.path() / "typescript"); };
  REQUIRE(std::system(fmt::format("cd '{}' && ( script -qfec 'sh run.sh sweep big.toml --db "
                                  "big.sqlite' typescript >/dev/null 2>&1; echo $? > rc ) &",
                                  dir.path().string())
                          .c_str()) == 0);
  REQUIRE(wait_until([&] { return std::filesystem::exists(dir.path() / "pid"); }, 60));
  const bool checking_shown =
      wait_until([&] { return typescript().find("points checked") != std::string::npos; }, 120);
  ::kill(background_pid(dir), SIGTERM);
  REQUIRE(wait_until([&] { return std::filesystem::exists(dir.path() / "rc"); }, 600));
  CHECK(checking_shown);
  CHECK(typescript().find("/1000000 points checked") != std::string::npos);

  // A point of the flagship at 2000 paths takes a good part of a second: the rate is per minute.
  std::filesystem::remove(dir.path() / "pid");
  std::filesystem::remove(dir.path() / "rc");
  dir.write("slow.toml", lhs_sweep(3, 2000, 5));
  REQUIRE(std::system(fmt::format("cd '{}' && script -qfec 'sh run.sh sweep slow.toml --db "
                                  "slow.sqlite -j 1 --metrics ratio' typescript >/dev/null 2>&1",
                                  dir.path().string())
                          .c_str()) == 0);
  const std::string shown = typescript();
  CHECK(shown.find("points/min") != std::string::npos);
  CHECK(shown.find("points/s") == std::string::npos);
  CHECK(shown.find(" left") != std::string::npos);
}

TEST_CASE("a sweep naming a missing scenario is located at its key", "[sweep][validation][cli]") {
  TempDir dir;
  const auto path = dir.write("s.toml", R"(scenario = "nope.toml"
design = "latin_hypercub"
points = 4
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
)");
  std::string message;
  try {
    config::load_sweep(path);
  } catch (const io::UserError& e) {
    message = e.what();
  }
  const std::string f = path.string();
  CHECK(message == f +
                       ":1:12: scenario: expected an existing scenario file (a path relative to "
                       "the sweep file), found '" +
                       (dir.path() / "nope.toml").string() + "', which does not exist\n" + f +
                       ":2:10: design: expected one of grid, latin_hypercube, sobol, morris, "
                       "saltelli (did you mean 'latin_hypercube'?), found the string "
                       "\"latin_hypercub\"\n");
  const auto r = run_talentcast("sweep s.toml", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("s.toml:1:12: scenario: expected an existing scenario file (a path relative "
                    "to the sweep file), found 'nope.toml', which does not exist\n",
                    0) == 0);
}

namespace {
// The fields of each line of a CSV whose fields hold no commas.
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : talentcast::test::lines_of(text)) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos;
         start = comma + 1) {
      fields.push_back(line.substr(start, comma - start));
    }
    fields.push_back(line.substr(start));
    rows.push_back(std::move(fields));
  }
  return rows;
}
}  // namespace

TEST_CASE("export's filters keep exactly the rows and columns asked for", "[sweep][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", kGrid);
  REQUIRE(run_talentcast("sweep s.toml --db s.sqlite -q", dir.path()).exit_code == 0);
  const auto full = run_talentcast("export --db s.sqlite", dir.path());
  REQUIRE(full.exit_code == 0);

  // The same rows, filtered and cut from the full export: the filters change nothing else.
  const std::vector<std::string> roles{"llm", "total"}, periods{"2024-Q4", "2025-Q4"},
      metrics{"ratio", "hires"}, stats{"p50", "mean"};
  const auto rows = csv_rows(full.out);
  const auto& header = rows.front();
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const auto in = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  std::string expected;
  std::size_t kept = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (r > 0 && !(in(roles, row[column("role")]) && in(periods, row[column("period")]) &&
                   in(metrics, row[column("metric")]))) {
      continue;
    }
    kept += r > 0;
    std::string line;
    for (const char* name :
         {"point", "roles.llm.demand_growth", "defaults.seeker_exit", "role", "period", "metric"}) {
      line += (line.empty() ? "" : ",") + row[column(name)];
    }
    for (const auto& stat : stats) line += "," + row[column(stat)];
    expected += line + "\n";
  }
  REQUIRE(kept == 9 * 2 * 2 * 2);  // points, roles, periods, metrics
  const auto filtered = run_talentcast(
      "export --db s.sqlite --roles llm,total --periods 2024-Q4,2025-Q4 --metrics ratio,hires "
      "--stats p50,mean",
      dir.path());
  CHECK(filtered.exit_code == 0);
  CHECK(filtered.err.empty());
  CHECK(filtered.out == expected);
  // To a file, the same bytes.
  REQUIRE(run_talentcast("export --db s.sqlite --out f.csv --roles llm,total --periods "
                         "2024-Q4,2025-Q4 --metrics ratio,hires --stats p50,mean",
                         dir.path())
              .exit_code == 0);
  CHECK(talentcast::test::read_file(dir.path() / "f.csv") == expected);

  // Names the database does not hold: every one listed with what it holds, nothing written.
  const auto bad = run_talentcast(
      "export --db s.sqlite --out b.csv --metrics ratio,hirez --roles llm,nope --periods 2031-Q1 "
      "--stats p50,p51",
      dir.path());
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err ==
        "talentcast: --metrics: expected metrics stored in s.sqlite (candidates, demand, "
        "employed, fill_rate, hires, new_candidates, new_openings, openings, ratio, "
        "salary_median, salary_p10, salary_p25, salary_p75, salary_p90, shortage, unfilled), "
        "found 'hirez'\n"
        "talentcast: --roles: expected roles stored in s.sqlite (cloud, llm, total), found "
        "'nope'\n"
        "talentcast: --periods: expected periods stored in s.sqlite (2024-Q1, 2024-Q2, 2024-Q3, "
        "2024-Q4, 2025-Q1, 2025-Q2, 2025-Q3, 2025-Q4), found '2031-Q1'\n"
        "talentcast: --stats: expected statistics (mean, sd, p05, p10, p25, p50, p75, p90, p95, "
        "mcse), found 'p51'\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "b.csv"));
}

TEST_CASE("a progress bar's rate is per second, minute or hour, and counts only new units",
          "[progress]") {
  using talentcast::core::progress_text;
  // Nothing done since the bar started: no rate, no time left.
  CHECK(progress_text(40, 200, "points", "", 40, 12.0) ==
        "[======                        ] 40/200 points");
  // A resumed sweep: 40 points were in the database, 10 more ran in 300 s.
  CHECK(progress_text(50, 200, "points", "", 40, 300.0) ==
        "[=======                       ] 50/200 points, 2.0 points/min, 1 h 15 min left");
  CHECK(progress_text(100, 200, "points", "", 0, 120.0) ==
        "[===============               ] 100/200 points, 50 points/min, 2 min left");
  CHECK(progress_text(3, 1000, "points", "", 0, 7200.0) ==
        "[                              ] 3/1000 points, 1.5 points/h, 27 d 17 h left");
  CHECK(progress_text(50000, 200000, "paths", "", 0, 2.0) ==
        "[=======                       ] 50000/200000 paths, 25000 paths/s, 6 s left");
  CHECK(progress_text(1000, 1000, "points", "checked", 0, 4.0) ==
        "[==============================] 1000/1000 points checked, 250 points/s, 0 s left");
}

TEST_CASE("points built on a base parsed once are the scenarios sweep_scenario builds", "[sweep]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario() +
                             "\n[[events]]\nname = \"freeze\"\nfrom = \"2025\"\n"
                             "demand_growth_add = -0.1\n");
  // A number, a distribution, an array's element and a role parameter no table writes; shares
  // that clash at some points.
  const auto sweep = config::load_sweep(dir.write("s.toml", R"(scenario = "base.toml"
design = "latin_hypercube"
points = 12
[[parameters]]
key = "roles.llm.salary"
low = 50000
high = 70000
[[parameters]]
key = "roles.cloud.demand_growth"
low = 0.0
high = 0.2
[[parameters]]
key = "events[0].demand_growth_add"
levels = [-0.2, 0.0]
[[parameters]]
key = "roles.llm.layoff_rate"
low = 0.0
high = 0.5
[[parameters]]
key = "fields.ai_major.shares.llm"
low = 0.1
high = 0.7
[[parameters]]
key = "fields.ai_major.shares.cloud"
low = 0.2
high = 0.7
)"));
  const auto design = sweep.design_points();
  config::PointScenarios points(sweep);
  std::size_t invalid = 0;
  for (std::size_t i = 0; i < design.points(); ++i) {
    const auto values = sweep.values(design, i);
    std::string expected, built;
    try {
      expected = config::sweep_scenario(sweep, values).resolved_toml;
    } catch (const io::UserError& e) {
      expected = e.what();
      ++invalid;
    }
    try {
      built = points(values).resolved_toml;
    } catch (const io::UserError& e) {
      built = e.what();
    }
    CHECK(built == expected);
  }
  CHECK(invalid > 0);
  CHECK(invalid < design.points());
}

TEST_CASE("the limit on a design's size counts a Saltelli or Morris design's points", "[sweep]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  const auto path = dir.write("s.toml", R"(scenario = "base.toml"
design = "saltelli"
points = 5000000
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
)");
  std::string message;
  try {
    config::load_sweep(path);
  } catch (const io::UserError& e) {
    message = e.what();
  }
  CHECK(message == path.string() +
                       ":3:10: points: expected a design of at most 10,000,000 points, found "
                       "1.5e+07 points (5000000 base rows of 3 points)\n");
}
