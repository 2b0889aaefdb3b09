#include "talentcast/core/engine.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>

namespace talentcast::core {

namespace {

// What one thread keeps between blocks: the model's worker, the block's raw outputs and its
// share of the percentile sketches.
struct ThreadState {
  std::unique_ptr<PathWorker> worker;
  std::vector<double> block_outputs;
  std::vector<QuantileSketch> sketches;
};

// A block in flight: its index and the moments of each output over its paths.
struct BlockToken {
  std::uint64_t first_path = 0;
  std::size_t count = 0;
  std::vector<Moments>* moments = nullptr;
};

}  // namespace

RunResult run(const PathModel& model, const RunOptions& options) {
  const std::size_t outputs = model.outputs_per_path();
  const std::size_t retained = model.retained_per_path();
  const std::uint64_t retain_paths = std::min(options.retain_paths, options.paths);
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  const std::uint64_t blocks = (options.paths + kBlockPaths - 1) / kBlockPaths;

  tbb::enumerable_thread_specific<ThreadState> states([&] {
    ThreadState state;
    state.worker = model.make_worker();
    state.block_outputs.assign((outputs + retained) * kBlockPaths, 0.0);
    state.sketches.resize(outputs);
    return state;
  });

  // Tokens in flight are bounded, and their moment buffers are reused round-robin: block b uses
  // slot b % slots, which the serial last stage has released before block b + slots starts.
  const auto slots = static_cast<std::size_t>(2 * threads + 2);
  std::vector<std::vector<Moments>> slot_moments(slots, std::vector<Moments>(outputs));
  std::vector<Moments> totals(outputs);

  RunResult result;
  result.retained.assign(static_cast<std::size_t>(retain_paths) * retained, 0.0);
  std::uint64_t next_block = 0;
  // Stage 1 (serial, in order): hands out blocks until done or asked to stop.
  const auto next = [&](tbb::flow_control& control) -> BlockToken {
    if (next_block == blocks || (options.stop && options.stop->load(std::memory_order_relaxed))) {
      control.stop();
      return {};
    }
    const std::uint64_t block = next_block++;
    BlockToken token;
    token.first_path = block * kBlockPaths;
    token.count = static_cast<std::size_t>(
        std::min<std::uint64_t>(kBlockPaths, options.paths - token.first_path));
    token.moments = &slot_moments[block % slots];
    return token;
  };
  // Stage 2 (parallel): simulates a block and reduces it to moments and sketch counts.
  const auto simulate = [&](BlockToken token) {
    ThreadState& state = states.local();
    state.worker->simulate(token.first_path, token.count, state.block_outputs);
    for (std::size_t v = 0; v < outputs; ++v) {
      const std::span<const double> values(&state.block_outputs[v * kBlockPaths], token.count);
      (*token.moments)[v] = Moments::of(values);
      state.sketches[v].add(values);
    }
    // Retained values go straight to their own places: blocks never share a path.
    for (std::uint64_t path = token.first_path;
         path < std::min(retain_paths, token.first_path + token.count); ++path) {
      const auto lane = static_cast<std::size_t>(path - token.first_path);
      double* target = &result.retained[static_cast<std::size_t>(path) * retained];
      for (std::size_t j = 0; j < retained; ++j) {
        target[j] = state.block_outputs[(outputs + j) * kBlockPaths + lane];
      }
    }
    return token;
  };
  // Stage 3 (serial, in block order): merges the block's moments, which fixes the order of sums.
  const auto merge = [&](BlockToken token) {
    for (std::size_t v = 0; v < outputs; ++v) totals[v].merge((*token.moments)[v]);
    result.paths_done += token.count;
    if (options.on_progress) options.on_progress(result.paths_done);
  };
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_pipeline(
        slots, tbb::make_filter<void, BlockToken>(tbb::filter_mode::serial_in_order, next) &
                   tbb::make_filter<BlockToken, BlockToken>(tbb::filter_mode::parallel, simulate) &
                   tbb::make_filter<BlockToken, void>(tbb::filter_mode::serial_in_order, merge));
  });

  result.interrupted = result.paths_done < options.paths;
  // Each output's thread sketches are merged (an exact, order-independent sum of counts) and
  // released one output at a time, so no second full set of sketches is ever held.
  result.outputs.reserve(outputs);
  for (std::size_t v = 0; v < outputs; ++v) {
    QuantileSketch merged;
    for (ThreadState& state : states) {
      merged.merge(state.sketches[v]);
      state.sketches[v] = QuantileSketch{};
    }
    result.outputs.push_back(summarize(totals[v], merged));
  }
  return result;
}

}  // namespace talentcast::core
