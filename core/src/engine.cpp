#include "talentcast/core/engine.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "chunk_flow.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/pipeline.hpp"

namespace talentcast::core {

namespace {

// The percentile sketches of a process's run, one per output, shared by its threads: a thread
// counts a block's values into an output's sketch holding the lock of the output's stripe (of
// kStripe consecutive outputs). Counts are integers and a sketch's state after a set of values
// does not depend on their order, so the sketches are the same whichever thread counts which
// block when. One set, not one a thread: memory does not grow with threads, and nothing is
// merged at the end.
struct SharedSketches {
  static constexpr std::size_t kStripe = 64;
  SharedSketches(std::size_t outputs, bool bucketed)
      : sketches(outputs, bucketed ? QuantileSketch::bucketed() : QuantileSketch{}),
        stripes((outputs + kStripe - 1) / kStripe) {}
  // A lock a cache line, so that two threads taking neighbouring stripes do not share one.
  struct alignas(64) Stripe {
    std::mutex mutex;
  };
  std::vector<QuantileSketch> sketches;
  std::vector<Stripe> stripes;
};

// A thread's RowSink: rows are handed out from chunks of memory that never move, and each
// flush reduces them into the block's moments, the shared sketches and the retained values,
// then reuses them. So a thread holds the rows of one flush (a reporting period's, for the
// labour-market model), not a block's every output.
class ReducingSink final : public RowSink {
 public:
  ReducingSink(std::size_t outputs, std::size_t retained, std::uint64_t retain_paths,
               std::vector<double>& retained_values, SharedSketches& shared)
      : outputs_(outputs),
        retained_(retained),
        retain_paths_(retain_paths),
        retained_values_(retained_values),
        shared_(shared),
        reported_in_(outputs + retained, 0) {}

  /// Before each block: where its moments go, and which paths it holds.
  void start(std::uint64_t first_path, std::size_t count, std::vector<Moments>& moments) {
    first_path_ = first_path;
    count_ = count;
    moments_ = &moments;
    reduced_ = 0;
    ++block_;
  }
  /// After each block: every output must have been reported, once (row() refuses a second).
  void finish() const {
    if (!pending_.empty() || reduced_ != outputs_) {
      throw std::logic_error("a PathWorker left outputs of a block unreported or unflushed");
    }
  }

  std::span<double> row(std::size_t v) override {
    if (v >= outputs_ + retained_) {
      throw std::logic_error("a PathWorker asked for a row past its outputs and retained values");
    }
    if (reported_in_[v] == block_) {
      throw std::logic_error("a PathWorker reported an output twice in one block");
    }
    reported_in_[v] = block_;
    return pending_.add(v);
  }

  void flush() override {
    const auto values_at = [&](std::size_t slot) {
      return std::span<const double>(pending_.data(slot), count_);
    };
    std::vector<QuantileSketch>& sketches = shared_.sketches;
    for (std::size_t run = 0; run < pending_.size();) {
      const std::size_t v0 = pending_.output(run);
      if (v0 >= outputs_) {
        retain(v0 - outputs_, values_at(run).data());
        ++run;
        continue;
      }
      // A run of rows whose outputs share a stripe, under its lock. In it, each output's sketch
      // is prepared (its counters asked for) one output ahead, so that they arrive while the
      // previous output's moments and counts are computed.
      const std::size_t stripe = v0 / SharedSketches::kStripe;
      std::size_t end = run + 1;
      while (end < pending_.size() && pending_.output(end) < outputs_ &&
             pending_.output(end) / SharedSketches::kStripe == stripe) {
        ++end;
      }
      const std::lock_guard lock(shared_.stripes[stripe].mutex);
      QuantileSketch::Prepared prepared = sketches[v0].prepare(values_at(run));
      for (std::size_t slot = run; slot < end; ++slot) {
        const std::size_t v = pending_.output(slot);
        const QuantileSketch::Prepared current = prepared;
        if (slot + 1 < end)
          prepared = sketches[pending_.output(slot + 1)].prepare(values_at(slot + 1));
        (*moments_)[v] = Moments::of(values_at(slot));
        sketches[v].count(values_at(slot), current);
        ++reduced_;
      }
      run = end;
    }
    pending_.clear();
  }

