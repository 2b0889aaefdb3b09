#pragma once
// `talentcast serve`: the planner's what-if page, served by the talentcast process itself
// (docs/serve.md). The executable adds it to the command line (app/talentcast.cpp).

#include "cli.hpp"

namespace talentcast::serve {

/// The `serve` subcommand: its flags and help, and what runs it.
cli::Subcommand subcommand();

}  // namespace talentcast::serve
