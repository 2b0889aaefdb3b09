// `talentcast backtest` (studies/backtest.hpp, docs/backtest.md): nominal coverage when the
// model is right, the baselines' closed forms, pooled scores that add up, determinism, and bad
// specs told at once with exit code 2 and nothing written.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <sstream>

#include "support.hpp"
#include "talentcast/config/backtest_spec.hpp"
#include "talentcast/config/history.hpp"
#include "talentcast/config/scenario_document.hpp"
#include "talentcast/studies/backtest.hpp"
#include "talentcast/studies/forecast.hpp"

namespace config = talentcast::config;
namespace studies = talentcast::studies;
using talentcast::test::read_file;
using talentcast::test::run_talentcast;
using talentcast::test::source_dir;
using talentcast::test::TempDir;

namespace {

constexpr std::string_view kRole = "r";

// The world of the coverage test: the model itself, with known parameters, in a market where
// employment follows demand (test_calibration.cpp says why each value is what it is).
const char* kWorld = R"(currency = "USD"
salary_unit = "year"
start = "2000-06"
step = "month"
horizon_years = 21
[roles.r]
employed = 1000000
salary = 60000
band_sigma = 0.4
openings = 10000
ratio = 1
demand_growth = 0.04
demand_vol = 0.06
wage_drift = 0.03
wage_vol = 0.04
attrition = 0.5
layoff_rate = 1
seeker_exit = 2
matching_efficiency = 50
matching_elasticity = 0.5
neutral_ratio = 1
wage_response = 0
switcher_inflow = 5000000
)";

