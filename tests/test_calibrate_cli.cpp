// `talentcast calibrate` end to end (docs/calibration.md): the shipped US history, the variant it
// writes, and bad input told at once with exit code 2 and nothing written.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "support.hpp"
#include "talentcast/config/history.hpp"
#include "talentcast/config/scenario_document.hpp"

using talentcast::test::read_file;
using talentcast::test::run_talentcast;
using talentcast::test::source_dir;
using talentcast::test::TempDir;

namespace {

// The value of a key in a variant as its text, or "" (the variant writes one key a line).
std::string line_of(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(key + " = ")) return line.substr(key.size() + 3);
  }
  return "";
}

}  // namespace

TEST_CASE("calibrate writes the shipped history's estimates as a variant of the US base",
          "[calibration][cli]") {
  TempDir dir;
  const auto root = source_dir();
  const std::string command = fmt::format(
      "calibrate {} --role computer_math --base {} --through 2019 --out {}",
      (root / "data/history/us-15-0000.csv").string(),
      (root / "scenarios/us-computer-math.toml").string(), (dir.path() / "us.toml").string());
  const auto first = run_talentcast(command);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const std::string variant = read_file(dir.path() / "us.toml");
  // The estimates by hand from the file: log changes of 2003-2019 (16 one-year changes).
  const auto history = talentcast::config::load_history(root / "data/history/us-15-0000.csv");
  std::vector<double> de, dw;
  for (std::size_t i = 1; i < history.rows.size() && history.rows[i].year <= 2019; ++i) {
    de.push_back(std::log(history.rows[i].employment / history.rows[i - 1].employment));
    dw.push_back(std::log(history.rows[i].median / history.rows[i - 1].median));
  }
  REQUIRE(de.size() == 16);
  const auto mean_sd = [](const std::vector<double>& d) {
    double m = 0.0, s = 0.0;
    for (const double x : d) m += x / static_cast<double>(d.size());
    for (const double x : d) s += (x - m) * (x - m) / static_cast<double>(d.size() - 1);
    return std::pair{m, std::sqrt(s)};
  };
  const auto [me, se] = mean_sd(de);
  const auto [mw, sw] = mean_sd(dw);
  const auto normal = [](double mean, double sd, double min, double max) {
    return fmt::format("{{ dist = \"normal\", mean = {:.12g}, sd = {:.12g}, min = {}, max = {},",
                       mean, sd, min, max);
  };
  CHECK(line_of(variant, "roles.computer_math.demand_growth")
            .starts_with(normal(me + se * se / 2, se / 4, -1, 1)));
  CHECK(line_of(variant, "roles.computer_math.demand_vol")
            .starts_with(normal(se, se / std::sqrt(30.0), 0, 2)));
  CHECK(line_of(variant, "roles.computer_math.wage_drift").starts_with(normal(mw, sw / 4, -1, 1)));
  CHECK(line_of(variant, "roles.computer_math.wage_vol")
            .starts_with(normal(sw, sw / std::sqrt(30.0), 0, 2)));
  CHECK(line_of(variant, "roles.computer_math.employed").starts_with("{ value = 4552880,"));
  CHECK(line_of(variant, "roles.computer_math.salary").starts_with("{ value = 88340,"));
  CHECK(line_of(variant, "start") == "\"2019-06\"");
  CHECK(line_of(variant, "extends") ==
        fmt::format("\"{}\"",
                    std::filesystem::relative(root / "scenarios/us-computer-math.toml", dir.path())
                        .string()));
  // The variant is a valid scenario, and calibrate may replace its own earlier file.
  const auto valid = run_talentcast(fmt::format("validate {}", (dir.path() / "us.toml").string()));
  CHECK(valid.exit_code == 0);
  CHECK(run_talentcast(command).exit_code == 0);
  CHECK(read_file(dir.path() / "us.toml") == variant);
  // A file calibrate did not write is never replaced.
  dir.write("us.toml", "mine\n");
  const auto refused = run_talentcast(command);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find(fmt::format("--out {}: expected a new file or a variant talentcast "
                                     "calibrate wrote, found another file",
                                     (dir.path() / "us.toml").string())) != std::string::npos);
  CHECK(read_file(dir.path() / "us.toml") == "mine\n");
}

