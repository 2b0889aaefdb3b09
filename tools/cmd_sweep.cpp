// `talentcast sweep`: a sweep file's points into a SQLite results database (docs/sweeps.md).

#include <fmt/core.h>

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

#include "cli.hpp"
#include "interrupt.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/progress.hpp"
#include "talentcast/io/sqlite.hpp"
#include "talentcast/models/labour_market.hpp"
#include "talentcast/studies/sweep_run.hpp"
#include "talentcast/version.hpp"
#include "test_hooks.hpp"

namespace talentcast::cli {

namespace {

// A check of the points quicker than this shows no bar.
constexpr std::chrono::milliseconds kCheckBarDelay{1000};

// The database: --db, or out/<sweep file's stem>.sqlite.
std::filesystem::path database_path(const SweepArgs& args) {
  return args.db.empty() ? std::filesystem::path("out") /
                               (std::filesystem::path(args.sweep).stem().string() + ".sqlite")
                         : std::filesystem::path(args.db);
}

// The folders made for the database, deepest first: removed again (when empty) if the sweep
// ends without creating it.
class MadeFolders {
 public:
  MadeFolders(const std::filesystem::path& db, bool make) : db_(db) {
    if (!make || db.parent_path().empty()) return;
    std::error_code ec;
    for (auto dir = db.parent_path(); !dir.empty() && !std::filesystem::exists(dir, ec);
         dir = dir.parent_path()) {
      made_.push_back(dir);
    }
    std::filesystem::create_directories(db.parent_path(), ec);
  }
  void remove_unused() const {
    std::error_code ec;
    if (std::filesystem::exists(db_, ec)) return;
    for (const auto& dir : made_) std::filesystem::remove(dir, ec);  // fails when not empty
  }

 private:
  std::filesystem::path db_;
  std::vector<std::filesystem::path> made_;
};

// Two bars: a new sweep's check of its points (shown when it takes more than a second), then
// the points run, at a rate that counts only the points run now; then, where the bar was shown,
// a line while the statistics are indexed.
class SweepProgress {
 public:
  SweepProgress(studies::SweepRunOptions& options, bool bars) : options_(options) {
    options.on_check = [this, bars](std::size_t checked, std::size_t points) {
      if (!checking_)
        checking_.emplace(points, "points", bars).verb("checked").delay(kCheckBarDelay);
      checking_->update(checked);
    };
    options.on_progress = [this, bars](std::size_t done, std::size_t points) {
      if (!running_) {
        if (checking_) checking_->finish();
        running_.emplace(points, "points", bars).resume_from(done);
      } else {
        test_event("sweep-point");  // a point is in
      }
      running_->update(done);
    };
    options.on_indexing = [this] {
      if (!running_ || !running_->active()) return;
      running_->finish();
      const std::string_view status = "indexing the statistics by output";
      fmt::print(stderr, "{}\r", status);
      std::fflush(stderr);
      status_width_ = status.size();
    };
  }
  SweepProgress(const SweepProgress&) = delete;
  SweepProgress& operator=(const SweepProgress&) = delete;
  /// Bars and lines cleared: before any message.
  ~SweepProgress() {
    options_.on_check = nullptr;  // they would point here
    options_.on_progress = nullptr;
    options_.on_indexing = nullptr;
    if (checking_) checking_->finish();
    if (running_) running_->finish();
    if (status_width_ > 0) fmt::print(stderr, "\r{: <{}}\r", "", status_width_);
  }

 private:
  studies::SweepRunOptions& options_;
  std::optional<core::ProgressBar> checking_, running_;
  std::size_t status_width_ = 0;
};

// Runs the sweep, and says what its errors mean here: what is kept, and what to do.
studies::SweepRunResult run_explained(const SweepArgs& args, const config::Sweep& sweep,
                                      const std::filesystem::path& db,
                                      studies::SweepRunOptions& options, const MadeFolders& made,
                                      bool bars) {
  try {
    struct Finally {
      const MadeFolders& made;
      ~Finally() { made.remove_unused(); }
    } finally{made};
    const SweepProgress progress(options, bars);  // cleared before any message
    return studies::run_sweep(sweep, db, options);
  } catch (const formats::SweepStoreError&) {
    throw;  // it says what to do itself
  } catch (const models::ModelError& e) {
    throw io::UserError(fmt::format("{}\nThe points before it are in the database.", e.what()));
  } catch (const io::SqliteError& e) {
    throw io::UserError(fmt::format("--db {}: {}", db.string(), e.what()));
  } catch (io::UserError& e) {
    if (!e.diagnostics().empty()) {
      e.summarize(fmt::format(
          "talentcast: {}: points of the design make invalid scenarios; no point was run",
          args.sweep));
    }
    throw;
  }
}

// Rank 0: what an interrupted sweep left, or what it did.
void tell_result(const SweepArgs& args, const config::Sweep& sweep, const std::filesystem::path& db,
                 const studies::SweepRunResult& result, double seconds) {
  if (result.interrupted_checking) {
    throw Interrupted(fmt::format(
        "interrupted while checking that the design's {} points make valid scenarios; nothing "
        "was run or written",
        result.points));
  }
  if (result.interrupted_indexing) {
    throw Interrupted(fmt::format(
        "interrupted while indexing the statistics by output: all {} points are in {}; run the "
        "same command again to index them (sensitivity needs it)",
        result.points, db.string()));
  }
  if (result.interrupted) {
    throw Interrupted(fmt::format(
        "interrupted: {} of {} points are in {}; run the same command again to run the rest",
        result.already_done + result.run, result.points, db.string()));
  }
  if (!args.quiet) {
    fmt::print("{} points of {} paths: {} already in {}, {} run in {:.1f} s\n", result.points,
               sweep.paths, result.already_done, db.string(), result.run, seconds);
  }
}

}  // namespace

int sweep_command(const SweepArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  // Under mpirun, every rank checks the sweep and its flags, and all go on or none.
  const core::mpi::Session& session = core::mpi::Session::world();
  config::Sweep sweep;
  studies::SweepRunOptions options;
  options.threads = args.threads;
  options.metrics = args.metrics;
  options.periods = args.periods;
  options.version = kVersion;
  options.git_commit = kGitCommit;
  options.command_line = args.command_line;
  const int verdict = check_on_every_rank(session, [&] {
    try {
      sweep = config::load_sweep(args.sweep);
    } catch (io::UserError& error) {
      count_errors(error, args.sweep);
      throw;
    }
    std::vector<std::string> problems = studies::check_store_filters(sweep, options);
    if (!problems.empty()) throw io::UserError(std::move(problems));
  });
  if (verdict != kExitOk) return verdict;
  options.session = &session;
  const std::filesystem::path db = database_path(args);
  const MadeFolders made(db, session.root());

  std::optional<InterruptGuard> guard;
  const std::atomic<bool>& stop = args.stop != nullptr ? *args.stop : guard.emplace().flag();
  options.stop = &stop;
  const studies::SweepRunResult result =
      run_explained(args, sweep, db, options, made, !args.quiet && session.root());
  if (!session.root()) {
    if (!result.stopped) return kExitOk;
    // Rank 0 tells why the ranks stopped; this one only ends with the same code.
    if (stop) throw Interrupted("");
    throw io::UserError(std::vector<std::string>{});
  }
  tell_result(args, sweep, db, result,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return kExitOk;
}

}  // namespace talentcast::cli
