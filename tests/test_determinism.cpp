// Determinism: the same scenario, seed and path count give the same bytes for any thread
// count; a path's values do not depend on the block it is computed in, nor on how many other
// paths there are.
#include <catch2/catch.hpp>

#include "support.hpp"
#include "talentcast/core/forecast_table.hpp"
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
  for (std::size_t v = 0; v < values.size(); ++v) values[v] = block[v * core::kBlockPaths + (path - first)];
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
