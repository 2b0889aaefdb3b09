#pragma once
// Precision control (`--target-mcse`): the engine adds rounds of paths until the outputs a
// caller watches have small enough Monte Carlo standard errors (docs/cli.md, "Precision
// control"). The loop is the engine's (core::run); the rule for the next round is here.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "talentcast/core/accumulator.hpp"

namespace talentcast::core {

/// What an adaptive run aims at: every watched output's mcse at most `relative` of |mean|.
struct PrecisionTarget {
  double relative = 0.0;             ///< above 0
  std::vector<std::size_t> watched;  ///< outputs, by index
  std::uint64_t max_paths = 0;       ///< the most paths the run may take
};

/// What an adaptive run reached at its last checkpoint.
struct PrecisionReached {
  double target = 0.0;
  /// The largest mcse / |mean| of the watched outputs: infinite with fewer than 2 paths or at
  /// a mean of 0 (unless the standard error is 0 too: then 0).
  double reached = 0.0;
  std::optional<std::size_t> worst;  ///< the output with it (none while every one is 0)
  bool met = false;
};

/// The paths of an adaptive run's first round: `paths` rounded up to whole chunks
/// (kChunkPaths), at most max_paths. Every later checkpoint is on a chunk boundary too (or at
/// max_paths), so the same inputs stop at the same count for any thread count.
std::uint64_t first_checkpoint(const PrecisionTarget& target, std::uint64_t paths);

/// At a checkpoint of `paths` paths with every output's totals: what is reached, and the next
/// checkpoint. The standard error falls as 1/sqrt(paths), so the next aims 5% past the paths
/// that estimate needs, a chunk more at least, at most max_paths; a next checkpoint not above
/// `paths` (the target met, or max_paths reached) ends the run.
std::uint64_t next_checkpoint(const PrecisionTarget& target, std::uint64_t paths,
                              const std::vector<Moments>& totals, PrecisionReached& reached);

}  // namespace talentcast::core
