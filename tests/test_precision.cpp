// Precision control: `run --target-mcse` adds chunks of paths until the watched outputs' Monte
// Carlo standard errors are small enough, and stops reproducibly (docs/cli.md); the engine's
// loop (core/precision.hpp) against the closed form of a model with a known standard deviation.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>

#include "support.hpp"
#include "talentcast/core/engine.hpp"
#include "talentcast/io/csv.hpp"

namespace {

using talentcast::test::read_file;
using talentcast::test::TempDir;

// The largest mcse / |mean| of a metric's rows in a period, from forecast.csv.
double largest_relative_mcse(const std::string& csv, const std::string& metric,
                             const std::string& period) {
  double largest = 0.0;
  talentcast::io::CsvReader reader(csv);
  talentcast::io::CsvRecord record;
  reader.next(record);  // the header
  while (reader.next(record)) {
    const auto& f = record.fields;
    if (f[1].text != period || f[2].text != metric) continue;
    largest = std::max(
        largest, std::stod(std::string(f[12].text)) / std::abs(std::stod(std::string(f[3].text))));
  }
  return largest;
}

}  // namespace

TEST_CASE(
    "precision control (--target-mcse) adds paths until it is met, and stops at the same count "
    "every time",
    "[precision][determinism][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  const std::string adaptive =
      "run base.toml -q --target-mcse 0.05% --target-metrics salary_median --band-samples 500";
  const auto one = talentcast::test::run_talentcast(adaptive + " -j 1 --out one", dir.path());
  REQUIRE(one.exit_code == 0);
  const auto two = talentcast::test::run_talentcast(adaptive + " -j 2 --out two", dir.path());
  REQUIRE(two.exit_code == 0);
  const auto manifest = nlohmann::json::parse(read_file(dir.path() / "one" / "manifest.json"));
  const auto paths = manifest["paths"].get<std::uint64_t>();
  // More than the first checkpoint (its salary mcse is near 0.14%), on a chunk boundary.
  CHECK(paths > talentcast::core::kChunkPaths);
  CHECK(paths % talentcast::core::kChunkPaths == 0);
  CHECK(manifest["target_mcse"]["met"] == true);
  CHECK(manifest["target_mcse"]["target"] == 0.0005);
  // What it reports is what forecast.csv says: the worst watched output, and within target.
  const std::string csv = read_file(dir.path() / "one" / "forecast.csv");
  const double reached = manifest["target_mcse"]["reached"].get<double>();
  CHECK(reached <= 0.0005);
  CHECK(reached == Approx(largest_relative_mcse(csv, "salary_median", "2025-Q4")).epsilon(1e-12));
  // Any thread count, and the same as a run of that many paths, bit for bit.
  CHECK(read_file(dir.path() / "two" / "forecast.csv") == csv);
  const auto fixed = talentcast::test::run_talentcast(
      fmt::format("run base.toml -q --paths {} --band-samples 500 --out fixed", paths), dir.path());
  REQUIRE(fixed.exit_code == 0);
  CHECK(read_file(dir.path() / "fixed" / "forecast.csv") == csv);
  CHECK(read_file(dir.path() / "fixed" / "bands.bin") ==
        read_file(dir.path() / "one" / "bands.bin"));
}

TEST_CASE("precision control stops at --max-paths when the target is out of reach, and says so",
          "[precision][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  const auto r = talentcast::test::run_talentcast(
      "run base.toml --target-mcse 0.001% --max-paths 40000 --out capped", dir.path());
  REQUIRE(r.exit_code == 0);
  const auto manifest = nlohmann::json::parse(read_file(dir.path() / "capped" / "manifest.json"));
  CHECK(manifest["paths"] == 40000);
  CHECK(manifest["target_mcse"]["met"] == false);
  CHECK(manifest["target_mcse"]["max_paths"] == 40000);
  CHECK(r.out.find("at 40000 paths: target 0.001% not met (--max-paths 40000)\n") !=
        std::string::npos);
}

