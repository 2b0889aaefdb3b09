// What-if comparison on common random numbers (docs/compare.md).
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "support.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/studies/compare.hpp"
#include "talentcast/studies/comparison_base.hpp"
#include "talentcast/studies/forecast.hpp"

using namespace talentcast;
using talentcast::test::TempDir;

namespace {

const formats::ComparisonRow& row(const studies::Comparison& c, const std::string& role,
                                  const std::string& period, const std::string& metric,
                                  formats::Quantity quantity) {
  for (const auto& r : c.rows) {
    if (r.role == role && r.period == period && r.metric == metric && r.quantity == quantity) {
      return r;
    }
  }
  FAIL("no row " << role << " " << period << " " << metric);
  throw;
}

}  // namespace

TEST_CASE("a scenario compared with itself differs by exactly nothing on every path", "[compare]") {
  TempDir dir;
  const auto scenario =
      config::load_scenario(dir.write("base.toml", talentcast::test::two_role_scenario()));
  studies::ForecastSettings settings;
  settings.paths = 3000;
  settings.seed = 9;
  const studies::Comparison c = studies::run_comparison(scenario, scenario, settings);
  REQUIRE(c.paths_done == 3000);
  std::size_t differences = 0, ratios = 0;
  for (const auto& r : c.rows) {
    if (r.quantity == formats::Quantity::difference) {
      ++differences;
      CHECK(r.summary.mean == 0.0);
      CHECK(r.summary.sd == 0.0);
      for (double p : r.summary.percentiles) CHECK(p == 0.0);
    } else if (r.quantity == formats::Quantity::ratio) {
      ++ratios;
      CHECK(r.summary.mean == 1.0);
      CHECK(r.summary.sd == 0.0);
    }
  }
  // Every series, period and metric has a difference; the five salary metrics of each role a
  // ratio (2 roles x 8 periods x 5).
  CHECK(differences == (2 * 16 + 11) * 8);
  CHECK(ratios == 2 * 8 * 5);
}

TEST_CASE(
    "common random numbers: the base is the plain run, and differences are far more "
    "precise than two separate runs imply",
    "[compare][statistics]") {
  const auto dir = talentcast::test::source_dir() / "scenarios";
  const auto base = config::load_scenario(dir / "china-ai-2024.toml");
  const auto whatif = config::load_scenario(dir / "china-ai-grad-expansion.toml");
  studies::ForecastSettings settings;
  settings.paths = 2000;
  settings.seed = 3;
  settings.threads = 2;
  const studies::Comparison c = studies::run_comparison(base, whatif, settings);
  // Two separate runs, paired path by path: the what-if on a seed of its own.
  const studies::Comparison separate_runs =
      studies::run_comparison(base, whatif, settings, 1234567);
  // The base side is exactly what `run` gives for the same seed and paths: the same paths.
  const studies::Forecast plain = studies::run_forecast(base, settings);
  for (const auto& r : plain.rows) {
    const auto& b = row(c, r.role, r.period, r.metric, formats::Quantity::base).summary;
    CHECK(b.mean == r.summary.mean);
    CHECK(b.percentiles == r.summary.percentiles);
  }
  for (const std::string role : {"llm_algorithm", "cloud_computing", "nlp", "total"}) {
    for (const std::string metric : {"ratio", "salary_median"}) {
      if (role == "total" && metric == "salary_median") continue;
      CAPTURE(role, metric);
      const auto& b = row(c, role, "2030-Q4", metric, formats::Quantity::base).summary;
      const auto& w = row(c, role, "2030-Q4", metric, formats::Quantity::whatif).summary;
      const auto& d = row(c, role, "2030-Q4", metric, formats::Quantity::difference).summary;
      // Var(W - B) = Var W + Var B - 2 Cov(W, B): the shared draws make the covariance large.
      const double separate = std::sqrt(b.sd * b.sd + w.sd * w.sd);
      CHECK(d.sd < 0.5 * separate);
      // Its 80% interval is narrower than that of the difference of two separate runs, paired
      // path by path: the interval their two distributions imply.
      const auto& s =
          row(separate_runs, role, "2030-Q4", metric, formats::Quantity::difference).summary;
      CHECK(d.percentiles[5] - d.percentiles[1] < 0.5 * (s.percentiles[5] - s.percentiles[1]));
      // The mean difference is the difference of the means (the same paths), to rounding.
      CHECK(d.mean == Approx(w.mean - b.mean).margin(1e-9 * std::abs(w.mean) + 1e-12));
    }
  }
  // Salaries: the ratio is what-if over base on each path.
  const auto& r = row(c, "llm_algorithm", "2030-Q4", "salary_median", formats::Quantity::ratio);
  CHECK(r.summary.percentiles[3] > 0.9);
  CHECK(r.summary.percentiles[3] < 1.1);
}

