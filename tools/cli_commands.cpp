// The command line's subcommands and their flags, with the help that teaches them (docs/cli.md).
#include "cli_commands.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <limits>

#include "talentcast/core/engine.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli {

// An integer flag: digits only, within [min, max]. (CLI11's Range answers "1e3" or "abc" with
// "not in range", and a seed of 1e3 with "Could not convert".)
CLI::Validator integer_in(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (!text.empty() && error == std::errc() && end == text.data() + text.size() &&
            value >= min && value <= max) {
          return {};
        }
        return fmt::format("expected an integer from {} to {}, found '{}'", min, max, text);
      },
      fmt::format("INT in [{} - {}]", min, max));
}

constexpr std::uint64_t kMaxSeed = std::numeric_limits<std::uint64_t>::max();

constexpr std::string_view kExitCodes =
    "Exit codes: 0 success, 2 bad input (every problem is listed, nothing is written),\n"
    "130 interrupted (nothing is written), 1 internal error, 3 (reproduce) results differ.";

// A subcommand's own footer: its examples, then the exit codes (CLI11 would show the main
// command's footer otherwise).
std::string examples(std::initializer_list<std::string_view> lines, std::string_view note) {
  std::string text = "Examples:\n";
  for (const auto line : lines) text += fmt::format("  {}\n", line);
  if (!note.empty()) text += fmt::format("{}\n", note);
  return text + std::string(kExitCodes);
}

CLI::App* add_run(CLI::App& app, RunArgs& run) {
  auto* cmd = app.add_subcommand(
      "run",
      "Simulate a scenario and write DIR/forecast.csv and DIR/forecast.json (the forecast "
      "distributions), DIR/bands.json and DIR/bands.bin (the band store `benchmark` reads) and "
      "DIR/manifest.json (what reproduces the run); docs/output-formats.md");
  cmd->footer(
      examples({"talentcast run scenarios/china-ai-2024.toml --out out/flagship",
                "talentcast run scenarios/china-ai-hiring-freeze.toml --paths 50000 --seed 7 --out "
                "out/freeze",
                "talentcast run scenarios/china-ai-2024.toml --central --out out/central",
                "talentcast run scenarios/china-ai-2024.toml --target-mcse 0.5% --out out/precise"},
               "The same scenario, seed and paths give byte-identical files for any --threads."));
  cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required();
  cmd->add_option("--paths,-n", run.paths,
                  "Monte Carlo paths (default: the scenario's `paths`). The standard error of "
                  "a mean falls as 1/sqrt(paths)")
      ->check(integer_in(1, core::kMaxPaths));
  cmd->add_option("--seed,-s", run.seed,
                  "Random seed (default: the scenario's `seed`); the same seed and paths give "
                  "byte-identical forecasts on any number of threads")
      ->check(integer_in(0, kMaxSeed));
  cmd->add_option("--threads,-j", run.threads, "Worker threads; 0 uses every core")
      ->default_val(0)
      ->check(integer_in(0, 1024));
  cmd->add_option("--out,-o", run.out,
                  "Output directory: new (created), empty, or an earlier run's, whose "
                  "outputs are replaced; any other is refused (default: out/<scenario name>)");
  cmd->add_flag("--central", run.central,
                "Run the central projection instead: one path with every distribution at its "
                "median, no shocks and no regime switches");
  cmd->add_flag("--quiet,-q", run.quiet, "No progress bar and no summary table");
  cmd->add_option("--band-samples", run.band_samples,
                  "Paths whose salary bands are kept in DIR/bands.json and bands.bin for "
                  "`talentcast benchmark` (the first N paths; 0: none). Its size does not grow "
                  "with --paths")
      ->default_val(1000)
      ->check(integer_in(0, 100000));
  auto* target_mcse =
      cmd->add_option("--target-mcse", run.target_mcse,
                      "Add paths until every watched output's Monte Carlo standard error is at "
                      "most this share of its mean (e.g. 0.5%), or --max-paths is reached. "
                      "Watched: --target-metrics of every series in the last period. Checked at "
                      "whole chunks of 16,384 paths (the next checkpoint projected from the "
                      "precision so far), so the same inputs stop at the same count")
          ->check([](const std::string& text) -> std::string {
            return parse_share(text) ? "" : "expected a share above 0 and below 100%, like 0.5%";
          });
  cmd->add_option("--target-metrics", run.target_metrics,
                  "Metrics --target-mcse watches (comma-separated; default ratio,salary_median)")
      ->delimiter(',')
      ->needs(target_mcse);
  cmd->add_option("--max-paths", run.max_paths, "The most paths --target-mcse may run")
      ->default_val(1000000)
      ->check(integer_in(1, core::kMaxPaths))
      ->needs(target_mcse);
  return cmd;
}