TEST_CASE("precision control rejects what it cannot do, with the reason",
          "[precision][validation][cli]") {
  TempDir dir;
  dir.write("base.toml", talentcast::test::two_role_scenario());
  auto r = talentcast::test::run_talentcast("run base.toml -q --target-mcse 0.5", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--target-mcse: expected a share above 0 and below 100%, like 0.5%") !=
        std::string::npos);
  r = talentcast::test::run_talentcast(
      "run base.toml -q --target-mcse 1% --target-metrics ratio,hirez", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("talentcast: --target-metrics: expected metric names (demand, employed, "
                   "candidates, openings, unfilled, ratio, shortage, hires, fill_rate, "
                   "new_openings, new_candidates, salary_median, salary_p10, salary_p25, "
                   "salary_p75, salary_p90), found 'hirez'\n") != std::string::npos);
  r = talentcast::test::run_talentcast(
      "run base.toml -q --target-mcse 1% --paths 50000 --max-paths 40000", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --paths: expected at most --max-paths (40000) with --target-mcse, found "
        "50000\n");
  r = talentcast::test::run_talentcast("run base.toml -q --max-paths 40000", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--max-paths requires --target-mcse") != std::string::npos);
  r = talentcast::test::run_talentcast("run base.toml -q --target-mcse 1% --central", dir.path());
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "talentcast: --target-mcse: expected a Monte Carlo run, found --central (one path, no "
        "standard error)\n");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));
}

namespace {

// Two outputs of mean 1 whatever the number of paths: 1 ± 1 and 1 ± 0.5, alternating by path.
// Over an even number n of paths, the first's sample sd is sqrt(n / (n - 1)), so its relative
// mcse is sqrt(1 / (n - 1)), twice the second's: it is the worst watched output.
class Alternating final : public talentcast::core::PathModel {
 public:
  std::size_t outputs_per_path() const override { return 2; }
  std::unique_ptr<talentcast::core::PathWorker> make_worker() const override {
    return std::make_unique<Worker>();
  }

 private:
  struct Worker final : talentcast::core::PathWorker {
    using PathWorker::simulate;
    void simulate(std::uint64_t first, std::size_t count, talentcast::core::RowSink& out) override {
      for (std::size_t v = 0; v < 2; ++v) {
        const std::span<double> row = out.row(v);
        const double spread = v == 0 ? 1.0 : 0.5;
        for (std::size_t i = 0; i < count; ++i) {
          row[i] = 1.0 + ((first + i) % 2 == 0 ? spread : -spread);
        }
      }
      out.flush();
    }
  };
};

}  // namespace

TEST_CASE("the engine's precision loop stops where the standard error's 1/sqrt(n) law says",
          "[precision][engine]") {
  using namespace talentcast::core;
  const Alternating model;
  RunOptions options;
  options.paths = 1000;  // the first round is rounded up to a chunk
  options.threads = 2;
  PrecisionTarget& target = options.precision.emplace();
  target.relative = 0.005;
  target.watched = {0, 1};
  target.max_paths = 1'000'000;
  // At 16,384 paths the worst relative mcse is 1/sqrt(16383) = 0.0078; (0.0078 / 0.005)^2 times
  // the paths, and 5%, is 42,002: the next checkpoint is three chunks, 49,152, where it is
  // 1/sqrt(49151) = 0.00451, met.
  const RunResult adaptive = run(model, options);
  CHECK(adaptive.paths_done == 3 * kChunkPaths);
  REQUIRE(adaptive.precision);
  CHECK(adaptive.precision->met);
  CHECK(adaptive.precision->target == 0.005);
  CHECK(adaptive.precision->reached == Approx(1.0 / std::sqrt(49151.0)).epsilon(1e-12));
  CHECK(adaptive.precision->worst == std::optional<std::size_t>(0));
  // The run of that many paths, bit for bit, on one thread.
  RunOptions fixed;
  fixed.paths = 3 * kChunkPaths;
  fixed.threads = 1;
  const RunResult same = run(model, fixed);
  CHECK_FALSE(same.precision);
  for (std::size_t v = 0; v < 2; ++v) {
    CHECK(same.outputs[v].mean == adaptive.outputs[v].mean);
    CHECK(same.outputs[v].sd == adaptive.outputs[v].sd);
    CHECK(same.outputs[v].mcse == adaptive.outputs[v].mcse);
  }

  // Out of reach: it stops at max_paths (not a chunk boundary), and says it was not met.
  target.relative = 0.001;
  target.max_paths = 40'000;
  const RunResult capped = run(model, options);
  CHECK(capped.paths_done == 40'000);
  REQUIRE(capped.precision);
  CHECK_FALSE(capped.precision->met);
  CHECK(capped.precision->reached == Approx(1.0 / std::sqrt(39999.0)).epsilon(1e-12));
}
