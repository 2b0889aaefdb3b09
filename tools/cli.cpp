#include "cli.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "talentcast/core/engine.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli {

int main(int argc, char** argv) {
  CLI::App app{
      "talentcast: Monte Carlo forecasts of AI talent supply, demand and salary bands.\n"
      "A scenario file (TOML, docs/scenario-format.md) describes roles, graduates, hiring events\n"
      "and uncertainty; `run` simulates many paths and writes forecast distributions of the\n"
      "supply-demand ratio (candidates per opening), openings, hires, employment and salaries.",
      "talentcast"};
  app.set_version_flag("--version", fmt::format("talentcast {} (commit {})", kVersion, kGitCommit),
                       "Print the version and the git commit of this build, then exit");
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  talentcast validate scenarios/china-ai-2024.toml\n"
      "  talentcast run scenarios/china-ai-2024.toml --paths 20000 --out out/flagship\n"
      "  talentcast run scenarios/china-ai-hiring-freeze.toml --central\n"
      "  talentcast replay scenarios/china-ai-2024.toml --path 17\n"
      "Exit codes: 0 success, 2 bad input (every problem is listed, nothing is written),\n"
      "130 interrupted (nothing is written), 1 internal error.");

  RunArgs run;
  auto* run_cmd = app.add_subcommand(
      "run",
      "Simulate a scenario and write DIR/forecast.csv, DIR/forecast.json and DIR/manifest.json");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required();
  run_cmd
      ->add_option("--paths,-n", run.paths,
                   "Monte Carlo paths (default: the scenario's `paths`). The standard error of "
                   "a mean falls as 1/sqrt(paths)")
      ->check(CLI::Range(std::uint64_t{1}, core::kMaxPaths));
  run_cmd->add_option("--seed,-s", run.seed,
                      "Random seed (default: the scenario's `seed`); the same seed and paths give "
                      "byte-identical forecasts on any number of threads");
  run_cmd->add_option("--threads,-j", run.threads, "Worker threads; 0 uses every core")
      ->default_val(0)
      ->check(CLI::Range(0, 1024));
  run_cmd->add_option("--out,-o", run.out,
                      "Output directory, created if missing; existing files in it are replaced "
                      "(default: out/<scenario name>)");
  run_cmd->add_flag("--central", run.central,
                    "Run the central projection instead: one path with every distribution at its "
                    "median, no shocks and no regime switches");
  run_cmd->add_flag("--quiet,-q", run.quiet, "No progress bar and no summary table");

  std::string validate_scenario;
  auto* validate_cmd = app.add_subcommand(
      "validate",
      "Check a scenario file and list every problem with file:line:column; exit 2 if any");
  validate_cmd->add_option("scenario", validate_scenario, "Scenario file (TOML)")->required();

  ReplayArgs replay;
  auto* replay_cmd = app.add_subcommand(
      "replay",
      "Print the full trajectory of one path as CSV (role,period,metric,value): the same values "
      "that path has inside a run with the same seed");
  replay_cmd->add_option("scenario", replay.scenario, "Scenario file (TOML)")->required();
  replay_cmd->add_option("--path,-p", replay.path, "Index of the path to replay (0-based)")
      ->required()
      ->check(CLI::Range(std::uint64_t{0}, core::kMaxPaths - 1));
  replay_cmd->add_option("--seed,-s", replay.seed, "Random seed (default: the scenario's `seed`)");
  replay_cmd->add_flag("--central", replay.central, "Replay the central projection instead");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }

  try {
    if (*run_cmd) {
      for (int i = 0; i < argc; ++i) run.command_line += (i ? " " : "") + std::string(argv[i]);
      return run_command(run);
    }
    if (*validate_cmd) return validate_command(validate_scenario);
    if (*replay_cmd) return replay_command(replay);
  } catch (const std::exception& e) {
    fmt::print(stderr, "talentcast: internal error: {}\n", e.what());
    return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace talentcast::cli
