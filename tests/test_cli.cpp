// End-to-end runs of the `talentcast` command, as a user would type them.
#include <fmt/core.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "support.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/models/labour_market.hpp"

namespace fs = std::filesystem;
using talentcast::test::lines_of;
using talentcast::test::read_file;
using talentcast::test::run_talentcast;
using talentcast::test::TempDir;

namespace {

// The CSV schema: the header, 13 fields a row, known metrics, period labels of the step, and
// one row per (role, period, metric) with `total` lacking the salary metrics and each level
// having only them.
void check_forecast_csv(const std::string& csv, const talentcast::models::Scenario& scenario) {
  const auto lines = lines_of(csv);
  REQUIRE(!lines.empty());
  CHECK(lines[0] == talentcast::formats::kForecastCsvHeader);
  const std::size_t periods = static_cast<std::size_t>(scenario.periods());
  std::size_t levels = 0;
  for (const auto& role : scenario.roles) levels += role.levels.size();
  CHECK(lines.size() == 1 + periods * (scenario.roles.size() * 16 + levels * 5 + 11));
  const std::regex label(scenario.step == talentcast::models::Step::quarter ? R"(\d{4}-Q[1-4])"
                         : scenario.step == talentcast::models::Step::month ? R"(\d{4}-\d{2})"
                                                                            : R"(\d{4})");
  std::set<std::string> metrics;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> fields;
    std::istringstream row(lines[i]);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    REQUIRE(fields.size() == 13);
    CHECK(std::regex_match(fields[1], label));
    metrics.insert(fields[2]);
    for (std::size_t f = 3; f < 13; ++f) CHECK(std::isfinite(std::stod(fields[f])));
    // Percentiles are ordered.
    for (std::size_t f = 5; f < 11; ++f) CHECK(std::stod(fields[f]) <= std::stod(fields[f + 1]));
  }
  CHECK(metrics.size() == 16);
}

}  // namespace

TEST_CASE("run writes the three files, byte-identical for 1 and 2 threads", "[cli]") {
  TempDir dir;
  const auto scenario_path = dir.write("two.toml", talentcast::test::two_role_scenario());
  const auto one = run_talentcast(fmt::format("run {} --paths 700 --threads 1 --out {}/t1",
                                              scenario_path.string(), dir.path().string()));
  const auto two = run_talentcast(fmt::format("run {} --paths 700 --threads 2 --out {}/t2",
                                              scenario_path.string(), dir.path().string()));
  REQUIRE(one.exit_code == 0);
  REQUIRE(two.exit_code == 0);
  CHECK(one.err.empty());  // no progress bar when stderr is not a terminal
  CHECK(read_file(dir.path() / "t1/forecast.csv") == read_file(dir.path() / "t2/forecast.csv"));
  CHECK(read_file(dir.path() / "t1/forecast.json") == read_file(dir.path() / "t2/forecast.json"));

  const auto scenario = talentcast::config::load_scenario(scenario_path);
  const std::string csv = read_file(dir.path() / "t1/forecast.csv");
  check_forecast_csv(csv, scenario);

  const auto manifest = nlohmann::json::parse(read_file(dir.path() / "t1/manifest.json"));
  CHECK(manifest["forecast_csv_sha256"] == talentcast::io::sha256_hex(csv));
  CHECK(manifest["scenario_sha256"] == talentcast::io::sha256_hex(scenario.resolved_toml));
  CHECK(manifest["seed"] == 42);
  CHECK(manifest["paths"] == 700);
  CHECK(manifest["steps"] == 8);
  CHECK(manifest["threads"] == 1);
  CHECK(manifest["scenario"]["roles"]["llm"]["salary"] == 65000);
  for (const char* key :
       {"talentcast_version", "git_commit", "scenario_path", "wall_time_seconds", "command"}) {
    CHECK(manifest.contains(key));
  }
  const auto json = nlohmann::json::parse(read_file(dir.path() / "t1/forecast.json"));
  CHECK(json["paths"] == 700);
  CHECK(json["forecast"]["llm"]["2025-Q4"]["ratio"].contains("p50"));
  CHECK(json["forecast"]["total"]["2024-Q1"].size() == 11);

  // The summary table names every role and the total.
  for (const char* role : {"llm", "cloud", "total"}) CHECK(one.out.find(role) != std::string::npos);
}

