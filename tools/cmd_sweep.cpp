// `talentcast sweep`: a sweep file's points into a SQLite results database (docs/sweeps.md).

#include <fmt/core.h>

#include <chrono>

#include "cli.hpp"
#include "interrupt.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/core/progress.hpp"
#include "talentcast/core/sqlite.hpp"
#include "talentcast/models/labour_market.hpp"
#include "talentcast/models/sweep_run.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli {

int sweep_command(const SweepArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  // Under mpirun, every rank checks the sweep and its flags, and all go on or none.
  const core::mpi::Session& session = core::mpi::Session::world();
  const auto refuse = [&] { return session.decide(kExitBadInput); };
  models::Sweep sweep;
  try {
    sweep = models::load_sweep(args.sweep);
  } catch (const models::ScenarioError& error) {
    for (const auto& d : error.diagnostics()) fmt::print(stderr, "{}\n", d.message());
    fmt::print(stderr, "{}: {} error{}; nothing was run or written\n", args.sweep,
               error.diagnostics().size(), error.diagnostics().size() == 1 ? "" : "s");
    return refuse();
  }
  models::SweepRunOptions options;
  options.threads = args.threads;
  options.metrics = args.metrics;
  options.periods = args.periods;
  options.version = kVersion;
  options.git_commit = kGitCommit;
  options.command_line = args.command_line;
  std::vector<std::string> problems;
  try {
    problems = models::check_store_filters(sweep, options);
  } catch (const models::ScenarioError& e) {
    for (const auto& d : e.diagnostics()) fmt::print(stderr, "{}\n", d.message());
    return refuse();
  }
  if (!problems.empty()) {
    for (const auto& p : problems) fmt::print(stderr, "talentcast: {}\n", p);
    return refuse();
  }
  if (session.decide(kExitOk) != kExitOk) return kExitBadInput;
  options.distributed = session.distributed();
  const std::filesystem::path db =
      args.db.empty() ? std::filesystem::path("out") /
                            (std::filesystem::path(args.sweep).stem().string() + ".sqlite")
                      : std::filesystem::path(args.db);
  if (session.root() && !db.parent_path().empty()) {
    std::error_code ec;
    std::filesystem::create_directories(db.parent_path(), ec);
  }

  const std::size_t points = sweep.design_points().points();
  InterruptGuard guard;
  options.stop = &guard.flag();
  core::ProgressBar progress(points, "points", !args.quiet && session.root());
  options.on_progress = [&](std::size_t done, std::size_t) { progress.update(done); };
  models::SweepRunResult result;
  try {
    result = models::run_sweep(sweep, db, options);
  } catch (const models::SweepStoreError& e) {
    progress.finish();
    fmt::print(stderr, "talentcast: {}\n", e.what());
    return kExitBadInput;
  } catch (const models::ScenarioError& e) {
    progress.finish();
    for (const auto& d : e.diagnostics()) fmt::print(stderr, "{}\n", d.message());
    fmt::print(stderr,
               "talentcast: {}: points of the design make invalid scenarios; no point was run\n",
               args.sweep);
    return kExitBadInput;
  } catch (const models::ModelError& e) {
    progress.finish();
    fmt::print(stderr, "talentcast: {}\nThe points before it are in the database.\n", e.what());
    return kExitBadInput;
  } catch (const core::SqliteError& e) {
    progress.finish();
    fmt::print(stderr, "talentcast: --db {}: {}\n", db.string(), e.what());
    return kExitBadInput;
  }
  progress.finish();
  if (!session.root()) return result.stopped ? kExitBadInput : kExitOk;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (result.interrupted) {
    fmt::print(stderr,
               "talentcast: interrupted: {} of {} points are in {}; run the same command again "
               "to run the rest\n",
               result.already_done + result.run, result.points, db.string());
    return kExitInterrupted;
  }
  if (!args.quiet) {
    fmt::print("{} points of {} paths: {} already in {}, {} run in {:.1f} s\n", result.points,
               sweep.paths, result.already_done, db.string(), result.run, seconds);
  }
  return kExitOk;
}

}  // namespace talentcast::cli
