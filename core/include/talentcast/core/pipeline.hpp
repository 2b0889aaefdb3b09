#pragma once
// The one pipeline over the farm: a serial stage takes units of work in order, a parallel stage
// does them on this process's threads, a serial stage passes their results on in order. The
// engine runs its blocks of paths through it, and the sweep runner its points; under MPI both
// take their units from an mpi::Farm and submit what they did to it.
//
// Errors: in a single process, what a stage throws leaves run() as usual. In a distributed run
// it ends the whole job where it was thrown (mpi::Session::end_job): the other ranks may be
// waiting on this one, and would wait for ever while an exception unwound here.

#include <tbb/info.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "talentcast/core/mpi.hpp"

namespace talentcast::core {

struct PipelineOptions {
  int threads = 0;  ///< 0: all cores
  /// The ranks this pipeline's farm spans; when there are several, a failing stage ends the job.
  const mpi::Session* session = nullptr;
  /// What a failure that ends the job leaves behind, told after it (a sentence).
  std::string aftermath;
};

class Pipeline {
 public:
  explicit Pipeline(PipelineOptions options)
      : options_(std::move(options)),
        threads_(options_.threads > 0 ? options_.threads : tbb::info::default_concurrency()),
        arena_(threads_) {}

  int threads() const noexcept { return threads_; }
  /// Units in flight at most (twice the threads, and 2): a unit's buffers may be reused by the
  /// unit `tokens()` after it, which starts only once pass() is done with this one.
  std::size_t tokens() const noexcept { return 2 * static_cast<std::size_t>(threads_) + 2; }

  /// Runs take, work and pass until take() gives nothing. take() -> std::optional<Unit>, from
  /// one thread at a time in order; work(Unit) -> Unit, in parallel; pass(Unit), one at a time
  /// in take's order. A run may follow another (the threads' own state outlives it).
  template <typename Take, typename Work, typename Pass>
  void run(Take take, Work work, Pass pass) {
    using Unit = typename std::invoke_result_t<Take&>::value_type;
    const auto first = [&take](tbb::flow_control& control) -> Unit {
      std::optional<Unit> unit = take();
      if (!unit) {
        control.stop();
        return Unit{};
      }
      return std::move(*unit);
    };
    arena_.execute([&] {
      tbb::parallel_pipeline(
          tokens(),
          tbb::make_filter<void, Unit>(tbb::filter_mode::serial_in_order, guarded(first)) &
              tbb::make_filter<Unit, Unit>(tbb::filter_mode::parallel, guarded(work)) &
              tbb::make_filter<Unit, void>(tbb::filter_mode::serial_in_order, guarded(pass)));
    });
  }

 private:
  // The one error wrapper: a stage of a distributed run that throws ends the job.
  template <typename Stage>
  auto guarded(Stage& stage) const {
    return [this, &stage](auto&&... args) {
      if (options_.session == nullptr || !options_.session->distributed()) {
        return stage(std::forward<decltype(args)>(args)...);
      }
      try {
        return stage(std::forward<decltype(args)>(args)...);
      } catch (...) {
        options_.session->end_job(std::current_exception(), options_.aftermath);
      }
    };
  }

  PipelineOptions options_;
  int threads_;
  tbb::task_arena arena_;
};

}  // namespace talentcast::core