TEST_CASE("the flagship and its what-ifs run end to end", "[cli][scenarios]") {
  TempDir dir;
  int scenarios = 0;
  for (const auto& entry : fs::directory_iterator(talentcast::test::source_dir() / "scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    // Sweep files (sweep-*.toml) are tested in test_sweep.cpp, backtest specs (backtest-*.toml)
    // in test_backtest.cpp.
    const std::string name = entry.path().filename().string();
    if (name.starts_with("sweep-") || name.starts_with("backtest-")) continue;
    ++scenarios;
    SECTION(entry.path().filename().string()) {
      const auto out = dir.path() / entry.path().stem();
      const auto result = run_talentcast(
          fmt::format("run {} --paths 300 --out {} --quiet", entry.path().string(), out.string()));
      INFO(result.err);
      REQUIRE(result.exit_code == 0);
      check_forecast_csv(read_file(out / "forecast.csv"),
                         talentcast::config::load_scenario(entry.path()));
      CHECK(fs::exists(out / "manifest.json"));
    }
  }
  CHECK(scenarios >= 4);
}

TEST_CASE("replay prints the path's values, identical to the library's", "[cli][determinism]") {
  TempDir dir;
  const auto scenario_path = dir.write("two.toml", talentcast::test::two_role_scenario());
  const auto result = run_talentcast(fmt::format("replay {} --path 17", scenario_path.string()));
  REQUIRE(result.exit_code == 0);
  const auto scenario = talentcast::config::load_scenario(scenario_path);
  const talentcast::models::LabourMarketModel model(scenario, {42, false});
  const auto values = model.replay(17);
  const auto lines = lines_of(result.out);
  REQUIRE(lines.size() == values.size() + 1);
  CHECK(lines[0] == "role,period,metric,value");
  // Output v is printed in layout order; each value in its shortest round-trip form.
  for (std::size_t v = 0; v < values.size(); ++v) {
    CHECK(lines[v + 1].substr(lines[v + 1].rfind(',') + 1) == fmt::format("{}", values[v]));
  }
}

TEST_CASE("the central projection (run --central) is one deterministic path", "[cli]") {
  TempDir dir;
  const auto scenario_path = dir.write("two.toml", talentcast::test::two_role_scenario());
  const auto result = run_talentcast(fmt::format("run {} --central --quiet --out {}/c",
                                                 scenario_path.string(), dir.path().string()));
  REQUIRE(result.exit_code == 0);
  const auto manifest = nlohmann::json::parse(read_file(dir.path() / "c/manifest.json"));
  CHECK(manifest["paths"] == 1);
  CHECK(manifest["central"] == true);
  const auto lines = lines_of(read_file(dir.path() / "c/forecast.csv"));
  // One path: sd 0 and every percentile equal to the mean.
  const auto& row = lines[1];
  std::vector<std::string> f;
  std::istringstream in(row);
  for (std::string x; std::getline(in, x, ',');) f.push_back(x);
  CHECK(f[4] == "0");
  for (int i = 5; i < 12; ++i) CHECK(f[static_cast<std::size_t>(i)] == f[3]);
}

TEST_CASE("help teaches every flag, and bad flags and outputs are user errors", "[cli]") {
  const auto help = run_talentcast("run --help");
  CHECK(help.exit_code == 0);
  for (const char* flag : {"--paths", "--seed", "--threads", "--out", "--central", "--quiet"}) {
    CHECK(help.out.find(flag) != std::string::npos);
  }
  CHECK(run_talentcast("replay --help").out.find("--path") != std::string::npos);
  CHECK(run_talentcast("validate --help").exit_code == 0);
  const auto version = run_talentcast("--version");
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("talentcast ", 0) == 0);
  CHECK(run_talentcast("run").exit_code == 2);
  CHECK(run_talentcast("run x.toml --paths 0").exit_code == 2);
  CHECK(run_talentcast("frobnicate").exit_code == 2);

  TempDir dir;
  const auto scenario_path = dir.write("two.toml", talentcast::test::two_role_scenario());
  dir.write("file", "not a directory");
  const auto clash = run_talentcast(
      fmt::format("run {} --out {}/file", scenario_path.string(), dir.path().string()));
  CHECK(clash.exit_code == 2);
  CHECK(clash.err.find("expected a directory") != std::string::npos);
  const auto missing = run_talentcast("run /no/such/scenario.toml");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err ==
        "/no/such/scenario.toml: (file): expected an existing scenario file, found no such file\n"
        "/no/such/scenario.toml: 1 error; nothing was run or written\n");
}

