// What the writing commands may replace, what an interrupt or a kill leaves, and what a write
// error says (docs/cli.md, "Outputs"): run, benchmark --payroll, report, compare and export.
#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "support.hpp"

namespace fs = std::filesystem;
using talentcast::test::CommandResult;
using talentcast::test::read_file;
using talentcast::test::run_shell;
using talentcast::test::run_talentcast;
using talentcast::test::TempDir;

namespace {

// A directory's entries, hidden ones included, recursively, as paths relative to it; but for
// the files SQLite keeps beside a database (s.sqlite-shm, s.sqlite-wal) as it reads it.
std::set<std::string> entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = fs::relative(entry.path(), dir).string();
    if (!name.starts_with("s.sqlite-")) names.insert(name);
  }
  return names;
}

// Whether talentcast writes unnamed files (O_TMPFILE, named through /proc) in dir: overlayfs
// before Linux 6.6 has none, and talentcast then writes named temporaries.
bool has_unnamed_files(const fs::path& dir) {
  const int descriptor = ::open(dir.c_str(), O_TMPFILE | O_WRONLY, 0600);
  if (descriptor < 0) return false;
  ::close(descriptor);
  return ::access("/proc/self/fd", X_OK) == 0;
}

// A working directory with the two-role scenario, a what-if of it, a finished run in run/, and
// a payroll of the run's roles.
struct Workspace {
  TempDir dir;
  Workspace() {
    std::string whatif = talentcast::test::two_role_scenario();
    whatif.replace(whatif.find("demand_growth = 0.1"), 19, "demand_growth = 0.2");
    dir.write("two.toml", talentcast::test::two_role_scenario());
    dir.write("faster.toml", whatif);
    std::string payroll = "employee_id,role,salary\n";
    for (int e = 1; e <= 40; ++e) {
      payroll += fmt::format("E{},{},{}\n", e, e % 2 ? "llm" : "cloud", 30000 + 1000 * e);
    }
    dir.write("payroll.csv", payroll);
    REQUIRE(run_talentcast("run two.toml --paths 200 --out run --quiet", dir.path()).exit_code ==
            0);
  }
  const fs::path& path() const { return dir.path(); }
  std::string at(const std::string& name) const { return (dir.path() / name).string(); }
};

// Starts `talentcast ARGS` in dir with the test-only hold before its outputs are renamed into
// place, waits until it holds, sends `signal` and waits for it to end.
CommandResult signalled_while_writing(const std::string& args, const fs::path& dir,
                                      const std::string& signal, bool named_temporaries) {
  const fs::path marker = dir / "holding";
  fs::remove(marker);
  return run_shell(
      fmt::format(
          "( TALENTCAST_TEST_HOLD_BEFORE_COMMIT='{0}' {1} '{2}' {3} & pid=$!; "
          "while [ ! -e '{0}' ] && kill -0 $pid 2>/dev/null; do sleep 0.01; done; rm -f '{0}'; "
          "kill -{4} $pid; wait $pid )",
          marker.string(), named_temporaries ? "TALENTCAST_TEST_NAMED_TEMPORARIES=1" : "",
          TALENTCAST_EXE, args, signal),
      dir);
}

// `talentcast ARGS` in dir with files limited to `blocks` of 512 bytes (ulimit -f in sh) and
// SIGXFSZ ignored, so that a longer write fails with EFBIG as on a full disk.
CommandResult with_small_files(const std::string& args, const fs::path& dir, int blocks = 2) {
  return run_shell(
      fmt::format("( ulimit -f {}; trap '' XFSZ; exec '{}' {} )", blocks, TALENTCAST_EXE, args),
      dir);
}

// A small sweep's database, dir/s.sqlite; its export has about 210 KB.
void sweep_database(const Workspace& w) {
  w.dir.write("s.toml", R"(scenario = "two.toml"
design = "grid"
paths = 50
[[parameters]]
key = "roles.llm.demand_growth"
levels = [0.0, 0.1, 0.2]
)");
  REQUIRE(run_talentcast("sweep s.toml --db s.sqlite -q", w.path()).exit_code == 0);
}

}  // namespace

