// Determinism: the same scenario, seed and path count give the same bytes for any thread
// count; a path's values do not depend on the block it is computed in, nor on how many other
// paths there are.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/core/libm.hpp"
#include "talentcast/core/vector_math.hpp"
#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/models/labour_market.hpp"
#include "talentcast/studies/forecast.hpp"

using namespace talentcast;

namespace {
std::vector<double> path_in_block(const models::LabourMarketModel& model, std::uint64_t first,
                                  std::size_t count, std::uint64_t path) {
  auto worker = model.make_worker();
  std::vector<double> block(model.outputs_per_path() * core::kBlockPaths);
  worker->simulate(first, count, block);
  std::vector<double> values(model.outputs_per_path());
  for (std::size_t v = 0; v < values.size(); ++v)
    values[v] = block[v * core::kBlockPaths + (path - first)];
  return values;
}
}  // namespace

TEST_CASE("forecasts are byte-identical for 1, 2 and 3 threads", "[determinism]") {
  test::TempDir dir;
  const auto scenario = config::load_scenario(dir.write("two.toml", test::two_role_scenario()));
  std::string csv[3], json[3];
  for (int threads = 1; threads <= 3; ++threads) {
    studies::ForecastSettings settings = studies::default_settings(scenario);
    settings.paths = 1000;  // 15 full blocks and a partial one
    settings.threads = threads;
    const auto forecast = studies::run_forecast(scenario, settings);
    csv[threads - 1] = formats::forecast_csv(forecast.rows);
    json[threads - 1] = formats::forecast_json(forecast.rows);
  }
  CHECK(csv[0] == csv[1]);
  CHECK(csv[0] == csv[2]);
  CHECK(json[0] == json[1]);
  CHECK(json[0] == json[2]);
}

TEST_CASE("a replayed path equals the same path inside a run", "[determinism]") {
  test::TempDir dir;
  const auto scenario = config::load_scenario(dir.write("two.toml", test::two_role_scenario()));
  const models::LabourMarketModel model(scenario, {42, false});
  for (std::uint64_t path : {0u, 5u, 63u, 64u, 130u}) {
    const std::uint64_t block_start = path / core::kBlockPaths * core::kBlockPaths;
    CHECK(model.replay(path) == path_in_block(model, block_start, core::kBlockPaths, path));
  }
}

TEST_CASE("a path does not depend on its block, its lane or the number of paths", "[determinism]") {
  test::TempDir dir;
  const auto scenario = config::load_scenario(dir.write("two.toml", test::two_role_scenario()));
  const models::LabourMarketModel model(scenario, {42, false});
  // Path 37 as lane 37 of a full block, lane 27 of a 30-path block, and the last lane of a
  // block of a run with 38 paths.
  const auto reference = path_in_block(model, 0, 64, 37);
  CHECK(path_in_block(model, 10, 30, 37) == reference);
  CHECK(path_in_block(model, 0, 38, 37) == reference);
  CHECK(path_in_block(model, 37, 1, 37) == reference);
}

TEST_CASE("a different seed gives a different forecast", "[determinism]") {
  test::TempDir dir;
  const auto scenario = config::load_scenario(dir.write("two.toml", test::two_role_scenario()));
  const models::LabourMarketModel a(scenario, {1, false}), b(scenario, {2, false});
  CHECK(a.replay(0) != b.replay(0));
}

TEST_CASE("adding a role leaves the other roles' paths unchanged", "[determinism]") {
  test::TempDir dir;
  const std::string two = test::two_role_scenario();
  const std::string three = two + R"(
[roles.data_engineer]
employed = 20000
openings = 2000
ratio = 0.8
salary = 30000
)";
  const auto a = config::load_scenario(dir.write("two.toml", two));
  const auto b = config::load_scenario(dir.write("three.toml", three));
  const models::LabourMarketModel model_a(a, {42, false}), model_b(b, {42, false});
  const auto values_a = model_a.replay(11), values_b = model_b.replay(11);
  // Shocks and parameter draws are addressed by role name: cloud and llm see the same numbers
  // although the new role sorts between them and shifts their indices.
  for (const char* role : {"cloud", "llm"}) {
    const std::size_t ra = *a.role_index(role), rb = *b.role_index(role);
    for (std::size_t period = 0; period < model_a.layout().periods(); ++period) {
      for (std::size_t metric = 0; metric < models::kMetricCount; ++metric) {
        const auto m = static_cast<models::Metric>(metric);
        CHECK(values_a[model_a.layout().index(ra, period, m)] ==
              values_b[model_b.layout().index(rb, period, m)]);
      }
    }
  }
}

