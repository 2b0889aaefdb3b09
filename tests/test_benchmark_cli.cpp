// Benchmarking from the command line: a payroll with known answers end to end, a salary in each
// format, every bad input at once, and synthetic data said so.
#include <fmt/core.h>
#include <fmt/format.h>

#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "support.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/core/random.hpp"
#include "talentcast/formats/payroll.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/studies/benchmark.hpp"
#include "talentcast/studies/forecast.hpp"

namespace fs = std::filesystem;
using namespace talentcast;
using talentcast::test::read_file;
using talentcast::test::run_talentcast;
using talentcast::test::TempDir;
#include "benchmark_fixtures.hpp"

using namespace talentcast::test::benchmark;

TEST_CASE("a payroll with known answers, end to end", "[benchmark][cli]") {
  TempDir dir;
  const fs::path payroll = payroll_data() / "fixture.csv";
  const std::string before = read_file(payroll);
  auto run = run_talentcast(
      fmt::format("run {} --out run --quiet", (payroll_data() / "market.toml").string()),
      dir.path());
  REQUIRE(run.exit_code == 0);
  const auto result = run_talentcast(
      fmt::format("benchmark run --payroll {} --out bench --horizon 2025-Q2", payroll.string()),
      dir.path());
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_file(payroll) == before);  // the payroll file is only read
  CHECK(result.out.find("11 employees") != std::string::npos);

  // Known answers: every path has median 50,000 (log-sd 0.4) or, for seniors, 75,000 (0.3).
  const auto rows = read_csv(dir.path() / "bench" / "employees.csv");
  const auto input = read_csv(payroll);
  REQUIRE(rows.size() == input.size());
  CHECK(rows[0][0] == "employee_id");
  CHECK(rows[0][4] == "percentile_now");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    CHECK(rows[i][0] == input[i][0]);  // ids (one with a comma) round-trip in order
    const bool senior = input[i][2] == "senior";
    const double median = input[i][1] == "cloud" ? 40000 : senior ? 75000 : 50000;
    const double sigma = senior ? 0.3 : 0.4;
    const double x = std::stod(input[i][3]);
    CHECK(std::stod(rows[i][3]) == x);
    const double percentile = 100 * phi(std::log(x / median) / sigma);
    for (int column : {4, 5, 6, 7, 8, 9}) {
      CHECK(std::stod(rows[i][static_cast<std::size_t>(column)]) ==
            Approx(percentile).margin(0.0051));
    }
    CHECK(std::stod(rows[i][10]) == Approx(x / median).margin(0.00005));
    CHECK(rows[i][12] == (percentile < 25 ? "1" : "0"));
  }

  // The summary: the annual cost of raising those below the market's 25th percentile to it, and
  // to the 50th (E011, between the two, is not raised).
  const auto summary = read_csv(dir.path() / "bench" / "summary.csv");
  REQUIRE(summary.size() == 5);  // header, llm, llm/senior, cloud, all
  const auto cost = [&](const std::string& role, const std::string& level, double q) {
    const bool senior = level == "senior";
    const double median = role == "cloud" ? 40000 : senior ? 75000 : 50000;
    const double target =
        median * std::exp((senior ? 0.3 : 0.4) * boost::math::quantile(kStandard, q));
    const double p25 =
        median * std::exp((senior ? 0.3 : 0.4) * boost::math::quantile(kStandard, 0.25));
    double sum = 0;
    for (std::size_t i = 1; i < input.size(); ++i) {
      const double x = std::stod(input[i][3]);
      if (input[i][1] == role && input[i][2] == level && x < p25) sum += target - x;
    }
    return 12 * sum;
  };
  double all25 = 0, all50 = 0;
  for (std::size_t r = 1; r + 1 < summary.size(); ++r) {
    const auto& row = summary[r];
    const double c25 = cost(row[0], row[1], 0.25), c50 = cost(row[0], row[1], 0.5);
    all25 += c25;
    all50 += c50;
    for (int column : {5, 6, 7, 11, 12, 13}) {
      CHECK(std::stod(row[static_cast<std::size_t>(column)]) == Approx(c25).margin(2));
    }
    for (int column : {8, 9, 10, 14, 15, 16}) {
      CHECK(std::stod(row[static_cast<std::size_t>(column)]) == Approx(c50).margin(2));
    }
  }
  CHECK(summary[1][0] == "llm");
  CHECK(summary[1][2] == "5");
  CHECK(summary[1][3] == "2");  // E002 and E003 are below the 25th percentile
  CHECK(summary[4][0] == "all");
  CHECK(summary[4][2] == "11");
  CHECK(std::stod(summary[4][5]) == Approx(all25).margin(4));
  CHECK(std::stod(summary[4][8]) == Approx(all50).margin(4));
  const std::string manifest = read_file(dir.path() / "bench" / "manifest.json");
  CHECK(manifest.find("\"horizon\": \"2025-Q2\"") != std::string::npos);
  CHECK(manifest.find("\"payroll_sha256\"") != std::string::npos);
}

