#pragma once
// The Monte Carlo driver: runs a model's paths in fixed-size blocks on oneTBB and reduces every
// path's outputs into forecast statistics. It knows nothing of the model but this interface.
//
// Determinism: paths are grouped into blocks of kBlockPaths by index, and blocks into chunks of
// kChunkBlocks. A block's moments are computed by one thread in a fixed order (Moments::of); a
// chunk's are its blocks' merged in block order (a serial_in_order pipeline stage); the totals are
// the chunks' merged in chunk order. Percentile sketches hold integer counts, whose sum does not
// depend on order: a process's threads count into one shared set of sketches (an output's under
// the lock of its stripe of outputs), and ranks' sets are merged on rank 0. So every statistic is
// the same for any thread count, and for any number of MPI ranks: a distributed run
// (RunOptions::session) hands chunks out to the ranks and merges their moments in chunk order
// on rank 0. Memory is bounded by the number of outputs and ranks, never by the number of paths.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "talentcast/core/accumulator.hpp"
#include "talentcast/core/precision.hpp"

namespace talentcast::core::mpi {
class Session;  // core/mpi.hpp
}  // namespace talentcast::core::mpi

namespace talentcast::core {

/// Paths per block: part of the reproducibility contract (it fixes the summation order).
inline constexpr std::size_t kBlockPaths = 256;

/// Blocks per chunk: the unit of work a distributed run hands out, and the second level of the
/// fixed summation order (so also part of the reproducibility contract).
inline constexpr std::size_t kChunkBlocks = 64;

/// Paths per chunk.
inline constexpr std::uint64_t kChunkPaths = kChunkBlocks * kBlockPaths;

/// Where a worker writes a block's outputs, a row at a time: row v holds output v (or, past the
/// outputs, retained value v - outputs) of each path of the block, kBlockPaths doubles of
/// which the block's first `count` are read.
class RowSink {
 public:
  virtual ~RowSink() = default;
  /// The row of v, to fill before the next flush(); each v exactly once a block.
  virtual std::span<double> row(std::size_t v) = 0;
  /// The rows handed out since the last flush are complete: the engine reduces them (moments,
  /// percentile sketches, retained values) and reuses their memory. A worker flushes as often
  /// as suits it, at least before simulate() returns: flushing each reporting period's rows
  /// reduces them while they are in cache, and keeps the engine's rows to one period's.
  virtual void flush() = 0;
};

/// The rows a flushing RowSink has handed out since its last flush, in order: kBlockPaths
/// doubles each, from chunks of memory that never move (a row stays valid while more are
/// added), reused after clear().
class PendingRows {
 public:
  /// A new row, for v.
  std::span<double> add(std::size_t v) {
    const std::size_t slot = outputs_.size();
    if (slot / kChunkRows == chunks_.size()) {
      chunks_.push_back(std::make_unique<double[]>(kChunkRows * kBlockPaths));
    }
    outputs_.push_back(v);
    return {data(slot), kBlockPaths};
  }
  std::size_t size() const noexcept { return outputs_.size(); }
  bool empty() const noexcept { return outputs_.empty(); }
  /// The v of the slot-th row handed out, and its values.
  std::size_t output(std::size_t slot) const { return outputs_[slot]; }
  double* data(std::size_t slot) const {
    return chunks_[slot / kChunkRows].get() + slot % kChunkRows * kBlockPaths;
  }
  void clear() noexcept { outputs_.clear(); }

 private:
  static constexpr std::size_t kChunkRows = 64;
  std::vector<std::unique_ptr<double[]>> chunks_;
  std::vector<std::size_t> outputs_;
};

/// A RowSink over one array of every row (row v at out[v * kBlockPaths]): replays and tests.
class WholeBlock final : public RowSink {
 public:
  explicit WholeBlock(std::span<double> out) : out_(out) {}
  std::span<double> row(std::size_t v) override {
    return out_.subspan(v * kBlockPaths, kBlockPaths);
  }
  void flush() override {}

 private:
  std::span<double> out_;
};

/// Simulates blocks of paths; one per thread, so it may keep scratch state.
class PathWorker {
 public:
  virtual ~PathWorker() = default;
  /// Simulates paths [first_path, first_path + count), count <= kBlockPaths, and writes each
  /// output and retained value (PathModel) of path first_path + i to lane i of its row of
  /// `out`. Must be a pure function of the paths' indices: the same path gives the same
  /// outputs in any block and on any thread.
  virtual void simulate(std::uint64_t first_path, std::size_t count, RowSink& out) = 0;
  /// The same into one array: value v of path first_path + i at out[v * kBlockPaths + i].
  void simulate(std::uint64_t first_path, std::size_t count, std::span<double> out) {
    WholeBlock sink(out);
    simulate(first_path, count, sink);
  }
};

/// What the engine needs of a model.
class PathModel {
 public:
  virtual ~PathModel() = default;
  /// The number of outputs each path reports: each is summarised over all paths.
  virtual std::size_t outputs_per_path() const = 0;
  /// Values each path reports after its outputs that are not summarised but kept as they are
  /// for the first RunOptions::retain_paths paths: a fixed-size sample of paths.
  virtual std::size_t retained_per_path() const { return 0; }
  virtual std::unique_ptr<PathWorker> make_worker() const = 0;
};

/// The most paths one run takes (percentile counts are 32-bit).
inline constexpr std::uint64_t kMaxPaths = 0xffffffffull;

struct RunOptions {
  std::uint64_t paths = 1;  ///< 1..kMaxPaths
  int threads = 0;          ///< 0: all cores
  /// Called from one thread at a time with the number of paths done so far.
  std::function<void(std::uint64_t)> on_progress;
  /// When it becomes true, no new block starts and run() returns with interrupted set.
  const std::atomic<bool>* stop = nullptr;
  /// Keep the retained values of paths 0 .. retain_paths - 1 (at most `paths`).
  std::uint64_t retain_paths = 0;
  /// The ranks to spread the paths over (when the session has more than one), given by the
  /// caller (the command line passes mpi::Session::world()); none: this process alone. Every
  /// rank calls run() alike; rank 0's result holds the statistics, byte-identical to a single
  /// process's, and on_progress and stop act there. Elsewhere the result is empty.
  const mpi::Session* session = nullptr;
  /// Precision control (`--target-mcse`; local runs only): the run goes on in rounds until the
  /// target is met or max_paths reached (core/precision.hpp). A run stopped at N paths is the
  /// run of N paths, bit for bit, for any thread count.
  std::optional<PrecisionTarget> precision;
};

struct RunResult {
  std::vector<Summary> outputs;  ///< one per output, in the model's order
  /// The retained values: value j of path p at retained[p * retained_per_path + j].
  std::vector<double> retained;
  std::uint64_t paths_done = 0;
  bool interrupted = false;
  /// False on the ranks other than 0 of a distributed run: they hold no results.
  bool holds_results = true;
  /// What an adaptive run (RunOptions::precision) reached at its last checkpoint.
  std::optional<PrecisionReached> precision;
};

RunResult run(const PathModel& model, const RunOptions& options);

}  // namespace talentcast::core
