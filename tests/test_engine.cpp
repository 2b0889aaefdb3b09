// The engine's contract with a model (core/engine.hpp): a worker hands in its rows through a
// RowSink, flushing as often as it likes; the results do not depend on when it flushes, and a
// worker that leaves an output unreported is a programming error, not a silent zero.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "talentcast/core/engine.hpp"

using namespace talentcast::core;

namespace {

// Output v of path p is p + v; the retained value is -p. Flushes after every `flush_every`
// rows (0: only at the end), and reports every output unless told to skip one.
class ToyModel final : public PathModel {
 public:
  enum class Fault { none, skip_one, twice, past_the_end };
  ToyModel(std::size_t outputs, std::size_t flush_every, Fault fault = Fault::none)
      : outputs_(outputs), flush_every_(flush_every), fault_(fault) {}
  std::size_t outputs_per_path() const override { return outputs_; }
  std::size_t retained_per_path() const override { return 1; }
  std::unique_ptr<PathWorker> make_worker() const override {
    return std::make_unique<Worker>(*this);
  }

 private:
  class Worker final : public PathWorker {
   public:
    explicit Worker(const ToyModel& model) : model_(model) {}
    using PathWorker::simulate;
    void simulate(std::uint64_t first, std::size_t count, RowSink& out) override {
      for (std::size_t v = 0; v < model_.outputs_; ++v) {
        if (model_.fault_ == Fault::skip_one && v == 1) continue;
        if (model_.fault_ == Fault::past_the_end && v == 1) out.row(model_.outputs_ + 1);
        const std::span<double> row = out.row(model_.fault_ == Fault::twice && v == 1 ? 0 : v);
        for (std::size_t i = 0; i < count; ++i) row[i] = static_cast<double>(first + i + v);
        if (model_.flush_every_ != 0 && (v + 1) % model_.flush_every_ == 0) out.flush();
      }
      const std::span<double> kept = out.row(model_.outputs_);
      for (std::size_t i = 0; i < count; ++i) kept[i] = -static_cast<double>(first + i);
      out.flush();
    }

   private:
    const ToyModel& model_;
  };
  std::size_t outputs_, flush_every_;
  Fault fault_;
};

}  // namespace

TEST_CASE("a worker's flushes do not change the results", "[engine]") {
  RunOptions options;
  options.paths = 1000;  // 3 full blocks and a partial one
  options.threads = 2;
  options.retain_paths = 300;
  const RunResult once = run(ToyModel(150, 0), options);
  for (std::size_t every : {1, 7, 64, 65, 150}) {
    INFO("flushing every " << every << " rows");
    const RunResult flushed = run(ToyModel(150, every), options);
    REQUIRE(flushed.outputs.size() == once.outputs.size());
    for (std::size_t v = 0; v < once.outputs.size(); ++v) {
      CHECK(flushed.outputs[v].mean == once.outputs[v].mean);
      CHECK(flushed.outputs[v].sd == once.outputs[v].sd);
      CHECK(flushed.outputs[v].percentiles == once.outputs[v].percentiles);
    }
    CHECK(flushed.retained == once.retained);
  }
  // Closed form: output v over paths 0..999 has mean 499.5 + v and sd sqrt(1000 * 1001 / 12).
  for (std::size_t v : {0, 149}) {
    CHECK(once.outputs[v].mean == Approx(499.5 + static_cast<double>(v)).epsilon(1e-14));
    CHECK(once.outputs[v].sd == Approx(std::sqrt(1000.0 * 1001.0 / 12.0)).epsilon(1e-12));
  }
  REQUIRE(once.retained.size() == 300);
  for (std::size_t p = 0; p < 300; ++p) CHECK(once.retained[p] == -static_cast<double>(p));
}

TEST_CASE("a worker that breaks the row contract is refused", "[engine]") {
  RunOptions options;
  options.paths = 300;
  options.threads = 1;
  // An output left out, one reported twice (with another left out: the same number of rows),
  // and a row past the retained values: each would otherwise give wrong statistics silently
  // or write out of bounds.
  CHECK_THROWS_WITH(run(ToyModel(5, 0, ToyModel::Fault::skip_one), options),
                    "a PathWorker left outputs of a block unreported or unflushed");
  CHECK_THROWS_WITH(run(ToyModel(5, 0, ToyModel::Fault::twice), options),
                    "a PathWorker reported an output twice in one block");
  CHECK_THROWS_WITH(run(ToyModel(5, 0, ToyModel::Fault::past_the_end), options),
                    "a PathWorker asked for a row past its outputs and retained values");
}
