#pragma once
// The command line's subcommands (cli_commands.cpp): each adds its flags to the app, bound to
// its arguments, with its help and examples; cli::main parses and runs the one given.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "cli.hpp"

namespace talentcast::cli {

CLI::App* add_run(CLI::App& app, RunArgs& run);
CLI::App* add_validate(CLI::App& app, std::string& validate_scenario);
CLI::App* add_replay(CLI::App& app, ReplayArgs& replay);
CLI::App* add_bench(CLI::App& app, BenchmarkArgs& bench);
CLI::App* add_sweep(CLI::App& app, SweepArgs& sweep);
CLI::App* add_sensitivity(CLI::App& app, SensitivityArgs& sensitivity);
CLI::App* add_compare(CLI::App& app, CompareArgs& compare);
CLI::App* add_reproduce(CLI::App& app, ReproduceArgs& reproduce);
CLI::App* add_report(CLI::App& app, ReportArgs& report);
CLI::App* add_export(CLI::App& app, ExportArgs& export_args);
/// An integer flag's check: digits only, within [min, max].
CLI::Validator integer_in(std::uint64_t min, std::uint64_t max);
/// A subcommand's footer: its examples, then a note, then the exit codes.
std::string examples(std::initializer_list<std::string_view> lines, std::string_view note = {});

/// The command itself: its description, version, global options and footer.
void describe(CLI::App& app, bool& portable_math);

}  // namespace talentcast::cli
