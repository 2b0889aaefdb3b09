// The engine's distributed run (engine.hpp, RunOptions::session): chunks spread over the ranks
// by the farm, merged on rank 0 in chunk order, so byte-identical to a single process's run.
#include <algorithm>
#include <optional>
#include <stdexcept>

#include "chunk_flow.hpp"
#include "talentcast/core/bytes.hpp"
#include "talentcast/core/mpi.hpp"

namespace talentcast::core::detail {

namespace {

// Each output's sketch goes to rank 0, which merges every rank's: in batches of outputs, so
// that rank 0 holds one batch per rank at a time.
class SketchRelay {
 public:
  SketchRelay(const mpi::Session& session, std::size_t outputs)
      : session_(session),
        outputs_(outputs),
        received_(static_cast<std::size_t>(session.size())),
        readers_(received_.size()) {}

  /// Output v's sketch, in output order: sent to rank 0 (false), or there merged with every
  /// other rank's (true).
  bool pass(std::size_t v, QuantileSketch& sketch) {
    if (!session_.root()) {
      sketch.write(batch_);
      if ((v + 1) % kBatch == 0 || v + 1 == outputs_) {
        session_.send(0, batch_.bytes());
        batch_ = ByteWriter{};
      }
      return false;
    }
    if (v % kBatch == 0) {
      for (int rank = 1; rank < session_.size(); ++rank) {
        const auto r = static_cast<std::size_t>(rank);
        received_[r] = session_.receive(rank);
        readers_[r].emplace(received_[r]);
      }
    }
    for (int rank = 1; rank < session_.size(); ++rank) {
      sketch.merge(QuantileSketch::read(*readers_[static_cast<std::size_t>(rank)]));
    }
    return true;
  }

 private:
  static constexpr std::size_t kBatch = 512;
  const mpi::Session& session_;
  std::size_t outputs_;
  ByteWriter batch_;
  std::vector<std::vector<std::byte>> received_;
  std::vector<std::optional<ByteReader>> readers_;
};

}  // namespace

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
  SketchRelay relay(session, outputs);
  if (session.root()) result.outputs.reserve(outputs);
  flow.sketch = [&](std::size_t v, QuantileSketch&& sketch) {
    if (relay.pass(v, sketch)) result.outputs.push_back(summarize(totals[v], sketch));
  };
  run_chunks(model, options, flow, local_retained);
  result.interrupted = session.root() && result.paths_done < options.paths;
  return result;
}

}  // namespace talentcast::core::detail