TEST_CASE("run refuses a directory that is neither new, empty nor an earlier run's",
          "[outputs][cli]") {
  Workspace w;
  const auto mine = w.dir.path() / "mine";
  fs::create_directory(mine);
  w.dir.write("mine/forecast.csv", "my own forecast\n");
  w.dir.write("mine/bands.bin", "my own bands\n");
  w.dir.write("mine/notes.txt", "my notes\n");
  const std::set<std::string> before = entries(mine);
  auto r = run_talentcast("run two.toml --paths 200 --out mine --quiet", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --out mine: expected a new or empty directory, or an earlier run's, found a "
        "directory holding 'bands.bin' and no manifest.json; nothing was run\n");
  // With --band-samples 0 it would have removed bands.json and bands.bin.
  w.dir.write("mine/bands.json", "{}\n");
  r = run_talentcast("run two.toml --paths 200 --out mine --quiet --band-samples 0", w.path());
  CHECK(r.exit_code == 2);
  CHECK(read_file(mine / "forecast.csv") == "my own forecast\n");
  CHECK(read_file(mine / "bands.bin") == "my own bands\n");
  CHECK(read_file(mine / "bands.json") == "{}\n");
  CHECK(entries(mine).size() == before.size() + 1);

  // A manifest.json of something else is not a run's.
  REQUIRE(run_talentcast("benchmark run --payroll payroll.csv --out payroll-out -f csv", w.path())
              .exit_code == 0);
  r = run_talentcast("run two.toml --paths 200 --out payroll-out --quiet", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --out payroll-out: expected a new or empty directory, or an earlier run's, "
        "found a directory whose manifest.json is not a run's (format "
        "'talentcast-payroll-benchmark-1'); nothing was run\n");
  w.dir.write("mine/manifest.json", "not json\n");
  r = run_talentcast("run two.toml --paths 200 --out mine --quiet", w.path());
  CHECK(r.err ==
        "talentcast: --out mine: expected a new or empty directory, or an earlier run's, found a "
        "directory whose manifest.json is not a run's (not JSON); nothing was run\n");

  // An empty directory, an earlier run's (outputs replaced, the band store removed with
  // --band-samples 0, a report beside it kept), and one holding only talentcast's temporaries.
  fs::create_directory(w.path() / "empty");
  CHECK(run_talentcast("run two.toml --paths 200 --out empty --quiet", w.path()).exit_code == 0);
  REQUIRE(run_talentcast("report run -q", w.path()).exit_code == 0);
  r = run_talentcast("run two.toml --paths 300 --out run --quiet --band-samples 0", w.path());
  CHECK(r.exit_code == 0);
  CHECK(entries(w.path() / "run").count("bands.bin") == 0);
  CHECK(fs::exists(w.path() / "run" / "report.html"));
  fs::create_directory(w.path() / "temporaries");
  w.dir.write("temporaries/.forecast.csv.tmp-elsewhere.example-12", "another host's\n");
  CHECK(run_talentcast("run two.toml --paths 200 --out temporaries --quiet", w.path()).exit_code ==
        0);
  CHECK(fs::exists(w.path() / "temporaries" / ".forecast.csv.tmp-elsewhere.example-12"));
}

TEST_CASE("benchmark --payroll refuses a directory that is not an earlier payroll benchmark's",
          "[outputs][cli][benchmark]") {
  Workspace w;
  fs::create_directory(w.path() / "mine");
  w.dir.write("mine/summary.csv", "my summary\n");
  auto r = run_talentcast("benchmark run --payroll payroll.csv --out mine", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --out: expected a new or empty directory, or an earlier payroll "
        "benchmark's, found 'mine', a directory holding 'summary.csv' and no manifest.json\n"
        "talentcast: 1 error; nothing was written\n");
  CHECK(read_file(w.path() / "mine" / "summary.csv") == "my summary\n");
  CHECK(entries(w.path() / "mine").size() == 1);
  // Its own earlier outputs are replaced.
  REQUIRE(
      run_talentcast("benchmark run --payroll payroll.csv --out b -f csv", w.path()).exit_code ==
      0);
  r = run_talentcast("benchmark run --payroll payroll.csv --out b -f csv --now 2024-Q2", w.path());
  CHECK(r.exit_code == 0);
  CHECK(read_file(w.path() / "b" / "manifest.json").find("\"now\": \"2024-Q2\"") !=
        std::string::npos);
}

