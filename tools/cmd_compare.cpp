// `talentcast compare BASE WHATIF`: a what-if against its base on common random numbers
// (docs/compare.md).

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "cli.hpp"
#include "interrupt.hpp"
#include "talentcast/core/atomic_file.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/progress.hpp"
#include "talentcast/models/compare.hpp"
#include "talentcast/models/labour_market.hpp"

namespace talentcast::cli {

namespace {

// The key outputs of one period: each role's ratio and median salary, and the total ratio.
std::string comparison_table(const models::Scenario& base, const models::Scenario& whatif,
                             const models::Comparison& comparison, const std::string& period,
                             std::uint64_t seed) {
  std::string out = fmt::format(
      "{}\nagainst {}\n{} paths on common random numbers (seed {}); difference = what-if minus "
      "base, path by path;\nmedian [80% interval] over paths. gain: how many times more paths "
      "two separate runs would need\nfor the same standard error of the mean difference, "
      "(sd_base^2 + sd_whatif^2) / sd_difference^2\n\n",
      whatif.title, base.title, comparison.paths_done, seed);
  const auto* rows = &comparison.rows;
  std::size_t width = 6;
  for (const auto& row : *rows) {
    if (row.role.find('/') == std::string::npos) width = std::max(width, row.role.size() + 2);
  }
  out += fmt::format("{:<{}}{:<15}{:>12}{:>12}   {:<34}{:>10}\n", "role", width, "metric", "base",
                     "what-if", "difference", "gain");
  for (std::size_t i = 0; i + 2 < rows->size(); ++i) {
    const auto& b = (*rows)[i];
    if (b.quantity != models::Quantity::base || b.period != period) continue;
    if (b.role.find('/') != std::string::npos) continue;  // levels: in the csv
    if (b.metric != "ratio" && b.metric != "salary_median") continue;
    const auto& w = (*rows)[i + 1];
    const auto& d = (*rows)[i + 2];
    const auto& ds = d.summary;
    const double separate = b.summary.sd * b.summary.sd + w.summary.sd * w.summary.sd;
    const std::string gain = ds.sd > 0.0      ? fmt::format("{:.0f}x", separate / (ds.sd * ds.sd))
                             : separate > 0.0 ? "exact"
                                              : "-";
    const bool salary = b.metric == "salary_median";
    const auto number = [&](double v, bool sign) {
      const std::string text = salary ? fmt::format("{:.0f}", v) : fmt::format("{:.3f}", v);
      return sign && v >= 0.0 ? "+" + text : text;
    };
    out += fmt::format(
        "{:<{}}{:<15}{:>12}{:>12}   {:<34}{:>10}\n", b.role, width, b.metric,
        number(b.summary.percentiles[3], false), number(w.summary.percentiles[3], false),
        fmt::format("{} [{}, {}]", number(ds.percentiles[3], true), number(ds.percentiles[1], true),
                    number(ds.percentiles[5], true)),
        gain);
  }
  return out;
}

}  // namespace

int compare_command(const CompareArgs& args) {
  const auto base = load_scenario_or_report(args.base);
  const auto whatif = load_scenario_or_report(args.whatif);
  if (!base || !whatif) return kExitBadInput;
  int problems = 0;
  for (const std::string& problem : models::comparison_problems(*base, *whatif)) {
    fmt::print(stderr, "talentcast: {}: {}\n", args.whatif, problem);
    ++problems;
  }
  std::string period = args.period;
  if (period.empty()) period = base->period_label(base->periods() - 1);
  bool known = false;
  for (int t = 0; t < base->periods(); ++t) known = known || base->period_label(t) == period;
  if (!known) {
    fmt::print(stderr,
               "talentcast: --period: expected a period label of the base ({} to {}), "
               "found '{}'\n",
               base->period_label(0), base->period_label(base->periods() - 1), period);
    ++problems;
  }
  if (!args.out.empty() && args.format == "table") {
    fmt::print(stderr, "talentcast: --out: expected --format csv or json with it, found table\n");
    ++problems;
  }
  if (problems > 0) return kExitBadInput;

  models::ForecastSettings settings = models::default_settings(*base);
  if (args.paths) settings.paths = *args.paths;
  if (args.seed) settings.seed = *args.seed;
  settings.threads = args.threads;
  InterruptGuard guard;
  settings.stop = &guard.flag();
  core::ProgressBar progress(settings.paths, "paths", !args.quiet);
  settings.on_progress = [&](std::uint64_t done) { progress.update(done); };
  models::Comparison comparison;
  try {
    comparison = models::run_comparison(*base, *whatif, settings);
  } catch (const models::ModelError& error) {
    progress.finish();
    fmt::print(stderr, "talentcast: {}\nNothing was written.\n", error.what());
    return kExitBadInput;
  } catch (const std::domain_error& error) {
    progress.finish();
    fmt::print(stderr, "talentcast: a parameter's distribution could not be evaluated: {}\n",
               error.what());
    return kExitBadInput;
  }
  progress.finish();
  if (comparison.interrupted) {
    fmt::print(stderr, "talentcast: interrupted after {} of {} paths; nothing was written\n",
               comparison.paths_done, settings.paths);
    return kExitInterrupted;
  }
  if (args.format == "table") {
    fmt::print("{}", comparison_table(*base, *whatif, comparison, period, settings.seed));
    return kExitOk;
  }
  const std::string text = args.format == "csv" ? models::comparison_csv(comparison.rows)
                                                : models::comparison_json(comparison.rows);
  if (args.out.empty()) {
    fmt::print("{}", text);
    return kExitOk;
  }
  try {
    const std::filesystem::path out(args.out);
    if (!out.parent_path().empty()) std::filesystem::create_directories(out.parent_path());
    core::write_files_atomically({{out, text}});
  } catch (const std::exception& error) {
    fmt::print(stderr, "talentcast: --out {}: {}\n", args.out, error.what());
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace talentcast::cli