TEST_CASE("a value given once for several roles is drawn for each role", "[determinism]") {
  test::TempDir dir;
  const std::string text = R"(
currency = "CNY"
salary_unit = "month"
start = "2024"
step = "year"
horizon_years = 1
[defaults]
attrition = 0.1
seeker_exit = 2
demand_growth = 0.05
matching_efficiency = 5
matching_elasticity = 0.5
neutral_ratio = 1
wage_response = 0.1
band_sigma = 0.3
employed = 1000
openings = 100
ratio = 1
salary = 10000
[roles.a]
[roles.b]
[[events]]
name = "boom"
from = "2024"
demand_growth_add = { dist = "uniform", low = 0.0, high = 0.5 }
)";
  const auto scenario = config::load_scenario(dir.write("event.toml", text));
  const models::LabourMarketModel model(scenario, {3, false});
  const auto values = model.replay(0);
  const auto& layout = model.layout();
  CHECK(values[layout.index(0, 0, models::Metric::demand)] !=
        values[layout.index(1, 0, models::Metric::demand)]);
}

TEST_CASE("forecasts are byte-identical whichever vector kernel runs", "[determinism][vmath]") {
  // core::vmath's loops for SSE2, AVX2 and AVX-512 give the same bits (test_vector_math.cpp);
  // this checks it end to end, on the kernels this processor supports.
  test::TempDir dir;
  const auto scenario = config::load_scenario(dir.write("two.toml", test::two_role_scenario()));
  const core::vmath::Kernel before = core::vmath::active_kernel();
  std::vector<std::string> csv;
  for (core::vmath::Kernel kernel : core::vmath::supported_kernels()) {
    core::vmath::set_active_kernel(kernel);
    studies::ForecastSettings settings = studies::default_settings(scenario);
    settings.paths = 600;
    settings.threads = 2;
    csv.push_back(formats::forecast_csv(studies::run_forecast(scenario, settings).rows));
  }
  core::vmath::set_active_kernel(before);
  for (std::size_t k = 1; k < csv.size(); ++k) CHECK(csv[k] == csv[0]);
}