CLI::App* add_validate(CLI::App& app, std::string& validate_scenario) {
  auto* cmd = app.add_subcommand(
      "validate",
      "Check a scenario file and list every problem with file:line:column; exit 2 if any");
  cmd->add_option("scenario", validate_scenario, "Scenario file (TOML)")->required();
  cmd->footer(examples({"talentcast validate scenarios/china-ai-2024.toml",
                        "talentcast validate tests/data/invalid/unknown_role.toml"},
                       "Each problem is one line: file:line:column: key: expected "
                       "..., found ..."));
  return cmd;
}

CLI::App* add_replay(CLI::App& app, ReplayArgs& replay) {
  auto* cmd = app.add_subcommand(
      "replay",
      "Print the full trajectory of one path as CSV (role,period,metric,value): the same values "
      "that path has inside a run with the same seed");
  cmd->add_option("scenario", replay.scenario, "Scenario file (TOML)")->required();
  cmd->add_option("--path,-p", replay.path, "Index of the path to replay (0-based)")
      ->required()
      ->check(integer_in(0, core::kMaxPaths - 1));
  cmd->add_option("--seed,-s", replay.seed, "Random seed (default: the scenario's `seed`)")
      ->check(integer_in(0, kMaxSeed));
  cmd->add_flag("--central", replay.central, "Replay the central projection instead");
  cmd->footer(
      examples({"talentcast replay scenarios/china-ai-2024.toml --path 17",
                "talentcast replay scenarios/china-ai-2024.toml --path 17 --seed 7 > path17.csv",
                "talentcast replay scenarios/china-ai-2024.toml --path 0 --central"}));
  return cmd;
}

CLI::App* add_bench(CLI::App& app, BenchmarkArgs& bench) {
  auto* cmd = app.add_subcommand(
      "benchmark",
      "Benchmark a salary (--salary) or a whole payroll (--payroll) against the forecast market "
      "bands of a run: percentiles now and later, with 80% intervals across paths");
  cmd->add_option("run_dir", bench.run_dir, "Output directory of `talentcast run`")->required();
  cmd->add_option("--role,-r", bench.role, "Role of the salary, as named in the scenario");
  cmd->add_option("--level,-l", bench.level,
                  "Level of the role (when the scenario declares levels); default: the "
                  "role's whole band");
  cmd->add_option("--salary,-x", bench.salary,
                  "The salary to benchmark, in the scenario's currency per salary_unit: a "
                  "decimal number from 0.01 to 1e9, the rule of payroll files");
  cmd->add_option("--period,-p", bench.periods,
                  "A period of the run: its label (2026-Q3), or a year or month, meaning "
                  "the period holding its last month (2026 is 2026-Q4 on a quarterly run); "
                  "`all` for every period. Repeatable. Default: the first period");
  cmd->add_option("--payroll", bench.payroll,
                  "Benchmark a payroll: a CSV with columns employee_id,role,salary and "
                  "optionally level. Writes DIR/employees.csv, DIR/summary.csv and "
                  "DIR/manifest.json; the payroll file is only read");
  cmd->add_option("--now", bench.now, "Payroll: the period of \"now\" (default: the first)");
  cmd->add_option("--horizon", bench.horizon,
                  "Payroll: the later period, pay staying as it is (default: 12 months "
                  "after --now, or the last period)");
  cmd->add_option("--out,-o", bench.out,
                  "Payroll: output directory, new, empty or an earlier payroll "
                  "benchmark's (default: out/benchmark-<payroll name>)");
  cmd->add_option("--format,-f", bench.format, "Output on stdout: table, csv or json")
      ->default_val("table")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--threads,-j", bench.threads, "Worker threads; 0 uses every core")
      ->default_val(0)
      ->check(integer_in(0, 1024));
  cmd->footer(examples(
      {"talentcast benchmark out/flagship --role llm_algorithm --salary 60000",
       "talentcast benchmark out/flagship --role llm_algorithm --level senior --salary 60000 "
       "--period 2024-Q1 --period 2026",
       "talentcast benchmark out/flagship --role cloud_computing --salary 40000 --period all -f "
       "csv",
       "talentcast benchmark out/flagship --payroll examples/payroll/lanting-ai.csv --horizon "
       "2026"},
      "(out/flagship: talentcast run scenarios/china-ai-2024.toml --out out/flagship)\n"
      "A salary's percentile is the mean over the run's sampled paths of the market band's\n"
      "lognormal CDF; [a, b] is its 80% interval across paths (docs/benchmarking.md)."));
  return cmd;
}

