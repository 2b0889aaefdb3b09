#include "cli.hpp"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <limits>

#include "cli_commands.hpp"
#include "talentcast/core/engine.hpp"
#include "talentcast/core/libm.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/version.hpp"
#include "test_hooks.hpp"

namespace talentcast::cli {

namespace {

// The command line as typed, for manifests.
std::string command_line(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

// main() starts the program again for --portable-math as written alone; any other way of giving
// it must not run the default maths unnoticed.
void check_portable_math(bool portable_math) {
  if (!portable_math || core::libm_is_baseline()) return;
  throw io::UserError(fmt::format(
      "--portable-math: glibc still runs {}; give the flag as --portable-math, with no value",
      core::libm_variant()));
}

}  // namespace

int main(int argc, char** argv, std::span<const Subcommand> more) {
  CLI::App app{"", "talentcast"};
  bool portable_math = false;
  describe(app, portable_math);

  RunArgs run;
  auto* run_cmd = add_run(app, run);
  std::string validate_scenario;
  auto* validate_cmd = add_validate(app, validate_scenario);
  ReplayArgs replay;
  auto* replay_cmd = add_replay(app, replay);
  BenchmarkArgs bench;
  auto* bench_cmd = add_bench(app, bench);
  SweepArgs sweep;
  auto* sweep_cmd = add_sweep(app, sweep);
  SensitivityArgs sensitivity;
  auto* sensitivity_cmd = add_sensitivity(app, sensitivity);
  CompareArgs compare;
  auto* compare_cmd = add_compare(app, compare);
  ReproduceArgs reproduce;
  auto* reproduce_cmd = add_reproduce(app, reproduce);
  ReportArgs report;
  auto* report_cmd = add_report(app, report);
  ExportArgs export_args;
  auto* export_cmd = add_export(app, export_args);

  std::vector<std::pair<CLI::App*, std::function<int()>>> added;
  for (const Subcommand& command : more) added.push_back(command.add(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are CLI11's successes (exit 0); any other is a bad flag.
    return app.exit(e) == 0 ? kExitOk : kExitBadInput;
  }

  // Every error of a command ends here, told and given its exit code in one place.
  try {
    check_portable_math(portable_math);
    check_test_hooks();
    // Under mpirun, `run` and `sweep` spread their work over the ranks (docs/mpi.md); any other
    // command runs once, on rank 0.
    const core::mpi::Session& session = core::mpi::Session::world();
    if (session.distributed() && !*run_cmd && !*sweep_cmd && !session.root()) return kExitOk;
    if (*run_cmd) {
      run.command_line = command_line(argc, argv);
      return run_command(run);
    }
    if (*validate_cmd) return validate_command(validate_scenario);
    if (*replay_cmd) return replay_command(replay);
    if (*sensitivity_cmd) return sensitivity_command(sensitivity);
    if (*export_cmd) return export_command(export_args);
    if (*compare_cmd) {
      compare.command_line = command_line(argc, argv);
      return compare_command(compare);
    }
    if (*report_cmd) return report_command(report);
    if (*reproduce_cmd) {
      reproduce.command_line = command_line(argc, argv);
      return reproduce_command(reproduce);
    }
    if (*sweep_cmd) {
      sweep.command_line = command_line(argc, argv);
      return sweep_command(sweep);
    }
    if (*bench_cmd) {
      bench.command_line = command_line(argc, argv);
      return benchmark_command(bench);
    }
    for (const auto& [command, run_it] : added) {
      if (*command) return run_it();
    }
    throw std::logic_error("no subcommand ran, though CLI11 requires one");
  } catch (...) {
    return report_error(std::current_exception());
  }
}

}  // namespace talentcast::cli