std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  for (std::istringstream h(line); std::getline(h, line, ',');) header.push_back(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::map<std::string, std::string> row;
    std::istringstream fields(line);
    std::string field;
    for (const auto& name : header) {
      std::getline(fields, field, ',');
      row[name] = field;
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_CASE("when the model is right, its intervals cover as often as they say",
          "[backtest][statistical]") {
  // 200 histories drawn from the world (2001-2021), each backtested from the origin 2020 one
  // year ahead: independent forecasts, so each interval's coverage is a binomial share. It must
  // be within 3 binomial standard errors of its level, sqrt(l (1 - l) / 200): 0.106, 0.085 and
  // 0.064 for 50%, 80% and 90%.
  TempDir dir;
  const auto world = dir.write("world.toml", kWorld);
  studies::ForecastSettings draw;
  draw.paths = 200;
  draw.seed = 99;
  draw.keep = {"employed", "salary_median"};
  const auto truth = studies::run_forecast(config::ScenarioDocument(world).scenario(), draw);
  const auto& kept = *truth.kept;
  const std::size_t periods = kept.periods.size();
  std::map<std::string, std::array<int, 3>> inside;
  int forecasts = 0;
  for (std::size_t p = 0; p < draw.paths; ++p) {
    std::string csv = "year,month,employment,median,source\n";
    for (std::size_t t = 0; t < periods; ++t) {
      if (!kept.periods[t].ends_with("-05")) continue;
      csv += fmt::format("{},5,{:.17g},{:.17g},the world\n", kept.periods[t].substr(0, 4),
                         kept.values[(p * 2 + 0) * periods + t],
                         kept.values[(p * 2 + 1) * periods + t]);
    }
    dir.write("history.csv", csv);
    config::BacktestSpec spec;
    spec.file = dir.path() / "spec.toml";
    spec.history = "history.csv";
    spec.base = "world.toml";
    spec.role = std::string(kRole);
    spec.first_origin = spec.last_origin = 2020;
    spec.horizon = 1;
    spec.paths = 500;
    spec.seed = 1000 + p;
    const auto result = studies::run_backtest(spec, {});
    REQUIRE(result.forecasts.size() == 8);
    ++forecasts;
    for (const auto& s : result.forecasts) {
      if (s.method != studies::Method::model) continue;
      auto& counts =
          inside[s.series == config::SeriesBreak::Series::employment ? "employment" : "median"];
      for (std::size_t i = 0; i < 3; ++i) counts[i] += s.covered[i];
    }
  }
  for (const auto& [series, counts] : inside) {
    for (std::size_t i = 0; i < 3; ++i) {
      const double level = studies::kLevels[i], share = double(counts[i]) / forecasts;
      INFO(series << " " << level << ": " << share);
      CHECK(std::abs(share - level) < 3 * std::sqrt(level * (1 - level) / forecasts));
    }
  }
}

TEST_CASE("the shipped backtest writes its files, its scores add up, its baselines are exact",
          "[backtest][cli]") {
  TempDir dir;
  const auto spec = source_dir() / "scenarios/backtest-us-15-0000.toml";
  const auto one = run_talentcast(fmt::format("backtest {} --out {} --threads 1 --paths 500",
                                              spec.string(), (dir.path() / "a").string()));
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  const auto two = run_talentcast(fmt::format("backtest {} --out {} --threads 2 --paths 500 -q",
                                              spec.string(), (dir.path() / "b").string()));
  REQUIRE(two.exit_code == 0);
  CHECK(two.out.empty());
  // Byte-identical results for any thread count.
  for (const char* name : {"forecasts.csv", "scores.csv"}) {
    CHECK(read_file(dir.path() / "a" / name) == read_file(dir.path() / "b" / name));
  }
  const auto forecasts = csv_rows(read_file(dir.path() / "a/forecasts.csv"));
  const auto scores = csv_rows(read_file(dir.path() / "a/scores.csv"));
  // 12 origins x 2 series x 5 horizons x 4 methods: every target year (to 2024) is observed.
  CHECK(forecasts.size() == 12 * 2 * 5 * 4);
  // Each pooled row is the mean (coverage, CRPS) of its forecasts.
  for (const auto& row : scores) {
    double crps = 0.0, in80 = 0.0;
    int n = 0;
    for (const auto& f : forecasts) {
      if (f.at("series") != row.at("series") || f.at("method") != row.at("method") ||
          (row.at("horizon") != "all" && f.at("horizon") != row.at("horizon"))) {
        continue;
      }
      ++n;
      crps += std::stod(f.at("crps_log"));
      in80 += std::stod(f.at("in80"));
    }
    INFO(row.at("series") << " " << row.at("method") << " " << row.at("horizon"));
    CHECK(std::to_string(n) == row.at("n"));
    CHECK(std::stod(row.at("crps_log")) == Approx(crps / n).epsilon(1e-6));
    CHECK(std::stod(row.at("coverage80")) == Approx(in80 / n).margin(1e-6));
  }
  // The baselines from origin 2012, three years ahead, by hand from the history: no change is
  // the last value; the random walk's median adds the mean log change since 2003 (9 years);
  // the trend's adds the mean of the last three years' log changes.
  const auto history = config::load_history(source_dir() / "data/history/us-15-0000.csv");
  const auto value = [&](int year) { return history.find(year)->employment; };
  for (const auto& f : forecasts) {
    if (f.at("origin") != "2012" || f.at("horizon") != "3" || f.at("series") != "employment") {
      continue;
    }
    const double p50 = std::stod(f.at("p50"));
    if (f.at("method") == "no_change") CHECK(p50 == Approx(value(2012)).epsilon(1e-9));
    if (f.at("method") == "random_walk") {
      CHECK(p50 ==
            Approx(value(2012) * std::pow(value(2012) / value(2003), 3.0 / 9.0)).epsilon(1e-9));
    }
    if (f.at("method") == "trend") {
      CHECK(p50 == Approx(value(2012) * value(2012) / value(2009)).epsilon(1e-9));
    }
    if (f.at("method") == "model") CHECK(f.at("direction_right") == "1");
  }
  const std::string page = read_file(dir.path() / "a/backtest.html");
  CHECK(page.find("Forecasts of employment and what happened") != std::string::npos);
  CHECK(page.find("<svg") != std::string::npos);
  CHECK(page.find("SHA-256") != std::string::npos);
  const std::string manifest = read_file(dir.path() / "a/manifest.json");
  CHECK(manifest.find("\"format\": \"talentcast-backtest-1\"") != std::string::npos);
  // An earlier backtest's directory may be replaced; another is refused.
  CHECK(run_talentcast(fmt::format("backtest {} --out {} -q --paths 100", spec.string(),
                                   (dir.path() / "a").string()))
            .exit_code == 0);
  std::filesystem::create_directory(dir.path() / "mine");
  dir.write("mine/notes.txt", "mine\n");
  const auto refused = run_talentcast(fmt::format("backtest {} --out {} -q --paths 100",
                                                  spec.string(), (dir.path() / "mine").string()));
  CHECK(refused.exit_code == 2);
  CHECK(read_file(dir.path() / "mine/notes.txt") == "mine\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "mine/scores.csv"));
}

TEST_CASE("an interrupted backtest writes nothing", "[backtest][cli]") {
  TempDir dir;
  const auto spec = source_dir() / "scenarios/backtest-us-15-0000.toml";
  // Ctrl-C arrives as the third origin is scored (a test hook, docs/cli.md).
  const auto result = talentcast::test::run_shell(fmt::format(
      "TALENTCAST_TEST_RAISE=backtest-origin:3:INT {} backtest {} --out {} --paths 200 -q",
      TALENTCAST_EXE, spec.string(), (dir.path() / "bt").string()));
  CHECK(result.exit_code == 130);
  CHECK(result.err == "talentcast: interrupted after 3 of 12 origins; nothing was written\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "bt"));
}

TEST_CASE("every shipped backtest spec runs", "[backtest][cli]") {
  TempDir dir;
  int specs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "scenarios")) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("backtest-")) continue;
    ++specs;
    const auto result =
        run_talentcast(fmt::format("backtest {} --out {} --paths 200 -q", entry.path().string(),
                                   (dir.path() / entry.path().stem()).string()));
    INFO(name << ": " << result.err);
    CHECK(result.exit_code == 0);
    CHECK(csv_rows(read_file(dir.path() / entry.path().stem() / "forecasts.csv")).size() == 480);
  }
  CHECK(specs == 3);
}