TEST_CASE("calibrate tells every problem of a bad history at once, exit 2, nothing written",
          "[calibration][cli]") {
  TempDir dir;
  dir.write("bad.csv",
            "year,month,employment,median,p10,p90,source\n"
            "2003,5,100,50000,60000,90000,BLS\n"
            "2003,5,-4,abc,,,BLS\n"
            "200x,6,100,50000,,,\n"
            "2005,5,100,50000,40000,45000,x\n");
  const auto base = source_dir() / "scenarios/us-computer-math.toml";
  const auto result = run_talentcast(
      fmt::format("calibrate bad.csv --role computer_mat --base {} --through 2005 --out out.toml "
                  "--break 2021:wages:adjust --since 2010",
                  base.string()),
      dir.path());
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK(result.err ==
        fmt::format(
            "talentcast: --break: expected YEAR:SERIES:ACTION, SERIES employment, median or both "
            "and ACTION skip or adjust (like 2021:median:adjust), found '2021:wages:adjust'\n"
            "talentcast: --since 2010: expected a year before --through (2005)\n"
            "talentcast: --role computer_mat: {} has no such role (did you mean "
            "'computer_math'?) (its roles: computer_math)\n"
            "bad.csv:2:12: median: expected a salary above p10 (60000), found 50000\n"
            "bad.csv:3:1: year: expected a year after 2003 (rows in order, each year once), "
            "found '2003'\n"
            "bad.csv:3:8: employment: expected an employment greater than 0, found '-4'\n"
            "bad.csv:3:11: median: expected a salary from 0.01 to 1e9, as a decimal number (like "
            "60000 or 6.5e4), found 'abc'\n"
            "bad.csv:4:1: year: expected a year from 1900 to 2200, found '200x'\n"
            "bad.csv:4:6: month: expected the month of the rows above (5), found '6'\n"
            "bad.csv:4:20: source: expected where the row's figures come from (a publication, a "
            "URL), found an empty field\n"
            "bad.csv:5:24: p90: expected a salary above median (50000), found 45000\n"
            "calibrate: 11 errors; nothing was written\n",
            base.string()));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out.toml"));
  // A base whose role fits its band to salary data, and a year the history lacks.
  dir.write("ok.csv",
            "year,employment,median,source\n2001,100,50000,a\n2002,110,52000,a\n"
            "2003,120,53000,a\n2004,125,55000,a\n");
  const auto flagship = source_dir() / "scenarios/china-ai-2024.toml";
  const auto second = run_talentcast(
      fmt::format("calibrate ok.csv --role nlp --base {} --through 2005 --out out.toml",
                  flagship.string()),
      dir.path());
  CHECK(second.exit_code == 2);
  CHECK(second.err ==
        fmt::format("talentcast: --through 2005: ok.csv has no row for 2005 (its years: "
                    "2001-2004)\n"
                    "talentcast: --base {0}: defaults.salary_data fits the band of role 'nlp' to "
                    "salary data, and calibrate sets its salary and band_sigma from the history; "
                    "calibrate against a base that states them\n"
                    "calibrate: 2 errors; nothing was written\n",
                    flagship.string()));
  // Too few years for a fit.
  const auto third = run_talentcast(
      fmt::format("calibrate ok.csv --role computer_math --base {} --through 2003 --out out.toml",
                  base.string()),
      dir.path());
  CHECK(third.exit_code == 2);
  CHECK(third.err ==
        "talentcast: --through 2003: ok.csv has 2 year-to-year changes of employment from 2001 "
        "to 2003; a fit needs at least 3\n"
        "talentcast: --through 2003: ok.csv has 2 year-to-year changes of median from 2001 to "
        "2003; a fit needs at least 3\n"
        "calibrate: 2 errors; nothing was written\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out.toml"));
}
