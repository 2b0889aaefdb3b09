// `talentcast calibrate` (docs/calibration.md): a role's parameters estimated from its history,
// written as a variant of a base scenario.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli_commands.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "outputs.hpp"
#include "talentcast/config/scenario_document.hpp"
#include "talentcast/evaluation/commands.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/studies/calibration.hpp"
#include "talentcast/studies/toml_values.hpp"

namespace talentcast::evaluation {

namespace {

// The first line of every variant calibrate writes: how --out recognises its own earlier files.
constexpr std::string_view kMarker = "# talentcast calibrate:";

struct CalibrateArgs {
  std::string history;
  std::string role;
  std::string base;
  int through = 0;
  std::optional<int> since;
  std::optional<int> horizon;
  std::vector<std::string> breaks;
  std::string balance;
  std::string out;
  bool quiet = false;
};

// Gathers the problems of several steps so that all are told at once.
struct Problems {
  std::vector<std::string> sentences;
  std::vector<io::Diagnostic> diagnostics;
  void add(const io::UserError& e) {
    sentences.insert(sentences.end(), e.problems().begin(), e.problems().end());
    diagnostics.insert(diagnostics.end(), e.diagnostics().begin(), e.diagnostics().end());
  }
  void throw_if_any() const {
    if (sentences.empty() && diagnostics.empty()) return;
    io::UserError error(sentences);
    error.add(diagnostics);
    const std::size_t n = sentences.size() + diagnostics.size();
    throw error.summarize(
        fmt::format("calibrate: {} error{}; nothing was written", n, n == 1 ? "" : "s"));
  }
};

std::string header(const CalibrateArgs& a, const config::History& history) {
  std::string command = fmt::format("talentcast calibrate {} --role {} --base {} --through {}",
                                    a.history, a.role, a.base, a.through);
  if (a.since) command += fmt::format(" --since {}", *a.since);
  if (a.horizon) command += fmt::format(" --horizon {}", *a.horizon);
  for (const auto& b : a.breaks) command += fmt::format(" --break {}", b);
  if (!a.balance.empty()) command += fmt::format(" --balance {}", a.balance);
  command += fmt::format(" --out {}", a.out);
  return fmt::format(
      "{} role {} of {} calibrated to {} through {} (docs/calibration.md).\n"
      "# Each value says which rows and which estimator it came from; estimates are normal\n"
      "# distributions with their standard errors. Everything else comes from the base.\n"
      "# Made by:\n#   {}\n# history sha256: {}\n\n",
      kMarker, a.role, a.base, a.history, a.through, command, history.sha256);
}

void print_summary(const studies::Calibration& c, const CalibrateArgs& a) {
  const auto row = [](const char* what, studies::Estimate e, const char* unit) {
    fmt::print("  {:<24} {:>10.4f}  (se {:.4f}) {}\n", what, e.value, e.se, unit);
  };
  fmt::print("{}: {} from {} through {} ({} changes of employment, {} of the median salary)\n",
             a.out, a.role, a.history, a.through, c.employment.changes, c.median.changes);
  row("demand_growth", c.demand_growth, "per year");
  row("demand_vol", c.demand_vol, "per sqrt(year)");
  row("wage_drift", c.wage_drift, "per year");
  row("wage_vol", c.wage_vol, "per sqrt(year)");
  if (c.band_sigma) row("band_sigma", *c.band_sigma, "log-sd");
  fmt::print("  start {}: employed {}, salary {}\n", c.start,
             studies::toml_number(c.start_employment), studies::toml_number(c.start_salary));
}

int run(const CalibrateArgs& a) {
  Problems problems;
  std::vector<config::SeriesBreak> breaks;
  for (const auto& text : a.breaks) {
    try {
      breaks.push_back(config::parse_break(text));
    } catch (const io::UserError& e) {
      problems.add(e);
    }
  }
  if (a.since && *a.since >= a.through) {
    problems.sentences.push_back(
        fmt::format("--since {}: expected a year before --through ({})", *a.since, a.through));
  }
  if (const auto found = cli::foreign_file(
          a.out, [](std::string_view head) { return head.starts_with(kMarker); })) {
    problems.sentences.push_back(fmt::format(
        "--out {}: expected a new file or a variant talentcast calibrate wrote, found {}", a.out,
        *found));
  }
  std::optional<config::History> history;
  std::optional<config::ScenarioDocument> base;
  try {
    history.emplace(config::load_history(a.history));
  } catch (const io::UserError& e) {
    problems.add(e);
  }
  try {
    base.emplace(a.base);
    std::vector<std::string> roles;
    for (const auto& role : base->scenario().roles) roles.push_back(role.name);
    if (std::find(roles.begin(), roles.end(), a.role) == roles.end()) {
      problems.sentences.push_back(fmt::format("--role {}: {} has no such role{} (its roles: {})",
                                               a.role, a.base, io::did_you_mean(a.role, roles),
                                               fmt::join(roles, ", ")));
    }
  } catch (const io::UserError& e) {
    problems.add(e);
    base.reset();
  }
  problems.throw_if_any();
  studies::CalibrationOptions options;
  options.role = a.role;
  options.through = a.through;
  options.since = a.since;
  options.horizon_years = a.horizon;
  options.breaks = breaks;
  options.balance = a.balance;
  options.history_name = a.history;
  std::optional<studies::Calibration> calibration;
  try {
    calibration.emplace(studies::calibrate(*history, *base, options));
  } catch (const io::UserError& e) {
    problems.add(e);
  }
  problems.throw_if_any();
  // `extends` is relative to the variant's own folder, so the two move together.
  const std::filesystem::path out_dir =
      std::filesystem::absolute(a.out).parent_path().lexically_normal();
  const std::string extends =
      std::filesystem::absolute(a.base).lexically_normal().lexically_relative(out_dir).string();
  const std::string text = studies::calibration_variant(*calibration, extends, header(a, *history));
  cli::InterruptGuard guard;
  cli::write_outputs({{a.out, text}}, guard.flag());
  if (!a.quiet) print_summary(*calibration, a);
  return cli::kExitOk;
}

}  // namespace

cli::Subcommand calibrate_subcommand() {
  return {[](CLI::App& app) -> std::pair<CLI::App*, std::function<int()>> {
    auto a = std::make_shared<CalibrateArgs>();
    auto* cmd = app.add_subcommand(
        "calibrate",
        "Estimate a role's demand growth and volatility, wage drift and volatility, salary band "
        "and start values from its annual history up to a year, with their estimation "
        "uncertainty as distributions, and write them as a variant of a base scenario, each "
        "value with the rows and the estimator it came from (docs/calibration.md)");
    cmd->add_option("history", a->history,
                    "History file (CSV: year, employment, median, source, optional month, p10, "
                    "p25, p75, p90, graduates; docs/calibration.md)")
        ->required();
    cmd->add_option("--role,-r", a->role, "The base's role the history observes")->required();
    cmd->add_option("--base,-b", a->base, "Base scenario (TOML) the variant extends")->required();
    cmd->add_option("--through,-t", a->through,
                    "Last year used; the forecast starts the month after its observations")
        ->required()
        ->check(CLI::Range(1900, 2200));
    cmd->add_option("--since", a->since, "First year used (default: the history's first)")
        ->check(CLI::Range(1900, 2200));
    cmd->add_option("--horizon", a->horizon, "Years to forecast (default: the base's)")
        ->check(CLI::Range(1, 100));
    cmd->add_option("--break", a->breaks,
                    "A break in a series, YEAR:SERIES:ACTION (2021:median:adjust: the series is "
                    "measured anew from 2021; 2020:both:skip: 2020 is not used); repeatable");
    cmd->add_option("--balance", a->balance,
                    "Set this inflow (switcher_inflow or overseas_inflow) so that the market "
                    "holds its start ratio as demand grows at the calibrated rate, instead of "
                    "scaling it with employment");
    cmd->add_option("--out,-o", a->out,
                    "The variant to write (new, or one calibrate wrote; atomically)")
        ->required();
    cmd->add_flag("--quiet,-q", a->quiet, "Print nothing but errors");
    cmd->footer(cli::examples(
        {"talentcast calibrate data/history/us-15-0000.csv --role computer_math "
         "--base scenarios/us-computer-math.toml --through 2019 --out out/us-2019.toml",
         "talentcast run out/us-2019.toml --out out/us-2019",
         "talentcast calibrate data/history/us-15-0000.csv -r computer_math "
         "-b scenarios/us-computer-math.toml -t 2024 --break 2021:median:adjust -o out/us.toml"},
        "The variant's estimates are normal distributions whose sd is the estimate's standard\n"
        "error, so each path draws its own parameters: forecasts carry the estimation\n"
        "uncertainty. Other headcounts of the role (openings, candidates, inflows) keep their\n"
        "proportion to employment."));
    return {cmd, [a] { return run(*a); }};
  }};
}

}  // namespace talentcast::evaluation
