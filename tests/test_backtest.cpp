// `talentcast backtest` (studies/backtest.hpp, docs/backtest.md): nominal coverage when the
// model is right, the baselines' closed forms, pooled scores that add up, determinism, and bad
// specs told at once with exit code 2 and nothing written.
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <sstream>

#include "support.hpp"
#include "talentcast/config/backtest_spec.hpp"
#include "talentcast/config/history.hpp"
#include "talentcast/config/scenario_document.hpp"
#include "talentcast/studies/backtest.hpp"
#include "talentcast/studies/calibration.hpp"
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
// employment follows demand (tests/support.hpp).
const std::string kWorld = [] {
  talentcast::test::KnownWorld world;
  world.demand_vol = 0.06;
  world.horizon_years = 26;
  return world.toml();
}();

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

// Each pooled row is the mean (coverage, CRPS), median (APE) and share (direction) of its
// forecasts: one horizon over all origins, or one origin over all horizons.
// Returns how many rows are per origin.
std::size_t check_pooled(const std::vector<std::map<std::string, std::string>>& forecasts,
                         const std::vector<std::map<std::string, std::string>>& scores) {
  std::size_t per_origin = 0;
  for (const auto& row : scores) {
    double crps = 0.0, right = 0.0;
    std::array<double, 3> in{};
    std::vector<double> apes;
    int n = 0, directions = 0;
    for (const auto& f : forecasts) {
      if (f.at("series") != row.at("series") || f.at("method") != row.at("method") ||
          (row.at("horizon") != "all" && f.at("horizon") != row.at("horizon")) ||
          (row.at("origin") != "all" && f.at("origin") != row.at("origin"))) {
        continue;
      }
      ++n;
      crps += std::stod(f.at("crps_log"));
      in[0] += std::stod(f.at("in50"));
      in[1] += std::stod(f.at("in80"));
      in[2] += std::stod(f.at("in90"));
      apes.push_back(std::stod(f.at("ape")));
      if (!f.at("direction_right").empty()) {
        ++directions;
        right += std::stod(f.at("direction_right"));
      }
    }
    per_origin += row.at("origin") != "all";
    INFO(row.at("series") << " " << row.at("method") << " " << row.at("origin") << " "
                          << row.at("horizon"));
    REQUIRE(n > 0);
    CHECK(std::to_string(n) == row.at("n"));
    CHECK(std::stod(row.at("crps_log")) == Approx(crps / n).epsilon(1e-6));
    CHECK(std::stod(row.at("coverage50")) == Approx(in[0] / n).margin(1e-6));
    CHECK(std::stod(row.at("coverage80")) == Approx(in[1] / n).margin(1e-6));
    CHECK(std::stod(row.at("coverage90")) == Approx(in[2] / n).margin(1e-6));
    std::sort(apes.begin(), apes.end());
    const double mdape = apes.size() % 2 ? apes[apes.size() / 2]
                                         : (apes[apes.size() / 2 - 1] + apes[apes.size() / 2]) / 2;
    CHECK(std::stod(row.at("mdape")) == Approx(mdape).epsilon(1e-6));
    CHECK(std::to_string(directions) == row.at("directions"));
    if (directions > 0) {
      CHECK(std::stod(row.at("direction_right")) == Approx(right / directions).margin(1e-6));
    }
  }
  return per_origin;
}

}  // namespace

