// `talentcast report`: the HTML report, its charts as SVG and PNG, and its errors
// (docs/report.md).
#include <cairo.h>
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "support.hpp"

namespace {

using talentcast::test::read_file;
using talentcast::test::TempDir;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("report writes one self-contained HTML file and each chart as SVG and PNG",
          "[report][cli]") {
  TempDir dir;
  std::string scenario = talentcast::test::two_role_scenario();
  scenario.replace(scenario.find("ratio = 0.17"), 12,
                   "ratio = { value = 0.17, source = \"Maimai, 2024 & 2025\" }");
  scenario.replace(scenario.find("demand_vol = 0.1"), 16,
                   "demand_vol = { dist = \"uniform\", low = 0.05, high = 0.2, source = \"a "
                   "guess\" }");
  dir.write("base.toml", scenario);
  REQUIRE(talentcast::test::run_talentcast("run base.toml -q --paths 2000 --out run", dir.path())
              .exit_code == 0);
  const auto r = talentcast::test::run_talentcast("report run", dir.path());
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  const std::string html = read_file(dir.path() / "run" / "report.html");
  const auto manifest = nlohmann::json::parse(read_file(dir.path() / "run" / "manifest.json"));

  CHECK(html.find("<h1>Two roles</h1>") != std::string::npos);
  // No network: nothing is fetched (no external scripts, styles, images or fonts).
  CHECK(html.find("src=\"http") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  // The provenance block, from the manifest.
  for (const char* key : {"scenario_sha256", "forecast_csv_sha256", "git_commit"}) {
    CAPTURE(key);
    CHECK(count(html, manifest[key].get<std::string>()) >= 1);
  }
  CHECK(html.find("talentcast run scenario.toml --seed 42 --paths 2000") != std::string::npos);
  // Assumptions: values and distributions of the resolved scenario.
  CHECK(html.find("<code>defaults.attrition</code></td><td>0.15</td><td></td>") !=
        std::string::npos);
  CHECK(html.find("<code>roles.cloud.demand_growth</code></td><td>triangular(high = 0.15, low = "
                  "0, mode = 0.05)</td><td></td>") != std::string::npos);
  // Sources written beside values and distributions.
  CHECK(html.find("<code>roles.llm.ratio</code></td><td>0.17</td><td>Maimai, 2024 &amp; "
                  "2025</td>") != std::string::npos);
  CHECK(html.find("<code>defaults.demand_vol</code></td><td>uniform(high = 0.2, low = "
                  "0.05)</td><td>a guess</td>") != std::string::npos);

  // Per role: ratio and salary fans, shortage probability, salary band; total: ratio and
  // shortage. Every chart is inline and on disk, twice.
  const std::vector<std::string> charts = {
      "llm-ratio",    "llm-salary",     "llm-shortage", "llm-band",    "cloud-ratio",
      "cloud-salary", "cloud-shortage", "cloud-band",   "total-ratio", "total-shortage"};
  CHECK(count(html, "<figure class=\"chart\"") == charts.size());
  for (const auto& name : charts) {
    CAPTURE(name);
    CHECK(count(html, "id=\"chart-" + name + "\"") == 1);
    const std::string svg = read_file(dir.path() / "run" / "charts" / (name + ".svg"));
    CHECK(svg.find("<svg") != std::string::npos);
    CHECK(svg.find("width=\"800\"") != std::string::npos);
    // The PNG is a real image of the expected size, and not blank.
    const auto png = dir.path() / "run" / "charts" / (name + ".png");
    cairo_surface_t* image = cairo_image_surface_create_from_png(png.string().c_str());
    REQUIRE(cairo_surface_status(image) == CAIRO_STATUS_SUCCESS);
    CHECK(cairo_image_surface_get_width(image) == 1600);
    CHECK(cairo_image_surface_get_height(image) == 840);
    const unsigned char* data = cairo_image_surface_get_data(image);
    const int stride = cairo_image_surface_get_stride(image);
    std::set<std::uint32_t> colours;
    std::size_t inked = 0;
    for (int y = 0; y < 840; y += 2) {
      for (int x = 0; x < 1600; x += 2) {
        std::uint32_t pixel;
        std::memcpy(&pixel, data + y * stride + 4 * x, 4);
        colours.insert(pixel);
        if ((pixel & 0xffffff) != 0xffffff) ++inked;
      }
    }
    CHECK(colours.size() > 20);      // bands, lines, anti-aliased text
    CHECK(inked > 400 * 840 / 100);  // more than a little ink (of 336,000 sampled pixels)
    cairo_surface_destroy(image);
  }
  // Inlined SVGs keep their ids apart (Cairo names glyphs alike in every chart).
  std::set<std::string> ids;
  std::size_t duplicates = 0;
  static const std::regex id(R"re(\sid="([^"]+)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), id); it != std::sregex_iterator();
       ++it) {
    if (!ids.insert((*it)[1]).second) ++duplicates;
  }
  CHECK(duplicates == 0);
  CHECK(ids.size() > charts.size() * 5);
}

TEST_CASE("the report of a central projection says so, and how to reproduce it", "[report][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  REQUIRE(talentcast::test::run_talentcast("run base.toml -q --central --out run", dir.path())
              .exit_code == 0);
  REQUIRE(talentcast::test::run_talentcast("report run -q", dir.path()).exit_code == 0);
  const std::string html = read_file(dir.path() / "run" / "report.html");
  CHECK(html.find("<pre>talentcast run scenario.toml --central</pre>") != std::string::npos);
  CHECK(html.find("the central projection: one path") != std::string::npos);
  CHECK(html.find("Monte Carlo paths") == std::string::npos);
}

TEST_CASE("report refuses what is not a run, or a run whose results changed", "[report][cli]") {
  TempDir dir;
  auto r = talentcast::test::run_talentcast("report nowhere", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: nowhere/manifest.json: expected a file of a run (talentcast run --out DIR), "
        "found none\n");
  dir.write("base.toml", talentcast::test::two_role_scenario());
  REQUIRE(talentcast::test::run_talentcast("run base.toml -q --paths 500 --out run", dir.path())
              .exit_code == 0);
  r = talentcast::test::run_talentcast("report run --band-periods 2024-Q1,2031-Q1", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --band-periods: expected periods of the run (2024-Q1 to 2025-Q4), found "
        "'2031-Q1'\n");
  std::string csv = read_file(dir.path() / "run" / "forecast.csv");
  csv.back() = ' ';
  dir.write("run/forecast.csv", csv);
  r = talentcast::test::run_talentcast("report run", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: run/forecast.csv: expected the forecast.csv its manifest names "
        "(forecast_csv_sha256), found another; run the scenario again\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "run" / "report.html"));
}