 private:
  // A retained value goes straight to its place for the paths kept: blocks never share a path.
  void retain(std::size_t j, const double* row) {
    for (std::uint64_t path = first_path_; path < std::min(retain_paths_, first_path_ + count_);
         ++path) {
      retained_values_[static_cast<std::size_t>(path) * retained_ + j] =
          row[static_cast<std::size_t>(path - first_path_)];
    }
  }

  const std::size_t outputs_, retained_;
  const std::uint64_t retain_paths_;
  std::vector<double>& retained_values_;
  SharedSketches& shared_;
  PendingRows pending_;
  std::uint64_t first_path_ = 0;
  std::size_t count_ = 0;
  std::vector<Moments>* moments_ = nullptr;
  std::size_t reduced_ = 0;
  std::uint64_t block_ = 0;                 // blocks started, so the first is 1
  std::vector<std::uint64_t> reported_in_;  // the block each row was last reported in
};

// What one thread keeps between blocks: the model's worker, and its sink.
struct ThreadState {
  std::unique_ptr<PathWorker> worker;
  std::unique_ptr<ReducingSink> sink;
};

// A block in flight: its chunk, its paths and the moments of each output over them.
struct BlockToken {
  std::uint64_t chunk = 0;
  std::uint64_t first_path = 0;
  std::size_t count = 0;
  bool ends_chunk = false;
  std::vector<Moments>* moments = nullptr;
};

}  // namespace

namespace detail {

// Runs the chunks `flow` hands out on this process's threads, in rounds while flow.again()
// asks for more. Retained values go to their place in `retained_values` (path p's at
// p * retained_per_path), for the paths it has room for.
void run_chunks(const PathModel& model, const RunOptions& options, ChunkFlow& flow,
                std::vector<double>& retained_values) {
  const std::size_t outputs = model.outputs_per_path();
  const std::size_t retained = model.retained_per_path();
  const std::uint64_t retain_paths = retained == 0 ? 0 : retained_values.size() / retained;
  Pipeline pipeline(PipelineOptions{
      .threads = options.threads, .session = flow.session, .aftermath = "Nothing was written."});

  // A run of more than QuantileSketch::kExactLimit paths has bucketed sketches at the end: they
  // start so (the same counts, without keeping the first values and then moving them).
  SharedSketches shared(outputs, flow.paths > QuantileSketch::kExactLimit);
  tbb::enumerable_thread_specific<ThreadState> states([&] {
    return ThreadState{
        model.make_worker(),
        std::make_unique<ReducingSink>(outputs, retained, retain_paths, retained_values, shared)};
  });

  // Blocks in flight are bounded, and their moment buffers are reused round-robin: block k uses
  // slot k % slots, which the serial last stage (finishing blocks in order) has released before
  // block k + slots starts.
  const std::size_t slots = pipeline.tokens();
  std::vector<std::vector<Moments>> slot_moments(slots, std::vector<Moments>(outputs));
  std::vector<Moments> chunk_moments(outputs);
  std::uint64_t chunk_paths = 0;  // merged into chunk_moments so far

  std::optional<std::uint64_t> chunk;
  std::uint64_t next_block = 0, chunk_end = 0, tokens = 0;
  // Stage 1 (serial, in order): hands out the blocks of one chunk after another.
  const auto next = [&]() -> std::optional<BlockToken> {
    if (flow.stop && flow.stop->load(std::memory_order_relaxed)) return std::nullopt;
    if (!chunk || next_block == chunk_end) {
      chunk = flow.next();
      if (!chunk) return std::nullopt;
      next_block = *chunk * kChunkBlocks;
      const std::uint64_t blocks = (flow.paths + kBlockPaths - 1) / kBlockPaths;
      chunk_end = std::min<std::uint64_t>(next_block + kChunkBlocks, blocks);
    }
    const std::uint64_t block = next_block++;
    BlockToken token;
    token.chunk = *chunk;
    token.first_path = block * kBlockPaths;
    token.count = static_cast<std::size_t>(
        std::min<std::uint64_t>(kBlockPaths, flow.paths - token.first_path));
    token.ends_chunk = next_block == chunk_end;
    token.moments = &slot_moments[tokens++ % slots];
    return token;
  };
  // Stage 2 (parallel): simulates a block and reduces it to moments and sketch counts.
  const auto simulate = [&](BlockToken token) {
    ThreadState& state = states.local();
    state.sink->start(token.first_path, token.count, *token.moments);
    state.worker->simulate(token.first_path, token.count, *state.sink);
    state.sink->flush();
    state.sink->finish();
    return token;
  };
  // Stage 3 (serial, in order): merges the block's moments into its chunk's, which fixes the
  // order of sums, and passes on each chunk when its last block is in.
  const auto merge = [&](BlockToken token) {
    for (std::size_t v = 0; v < outputs; ++v) chunk_moments[v].merge((*token.moments)[v]);
    chunk_paths += token.count;
    if (flow.block_done) flow.block_done(token.count);
    if (token.ends_chunk) {
      flow.done(token.chunk, chunk_moments);
      std::fill(chunk_moments.begin(), chunk_moments.end(), Moments{});
      chunk_paths = 0;
    }
  };
  do {
    pipeline.run(next, simulate, merge);
    // A local run stopped between blocks passes on its part of a chunk.
    if (chunk_paths > 0) {
      flow.done(*chunk, chunk_moments);
      std::fill(chunk_moments.begin(), chunk_moments.end(), Moments{});
      chunk_paths = 0;
    }
  } while (flow.again && flow.again());
  if (flow.finished) flow.finished();
  // Each output's sketch is passed on and released one at a time.
  for (std::size_t v = 0; v < outputs; ++v) flow.sketch(v, std::move(shared.sketches[v]));
}

}  // namespace detail

namespace {

RunResult run_local(const PathModel& model, const RunOptions& options) {
  std::vector<Moments> totals(model.outputs_per_path());
  RunResult result;
  const std::optional<PrecisionTarget>& precision = options.precision;
  const std::uint64_t first =
      precision ? first_checkpoint(*precision, options.paths) : options.paths;
  // An adaptive run may go on to max_paths: room for the retained paths it may reach.
  const std::uint64_t reach = precision ? std::max(first, precision->max_paths) : first;
  result.retained.assign(
      static_cast<std::size_t>(std::min(options.retain_paths, reach)) * model.retained_per_path(),
      0.0);
  if (precision) result.precision.emplace().target = precision->relative;
  std::uint64_t next_chunk = 0;
  detail::ChunkFlow flow;
  flow.paths = first;
  flow.next = [&]() -> std::optional<std::uint64_t> {
    if (next_chunk * kChunkPaths >= flow.paths) return std::nullopt;
    return next_chunk++;
  };
  // The precision loop: after each round, a checkpoint; one not above the paths so far ends it.
  flow.again = [&] {
    if (!precision || result.paths_done < flow.paths) return false;  // or interrupted
    const std::uint64_t next =
        next_checkpoint(*precision, result.paths_done, totals, *result.precision);
    if (next <= flow.paths) return false;
    flow.paths = next;
    return true;
  };
  flow.done = [&](std::uint64_t, const std::vector<Moments>& moments) {
    for (std::size_t v = 0; v < totals.size(); ++v) totals[v].merge(moments[v]);
  };
  flow.block_done = [&](std::size_t paths) {
    result.paths_done += paths;
    if (options.on_progress) options.on_progress(result.paths_done);
  };
  flow.stop = options.stop;
  result.outputs.reserve(totals.size());
  flow.sketch = [&](std::size_t v, QuantileSketch&& sketch) {
    result.outputs.push_back(summarize(totals[v], sketch));
  };
  detail::run_chunks(model, options, flow, result.retained);
  result.interrupted = result.paths_done < flow.paths;
  result.retained.resize(static_cast<std::size_t>(std::min(options.retain_paths, flow.paths)) *
                         model.retained_per_path());
  return result;
}

}  // namespace

RunResult run(const PathModel& model, const RunOptions& options) {
  if (options.session != nullptr && options.session->distributed()) {
    if (options.precision) throw std::logic_error("adaptive runs are local only");
    return detail::run_distributed(model, options);
  }
  return run_local(model, options);
}

}  // namespace talentcast::core
