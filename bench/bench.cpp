// The performance benchmark (docs/performance.md): wall time of a whole forecast, scenario
// loading included, its throughput in path-role-steps (simulated months) per second, and the
// process's peak resident memory.
//
//   ./build/bin/talentcast_bench scenarios/china-ai-2024.toml --paths 100000 --threads 2
//
// Run one configuration per process: peak memory is the process's high-water mark.
#include <fmt/core.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>

#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/core/allocator.hpp"
#include "talentcast/core/vector_math.hpp"
#include "talentcast/studies/forecast.hpp"

int main(int argc, char** argv) {
  talentcast::core::tune_allocator();  // as the command does
  CLI::App app{"talentcast_bench: time full forecasts of a scenario"};
  std::string path;
  std::uint64_t paths = 100000;
  int threads = 0;
  int repeat = 3;
  std::string kernel;
  app.add_option("scenario", path, "Scenario file")->required();
  app.add_option("--paths,-n", paths, "Paths per run")->default_val(100000);
  app.add_option("--threads,-j", threads, "Threads (0: all cores)")->default_val(0);
  app.add_option("--repeat,-r", repeat, "Runs; the fastest is reported")->default_val(3);
  app.add_option("--kernel", kernel,
                 "Vector maths kernel: sse2, avx2 or avx512 (default: the widest this processor "
                 "runs; results are the same bits with each)")
      ->check(CLI::IsMember({"sse2", "avx2", "avx512"}));
  CLI11_PARSE(app, argc, argv);
  namespace vmath = talentcast::core::vmath;
  for (vmath::Kernel k : {vmath::Kernel::sse2, vmath::Kernel::avx2, vmath::Kernel::avx512}) {
    if (vmath::kernel_name(k) != kernel) continue;
    try {
      vmath::set_active_kernel(k);
    } catch (const std::exception& e) {
      fmt::print(stderr, "talentcast_bench: {}\n", e.what());
      return 2;
    }
  }

  using namespace talentcast;
  double best = 1e300;
  std::size_t roles = 0;
  int months = 0;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const models::Scenario scenario = config::load_scenario(path);
    studies::ForecastSettings settings = studies::default_settings(scenario);
    settings.paths = paths;
    settings.threads = threads;
    const studies::Forecast forecast = studies::run_forecast(scenario, settings);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::min(best, seconds);
    roles = scenario.roles.size();
    months = scenario.months();
    if (forecast.rows.empty()) return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double path_role_steps = static_cast<double>(paths) * static_cast<double>(roles) * months;
  fmt::print(
      "scenario={} paths={} threads={} kernel={} roles={} months={} best_of={} wall_s={:.3f} "
      "path_role_steps_per_s={:.3e} ns_per_path_role_step={:.1f} peak_rss_mb={:.1f}\n",
      path, paths, threads, vmath::kernel_name(vmath::active_kernel()), roles, months, repeat, best,
      path_role_steps / best, 1e9 * best / path_role_steps,
      static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}