TEST_CASE("each command's help shows its own examples, which name files and roles that exist",
          "[cli]") {
  const auto flagship = talentcast::config::load_scenario(talentcast::test::source_dir() /
                                                          "scenarios/china-ai-2024.toml");
  for (const std::string command : {"run", "validate", "replay", "benchmark", "sweep",
                                    "sensitivity", "compare", "report", "export", "reproduce"}) {
    CAPTURE(command);
    const auto help = run_talentcast(command + " --help");
    REQUIRE(help.exit_code == 0);
    const auto at = help.out.find("Examples:");
    REQUIRE(at != std::string::npos);
    std::size_t examples = 0;
    for (const auto& line : lines_of(help.out.substr(at))) {
      if (line.rfind("  talentcast ", 0) != 0) continue;
      ++examples;
      CAPTURE(line);
      CHECK(line.rfind("  talentcast " + command + " ", 0) == 0);  // its own command
      std::istringstream words(line);
      std::string word, previous;
      while (words >> word) {
        // A file of the repository that an example reads.
        for (const char* folder : {"scenarios/", "examples/", "tests/"}) {
          if (word.rfind(folder, 0) == 0) {
            CHECK(fs::exists(talentcast::test::source_dir() / word));
          }
        }
        if (previous == "--role") CHECK(flagship.role_index(word).has_value());
        previous = word;
      }
    }
    CHECK(examples >= 1);
  }
  // run's help names every file it writes.
  const auto run_help = run_talentcast("run --help").out;
  for (const char* file :
       {"forecast.csv", "forecast.json", "bands.json", "bands.bin", "manifest.json"}) {
    CHECK(run_help.find(file) != std::string::npos);
  }
}

TEST_CASE("an integer flag given something else says it expects an integer", "[cli]") {
  const std::string scenario =
      (talentcast::test::source_dir() / "scenarios/china-ai-2024.toml").string();
  const std::vector<std::pair<std::string, std::string>> cases{
      {"run S --paths 1e3", "--paths: expected an integer from 1 to 4294967295, found '1e3'"},
      {"run S --paths 0", "--paths: expected an integer from 1 to 4294967295, found '0'"},
      {"run S --paths 4294967296",
       "--paths: expected an integer from 1 to 4294967295, found '4294967296'"},
      {"run S --seed 1e3",
       "--seed: expected an integer from 0 to 18446744073709551615, found '1e3'"},
      {"run S --seed -1", "--seed: expected an integer from 0 to 18446744073709551615, found '-1'"},
      {"run S --threads 1.5", "--threads: expected an integer from 0 to 1024, found '1.5'"},
      {"run S --band-samples x", "--band-samples: expected an integer from 0 to 100000, found 'x'"},
      {"replay S --path 0x10", "--path: expected an integer from 0 to 4294967294, found '0x10'"},
      {"compare S S --paths 2.5", "--paths: expected an integer from 1 to 4294967295, found '2.5'"},
      {"sweep S --threads +2", "--threads: expected an integer from 0 to 1024, found '+2'"},
  };
  for (const auto& [args, message] : cases) {
    std::string command = args;
    while (command.find(" S") != std::string::npos) {
      command.replace(command.find(" S"), 2, " " + scenario);
    }
    const auto result = run_talentcast(command);
    INFO(command);
    CHECK(result.exit_code == 2);
    CHECK(result.err == message + "\nRun with --help for more information.\n");
    CHECK(result.out.empty());
  }
}

