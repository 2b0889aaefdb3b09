// `talentcast compare BASE WHATIF`: a what-if against its base on common random numbers
// (docs/compare.md).

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <tuple>

#include "chart.hpp"
#include "cli.hpp"
#include "comparison_page.hpp"
#include "html.hpp"
#include "interrupt.hpp"
#include "number_text.hpp"
#include "outputs.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/progress.hpp"
#include "talentcast/formats/comparison.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/models/labour_market.hpp"
#include "talentcast/studies/compare.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli {

namespace {

// Whether a file's first bytes are those of comparison.csv or .json (docs/compare.md), which
// --out may replace.
bool is_comparison(std::string_view head) {
  return head.starts_with("role,period,metric,quantity,") ||
         head.starts_with("{\n \"format\": \"talentcast-comparison-1\",");
}

// The key outputs of one period: each role's ratio and median salary, and the total ratio.
std::string comparison_table(const models::Scenario& base, const models::Scenario& whatif,
                             const studies::Comparison& comparison, const std::string& period,
                             std::uint64_t seed) {
  std::string out = fmt::format(
      "{}\nagainst {}\n{} paths on common random numbers (seed {}); difference = what-if minus "
      "base, path by path;\nmedian [80% interval] over paths. gain: how many times more paths "
      "two separate runs would need\nfor the same standard error of the mean difference, "
      "(sd_base^2 + sd_whatif^2) / sd_difference^2\n\nperiod {}{}; ratio = candidates per "
      "opening; salary in {} per {}\n\n",
      whatif.title, base.title, comparison.paths_done, seed, period,
      period == base.period_label(base.periods() - 1) ? " (the last; --period for another)" : "",
      base.currency, base.salary_unit_name());
  const auto* rows = &comparison.rows;
  std::size_t width = 6;
  for (const auto& row : *rows) {
    if (row.role.find('/') == std::string::npos) width = std::max(width, row.role.size() + 2);
  }
  out += fmt::format("{:<{}}{:<15}{:>12}{:>12}   {:<34}{:>10}\n", "role", width, "metric", "base",
                     "what-if", "difference", "gain");
  for (std::size_t i = 0; i + 2 < rows->size(); ++i) {
    const auto& b = (*rows)[i];
    if (b.quantity != formats::Quantity::base || b.period != period) continue;
    if (b.role.find('/') != std::string::npos) continue;  // levels: in the csv
    if (b.metric != "ratio" && b.metric != "salary_median") continue;
    const auto& w = (*rows)[i + 1];
    const auto& d = (*rows)[i + 2];
    const auto& ds = d.summary;
    const double separate = b.summary.sd * b.summary.sd + w.summary.sd * w.summary.sd;
    // A difference whose spread is rounding alone is exact.
    const std::string gain = ds.sd > 1e-9 * std::sqrt(separate)
                                 ? fmt::format("{:.0f}x", separate / (ds.sd * ds.sd))
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

// Loads both scenarios; when both are bad, the base's problems are told before the what-if's.
std::pair<models::Scenario, models::Scenario> load_both(const CompareArgs& args) {
  std::optional<models::Scenario> base, whatif;
  std::exception_ptr base_error;
  try {
    base = load_scenario_for_command(args.base);
  } catch (const io::UserError&) {
    base_error = std::current_exception();
  }
  try {
    whatif = load_scenario_for_command(args.whatif);
  } catch (const io::UserError&) {
    if (base_error) report_error(base_error);
    throw;
  }
  if (base_error) std::rethrow_exception(base_error);
  return {std::move(*base), std::move(*whatif)};
}

// Every problem of the flags against the scenarios, at once; the period compared.
std::string checked_period(const CompareArgs& args, const models::Scenario& base,
                           const models::Scenario& whatif) {
  std::vector<std::string> problems;
  for (const std::string& problem : studies::comparison_problems(base, whatif)) {
    problems.push_back(fmt::format("{}: {}", args.whatif, problem));
  }
  std::string period = args.period;
  if (period.empty()) period = base.period_label(base.periods() - 1);
  bool known = false;
  for (int t = 0; t < base.periods(); ++t) known = known || base.period_label(t) == period;
  if (!known) {
    problems.push_back(
        fmt::format("--period: expected a period label of the base ({} to {}), found '{}'",
                    base.period_label(0), base.period_label(base.periods() - 1), period));
  }
  if (!args.out.empty() && args.format == "table") {
    problems.emplace_back("--out: expected --format csv or json with it, found table");
  }
  if (const auto found = args.out.empty() ? std::nullopt : foreign_file(args.out, is_comparison)) {
    problems.push_back(fmt::format(
        "--out {}: expected a new file or a comparison talentcast wrote (csv or json), found {}",
        args.out, *found));
  }
  if (const auto found =
          args.report.empty() ? std::nullopt : foreign_file(args.report, is_talentcast_page)) {
    problems.push_back(
        fmt::format("--report {}: expected a new file or a report talentcast wrote, found {}",
                    args.report, *found));
  }
  if (!problems.empty()) throw io::UserError(std::move(problems));
  return period;
}

// What was written: after the table on standard output, or on standard error when standard
// output carries the csv or json.
void tell_written(const CompareArgs& args, const OutputFiles& files) {
  std::vector<std::string> names;
  std::size_t charts = 0;
  for (const auto& [path, contents] : files) {
    if (path.parent_path().filename() == "charts") {
      charts += path.extension() == ".png" ? 1 : 0;  // each chart is an SVG and a PNG
    } else {
      names.push_back(path.string());
    }
  }
  if (charts > 0) {
    names.push_back(
        fmt::format("{} charts (SVG and PNG) in {}", charts,
                    (std::filesystem::path(args.report).parent_path() / "charts").string()));
  }
  fmt::print(args.format == "table" ? stdout : stderr, "{}wrote {}\n",
             args.format == "table" ? "\n" : "", fmt::join(names, ", "));
}

}  // namespace

int compare_command(const CompareArgs& args) {
  const auto [base, whatif] = load_both(args);
  const std::string period = checked_period(args, base, whatif);

  studies::ForecastSettings settings = studies::default_settings(base);
  if (args.paths) settings.paths = *args.paths;
  if (args.seed) settings.seed = *args.seed;
  settings.threads = args.threads;
  InterruptGuard guard;
  settings.stop = &guard.flag();
  core::ProgressBar progress(settings.paths, "paths", !args.quiet);
  settings.on_progress = [&](std::uint64_t done) { progress.update(done); };
  studies::Comparison comparison;
  simulate(progress, [&] { comparison = studies::run_comparison(base, whatif, settings); });
  if (comparison.interrupted) {
    throw Interrupted(fmt::format("interrupted after {} of {} paths; nothing was written",
                                  comparison.paths_done, settings.paths));
  }
  // The report and --out are written together, atomically: both or neither.
  OutputFiles files;
  const std::string text = args.format == "csv"    ? formats::comparison_csv(comparison.rows)
                           : args.format == "json" ? formats::comparison_json(comparison.rows)
                                                   : std::string();
  if (!args.report.empty()) {
    files = comparison_page(args, base, whatif, comparison, settings.seed, period);
    refuse_report_conflicts(files, args.report, "--report " + args.report);
  }
  if (!args.out.empty()) files.emplace_back(args.out, text);
  if (!files.empty()) write_outputs(files, guard.flag());
  if (args.format == "table") {
    fmt::print("{}", comparison_table(base, whatif, comparison, period, settings.seed));
  } else if (args.out.empty()) {
    fmt::print("{}", text);
  }
  if (!files.empty()) tell_written(args, files);
  return kExitOk;
}

}  // namespace talentcast::cli
