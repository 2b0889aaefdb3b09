// `run` and `sweep` under mpirun (docs/mpi.md): 1, 2 and 3 ranks on this machine
// (--oversubscribe) give the single process's files and rows byte for byte, and errors are
// printed once. Built only when CMake found MPI.

#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "support.hpp"
#include "talentcast/io/sqlite.hpp"
#include "talentcast/studies/sweep_run.hpp"

namespace {

using talentcast::test::CommandResult;
using talentcast::test::read_file;
using talentcast::test::TempDir;

// --bind-to none: by default mpirun pins each of up to two ranks to one core, and a rank's
// threads with it; --allow-run-as-root: CI runs as root.
const std::string kLauncher =
    fmt::format("{} --oversubscribe --bind-to none --allow-run-as-root", TALENTCAST_MPIEXEC);

// hwloc, inside Open MPI, writes to stderr when it cannot read the processor topology, as in a
// container without /sys ("[hwloc/linux] failed to find sysfs cpu topology directory"): 2 hides
// all its messages, so that stderr holds talentcast's alone.
CommandResult run_quiet(const std::string& command, const std::filesystem::path& cwd = {}) {
  return talentcast::test::run_shell("HWLOC_HIDE_ERRORS=2 " + command, cwd);
}

CommandResult mpirun(int ranks, const std::string& args, const std::filesystem::path& cwd) {
  return run_quiet(fmt::format("{} -np {} {} {}", kLauncher, ranks, TALENTCAST_EXE, args), cwd);
}

// Why mpirun cannot start a process on this machine, if it cannot: it is tried on `true`, so
// that talentcast's own failures under mpirun still fail the tests.
std::optional<std::string> no_launcher() {
  static const std::optional<std::string> reason = []() -> std::optional<std::string> {
    if (!std::filesystem::exists(TALENTCAST_MPIEXEC)) {
      return fmt::format("{} is not installed (Debian's openmpi-bin)", TALENTCAST_MPIEXEC);
    }
    const std::string tried = kLauncher + " -np 1 true";
    const CommandResult r = run_quiet(tried);
    if (r.exit_code == 0) return std::nullopt;
    return fmt::format("mpirun cannot start a process here: `{}` exited {}:\n{}", tried,
                       r.exit_code, r.err);
  }();
  return reason;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string sweep_file() {
  return R"(scenario = "base.toml"
design = "sobol"
points = 8
paths = 300
seed = 11
[[parameters]]
key = "roles.llm.demand_growth"
low = 0.0
high = 0.3
[[parameters]]
key = "fields.ai_major.growth"
low = 0.0
high = 0.2
)";
}

}  // namespace

TEST_CASE("mpirun run on 1, 2 and 3 ranks writes the single process's files byte for byte",
          "[mpi][determinism][cli]") {
  if (const auto reason = no_launcher()) return talentcast::test::skip_test(*reason);
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  // 40,000 paths are three chunks of 16,384 (the last one short), and 20,000 kept band samples
  // span two of them, so rank 0 merges other ranks' moments and retained values.
  const std::string args = "run base.toml --paths 40000 --band-samples 20000 --seed 5 -q";
  REQUIRE(talentcast::test::run_talentcast(args + " --out single", dir.path()).exit_code == 0);
  for (int ranks = 1; ranks <= 3; ++ranks) {
    CAPTURE(ranks);
    const std::string out = fmt::format("ranks{}", ranks);
    const CommandResult r = mpirun(ranks, args + " --out " + out, dir.path());
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    for (const char* file : {"forecast.csv", "forecast.json", "bands.bin", "bands.json"}) {
      CAPTURE(file);
      CHECK(read_file(dir.path() / out / file) == read_file(dir.path() / "single" / file));
    }
    const auto manifest = nlohmann::json::parse(read_file(dir.path() / out / "manifest.json"));
    CHECK(manifest["mpi_ranks"] == ranks);
    CHECK(manifest["paths"] == 40000);
  }
  // Only rank 0 prints: one summary table.
  const CommandResult loud = mpirun(3, "run base.toml --paths 3000 --out loud", dir.path());
  REQUIRE(loud.exit_code == 0);
  CHECK(count(loud.out, "paths in ") == 1);
}