TEST_CASE("benchmarking a salary from the command line, in each format", "[benchmark][cli]") {
  TempDir dir;
  REQUIRE(run_talentcast(
              fmt::format("run {} --out run --quiet", (payroll_data() / "market.toml").string()),
              dir.path())
              .exit_code == 0);
  const auto table = run_talentcast(
      "benchmark run --role llm --level senior --salary 75000 --period 2024-Q1 --period 2025",
      dir.path());
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("2024-Q1  50.0 [50.0, 50.0]") != std::string::npos);
  CHECK(table.out.find("2025-Q4  50.0 [50.0, 50.0]") != std::string::npos);
  CHECK(table.out.find("75,000 [75,000, 75,000]") != std::string::npos);
  const auto csv = run_talentcast("benchmark run -r llm -x 50000 -p all -f csv", dir.path());
  REQUIRE(csv.exit_code == 0);
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 9);  // header and 8 quarters
  CHECK(csv.out.find("llm,,2024-Q1,50000,50.0000,50.0000,50.0000,0.0000,") != std::string::npos);
  const auto json = run_talentcast("benchmark run -r cloud -x 40000 -f json", dir.path());
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find("\"period\": \"2024-Q1\"") != std::string::npos);
  CHECK(json.out.find("\"p50\"") != std::string::npos);
}

TEST_CASE("bad benchmark input gets every error at once, exit code 2 and nothing written",
          "[benchmark][cli]") {
  TempDir dir;
  REQUIRE(run_talentcast(
              fmt::format("run {} --out run --quiet", (payroll_data() / "market.toml").string()),
              dir.path())
              .exit_code == 0);
  fs::copy(payroll_data(), dir.path() / "payroll");
  const auto payroll = [&](const std::string& file, const std::string& extra = "") {
    return run_talentcast("benchmark run --payroll payroll/" + file + " --out bench " + extra,
                          dir.path());
  };
  SECTION("rows") {
    const auto r = payroll("errors.csv");
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "payroll/errors.csv:3:6: role: expected a role of the run (did you mean 'llm'?), found "
          "'lmm'\n"
          "payroll/errors.csv:4:10: level: expected a level of role 'llm' (senior) or none, found "
          "'staff'\n"
          "payroll/errors.csv:5:11: salary: expected a salary from 0.01 to 1e9, as a decimal "
          "number (like 60000 or 6.5e4), found 'seventy'\n"
          "payroll/errors.csv:6:17: salary: expected a salary from 0.01 to 1e9, as a decimal "
          "number (like 60000 or 6.5e4), found '0'\n"
          "payroll/errors.csv:7:1: employee_id: expected each employee id once, found 'E001' "
          "again\n"
          "payroll/errors.csv:8:12: level: expected an empty level (role 'cloud' has no levels in "
          "this run), found 'senior'\n"
          "payroll/errors.csv:9:1: row: expected 4 fields, as in the header, found 5 fields\n"
          "payroll/errors.csv:10:13: salary: expected a salary from 0.01 to 1e9, as a decimal "
          "number (like 60000 or 6.5e4), found '2e9'\n"
          "talentcast: 8 errors; nothing was written\n");
  }
  SECTION("a missing column") {
    const auto r = payroll("missing_column.csv");
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "payroll/missing_column.csv:1:1: header: expected a column 'salary' (columns "
          "employee_id,role,salary[,level]), found no column 'salary'\n"
          "talentcast: 1 error; nothing was written\n");
  }
  SECTION("an empty file, and one with no rows") {
    auto r = payroll("empty.csv");
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "payroll/empty.csv:1:1: header: expected a header line naming the columns "
          "employee_id,role,salary[,level], found an empty file\n"
          "talentcast: 1 error; nothing was written\n");
    r = payroll("header_only.csv");
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "payroll/header_only.csv:2:1: rows: expected at least one employee, found none\n"
          "talentcast: 1 error; nothing was written\n");
  }
  SECTION("an output directory that holds a run, and a horizon before now") {
    const auto r = run_talentcast(
        "benchmark run --payroll payroll/fixture.csv --now 2025 --horizon 2024 --out run",
        dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: --horizon: expected a period at or after --now (2025-Q4), found '2024' "
          "(2024-Q4)\n"
          "talentcast: --out: expected a new or empty directory, or an earlier payroll "
          "benchmark's, found 'run', a directory whose manifest.json is not a payroll "
          "benchmark's (format 'talentcast-manifest-1')\n"
          "talentcast: 2 errors; nothing was written\n");
    CHECK(read_file(dir.path() / "run" / "manifest.json").find("talentcast-manifest-1") !=
          std::string::npos);
  }
  SECTION("a run that kept no band store, after one that did, in the same directory") {
    REQUIRE(run_talentcast(fmt::format("run {} --out run --quiet --band-samples 0",
                                       (payroll_data() / "market.toml").string()),
                           dir.path())
                .exit_code == 0);
    CHECK_FALSE(fs::exists(dir.path() / "run" / "bands.json"));
    CHECK_FALSE(fs::exists(dir.path() / "run" / "bands.bin"));
    const auto r = run_talentcast("benchmark run --role llm --salary 5", dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: run: the run kept no band store (it ran with --band-samples 0); run it "
          "again without\n");
  }
  SECTION("periods outside the run, and flags that do not belong") {
    const auto r = payroll("fixture.csv", "--now 2040 --horizon 2023 --role llm");
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: --role: expected nothing with --payroll (each row names its role and "
          "level; --now and --horizon its periods), found 'llm'\n"
          "talentcast: --now: expected a period of the run, 2024-Q1 to 2025-Q4, found '2040'\n"
          "talentcast: --horizon: expected a period of the run, 2024-Q1 to 2025-Q4, found '2023'\n"
          "talentcast: 3 errors; nothing was written\n");
  }
  SECTION("one salary") {
    auto r = run_talentcast("benchmark run --role lm --salary -5 --period 2031", dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: --role: expected a role of the run (llm, cloud), found 'lm'\n"
          "talentcast: --salary: expected a salary from 0.01 to 1e9, as a decimal number (like "
          "60000 or 6.5e4), found '-5'\n"
          "talentcast: --period: expected a period of the run, 2024-Q1 to 2025-Q4, found "
          "'2031'\n");
    CHECK(r.out.empty());
    // --salary follows the payroll files' rule: decimal, from 0.01 to 1e9.
    for (const char* salary : {"1e308", "1e-320", "0x10", "inf", "nan", "2e9", "0"}) {
      r = run_talentcast(fmt::format("benchmark run --role llm --salary {}", salary), dir.path());
      CHECK(r.exit_code == 2);
      CHECK(r.err == fmt::format("talentcast: --salary: expected a salary from 0.01 to 1e9, as a "
                                 "decimal number (like 60000 or 6.5e4), found '{}'\n",
                                 salary));
    }
    r = run_talentcast("benchmark run --role llm --salary 0.01", dir.path());
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("0.01 CNY per month"));
    r = run_talentcast("benchmark run --role llm --level staff --salary 5", dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err == "talentcast: --level: expected a level of role 'llm' (senior), found 'staff'\n");
    r = run_talentcast("benchmark nowhere --role llm --salary 5", dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: nowhere/manifest.json: cannot be read; is this the output directory of "
          "`talentcast run`?\n");
    r = run_talentcast("benchmark run --role llm", dir.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "talentcast: --salary: expected a salary to benchmark (with --role), or --payroll "
          "FILE, found neither\n");
  }
  CHECK_FALSE(fs::exists(dir.path() / "bench"));
}

