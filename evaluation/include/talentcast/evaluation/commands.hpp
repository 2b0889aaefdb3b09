#pragma once
// `talentcast calibrate` (docs/calibration.md) and `talentcast backtest` (docs/backtest.md):
// estimating a role's parameters from its history, and scoring forecasts made from past origins
// against what happened. The executable adds them to the command line (app/talentcast.cpp).

#include "cli.hpp"

namespace talentcast::evaluation {

/// The `calibrate` subcommand: its flags and help, and what runs it.
cli::Subcommand calibrate_subcommand();

/// The `backtest` subcommand.
cli::Subcommand backtest_subcommand();

}  // namespace talentcast::evaluation
