#include "talentcast/core/engine.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "talentcast/core/bytes.hpp"
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
                std::vector<double>& retained_values) {
  const std::size_t outputs = model.outputs_per_path();
  const std::size_t retained = model.retained_per_path();
  const std::uint64_t retain_paths = retained == 0 ? 0 : retained_values.size() / retained;
  PipelineOptions pipeline_options;
  pipeline_options.threads = options.threads;
  pipeline_options.session = flow.session;
  pipeline_options.aftermath = "Nothing was written.";
  Pipeline pipeline(std::move(pipeline_options));

  // A run of more than QuantileSketch::kExactLimit paths has bucketed sketches at the end: they
  // start so (the same counts, without keeping the first values and then moving them).
  SharedSketches shared(outputs, flow.paths > QuantileSketch::kExactLimit);
  tbb::enumerable_thread_specific<ThreadState> states([&] {
    ThreadState state;
    state.worker = model.make_worker();
    state.sink =
        std::make_unique<ReducingSink>(outputs, retained, retain_paths, retained_values, shared);
    return state;
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

RunResult run_local(const PathModel& model, const RunOptions& options) {
  std::vector<Moments> totals(model.outputs_per_path());
  RunResult result;
  // An adaptive run may go on to max_paths: room for the retained paths it may reach.
  const std::uint64_t reach =
      options.checkpoint ? std::max(options.paths, options.max_paths) : options.paths;
  result.retained.assign(
      static_cast<std::size_t>(std::min(options.retain_paths, reach)) * model.retained_per_path(),
      0.0);
  std::uint64_t next_chunk = 0;
  ChunkFlow flow;
  flow.paths = options.paths;
  flow.next = [&]() -> std::optional<std::uint64_t> {
    if (next_chunk * kChunkPaths >= flow.paths) return std::nullopt;
    return next_chunk++;
  };
  flow.again = [&] {
    if (!options.checkpoint || result.paths_done < flow.paths) return false;  // or interrupted
    const std::uint64_t next = std::min(options.checkpoint(result.paths_done, totals),
                                        std::max(options.max_paths, flow.paths));
    if (next <= flow.paths) return false;
    if (next % kChunkPaths != 0 && next != options.max_paths) {
      throw std::logic_error("RunOptions::checkpoint: a checkpoint not on a chunk boundary");
    }
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
  run_chunks(model, options, flow, result.retained);
  result.interrupted = result.paths_done < flow.paths;
  result.retained.resize(static_cast<std::size_t>(std::min(options.retain_paths, flow.paths)) *
                         model.retained_per_path());
  return result;
}

// Chunks go to the ranks as they ask (mpi::Farm); each rank sends a chunk's moments and its
// retained values to rank 0, which merges them in chunk order; at the end rank 0 merges every
// rank's sketches, a batch of outputs at a time.
RunResult run_distributed(const PathModel& model, const RunOptions& options) {
  const mpi::Session& session = *options.session;
  const std::size_t outputs = model.outputs_per_path();
  const std::size_t retained = model.retained_per_path();
  const std::uint64_t retain_paths = std::min(options.retain_paths, options.paths);
  const std::uint64_t chunks = (options.paths + kChunkPaths - 1) / kChunkPaths;
  // The retained paths a chunk holds, as a range of indices into a retained-values array.
  const auto retained_range = [&](std::uint64_t chunk) {
    const std::uint64_t first = std::min(chunk * kChunkPaths, retain_paths);
    const std::uint64_t last = std::min(first + kChunkPaths, retain_paths);
    return std::pair{static_cast<std::size_t>(first) * retained,
                     static_cast<std::size_t>(last) * retained};
  };

  RunResult result;
  result.holds_results = session.root();
  std::vector<Moments> totals(session.root() ? outputs : 0);
  if (session.root()) result.retained.assign(static_cast<std::size_t>(retain_paths) * retained, 0);

  mpi::Farm::Options farm_options;
  farm_options.units = chunks;
  farm_options.ordered = true;
  farm_options.window = 4 * static_cast<std::uint64_t>(session.size());
  farm_options.stop = options.stop;
  farm_options.collect = [&](std::uint64_t chunk, ByteReader& in) {
    const std::vector<Moments> moments = in.get_array<Moments>();
    const std::vector<double> values = in.get_array<double>();
    const auto [first, last] = retained_range(chunk);
    if (moments.size() != outputs || (!values.empty() && values.size() != last - first)) {
      throw std::runtime_error("distributed run: a rank sent a chunk of another shape");
    }
    for (std::size_t v = 0; v < outputs; ++v) totals[v].merge(moments[v]);
    // Rank 0's own chunks send none: they are in place already.
    if (!values.empty()) std::copy(values.begin(), values.end(), result.retained.begin() + first);
    result.paths_done += std::min(kChunkPaths, options.paths - chunk * kChunkPaths);
    if (options.on_progress) options.on_progress(result.paths_done);
  };
  mpi::Farm farm(session, std::move(farm_options));

  // Rank 0's own chunks write their band samples straight into the result (chunks never share
  // a path); the others keep theirs until they send them.
  std::vector<double> kept;
  if (!session.root()) kept.assign(static_cast<std::size_t>(retain_paths) * retained, 0.0);
  std::vector<double>& local_retained = session.root() ? result.retained : kept;
  ChunkFlow flow;
  flow.paths = options.paths;
  flow.session = &session;
  flow.next = [&] { return farm.next(); };
  flow.done = [&](std::uint64_t chunk, const std::vector<Moments>& moments) {
    ByteWriter message;
    message.put_array(std::span<const Moments>(moments));
    const auto [first, last] = retained_range(chunk);
    message.put_array(session.root() ? std::span<const double>()
                                     : std::span<const double>(kept.data() + first, last - first));
    farm.submit(chunk, message.bytes());
  };
  flow.finished = [&] { farm.finish(); };
  // Sketches travel in batches of outputs, so that rank 0 holds one batch per rank at a time.
  constexpr std::size_t kBatch = 512;
  ByteWriter batch;
  std::vector<std::vector<std::byte>> received(static_cast<std::size_t>(session.size()));
  std::vector<std::optional<ByteReader>> readers(received.size());
  if (session.root()) result.outputs.reserve(outputs);
  flow.sketch = [&](std::size_t v, QuantileSketch&& sketch) {
    if (!session.root()) {
      sketch.write(batch);
      if ((v + 1) % kBatch == 0 || v + 1 == outputs) {
        session.send(0, batch.bytes());
        batch = ByteWriter{};
      }
      return;
    }
    if (v % kBatch == 0) {
      for (int rank = 1; rank < session.size(); ++rank) {
        const auto r = static_cast<std::size_t>(rank);
        received[r] = session.receive(rank);
        readers[r].emplace(received[r]);
      }
    }
    for (int rank = 1; rank < session.size(); ++rank) {
      sketch.merge(QuantileSketch::read(*readers[static_cast<std::size_t>(rank)]));
    }
    result.outputs.push_back(summarize(totals[v], sketch));
  };
  run_chunks(model, options, flow, local_retained);
  result.interrupted = session.root() && result.paths_done < options.paths;
  return result;
}

}  // namespace

RunResult run(const PathModel& model, const RunOptions& options) {
  if (options.session != nullptr && options.session->distributed()) {
    if (options.checkpoint) throw std::logic_error("adaptive runs are local only");
    return run_distributed(model, options);
  }
  return run_local(model, options);
}

}  // namespace talentcast::core
