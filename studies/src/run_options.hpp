#pragma once
// Internal to studies: what every study passes from its settings to the engine.

#include "talentcast/core/engine.hpp"
#include "talentcast/studies/forecast.hpp"

namespace talentcast::studies::detail {

/// The engine's options for settings.paths paths on settings.threads threads, with the
/// settings' progress callback and stop flag; one process (the caller adds a session).
inline core::RunOptions run_options(const ForecastSettings& settings) {
  core::RunOptions options;
  options.paths = settings.paths;
  options.threads = settings.threads;
  options.on_progress = settings.on_progress;
  options.stop = settings.stop;
  return options;
}

}  // namespace talentcast::studies::detail