TEST_CASE("when the model is right, its intervals cover as often as they say",
          "[backtest][statistical]") {
  // 200 histories drawn from the world (2001-2026), each backtested from the origin 2020 one
  // and five years ahead, calibrated on 2010-2020 alone (10 changes, so that the estimates'
  // uncertainty matters: at five years it is about a third of the forecast's variance).
  // Different histories give independent forecasts, so each interval's coverage at a horizon is
  // a binomial share. It must be within 3 binomial standard errors of its level,
  // sqrt(l (1 - l) / 200): 0.106, 0.085 and 0.064 for 50%, 80% and 90%.
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
    spec.horizon = 5;
    spec.since = 2010;
    spec.paths = 500;
    spec.seed = 1000 + p;
    const auto result = studies::run_backtest(spec, {});
    REQUIRE(result.forecasts.size() == 2 * 5 * 4);
    ++forecasts;
    for (const auto& s : result.forecasts) {
      if (s.method != studies::Method::model || (s.horizon != 1 && s.horizon != 5)) continue;
      auto& counts = inside[fmt::format(
          "{} at {} years",
          s.series == config::SeriesBreak::Series::employment ? "employment" : "median",
          s.horizon)];
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
  const std::size_t per_origin = check_pooled(forecasts, scores);
  // Per series and method: 5 horizons and all, then 12 origins.
  CHECK(scores.size() == 2 * 4 * (6 + 12));
  CHECK(per_origin == 2 * 4 * 12);
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
        // The history it names well is read too, and its problem told with the spec's.
        "missing.csv: file: expected an existing CSV file, found no such file\n"
        "spec.toml: 10 errors; nothing was run or written\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));
}

TEST_CASE("a spec no origin of which can be calibrated is refused before anything runs",
          "[backtest][cli]") {
  TempDir dir;
  const auto flagship = source_dir() / "scenarios/china-ai-2024.toml";
  const auto history = source_dir() / "data/history/us-15-0000.csv";
  dir.write("spec.toml", fmt::format("history = \"{}\"\nbase = \"{}\"\nrole = \"nlp\"\n"
                                     "origins = {{ from = 2004, to = 2010 }}\nhorizon = 2\n",
                                     history.string(), flagship.string()));
  const auto result = run_talentcast("backtest spec.toml --out out", dir.path());
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        fmt::format("talentcast: spec.toml: at the last origin, --base {0}: defaults.salary_data "
                    "fits the band of role 'nlp' to salary data, and calibrate sets its salary and "
                    "band_sigma from the history; calibrate against a base that states them\n"
                    "spec.toml: 1 error; nothing was run or written\n",
                    flagship.string()));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));
  // A good base: the early origins (2004-2005, fewer than 3 changes since 2003) are left out,
  // and the run says so.
  dir.write("ok.toml", fmt::format("history = \"{}\"\nbase = \"{}\"\nrole = \"computer_math\"\n"
                                   "origins = {{ from = 2004, to = 2007 }}\nhorizon = 1\n",
                                   history.string(),
                                   (source_dir() / "scenarios/us-computer-math.toml").string()));
  const auto ok = run_talentcast("backtest ok.toml --out ok --paths 100", dir.path());
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("origin left out: 2004: --through 2004: us-15-0000.csv has 1 year-to-year "
                    "changes of employment from 2003 to 2004; a fit needs at least 3") !=
        std::string::npos);
  CHECK(ok.out.find("origin left out: 2005:") != std::string::npos);
  CHECK(ok.out.find("2 origins, 16 forecasts scored") != std::string::npos);
}

TEST_CASE("a year-end history and a base paid by the month", "[backtest]") {
  // No `month` column: the observations are the years' ends, so the forecast starts in January
  // and each target is December's; the base states monthly salaries, so calibrate divides the
  // annual median by 12 and the backtest multiplies the forecast back.
  TempDir dir;
  std::string csv = "year,employment,median,source\n";
  for (int y = 2008; y <= 2021; ++y) {
    const double t = y - 2008;
    csv += fmt::format("{},{:.6f},{:.6f},test\n", y, 1e5 * std::exp(0.03 * t + 0.01 * std::sin(t)),
                       6e4 * std::exp(0.025 * t + 0.005 * std::cos(t)));
  }
  dir.write("history.csv", csv);
  std::string base = kWorld;
  base.replace(base.find("salary_unit = \"year\""), 20, "salary_unit = \"month\"");
  base.replace(base.find("step = \"month\""), 14, "step = \"quarter\"");
  base.replace(base.find("start = \"2000-06\""), 17, "start = \"2000\"");
  base.replace(base.find("salary = 60000"), 14, "salary = 5000");
  dir.write("monthly.toml", base);
  const auto history = config::load_history(dir.path() / "history.csv");
  CHECK(history.month == 12);
  const config::ScenarioDocument document(dir.path() / "monthly.toml");
  studies::CalibrationOptions options;
  options.role = "r";
  options.through = 2019;
  const auto c = studies::calibrate(history, document, options);
  CHECK(c.start == "2020");
  CHECK(c.start_salary == Approx(history.find(2019)->median / 12).epsilon(1e-12));
  for (const auto& [key, value] : c.settings) CHECK(key != "step");  // January fits a quarter

  config::BacktestSpec spec;
  spec.file = dir.path() / "spec.toml";
  spec.history = "history.csv";
  spec.base = "monthly.toml";
  spec.role = "r";
  spec.first_origin = 2018;
  spec.last_origin = 2019;
  spec.horizon = 2;
  spec.paths = 400;
  const auto result = studies::run_backtest(spec, {});
  CHECK(result.month == 12);
  REQUIRE(result.forecasts.size() == 2 * 2 * 2 * 4);
  for (const auto& s : result.forecasts) {
    if (s.method != studies::Method::model) continue;
    // The series are smooth trends: the model's median is within 2% of what happened, in the
    // history's own units (annual salaries).
    INFO(s.origin << " " << s.horizon << " " << s.actual << " " << s.percentiles[3]);
    CHECK(std::abs(s.percentiles[3] / s.actual - 1) < 0.02);
  }
}