CLI::App* add_sweep(CLI::App& app, SweepArgs& sweep) {
  auto* cmd = app.add_subcommand(
      "sweep",
      "Run every point of a sweep file (a design over a scenario's parameters) into a SQLite "
      "database, committed as points finish (about once a second when they are fast): run it "
      "again to resume");
  cmd->add_option("sweep", sweep.sweep, "Sweep file (TOML, docs/sweeps.md)")->required();
  cmd->add_option("--db", sweep.db,
                  "Results database (SQLite), created if missing; a database of the same "
                  "sweep is resumed (default: out/<sweep name>.sqlite)");
  cmd->add_option("--threads,-j", sweep.threads,
                  "Points run at once, one thread each; 0 uses every core. The database is the "
                  "same for any number")
      ->default_val(0)
      ->check(integer_in(0, 1024));
  cmd->add_option("--metrics", sweep.metrics,
                  "Store only these metrics (comma-separated), for very large sweeps")
      ->delimiter(',');
  cmd->add_option("--periods", sweep.periods,
                  "Store only these periods (comma-separated labels, e.g. 2026-Q4,2030-Q4)")
      ->delimiter(',');
  cmd->add_flag("--quiet,-q", sweep.quiet, "No progress bar and no summary");
  cmd->footer(examples(
      {"talentcast sweep scenarios/sweep-flagship-lhs.toml --db out/lhs.sqlite",
       "talentcast sweep scenarios/sweep-flagship-saltelli.toml --db out/sobol.sqlite "
       "--metrics ratio,salary_median --periods 2030-Q4"},
      "Interrupted or killed, the same command resumes where it stopped (docs/sweeps.md)."));
  return cmd;
}

CLI::App* add_sensitivity(CLI::App& app, SensitivityArgs& sensitivity) {
  auto* cmd = app.add_subcommand(
      "sensitivity",
      "Sensitivity of sweep outputs to the swept parameters: Sobol first-order and total indices "
      "with bootstrap intervals (saltelli designs), Morris mu* and sigma (morris designs), and "
      "tornado data (any design)");
  cmd->add_option("--db", sensitivity.db, "The sweep's results database")->required();
  cmd->add_option("--output", sensitivity.outputs,
                  "metric:role:period:statistic, e.g. ratio:llm_algorithm:2030-Q4:p50 (period * "
                  "for every period; statistic mean, sd, p05 ... p95 or mcse); repeatable")
      ->required();
  cmd->add_option("--format,-f", sensitivity.format, "table, csv or json")
      ->default_val("table")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--resamples", sensitivity.resamples, "Bootstrap resamples")
      ->default_val(1000)
      ->check(integer_in(1, 100000));
  cmd->footer(examples(
      {"talentcast sensitivity --db out/lhs.sqlite --output ratio:llm_algorithm:2030-Q4:p50",
       "talentcast sensitivity --db out/sobol.sqlite --output salary_median:nlp:2030-Q4:mean "
       "--output ratio:total:*:p50 -f csv"},
      "(the databases: the examples of `talentcast sweep --help`)"));
  cmd->add_option("--charts", sensitivity.charts,
                  "Also write each output's tornado chart, and its Sobol chart "
                  "(saltelli designs), as SVG and PNG into this directory");
  return cmd;
}