TEST_CASE("the portable-math flag runs glibc's baseline maths, in distribution the default's",
          "[determinism][cli]") {
  // The flag starts the program again with GLIBC_TUNABLES set (core/libm.hpp): its bits are
  // those of the setting made by hand, whichever side of the command's name it is given; and
  // the default run (glibc's FMA or AVX variants where the processor has them) agrees with it
  // in distribution: every mean within its Monte Carlo standard error.
  test::TempDir dir;
  dir.write("two.toml", test::two_role_scenario());
  const std::string run = "run two.toml --paths 3000 -q --out ";
  REQUIRE(test::run_talentcast(run + "after --portable-math", dir.path()).exit_code == 0);
  REQUIRE(test::run_talentcast("--portable-math " + run + "before", dir.path()).exit_code == 0);
  REQUIRE(test::run_shell(fmt::format("env GLIBC_TUNABLES={} {} {}by_hand",
                                      core::kBaselineLibmTunable, TALENTCAST_EXE, run),
                          dir.path())
              .exit_code == 0);
  REQUIRE(test::run_talentcast(run + "default", dir.path()).exit_code == 0);
  const std::string portable = test::read_file(dir.path() / "after" / "forecast.csv");
  CHECK(portable == test::read_file(dir.path() / "before" / "forecast.csv"));
  CHECK(portable == test::read_file(dir.path() / "by_hand" / "forecast.csv"));
  const auto manifest = [&](const char* run_dir) {
    return nlohmann::json::parse(test::read_file(dir.path() / run_dir / "manifest.json"));
  };
  const std::string baseline = manifest("after")["libm"];
  CHECK(baseline.ends_with(", sse2"));
  CHECK(manifest("by_hand")["libm"] == baseline);
  CHECK(manifest("default")["libm"] == core::libm_variant());
  // Means of the default run against the portable one's, row by row.
  const auto rows = [](const std::string& csv) {
    std::vector<std::vector<std::string>> out;
    for (const auto& line : test::lines_of(csv)) {
      std::vector<std::string> fields;
      std::stringstream in(line);
      for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
      out.push_back(fields);
    }
    return out;
  };
  const auto a = rows(portable);
  const auto b = rows(test::read_file(dir.path() / "default" / "forecast.csv"));
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() > 300);
  for (std::size_t i = 1; i < a.size(); ++i) {
    CAPTURE(i);
    REQUIRE(a[i].size() == 13);
    REQUIRE(std::vector(a[i].begin(), a[i].begin() + 3) ==
            std::vector(b[i].begin(), b[i].begin() + 3));
    // A constant output's mcse is 0: its means may still differ in their last bit.
    const double mean = std::stod(b[i][3]), mcse = std::stod(b[i][12]);
    CHECK(std::abs(std::stod(a[i][3]) - mean) <= mcse + 1e-12 * std::abs(mean));
  }
}

TEST_CASE("the portable-math flag stops with exit 2 when glibc does not take its setting",
          "[cli]") {
  // Started again once, the program finds glibc still running its FMA or AVX maths (here made
  // to look so by the marker of a program already started again).
  if (core::libm_is_baseline()) {
    WARN("glibc runs its baseline maths already on this machine: nothing to refuse");
    return;
  }
  test::TempDir dir;
  dir.write("two.toml", test::two_role_scenario());
  const auto refused = test::run_shell(
      fmt::format("env TALENTCAST_BASELINE_LIBM_STARTED=1 {} --portable-math validate two.toml",
                  TALENTCAST_EXE),
      dir.path());
  CHECK(refused.exit_code == 2);
  CHECK(refused.err == fmt::format("talentcast: --portable-math: glibc did not take "
                                   "GLIBC_TUNABLES={} (it still runs {}); is GLIBC_TUNABLES "
                                   "ignored here?\n",
                                   core::kBaselineLibmTunable, core::libm_variant()));
  CHECK(refused.out.empty());
}

TEST_CASE("the portable-math setting joins the user's GLIBC_TUNABLES", "[cli]") {
  // glibc keeps only the last glibc.cpu.hwcaps: the user's list is extended, never replaced.
  const std::string ours = "-AVX2,-FMA,-AVX,-FMA4";
  CHECK(core::with_baseline_libm("") == "glibc.cpu.hwcaps=" + ours);
  CHECK(core::with_baseline_libm("glibc.malloc.top_pad=1") ==
        "glibc.malloc.top_pad=1:glibc.cpu.hwcaps=" + ours);
  CHECK(core::with_baseline_libm("glibc.cpu.hwcaps=-AVX512F:glibc.malloc.top_pad=1") ==
        "glibc.cpu.hwcaps=-AVX512F," + ours + ":glibc.malloc.top_pad=1");
  CHECK(core::with_baseline_libm("glibc.cpu.hwcaps=") == "glibc.cpu.hwcaps=" + ours);
  // A value given to the flag is refused, not run with the default maths.
  if (core::libm_is_baseline()) return;
  test::TempDir dir;
  dir.write("two.toml", test::two_role_scenario());
  const auto refused = test::run_talentcast("--portable-math=true validate two.toml", dir.path());
  CHECK(refused.exit_code == 2);
  CHECK(refused.err == fmt::format("talentcast: --portable-math: glibc still runs {}; give the "
                                   "flag as --portable-math, with no value\n",
                                   core::libm_variant()));
  CHECK(refused.out.empty());
}
