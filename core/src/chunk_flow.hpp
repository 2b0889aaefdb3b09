#pragma once
// Internal to the engine (engine.hpp): the chunks of a run flowing through this process's
// threads, shared by the local run (engine.cpp) and the distributed one (engine_mpi.cpp).

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <vector>

#include "talentcast/core/engine.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/quantile_sketch.hpp"

namespace talentcast::core::detail {

// Where this process's chunks come from and where they go: a local run takes them in order
// and merges them into its totals; a distributed one asks the farm and sends them to rank 0.
struct ChunkFlow {
  /// The next chunk to run, or nothing. From one thread at a time.
  std::function<std::optional<std::uint64_t>()> next;
  /// A chunk's moments (its blocks' merged in block order), in the order next() gave them.
  std::function<void(std::uint64_t chunk, const std::vector<Moments>& moments)> done;
  /// After each block is merged (local runs: progress).
  std::function<void(std::size_t paths)> block_done;
  /// Checked before each block (local runs); a distributed run stops only between chunks.
  const std::atomic<bool>* stop = nullptr;
  /// After the last chunk, before the sketches are passed on.
  std::function<void()> finished;
  /// Each output's sketch (this process's threads counted into one), in output order.
  std::function<void(std::size_t output, QuantileSketch&& sketch)> sketch;
  /// The paths of the run so far: chunks are cut at it (an adaptive run raises it between rounds).
  std::uint64_t paths = 0;
  /// After a round of chunks has run to `paths`: whether to run another (having raised `paths`).
  std::function<bool()> again;
  /// Distributed runs: the ranks, so that a failing stage ends the job (core/pipeline.hpp).
  const mpi::Session* session = nullptr;
};

// Runs the chunks `flow` hands out on this process's threads, in rounds while flow.again()
// asks for more. Retained values go to their place in `retained_values` (path p's at
// p * retained_per_path), for the paths it has room for.
void run_chunks(const PathModel& model, const RunOptions& options, ChunkFlow& flow,
                std::vector<double>& retained_values);

/// A run spread over the ranks of options.session.
RunResult run_distributed(const PathModel& model, const RunOptions& options);

}  // namespace talentcast::core::detail
