#pragma once
// `talentcast calibrate` (docs/calibration.md) and `talentcast backtest` (docs/backtest.md):
// estimating a role's parameters from its history, and scoring forecasts made from past origins
// against what happened. The executable adds them to the command line (app/talentcast.cpp).

#include <string>
#include <vector>

#include "cli.hpp"
#include "talentcast/config/history.hpp"

namespace talentcast::evaluation {

/// The `calibrate` subcommand: its flags and help, and what runs it.
cli::Subcommand calibrate_subcommand();

/// The `backtest` subcommand.
cli::Subcommand backtest_subcommand();

/// A break as the command line writes it, "YEAR:SERIES:ACTION" ("2021:median:adjust"; SERIES
/// employment, median or both; ACTION skip or adjust). Throws io::UserError naming the flag.
config::SeriesBreak parse_break(const std::string& text);

}  // namespace talentcast::evaluation