TEST_CASE("Ctrl-C stops a run cleanly and writes nothing", "[cli]") {
  TempDir dir;
  const auto scenario_path = dir.write("two.toml", talentcast::test::two_role_scenario());
  const auto out = dir.path() / "interrupted";
  // Ctrl-C arrives as the run reports its second chunk of paths (a test hook, docs/cli.md).
  const auto result = talentcast::test::run_shell(
      fmt::format("TALENTCAST_TEST_RAISE=run-progress:2:INT {} run {} --paths 100000000 --out {} "
                  "--quiet",
                  TALENTCAST_EXE, scenario_path.string(), out.string()));
  CHECK(result.exit_code == 130);
  CHECK(result.err.starts_with("talentcast: interrupted after "));
  CHECK(result.err.ends_with(" of 100000000 paths; nothing was written\n"));
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("a malformed test hook stops the command before it does anything", "[cli]") {
  TempDir dir;
  const auto scenario_path = dir.write("two.toml", talentcast::test::two_role_scenario());
  const auto result = talentcast::test::run_shell(
      fmt::format("TALENTCAST_TEST_RAISE=run-progress:0:INT {} validate {}", TALENTCAST_EXE,
                  scenario_path.string()));
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        "talentcast: TALENTCAST_TEST_RAISE: expected EVENT:N:SIGNAL (EVENT run-progress, "
        "sweep-point or backtest-origin, N from 1, SIGNAL INT, TERM or KILL), found "
        "'run-progress:0:INT'\n");
  CHECK(result.out.empty());
}

TEST_CASE("the flagship's first-period median ratios are within 15% of the published ones",
          "[cli][scenarios]") {
  TempDir dir;
  const auto flagship = talentcast::test::source_dir() / "scenarios" / "china-ai-2024.toml";
  const auto result = run_talentcast(fmt::format("run {} --paths 2000 --quiet --out {}/f",
                                                 flagship.string(), dir.path().string()));
  REQUIRE(result.exit_code == 0);
  const auto json = nlohmann::json::parse(read_file(dir.path() / "f/forecast.json"));
  // Maimai via SCMP (2024-12-21) and dsb.cn (2024-07-23), in docs/sources.md.
  for (const auto& [role, published] :
       {std::pair{"llm_algorithm", 0.17}, std::pair{"cloud_computing", 0.27},
        std::pair{"search_algorithm", 0.39}}) {
    const double median = json["forecast"][role]["2024-Q1"]["ratio"]["p50"];
    INFO(role << ": median " << median << ", published " << published);
    CHECK(std::abs(median / published - 1.0) < 0.15);
  }
}

TEST_CASE("a progress bar is drawn when stderr is a terminal, and not with --quiet", "[cli]") {
  if (const auto reason = talentcast::test::no_pseudo_terminal()) {
    return talentcast::test::skip_test(*reason);
  }
  TempDir dir;
  const auto scenario_path = dir.write("two.toml", talentcast::test::two_role_scenario());
  // script(1) (util-linux, on every Debian) runs the command on a pseudo-terminal.
  const auto typescript = [&](const std::string& flags) {
    const auto log = dir.path() / "typescript";
    const std::string command = fmt::format(
        "script -qfec '{} run {} --paths 200000 --out {}/p {}' {} >/dev/null 2>&1", TALENTCAST_EXE,
        scenario_path.string(), dir.path().string(), flags, log.string());
    REQUIRE(std::system(command.c_str()) == 0);
    return read_file(log);
  };
  const std::string shown = typescript("");
  CHECK(shown.find("paths/s") != std::string::npos);
  CHECK(shown.find(" left") != std::string::npos);  // "4 s left", or "2 min left" on a busy machine
  CHECK(typescript("--quiet").find("paths/s") == std::string::npos);
}