TEST_CASE("mpirun sweep on 1, 2 and 3 ranks stores the single process's rows, and resumes",
          "[mpi][sweep][cli]") {
  if (const auto reason = no_launcher()) return talentcast::test::skip_test(*reason);
  using namespace talentcast;
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("s.toml", sweep_file());
  REQUIRE(talentcast::test::run_talentcast("sweep s.toml --db single.sqlite -q", dir.path())
              .exit_code == 0);
  const std::string single = talentcast::formats::dump_store(dir.path() / "single.sqlite");
  for (int ranks = 1; ranks <= 3; ++ranks) {
    CAPTURE(ranks);
    const std::string db = fmt::format("ranks{}.sqlite", ranks);
    const CommandResult r = mpirun(ranks, "sweep s.toml -q --db " + db, dir.path());
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(talentcast::formats::dump_store(dir.path() / db) == single);
  }
  // Three points removed, as if the sweep had been killed: three ranks run just those.
  {
    talentcast::io::Database d(dir.path() / "ranks3.sqlite");
    d.execute(
        "DELETE FROM stat WHERE point IN (1, 4, 6); DELETE FROM point_value WHERE point IN (1, 4, "
        "6); DELETE FROM point WHERE id IN (1, 4, 6)");
  }
  const CommandResult resumed = mpirun(3, "sweep s.toml --db ranks3.sqlite", dir.path());
  REQUIRE(resumed.exit_code == 0);
  CHECK(count(resumed.out, "8 points of 300 paths: 5 already in ranks3.sqlite, 3 run") == 1);
  CHECK(talentcast::formats::dump_store(dir.path() / "ranks3.sqlite") == single);
}

TEST_CASE("under mpirun, a problem is reported once and every rank exits 2",
          "[mpi][validation][cli]") {
  if (const auto reason = no_launcher()) return talentcast::test::skip_test(*reason);
  TempDir dir;
  const auto invalid = talentcast::test::source_dir() / "tests" / "data" / "invalid";
  const CommandResult bad =
      mpirun(3, "run '" + (invalid / "calendar.toml").string() + "' -q", dir.path());
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.empty());
  CHECK(count(bad.err, "calendar.toml:4:9: start: expected the first month of a quarter") == 1);
  CHECK(count(bad.err, "calendar.toml: 2 errors; nothing was run or written") == 1);

  // Only rank 0 writes, so only it checks where: the others follow its verdict.
  dir.write("base.toml", talentcast::test::two_role_scenario());
  dir.write("taken", "a file, not a directory\n");
  const CommandResult taken = mpirun(2, "run base.toml -q --out taken", dir.path());
  CHECK(taken.exit_code == 2);
  CHECK(count(taken.err,
              "talentcast: --out taken: expected a directory, found a file; nothing "
              "was run\n") == 1);

  // A database of another sweep is refused by rank 0; no rank runs a point.
  dir.write("s.toml", sweep_file());
  REQUIRE(talentcast::test::run_talentcast("sweep s.toml --db x.sqlite -q", dir.path()).exit_code ==
          0);
  std::string reseeded = sweep_file();
  reseeded.replace(reseeded.find("seed = 11"), 9, "seed = 12");
  dir.write("s.toml", reseeded);
  const CommandResult other = mpirun(3, "sweep s.toml --db x.sqlite -q", dir.path());
  CHECK(other.exit_code == 2);
  CHECK(count(other.err,
              "talentcast: x.sqlite: holds another sweep (it differs in: sweep); use "
              "another --db to keep both\n") == 1);
}