TEST_CASE("numbers from data marked synthetic say so on the command line too",
          "[benchmark][cli][synthetic]") {
  TempDir dir;
  const std::string flagship =
      (talentcast::test::source_dir() / "scenarios" / "china-ai-2024.toml").string();
  const auto run = run_talentcast(
      fmt::format("run {} --paths 300 --band-samples 100 --out flagship", flagship), dir.path());
  REQUIRE(run.exit_code == 0);
  const std::string why =
      "drawn by scripts/make_synthetic_salaries.py to match the calibrated medians; no public "
      "microdata of Chinese AI salaries exist (scenarios/README.md)";
  CHECK(run.out.find("\nSYNTHETIC salaries: every role's band is fitted to " +
                     (talentcast::test::source_dir() / "scenarios" / "data" /
                      "synthetic-salaries-china-ai-2024.csv")
                         .string() +
                     ", marked synthetic (" + why + ")\n") != std::string::npos);
  const auto one = run_talentcast(
      "benchmark flagship --role llm_algorithm --level senior --salary 60000", dir.path());
  REQUIRE(one.exit_code == 0);
  CHECK(one.out.find("\nSYNTHETIC: this market band comes from data marked synthetic (" + why +
                     ")\n") != std::string::npos);
  const auto payroll = run_talentcast(
      fmt::format("benchmark flagship --payroll {} --out bench",
                  (talentcast::test::source_dir() / "examples/payroll/lanting-ai.csv").string()),
      dir.path());
  REQUIRE(payroll.exit_code == 0);
  CHECK(payroll.out.find("\nSYNTHETIC: the market bands of ai_infrastructure, algorithm_engineer, "
                         "cloud_computing, computer_vision, llm_algorithm, machine_learning, nlp, "
                         "recommendation_algorithm, search_algorithm come from data marked "
                         "synthetic (" +
                         why + ")\n") != std::string::npos);
  // Nothing is marked where nothing is synthetic.
  dir.write("two.toml", talentcast::test::two_role_scenario());
  const auto plain = run_talentcast("run two.toml --paths 300 --out two", dir.path());
  REQUIRE(plain.exit_code == 0);
  CHECK(plain.out.find("SYNTHETIC") == std::string::npos);
  const auto plain_one = run_talentcast("benchmark two --role llm --salary 60000", dir.path());
  CHECK(plain_one.out.find("SYNTHETIC") == std::string::npos);
}