CLI::App* add_compare(CLI::App& app, CompareArgs& compare) {
  auto* cmd = app.add_subcommand(
      "compare",
      "Run a what-if against its base on common random numbers (the same seed, paths and "
      "streams) and report the distribution of each path's difference, and of the ratio for "
      "salaries (docs/compare.md)");
  cmd->add_option("base", compare.base, "Base scenario (TOML)")->required();
  cmd->add_option("whatif", compare.whatif, "What-if scenario (TOML)")->required();
  cmd->add_option("--paths,-n", compare.paths, "Monte Carlo paths (default: the base's `paths`)")
      ->check(integer_in(1, core::kMaxPaths));
  cmd->add_option("--seed,-s", compare.seed, "Random seed (default: the base's `seed`)")
      ->check(integer_in(0, kMaxSeed));
  cmd->add_option("--threads,-j", compare.threads, "Worker threads; 0 uses every core")
      ->default_val(0)
      ->check(integer_in(0, 1024));
  cmd->add_option("--format,-f", compare.format,
                  "table (key outputs), or csv or json (every role, period, metric and "
                  "quantity: base, whatif, difference, ratio)")
      ->default_val("table")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--period", compare.period, "The table's period (default: the last)");
  cmd->add_option("--out,-o", compare.out,
                  "Write the csv or json to this file (new, or an earlier comparison; "
                  "atomically) instead of stdout");
  cmd->add_option("--report", compare.report,
                  "Also write an HTML report of the comparison (difference fan charts, "
                  "key numbers, how to reproduce), its charts in charts/ beside it");
  cmd->add_flag("--quiet,-q", compare.quiet, "No progress bar");
  cmd->footer(examples(
      {"talentcast compare scenarios/china-ai-2024.toml scenarios/china-ai-grad-expansion.toml",
       "talentcast compare scenarios/china-ai-2024.toml scenarios/china-ai-hiring-freeze.toml "
       "--period 2026-Q4 --paths 5000",
       "talentcast compare scenarios/china-ai-2024.toml scenarios/china-ai-boom-bust.toml "
       "-f csv --out out/boom-bust.csv --report out/boom-bust.html"},
      "The table shows --period (default: the last); csv and json hold every period."));
  return cmd;
}

CLI::App* add_reproduce(CLI::App& app, ReproduceArgs& reproduce) {
  auto* cmd = app.add_subcommand(
      "reproduce",
      "Rebuild a run from its manifest into DIR (the scenario files as recorded in it, the data "
      "files found by their SHA-256, in DIR/inputs), run it with the recorded seed and paths, "
      "and say whether forecast.csv has the recorded SHA-256: exit 0 if so, 3 if not");
  cmd->add_option("source", reproduce.source, "A run's manifest.json, or the run's directory")
      ->required();
  cmd->add_option("--out,-o", reproduce.out, "A new or empty directory for the run")->required();
  cmd->add_option("--data-dir", reproduce.data_dirs,
                  "Where else to look for the run's data files (salary_data), at "
                  "their recorded relative path or by name; repeatable. First: where "
                  "the run read them, relative to here");
  cmd->add_option("--threads,-j", reproduce.threads, "Worker threads; 0 uses every core")
      ->default_val(0)
      ->check(integer_in(0, 1024));
  cmd->add_flag("--quiet,-q", reproduce.quiet, "No progress bar and no summary");
  cmd->footer(examples(
      {"talentcast reproduce out/flagship --out out/flagship-again",
       "talentcast reproduce colleague/manifest.json --out out/check --data-dir colleague/data"},
      "The same build gives the same digest; another build may differ in the last bits (its\n"
      "commit is in the manifest). Exit 3: reproduced, but the results differ."));
  return cmd;
}