TEST_CASE("a rank that fails alone is heard, and no rank waits for ever",
          "[mpi][validation][cli]") {
  if (const auto reason = no_launcher()) return talentcast::test::skip_test(*reason);
  // Rank 0 finds the scenario, ranks 1 and 2 (another directory) do not: all go on or none.
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "a");
  std::filesystem::create_directories(dir.path() / "b");
  dir.write("a/base.toml", talentcast::test::two_role_scenario());
  const std::string app = fmt::format("{} run base.toml -q", TALENTCAST_EXE);
  const CommandResult r = run_quiet(
      fmt::format("timeout 120 {} -np 1 --wdir a {} : -np 2 --wdir b {}", kLauncher, app, app),
      dir.path());
  CHECK(r.exit_code == 2);  // not 124: timed out
  CHECK(count(r.err,
              "base.toml: (file): expected an existing scenario file, found no such "
              "file\n") == 2);
  CHECK(count(r.err, "talentcast (rank 1):\n") == 1);
  CHECK(count(r.err, "talentcast (rank 2):\n") == 1);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "a" / "out"));

  // Another MPI's launcher starting processes this MPI sees alone would run the command twice.
  const CommandResult foreign = run_quiet(
      fmt::format("PMI_RANK=0 PMI_SIZE=2 {} run a/base.toml -q --out foreign", TALENTCAST_EXE),
      dir.path());
  CHECK(foreign.exit_code == 2);
  CHECK(foreign.err ==
        "talentcast: the launcher started 2 processes, but this talentcast's MPI sees one: start "
        "it with the mpirun of the MPI it was built with (Open MPI)\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "foreign"));
}

TEST_CASE("under mpirun, a failure mid-run ends every rank at once, told once a rank",
          "[mpi][cli]") {
  if (const auto reason = no_launcher()) return talentcast::test::skip_test(*reason);
  // Valid values that are jointly unusable: candidates overflow in the first month of every
  // path, on every rank, on each of its threads.
  TempDir dir;
  std::string overflowing = talentcast::test::two_role_scenario();
  overflowing.replace(overflowing.find("ratio = 0.17"), 12, "ratio = 1e306");
  dir.write("base.toml", overflowing);
  const std::string told = "the state became non-finite";
  const CommandResult run = mpirun(3, "run base.toml -q -j 2 --out o", dir.path());
  CHECK(run.exit_code == 2);  // bad input, as in a single process; not 124: timed out
  CHECK(count(run.err, told) >= 1);
  CHECK(count(run.err, told) <= 3);  // a process tells one failure, not one a thread
  CHECK(count(run.err, "; the scenario's values are jointly unusable.") == count(run.err, told));
  CHECK(count(run.err, "\nNothing was written.\n") == count(run.err, told));
  CHECK(count(run.err, "internal error") == 0);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "o"));

  // A sweep's point: the same wrapper, with what a sweep keeps.
  dir.write("s.toml", R"(scenario = "base.toml"
design = "sobol"
points = 4
paths = 300
seed = 11
[[parameters]]
key = "roles.cloud.demand_growth"
low = 0.0
high = 0.3
)");
  const CommandResult sweep = mpirun(2, "sweep s.toml --db s.sqlite -q -j 2", dir.path());
  CHECK(sweep.exit_code == 2);
  CHECK(count(sweep.err, told) >= 1);
  CHECK(count(sweep.err, told) <= 2);
  CHECK(count(sweep.err,
              "\nThe points committed before it are in the database; the same command runs the "
              "rest.\n") == count(sweep.err, told));
}

TEST_CASE("under mpirun, commands other than run and sweep run once, on rank 0", "[mpi][cli]") {
  if (const auto reason = no_launcher()) return talentcast::test::skip_test(*reason);
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  const CommandResult r = mpirun(3, "validate base.toml", dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(count(r.out, "base.toml: valid: 2 roles") == 1);
}