TEST_CASE(
    "a kept base compares each what-if as run_comparison does, bit for bit, on fewer paths too",
    "[compare]") {
  const auto dir = talentcast::test::source_dir() / "scenarios";
  const auto base = config::load_scenario(dir / "china-ai-2024.toml");
  const auto whatif = config::load_scenario(dir / "china-ai-grad-expansion.toml");
  studies::ForecastSettings settings;
  settings.paths = 700;  // not a multiple of a block: the last block is partial
  settings.seed = 11;
  settings.threads = 2;
  using models::Metric;
  const studies::ComparisonBase kept(base, {Metric::ratio, Metric::shortage, Metric::salary_median},
                                     settings);
  REQUIRE(kept.paths() == 700);
  REQUIRE_FALSE(kept.interrupted());
  for (const std::uint64_t paths : {700u, 300u}) {
    CAPTURE(paths);
    settings.paths = paths;
    settings.threads = paths == 700 ? 1 : 2;
    const studies::Comparison full = studies::run_comparison(base, whatif, settings);
    settings.seed = 999;  // ignored: the base's seed is used
    const studies::Comparison fast = kept.compare(whatif, settings);
    settings.seed = 11;
    CHECK(fast.paths_done == paths);
    // Every role's and the total's rows of the kept metrics, in run_comparison's order; no level.
    std::vector<const formats::ComparisonRow*> expected;
    for (const auto& r : full.rows) {
      if (r.role.find('/') != std::string::npos) continue;
      if (r.metric == "ratio" || r.metric == "shortage" || r.metric == "salary_median") {
        expected.push_back(&r);
      }
    }
    REQUIRE(fast.rows.size() == expected.size());
    // ratio and shortage: base, what-if, difference; salary_median also ratio; total: no salary
    REQUIRE(fast.rows.size() == (9 * (3 + 3 + 4) + 2 * 3) * 28);
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const auto& a = *expected[i];
      const auto& b = fast.rows[i];
      CAPTURE(a.role, a.period, a.metric, formats::quantity_name(a.quantity));
      REQUIRE(b.role == a.role);
      REQUIRE(b.period == a.period);
      REQUIRE(b.metric == a.metric);
      REQUIRE(b.quantity == a.quantity);
      CHECK(b.summary.mean == a.summary.mean);
      CHECK(b.summary.sd == a.summary.sd);
      CHECK(b.summary.percentiles == a.summary.percentiles);
    }
  }
  // More paths than were kept is a caller's mistake, said so.
  settings.paths = 701;
  CHECK_THROWS_AS(kept.compare(whatif, settings), std::invalid_argument);
}

TEST_CASE("compare on the command line: table, csv, and scenarios that cannot be compared",
          "[compare][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  std::string faster = talentcast::test::two_role_scenario();
  faster.replace(faster.find("growth = 0.05"), 13, "growth = 0.15");
  dir.write("faster.toml", faster);
  auto r =
      talentcast::test::run_talentcast("compare base.toml faster.toml --paths 2000 -q", dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("2000 paths on common random numbers (seed 42)") != std::string::npos);
  CHECK(r.out.find("\ntotal ") != std::string::npos);
  // Which period the table shows, and in which units.
  CHECK(r.out.find("\nperiod 2025-Q4 (the last; --period for another); ratio = candidates per "
                   "opening; salary in CNY per month\n") != std::string::npos);
  r = talentcast::test::run_talentcast(
      "compare base.toml faster.toml --paths 2000 -q --format csv --out c/comparison.csv",
      dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(r.err == "wrote c/comparison.csv\n");  // stdout is left for the csv when it has none
  const auto lines =
      talentcast::test::lines_of(talentcast::test::read_file(dir.path() / "c" / "comparison.csv"));
  REQUIRE(!lines.empty());
  CHECK(lines[0] == "role,period,metric,quantity,mean,sd,p05,p10,p25,p50,p75,p90,p95,mcse");
  // 43 outputs a period, each base, whatif and difference, and 10 salary ratios: x 8 periods.
  CHECK(lines.size() == 1 + 8 * (3 * 43 + 10));

  // The comparison's HTML report: per role the ratio's change and the salary ratio, total's
  // ratio change, and the provenance of both scenarios.
  r = talentcast::test::run_talentcast(
      "compare base.toml faster.toml --paths 2000 -q --report r/whatif.html", dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.ends_with("\nwrote r/whatif.html, 5 charts (SVG and PNG) in r/charts\n"));
  const std::string html = talentcast::test::read_file(dir.path() / "r" / "whatif.html");
  std::size_t figures = 0;
  for (auto at = html.find("<figure class=\"chart\""); at != std::string::npos;
       at = html.find("<figure class=\"chart\"", at + 1)) {
    ++figures;
  }
  CHECK(figures == 2 * 2 + 1);
  for (const char* name : {"llm-ratio-change", "llm-salary-ratio", "total-ratio-change"}) {
    CAPTURE(name);
    CHECK(std::filesystem::file_size(dir.path() / "r" / "charts" / (std::string(name) + ".png")) >
          1000);
  }
  CHECK(html.find("How to cite and reproduce") != std::string::npos);
  CHECK(html.find("seed, paths</td><td>42, 2000 (common to both)") != std::string::npos);
  CHECK(html.find("compare base.toml faster.toml --paths 2000 -q --report r/whatif.html") !=
        std::string::npos);

  // Against itself every chart is flat (changes of 0, salary ratios of 1): still drawn.
  r = talentcast::test::run_talentcast(
      "compare base.toml base.toml --paths 500 -q --report same/same.html", dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(std::filesystem::file_size(dir.path() / "same" / "charts" / "llm-salary-ratio.png") > 1000);
  CHECK(r.out.find("exact") != std::string::npos);

  std::string other = talentcast::test::two_role_scenario();
  other.replace(other.find("horizon_years = 2"), 17, "horizon_years = 3");
  dir.write("longer.toml", other);
  r = talentcast::test::run_talentcast("compare base.toml longer.toml -q", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: longer.toml: expected the base's periods (2024-Q1 to 2025-Q4), found "
        "2024-Q1 to 2026-Q4\n");
  r = talentcast::test::run_talentcast("compare base.toml faster.toml -q --period 2031-Q1",
                                       dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --period: expected a period label of the base (2024-Q1 to 2025-Q4), found "
        "'2031-Q1'\n");
}
