// `talentcast report`: the HTML report, its charts as SVG and PNG, and its errors
// (docs/report.md).
#include <cairo.h>
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "chart.hpp"
#include "chart_canvas.hpp"
#include "number_text.hpp"
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
  CHECK(html.find("<pre>talentcast reproduce run --out run-reproduced</pre>") != std::string::npos);
  // Assumptions: values and distributions of the resolved scenario.
  CHECK(html.find("<code>defaults.<wbr>attrition</code></td><td>0.15</td><td></td>") !=
        std::string::npos);
  CHECK(html.find("<code>roles.<wbr>cloud.<wbr>demand_growth</code></td><td>triangular(high = "
                  "0.15, low = 0, mode = 0.05)</td><td></td>") != std::string::npos);
  // Sources written beside values and distributions.
  CHECK(html.find("<code>roles.<wbr>llm.<wbr>ratio</code></td><td>0.17</td><td>Maimai, 2024 "
                  "&amp; 2025</td>") != std::string::npos);
  CHECK(html.find("<code>defaults.<wbr>demand_vol</code></td><td>uniform(high = 0.2, low = "
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
    CHECK(cairo_image_surface_get_height(image) == 1000);
    const unsigned char* data = cairo_image_surface_get_data(image);
    const int stride = cairo_image_surface_get_stride(image);
    std::set<std::uint32_t> colours;
    std::size_t inked = 0;
    for (int y = 0; y < 1000; y += 2) {
      for (int x = 0; x < 1600; x += 2) {
        std::uint32_t pixel;
        std::memcpy(&pixel, data + y * stride + 4 * x, 4);
        colours.insert(pixel);
        if ((pixel & 0xffffff) != 0xffffff) ++inked;
      }
    }
    CHECK(colours.size() > 20);       // bands, lines, anti-aliased text
    CHECK(inked > 400 * 1000 / 100);  // more than a little ink (of 400,000 sampled pixels)
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
  CHECK(html.find("<pre>talentcast reproduce run --out run-reproduced</pre>") != std::string::npos);
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

TEST_CASE("report refuses a manifest field of another kind than talentcast writes, writing nothing",
          "[report][cli]") {
  // The seal removed, as a hand edit could: report warns, then must still not trust the fields.
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  REQUIRE(talentcast::test::run_talentcast("run base.toml -q --paths 500 --out run", dir.path())
              .exit_code == 0);
  auto manifest = nlohmann::ordered_json::parse(read_file(dir.path() / "run" / "manifest.json"));
  manifest.erase("reproducible_sha256");
  manifest["seed"] = "42";
  dir.write("run/manifest.json", manifest.dump(1));
  const auto r = talentcast::test::run_talentcast("report run", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("talentcast: run/manifest.json: expected a manifest as talentcast writes it, "
                   "found a field of another kind ([json.exception.type_error.302] type must be "
                   "number, but is string); nothing was written\n") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "run" / "report.html"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "run" / "charts"));
}

namespace {

// A two-role scenario whose roles have titles; llm's band is fitted to a file marked synthetic.
std::string titled_scenario(talentcast::test::TempDir& dir) {
  std::string csv = "role,salary\n";
  for (int i = 0; i < 40; ++i) csv += fmt::format("llm,{}\n", 50000 + 997 * (i % 20));
  dir.write("pay.csv", csv);
  std::string scenario = talentcast::test::two_role_scenario();
  scenario.replace(scenario.find("salary = 65000\n"), 15,
                   "title = \"LLM engineer\"\nsalary_data = { file = \"pay.csv\", synthetic = "
                   "\"drawn by a test\" }\n");
  scenario.replace(scenario.find("salary = 40000\n"), 15,
                   "salary = 40000\ntitle = \"Cloud <engineer>\"\n");
  return scenario;
}

std::string between(const std::string& text, const std::string& from, const std::string& to) {
  const auto start = text.find(from);
  if (start == std::string::npos) return "";
  return text.substr(start, text.find(to, start) - start);
}

}  // namespace

TEST_CASE("the report names roles by title, gives units, and marks numbers from synthetic data",
          "[report][cli]") {
  TempDir dir;
  dir.write("base.toml", titled_scenario(dir));
  REQUIRE(talentcast::test::run_talentcast("run base.toml -q --paths 500 --out run", dir.path())
              .exit_code == 0);
  REQUIRE(talentcast::test::run_talentcast("report run -q", dir.path()).exit_code == 0);
  const std::string html = read_file(dir.path() / "run" / "report.html");
  const auto manifest = nlohmann::json::parse(read_file(dir.path() / "run" / "manifest.json"));

  // The manifest records the marking, per file and per band.
  CHECK(manifest["synthetic"].is_null());
  REQUIRE(manifest["data_files"].size() == 1);
  CHECK(manifest["data_files"][0]["synthetic"] == "drawn by a test");
  CHECK(manifest["band_fits"][0]["series"] == "llm");
  CHECK(manifest["band_fits"][0]["synthetic"] == "drawn by a test");

  // At the top, before the key numbers: what is synthetic and why.
  const std::string banner = between(html, "<div class=\"banner\" id=\"synthetic\">", "</div>");
  CHECK(banner.find("Salaries come from synthetic data") != std::string::npos);
  CHECK(banner.find("<code>pay.csv</code>: drawn by a test") != std::string::npos);
  CHECK(html.find("id=\"synthetic\"") < html.find("<h2>Key numbers</h2>"));

  // Key numbers: titles (escaped) with the id beside, units, and the mark on llm's salary only.
  const std::string header = between(html, "<table class=\"key\">", "</tr>");
  CHECK(header.find("candidates per opening") != std::string::npos);
  CHECK(header.find("% of paths with ratio &lt; 1") != std::string::npos);
  CHECK(header.find("CNY per month") != std::string::npos);
  const std::string llm =
      between(html, "<tr><td>LLM engineer<br><span class=\"id\">llm</span>", "</tr>");
  const std::string cloud =
      between(html, "<tr><td>Cloud &lt;engineer&gt;<br><span class=\"id\">cloud</span>", "</tr>");
  REQUIRE_FALSE(llm.empty());
  REQUIRE_FALSE(cloud.empty());
  CHECK(count(llm, "class=\"synthetic\"") == 1);      // beside the salary, not the ratios
  CHECK(llm.find("pp</span>") != std::string::npos);  // P(shortage) ± in percentage points
  CHECK(std::regex_search(llm, std::regex(R"(\d\d,\d\d\d <span class="range">\[\d\d,\d\d\d, )")));
  CHECK(count(cloud, "class=\"synthetic\"") == 0);
  CHECK(html.find("<h3>LLM engineer <span class=\"id\">llm</span></h3>") != std::string::npos);
  CHECK(html.find("<h3>All roles (total) <span class=\"id\">total</span></h3>") !=
        std::string::npos);

  // Charts: llm's salary charts say so, in the page and in the files; cloud's and the ratios
  // do not. Every chart file carries its title, caption and warning as text too.
  const auto figure = [&](const std::string& name) {
    return between(html, "<figure class=\"chart\" id=\"chart-" + name + "\">", "</figure>");
  };
  for (const char* name : {"llm-salary", "llm-band"}) {
    CAPTURE(name);
    CHECK(between(figure(name), "<figcaption>", "</figcaption>").find("class=\"synthetic\"") !=
          std::string::npos);
    const std::string svg = read_file(dir.path() / "run" / "charts" / (std::string(name) + ".svg"));
    CHECK(svg.find("<desc>SYNTHETIC DATA: salaries fitted to a synthetic sample") !=
          std::string::npos);
  }
  for (const char* name : {"cloud-salary", "cloud-band", "llm-ratio", "llm-shortage"}) {
    CAPTURE(name);
    CHECK(figure(name).find("class=\"synthetic\"") == std::string::npos);
    CHECK(
        read_file(dir.path() / "run" / "charts" / (std::string(name) + ".svg")).find("SYNTHETIC") ==
        std::string::npos);
  }
  const std::string svg = read_file(dir.path() / "run" / "charts" / "cloud-ratio.svg");
  CHECK(svg.find("<title>Cloud &lt;engineer&gt;: supply-demand ratio</title>") !=
        std::string::npos);
  const std::string created = manifest["created_utc"];
  const std::string commit = manifest["git_commit"];
  CHECK(svg.find(fmt::format("<desc>Two roles (base.toml). 500 paths, seed 42. talentcast {}, "
                             "commit {}. Run {} {} UTC.</desc>",
                             manifest["talentcast_version"].get<std::string>(),
                             commit.substr(0, 12) + (commit.ends_with("+dirty") ? "+dirty" : ""),
                             created.substr(0, 10), created.substr(11, 5))) != std::string::npos);

  // Assumptions are folded on screen and unfolded in print.
  CHECK(html.find("details::details-content { content-visibility: visible;") != std::string::npos);
}

TEST_CASE("the report of a scenario marked synthetic marks every number", "[report][cli]") {
  TempDir dir;
  std::string scenario = talentcast::test::two_role_scenario();
  scenario.insert(scenario.find("currency"), "synthetic = \"a teaching example\"\n");
  dir.write("base.toml", scenario);
  REQUIRE(talentcast::test::run_talentcast("run base.toml -q --paths 200 --out run", dir.path())
              .exit_code == 0);
  REQUIRE(talentcast::test::run_talentcast("report run -q", dir.path()).exit_code == 0);
  const std::string html = read_file(dir.path() / "run" / "report.html");
  CHECK(nlohmann::json::parse(read_file(dir.path() / "run" / "manifest.json"))["synthetic"] ==
        "a teaching example");
  CHECK(html.find("<b>This scenario is marked synthetic:</b> a teaching example.") !=
        std::string::npos);
  // Three roles (llm, cloud, total): four numbers each, but total has no salary.
  CHECK(count(between(html, "<table class=\"key\">", "</table>"), "class=\"synthetic\"") == 11);
  std::size_t figures = 0, marked = 0;
  for (auto at = html.find("<figcaption>"); at != std::string::npos;
       at = html.find("<figcaption>", at + 1)) {
    ++figures;
    if (html.substr(at, html.find("</figcaption>", at) - at).find("class=\"synthetic\"") !=
        std::string::npos) {
      ++marked;
    }
  }
  CHECK(figures == 10);
  CHECK(marked == figures);
  CHECK(read_file(dir.path() / "run" / "charts" / "total-ratio.svg")
            .find("<desc>SYNTHETIC SCENARIO: illustrative numbers") != std::string::npos);
}

TEST_CASE("the manifest records when the run was made, in UTC", "[report][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  const auto before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  REQUIRE(talentcast::test::run_talentcast("run base.toml -q --paths 100 --out run", dir.path())
              .exit_code == 0);
  const auto after = std::chrono::system_clock::now();
  const std::string created =
      nlohmann::json::parse(read_file(dir.path() / "run" / "manifest.json"))["created_utc"];
  REQUIRE(std::regex_match(created, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  std::tm tm{};
  std::istringstream(created) >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  const auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  CHECK(when >= before);
  CHECK(when <= after);
  REQUIRE(talentcast::test::run_talentcast("report run -q", dir.path()).exit_code == 0);
  CHECK(read_file(dir.path() / "run" / "report.html")
            .find(fmt::format("<tr><td>run</td><td>{} {} UTC</td></tr>", created.substr(0, 10),
                              created.substr(11, 5))) != std::string::npos);
}

TEST_CASE("numbers in tables and on chart axes have thousands separators", "[report]") {
  using talentcast::cli::grouped;
  CHECK(grouped(61474.6) == "61,475");
  CHECK(grouped(999) == "999");
  CHECK(grouped(-1234567) == "-1,234,567");
  CHECK(grouped(1234.5, 2) == "1,234.50");
  CHECK(grouped(-0.3) == "0");
  const auto salaries = talentcast::cli::chart::detail::axis(38000, 121000, false);
  std::vector<std::string> labels;
  for (double t : salaries.ticks) labels.push_back(salaries.label(t));
  CHECK(labels == std::vector<std::string>{"40,000", "60,000", "80,000", "100,000", "120,000"});
  const auto ratios = talentcast::cli::chart::detail::axis(0.05, 0.3, false);
  CHECK(ratios.label(ratios.ticks[1]) == "0.10");
  CHECK(talentcast::cli::chart::detail::axis(0, 1, true).label(0.5) == "50%");
}

TEST_CASE("a chart draws its caption and its warning into the image", "[report]") {
  namespace chart = talentcast::cli::chart;
  chart::Fan fan;
  fan.periods = {"2024-Q1", "2024-Q2", "2024-Q3"};
  for (double v : {1.0, 2.0, 3.0}) {
    const std::array<double, 7> p{v - 0.3, v - 0.2, v - 0.1, v, v + 0.1, v + 0.2, v + 0.3};
    fan.push(p);
  }
  fan.title = "A role: supply-demand ratio";
  const auto plain = chart::render(fan);
  fan.caption = "Scenario s.toml. 1,000 paths, seed 1. talentcast 1.0, commit 0123456789ab.";
  const auto captioned = chart::render(fan);
  fan.notice = "SYNTHETIC DATA: not observed";
  const auto warned = chart::render(fan);
  CHECK(plain.png != captioned.png);
  CHECK(captioned.png != warned.png);
  CHECK(warned.svg.find("<desc>SYNTHETIC DATA: not observed Scenario s.toml.") !=
        std::string::npos);
}

TEST_CASE("an inlined chart's ids and their references are prefixed, and nothing else",
          "[report]") {
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<svg width=\"1\">\n"
      "<clipPath id=\"clip-1\"><path d=\"M 0 0\"/></clipPath>\n"
      "<clipPath\tid=\"clip-10\"/>\n"
      "<g clip-path=\"url(#clip-1)\"><use xlink:href=\"#clip-10\"/>"
      "<use href=\"#glyph-0-1\"/><text>#clip-1 and more</text></g>\n"
      "<symbol id=\"glyph-0-1\"/></svg>\n";
  CHECK(talentcast::cli::chart::inline_svg(svg, "c7-") ==
        "<svg width=\"1\">\n"
        "<clipPath id=\"c7-clip-1\"><path d=\"M 0 0\"/></clipPath>\n"
        "<clipPath\tid=\"c7-clip-10\"/>\n"
        "<g clip-path=\"url(#c7-clip-1)\"><use xlink:href=\"#c7-clip-10\"/>"
        "<use href=\"#c7-glyph-0-1\"/><text>#clip-1 and more</text></g>\n"
        "<symbol id=\"c7-glyph-0-1\"/></svg>\n");
}

TEST_CASE("a chart's PNG decodes, through libpng, to the pixels that were drawn", "[report]") {
  namespace detail = talentcast::cli::chart::detail;
  // Decodes PNG bytes with Cairo's reader (libpng), which checks every chunk's CRC and the
  // zlib stream's checksum.
  const auto decode = [](const std::string& bytes) {
    struct Reader {
      const std::string* bytes;
      std::size_t at = 0;
    } reader{&bytes};
    return cairo_image_surface_create_from_png_stream(
        [](void* closure, unsigned char* data, unsigned int length) {
          auto* r = static_cast<Reader*>(closure);
          if (r->bytes->size() - r->at < length) return CAIRO_STATUS_READ_ERROR;
          std::memcpy(data, r->bytes->data() + r->at, length);
          r->at += length;
          return CAIRO_STATUS_SUCCESS;
        },
        &reader);
  };
  const auto pixel = [](cairo_surface_t* s, int x, int y) {
    std::uint32_t p;
    std::memcpy(&p, cairo_image_surface_get_data(s) + y * cairo_image_surface_get_stride(s) + 4 * x,
                4);
    return p;
  };
  for (const double alpha : {1.0, 0.5}) {
    CAPTURE(alpha);
    // Odd sizes, a gradient over several rows, and (at alpha 0.5) translucent and clear pixels.
    cairo_surface_t* drawn = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 37, 23);
    cairo_t* cr = cairo_create(drawn);
    cairo_set_source_rgba(cr, 1, 1, 1, alpha);
    cairo_paint(cr);
    cairo_pattern_t* ramp = cairo_pattern_create_linear(0, 0, 37, 23);
    cairo_pattern_add_color_stop_rgba(ramp, 0, 0.9, 0.1, 0.2, alpha);
    cairo_pattern_add_color_stop_rgba(ramp, 1, 0.1, 0.3, 0.8, alpha);
    cairo_set_source(cr, ramp);
    cairo_rectangle(cr, 3, 2, 30, 18);
    cairo_fill(cr);
    cairo_pattern_destroy(ramp);
    if (alpha < 1) {
      cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
      cairo_rectangle(cr, 0, 0, 2, 2);
      cairo_fill(cr);
    }
    cairo_destroy(cr);
    const std::string bytes = detail::png(drawn);
    CHECK(bytes[25] == (alpha < 1 ? 6 : 2));  // the IHDR's colour type: RGBA or RGB
    cairo_surface_t* read = decode(bytes);
    REQUIRE(cairo_surface_status(read) == CAIRO_STATUS_SUCCESS);
    REQUIRE(cairo_image_surface_get_width(read) == 37);
    REQUIRE(cairo_image_surface_get_height(read) == 23);
    for (int y = 0; y < 23; ++y) {
      for (int x = 0; x < 37; ++x) {
        const std::uint32_t want = pixel(drawn, x, y), got = pixel(read, x, y);
        CAPTURE(x, y, want, got);
        REQUIRE(got >> 24 == want >> 24);
        for (int shift : {0, 8, 16}) {  // premultiplied, un-premultiplied, and back: within 1
          const int w = static_cast<int>((want >> shift) & 0xff);
          const int g = static_cast<int>((got >> shift) & 0xff);
          REQUIRE(std::abs(w - g) <= (alpha < 1 ? 1 : 0));
        }
      }
    }
    // A damaged byte in the pixel data is caught by the reader: the checksums are real.
    std::string damaged = bytes;
    damaged[damaged.size() / 2] ^= 0x10;
    cairo_surface_t* refused = decode(damaged);
    CHECK(cairo_surface_status(refused) != CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(refused);
    cairo_surface_destroy(read);
    cairo_surface_destroy(drawn);
  }
}
