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
  const std::filesystem::path db =
      args.db.empty() ? std::filesystem::path("out") /
                            (std::filesystem::path(args.sweep).stem().string() + ".sqlite")
                      : std::filesystem::path(args.db);
  // The folders made for the database, deepest first: removed again (when empty) if the
  // sweep ends without creating it.
  std::vector<std::filesystem::path> made;
  if (session.root() && !db.parent_path().empty()) {
    std::error_code ec;
    for (auto dir = db.parent_path(); !dir.empty() && !std::filesystem::exists(dir, ec);
         dir = dir.parent_path()) {
      made.push_back(dir);
    }
    std::filesystem::create_directories(db.parent_path(), ec);
  }
  const auto remove_made = [&] {
    std::error_code ec;
    if (std::filesystem::exists(db, ec)) return;
    for (const auto& dir : made) std::filesystem::remove(dir, ec);  // fails when not empty
  };

  InterruptGuard guard;
  options.stop = &guard.flag();
  // Two bars: a new sweep's check of its points (shown when it takes more than a second), then
  // the points run, at a rate that counts only the points run now.
  const bool bars = !args.quiet && session.root();
  std::optional<core::ProgressBar> checking, running;
  options.on_check = [&](std::size_t checked, std::size_t points) {
    if (!checking) checking.emplace(points, "points", bars).verb("checked").delay(kCheckBarDelay);
    checking->update(checked);
  };
  options.on_progress = [&](std::size_t done, std::size_t points) {
    if (!running) {
      if (checking) checking->finish();
      running.emplace(points, "points", bars).resume_from(done);
    } else {
      test_event("sweep-point");  // a point is in
    }
    running->update(done);
  };
  // Then, where the bar was shown, a line while the statistics are indexed.
  std::size_t status_width = 0;
  options.on_indexing = [&] {
    if (!running || !running->active()) return;
    running->finish();
    const std::string_view status = "indexing the statistics by output";
    fmt::print(stderr, "{}\r", status);
    std::fflush(stderr);
    status_width = status.size();
  };
  // Bars and lines cleared, and the folders made for a database that was not created removed.
  const std::function<void()> clean_up = [&] {
    if (checking) checking->finish();
    if (running) running->finish();
    if (status_width > 0) fmt::print(stderr, "\r{: <{}}\r", "", status_width);
    remove_made();
  };
  studies::SweepRunResult result;
  // What the sweep's errors mean here: what is kept, and what to do.
  try {
    struct Finally {
      const std::function<void()>& clean_up;
      ~Finally() { clean_up(); }  // before any message: the bars end first
    } finally{clean_up};
    result = studies::run_sweep(sweep, db, options);
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
  if (!session.root()) {
    if (!result.stopped) return kExitOk;
    // Rank 0 tells why the ranks stopped; this one only ends with the same code.
    if (guard.flag()) throw Interrupted("");
    throw io::UserError(std::vector<std::string>{});
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
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
  return kExitOk;
}

}  // namespace talentcast::cli
