// Determinism: the same scenario, seed and path count give the same bytes for any thread
// count; a path's values do not depend on the block it is computed in, nor on how many other
// paths there are.
#include <catch2/catch.hpp>

#include "support.hpp"
#include "talentcast/core/forecast_table.hpp"
#include "talentcast/core/vector_math.hpp"
#include "talentcast/models/forecast.hpp"
#include "talentcast/models/labour_market.hpp"
#include "talentcast/models/scenario_loader.hpp"

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
  const auto scenario = models::load_scenario(dir.write("two.toml", test::two_role_scenario()));
  std::string csv[3], json[3];
  for (int threads = 1; threads <= 3; ++threads) {
    models::ForecastSettings settings = models::default_settings(scenario);
    settings.paths = 1000;  // 15 full blocks and a partial one
    settings.threads = threads;
    const auto forecast = models::run_forecast(scenario, settings);
    csv[threads - 1] = core::forecast_csv(forecast.rows);
    json[threads - 1] = core::forecast_json(forecast.rows);
  }
  CHECK(csv[0] == csv[1]);
  CHECK(csv[0] == csv[2]);
  CHECK(json[0] == json[1]);
  CHECK(json[0] == json[2]);
}

TEST_CASE("a replayed path equals the same path inside a run", "[determinism]") {
  test::TempDir dir;
  const auto scenario = models::load_scenario(dir.write("two.toml", test::two_role_scenario()));
  const models::LabourMarketModel model(scenario, {42, false});
  for (std::uint64_t path : {0u, 5u, 63u, 64u, 130u}) {
    const std::uint64_t block_start = path / core::kBlockPaths * core::kBlockPaths;
    CHECK(model.replay(path) == path_in_block(model, block_start, core::kBlockPaths, path));
  }
}

TEST_CASE("a path does not depend on its block, its lane or the number of paths", "[determinism]") {
  test::TempDir dir;
  const auto scenario = models::load_scenario(dir.write("two.toml", test::two_role_scenario()));
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
  const auto scenario = models::load_scenario(dir.write("two.toml", test::two_role_scenario()));
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
  const auto a = models::load_scenario(dir.write("two.toml", two));
  const auto b = models::load_scenario(dir.write("three.toml", three));
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
  const auto scenario = models::load_scenario(dir.write("event.toml", text));
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
  const auto scenario = models::load_scenario(dir.write("two.toml", test::two_role_scenario()));
  const core::vmath::Kernel before = core::vmath::active_kernel();
  std::vector<std::string> csv;
  for (core::vmath::Kernel kernel : core::vmath::supported_kernels()) {
    core::vmath::set_active_kernel(kernel);
    models::ForecastSettings settings = models::default_settings(scenario);
    settings.paths = 600;
    settings.threads = 2;
    csv.push_back(core::forecast_csv(models::run_forecast(scenario, settings).rows));
  }
  core::vmath::set_active_kernel(before);
  for (std::size_t k = 1; k < csv.size(); ++k) CHECK(csv[k] == csv[0]);
}
