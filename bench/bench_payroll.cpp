// The payroll benchmark (docs/performance.md): wall time of benchmarking a synthetic payroll of
// N rows against a run's band store, as `talentcast benchmark --payroll` does it: reading the
// CSV, the percentiles and costs, formatting and writing the outputs. Phases are timed apart.
//
//   ./build/bin/talentcast run scenarios/china-ai-2024.toml --out out/flagship -q
//   ./build/bin/talentcast_bench_payroll out/flagship --rows 1000000 --threads 2
#include <fmt/core.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <fstream>

#include "talentcast/core/random.hpp"
#include "talentcast/formats/payroll.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/studies/benchmark.hpp"

namespace {
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"talentcast_bench_payroll: time benchmarking a synthetic payroll against a run"};
  std::string run_dir;
  std::size_t rows = 1000000;
  int threads = 0;
  app.add_option("run_dir", run_dir, "Output directory of `talentcast run`")->required();
  app.add_option("--rows,-n", rows, "Payroll rows")->default_val(1000000);
  app.add_option("--threads,-j", threads, "Threads (0: all cores)")->default_val(0);
  CLI11_PARSE(app, argc, argv);

  using namespace talentcast;
  const formats::BandStore store = formats::BandStore::read(run_dir);
  // Employees spread over every band of the run, paid around its first-period median.
  const auto dir = std::filesystem::temp_directory_path() / "talentcast_bench_payroll";
  std::filesystem::create_directories(dir);
  const auto file = dir / "payroll.csv";
  {
    std::ofstream out(file);
    out << "employee_id,role,level,salary\n";
    const core::CounterRng rng(1);
    for (std::size_t i = 0; i < rows; ++i) {
      const auto u = rng.uniforms(i, 0, 0, core::Domain::user);
      const auto g = static_cast<std::size_t>(u[0] * static_cast<double>(store.series.size()));
      const double median = std::exp(store.ln_medians(g, 0)[0]);
      out << fmt::format("E{:07},{},{},{:.0f}\n", i, store.series[g].role, store.series[g].level,
                         median * std::exp(0.4 * (u[1] - 0.5)));
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const formats::Payroll payroll = studies::read_payroll(file, store);
  const double read_s = seconds_since(start);
  const auto t1 = std::chrono::steady_clock::now();
  const formats::PayrollResult result = studies::benchmark_payroll(
      store, payroll, 0, std::min<std::size_t>(4, store.periods.size() - 1), threads);
  const double bench_s = seconds_since(t1);
  const auto t2 = std::chrono::steady_clock::now();
  std::string employees = formats::employees_csv(store, payroll, result);
  std::string summary = formats::summary_csv(result);
  const double format_s = seconds_since(t2);
  const auto t3 = std::chrono::steady_clock::now();
  io::write_files_atomically(
      {{dir / "employees.csv", std::move(employees)}, {dir / "summary.csv", std::move(summary)}});
  const double write_s = seconds_since(t3);
  const double total = seconds_since(start);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  fmt::print(
      "run={} rows={} threads={} bands_in_use={} sampled_paths={} read_s={:.3f} "
      "benchmark_s={:.3f} format_s={:.3f} write_s={:.3f} total_s={:.3f} peak_rss_mb={:.1f}\n",
      run_dir, rows, threads, result.summary.size() - 1, store.samples, read_s, bench_s, format_s,
      write_s, total, static_cast<double>(usage.ru_maxrss) / 1024.0);
  std::filesystem::remove_all(dir);
  return 0;
}