TEST_CASE("report replaces only a report and charts talentcast wrote", "[outputs][cli][report]") {
  Workspace w;
  w.dir.write("mine.html", "<html>my page</html>\n");
  auto r = run_talentcast("report run --out mine.html -q", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: mine.html: expected a new file or a report talentcast wrote, found another "
        "file\n"
        "talentcast: 1 file in the way; nothing was written\n");
  CHECK(read_file(w.path() / "mine.html") == "<html>my page</html>\n");
  CHECK_FALSE(fs::exists(w.path() / "charts"));

  // A chart of the same name that the page being replaced does not show.
  fs::create_directory(w.path() / "charts");
  w.dir.write("charts/llm-ratio.svg", "<svg>mine</svg>\n");
  r = run_talentcast("report run --out page.html -q", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: charts/llm-ratio.svg: expected a new file or a chart of the report "
        "page.html replaces, found another file\n"
        "talentcast: 1 file in the way; nothing was written\n");
  CHECK(entries(w.path() / "charts") == std::set<std::string>{"llm-ratio.svg"});
  CHECK_FALSE(fs::exists(w.path() / "page.html"));

  // Its own report and charts, again; and a user's other files in charts/ are left alone.
  REQUIRE(run_talentcast("report run -q", w.path()).exit_code == 0);
  w.dir.write("run/charts/notes.txt", "mine\n");
  r = run_talentcast("report run -q --band-periods 2024-Q1", w.path());
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(read_file(w.path() / "run" / "charts" / "notes.txt") == "mine\n");
  CHECK(read_file(w.path() / "run" / "report.html")
            .find("<meta name=\"generator\" content=\"talentcast ") != std::string::npos);
}