TEST_CASE("a bad backtest spec gets every error at once, exit 2, nothing written",
          "[backtest][cli]") {
  TempDir dir;
  dir.write("spec.toml",
            "history = \"missing.csv\"\n"
            "base = 3\n"
            "origins = { from = 2019, to = 2010, every = 2 }\n"
            "horizon = 0\n"
            "paths = 1\n"
            "colour = \"blue\"\n"
            "[[breaks]]\n"
            "year = 2021\n"
            "series = \"wages\"\n");
  const auto result = run_talentcast("backtest spec.toml --out out", dir.path());
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        "spec.toml:6:10: colour: expected a backtest key, found unknown key 'colour'\n"
        "spec.toml:2:8: base: expected a non-empty string, found 3\n"
        "spec.toml:1:1: role: expected the key 'role' (a string), found nothing\n"
        "spec.toml:3:45: origins.every: expected 'from' or 'to', found unknown key 'every'\n"
        "spec.toml:3:31: origins.to: expected a year from 2019 on, found 2010\n"
        "spec.toml:4:11: horizon: expected an integer in [1, 30], found 0\n"
        "spec.toml:5:9: paths: expected an integer in [2, 1000000], found 1\n"
        "spec.toml:9:10: breaks[0].series: expected one of employment, median, both, found the "
        "string \"wages\"\n"
        "spec.toml:7:1: breaks[0].action: expected one of skip, adjust, found nothing\n"
        "spec.toml: 9 errors; nothing was run or written\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));
}