CLI::App* add_report(CLI::App& app, ReportArgs& report) {
  auto* cmd = app.add_subcommand(
      "report",
      "Write a run's forecast as one self-contained HTML file: fan charts of the ratio and the "
      "median salary per role, the probability of a shortage, salary bands, key numbers, the "
      "assumptions and how to cite and reproduce it (docs/report.md); each chart also as SVG "
      "and PNG");
  cmd->add_option("run_dir", report.run_dir, "Output directory of `talentcast run`")->required();
  cmd->add_option("--out,-o", report.out,
                  "The HTML file (default: RUN_DIR/report.html); charts go to charts/ "
                  "beside it");
  cmd->add_option("--band-periods", report.band_periods,
                  "Periods of the salary-band charts (comma-separated; default: the first, the "
                  "middle and the last)")
      ->delimiter(',');
  cmd->add_flag("--quiet,-q", report.quiet, "Print nothing on success");
  cmd->footer(examples(
      {"talentcast report out/flagship",
       "talentcast report out/flagship --out out/flagship-2026.html --band-periods 2026-Q4"},
      "(out/flagship: talentcast run scenarios/china-ai-2024.toml --out out/flagship)"));
  return cmd;
}

CLI::App* add_export(CLI::App& app, ExportArgs& export_args) {
  auto* cmd = app.add_subcommand(
      "export",
      "Write a sweep's results as tidy CSV (one row per point, role, period and metric, "
      "with the point's parameter values) for pandas, R or a spreadsheet");
  cmd->add_option("--db", export_args.db, "The sweep's results database")->required();
  cmd->add_option("--format", export_args.format, "csv")
      ->default_val("csv")
      ->check(CLI::IsMember({"csv"}));
  cmd->add_option("--out,-o", export_args.out,
                  "Output file, new or an earlier export (default: standard output)");
  cmd->add_option("--metrics", export_args.metrics,
                  "Only the rows of these metrics (comma-separated, as stored)")
      ->delimiter(',');
  cmd->add_option("--roles", export_args.roles,
                  "Only the rows of these roles (comma-separated: role, role/level or total)")
      ->delimiter(',');
  cmd->add_option("--periods", export_args.periods,
                  "Only the rows of these periods (comma-separated labels, e.g. 2030-Q4)")
      ->delimiter(',');
  cmd->add_option("--stats", export_args.stats,
                  "Only these statistics' columns, in this order (comma-separated: mean, sd, "
                  "p05, p10, p25, p50, p75, p90, p95, mcse)")
      ->delimiter(',');
  cmd->footer(examples(
      {"talentcast export --db out/lhs.sqlite --out out/lhs.csv",
       "talentcast export --db out/lhs.sqlite --metrics ratio --roles llm_algorithm,total "
       "--periods 2030-Q4 --stats p10,p50,p90 --out out/lhs-ratio.csv"},
      "(out/lhs.sqlite: talentcast sweep scenarios/sweep-flagship-lhs.toml --db out/lhs.sqlite)"));
  return cmd;
}

// The command itself: its description, version, global options and footer.
void describe(CLI::App& app, bool& portable_math) {
  app.description(

      "talentcast: Monte Carlo forecasts of AI talent supply, demand and salary bands.\n"
      "A scenario file (TOML, docs/scenario-format.md) describes roles, graduates, hiring events\n"
      "and uncertainty; `run` simulates many paths and writes forecast distributions of the\n"
      "supply-demand ratio (candidates per opening), openings, hires, employment and salaries.");
  app.set_version_flag("--version", fmt::format("talentcast {} (commit {})", kVersion, kGitCommit),
                       "Print the version and the git commit of this build, then exit");
  app.require_subcommand(1);
  // Acted on in main() before anything else runs (core/libm.hpp), and checked after parsing;
  // accepted before or after the command's name.
  app.add_flag("--portable-math", portable_math,
               "Run glibc's baseline (SSE2) maths, as every x86-64 machine can: a run then gives "
               "the same bits on any of them with the same glibc (docs/performance.md)")
      ->disable_flag_override();
  app.fallthrough();
  app.footer(
      "Examples (from the repository's root; each command's --help has more):\n"
      "  talentcast validate scenarios/china-ai-2024.toml\n"
      "  talentcast run scenarios/china-ai-2024.toml --out out/flagship\n"
      "  talentcast report out/flagship\n"
      "  talentcast benchmark out/flagship --role llm_algorithm --salary 60000\n"
      "  talentcast compare scenarios/china-ai-2024.toml scenarios/china-ai-grad-expansion.toml\n"
      "  talentcast sweep scenarios/sweep-flagship-lhs.toml --db out/lhs.sqlite\n"
      "  talentcast serve          (the what-if page in a browser)\n" +
      std::string(kExitCodes));
}

}  // namespace talentcast::cli