TEST_CASE("compare and export replace only their own earlier outputs",
          "[outputs][cli][compare][sweep]") {
  Workspace w;
  w.dir.write("mine.csv", "a,b\n1,2\n");
  w.dir.write("mine.html", "<html>my page</html>\n");
  auto r = run_talentcast(
      "compare two.toml faster.toml --paths 100 -q -f csv --out mine.csv --report mine.html",
      w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --out mine.csv: expected a new file or a comparison talentcast wrote (csv "
        "or json), found another file\n"
        "talentcast: --report mine.html: expected a new file or a report talentcast wrote, found "
        "another file\n");
  CHECK(read_file(w.path() / "mine.csv") == "a,b\n1,2\n");
  CHECK(read_file(w.path() / "mine.html") == "<html>my page</html>\n");
  // Its own csv, json and report are replaced, whatever the format asked for.
  REQUIRE(run_talentcast(
              "compare two.toml faster.toml --paths 100 -q -f csv --out c.txt --report c.html",
              w.path())
              .exit_code == 0);
  CHECK(run_talentcast(
            "compare two.toml faster.toml --paths 100 -q -f json --out c.txt --report c.html",
            w.path())
            .exit_code == 0);
  CHECK(run_talentcast("compare two.toml faster.toml --paths 100 -q -f csv --out c.txt", w.path())
            .exit_code == 0);

  sweep_database(w);
  r = run_talentcast("export --db s.sqlite --out mine.csv", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --out mine.csv: expected a new file or an export talentcast wrote, found "
        "another file; nothing was written\n");
  CHECK(read_file(w.path() / "mine.csv") == "a,b\n1,2\n");
  REQUIRE(run_talentcast("export --db s.sqlite --out e.csv", w.path()).exit_code == 0);
  CHECK(run_talentcast("export --db s.sqlite --out e.csv", w.path()).exit_code == 0);
}

TEST_CASE("Ctrl-C or SIGTERM while a command writes leaves nothing", "[outputs][cli]") {
  Workspace w;
  sweep_database(w);
  const std::set<std::string> before = entries(w.path());
  const std::string interrupted = "talentcast: interrupted; nothing was written\n";
  // Unnamed temporaries (O_TMPFILE) with SIGTERM; named ones (as on filesystems without
  // O_TMPFILE) with Ctrl-C.
  for (const auto& [named, signal] :
       {std::pair<bool, std::string>{false, "TERM"}, std::pair<bool, std::string>{true, "INT"}}) {
    {
      INFO((named ? "named temporaries, SIG" : "unnamed temporaries, SIG") + signal);
      auto r = signalled_while_writing("run two.toml --paths 200 --out new/run --quiet", w.path(),
                                       signal, named);
      CHECK(r.exit_code == 130);
      CHECK(r.err == interrupted);
      // Into an earlier run's directory: it is left as it was.
      const std::string manifest = read_file(w.path() / "run" / "manifest.json");
      r = signalled_while_writing("run two.toml --paths 300 --out run --quiet", w.path(), signal,
                                  named);
      CHECK(r.exit_code == 130);
      CHECK(read_file(w.path() / "run" / "manifest.json") == manifest);
      r = signalled_while_writing("report run --out new/report.html -q", w.path(), signal, named);
      CHECK(r.exit_code == 130);
      CHECK(r.err == interrupted);
      r = signalled_while_writing("benchmark run --payroll payroll.csv --out new/b", w.path(),
                                  signal, named);
      CHECK(r.exit_code == 130);
      CHECK(r.err == interrupted);
      r = signalled_while_writing(
          "compare two.toml faster.toml --paths 100 -q -f csv --out new/c.csv --report "
          "new/c.html",
          w.path(), signal, named);
      CHECK(r.exit_code == 130);
      CHECK(r.err == interrupted);
      r = signalled_while_writing("export --db s.sqlite --out e.csv", w.path(), signal, named);
      CHECK(r.exit_code == 130);
      CHECK(r.err == interrupted);
      CHECK(entries(w.path()) == before);
    }
  }
}

TEST_CASE("temporaries a kill -9 leaves are removed by the next write, others' kept",
          "[outputs][cli]") {
  Workspace w;
  // Unnamed temporaries (O_TMPFILE) leave nothing; the new directory, empty, is taken again.
  auto r = signalled_while_writing("run two.toml --paths 200 --out killed --quiet", w.path(),
                                   "KILL", false);
  CHECK(r.exit_code == 137);
  if (has_unnamed_files(w.path())) {
    CHECK(entries(w.path() / "killed").empty());
  } else {
    WARN("no O_TMPFILE in " << w.path() << ": named temporaries, removed by the next run");
  }
  CHECK(run_talentcast("run two.toml --paths 200 --out killed --quiet", w.path()).exit_code == 0);

  // Named temporaries (filesystems without O_TMPFILE) stay, named for their host and process.
  r = signalled_while_writing("run two.toml --paths 300 --out killed --quiet", w.path(), "KILL",
                              true);
  CHECK(r.exit_code == 137);
  std::vector<std::string> temporaries;
  for (const auto& name : entries(w.path() / "killed")) {
    if (name.front() == '.') temporaries.push_back(name);
  }
  REQUIRE(temporaries.size() == 5);
  const std::regex pattern(
      R"(\.(bands\.bin|bands\.json|forecast\.csv|forecast\.json|manifest\.json)\.tmp-(.+)-([0-9]+))");
  std::smatch match;
  REQUIRE(std::regex_match(temporaries.front(), match, pattern));
  const std::string host = match[2];
  // Kept: another host's temporary, this host's of a process that runs (this test), and a file
  // of the killed process that is not a temporary of an output.
  const std::string killed = match[3];
  const std::vector<std::string> kept{
      ".forecast.csv.tmp-elsewhere.example-" + killed,
      ".forecast.csv.tmp-" + host + "-" + std::to_string(::getpid()),
      ".notes.txt.tmp-" + host + "-" + killed};
  for (const auto& name : kept) w.dir.write("killed/" + name, "kept\n");
  r = run_talentcast("run two.toml --paths 200 --out killed --quiet", w.path());
  CHECK(r.exit_code == 0);
  std::set<std::string> left;
  for (const auto& name : entries(w.path() / "killed")) {
    if (name.front() == '.') left.insert(name);
  }
  CHECK(left == std::set<std::string>(kept.begin(), kept.end()));
}

TEST_CASE("a write error gives its reason and leaves no directory the command created",
          "[outputs][cli]") {
  Workspace w;
  sweep_database(w);
  const std::set<std::string> before = entries(w.path());
  auto r = with_small_files("run two.toml --paths 200 --out new/run --quiet", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: cannot write new/run/forecast.csv: File too large; nothing was "
        "written\n");
  r = with_small_files("report run --out new/report.html -q", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: cannot write new/charts/llm-ratio.svg: File too large; nothing "
        "was written\n");
  r = with_small_files("benchmark run --payroll payroll.csv --out new/b", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: cannot write new/b/employees.csv: File too large; nothing was "
        "written\n");
  r = with_small_files("compare two.toml faster.toml --paths 100 -q -f csv --out new/c.csv",
                       w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err == "talentcast: cannot write new/c.csv: File too large; nothing was written\n");
  // SQLite maps 32 KiB beside the database as it reads it (and bash's blocks are 1 KiB).
  r = with_small_files("export --db s.sqlite --out e.csv", w.path(), 128);
  CHECK(r.exit_code == 2);
  CHECK(r.err == "talentcast: cannot write e.csv: File too large; nothing was written\n");
  CHECK(entries(w.path()) == before);

  // A directory that cannot be made.
  r = run_talentcast("run two.toml --paths 200 --out two.toml/run --quiet", w.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: cannot create directory two.toml/run: two.toml is not a "
        "directory; nothing was written\n");
}
