#pragma once
// Running a sweep into its SQLite results store (docs/sweeps.md, "The results database"): each
// point is a scenario variant run with its own seed, committed in its own transaction, so a
// sweep stopped at any moment (even by kill -9) leaves a valid database, and running it again
// runs only the missing points.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "talentcast/config/sweep.hpp"
#include "talentcast/formats/sweep_store.hpp"

namespace talentcast::core::mpi {
class Session;  // core/mpi.hpp
}  // namespace talentcast::core::mpi

namespace talentcast::studies {

struct SweepRunOptions {
  int threads = 0;                   ///< points run at once, one thread each; 0: all cores
  std::vector<std::string> metrics;  ///< stored metrics (empty: all)
  std::vector<std::string> periods;  ///< stored period labels (empty: all)
  std::string version;               ///< talentcast version and git commit, for the records
  std::string git_commit;
  std::string command_line;
  /// Called while a new sweep's points are checked, with (points checked, points in the design).
  std::function<void(std::size_t, std::size_t)> on_check;
  /// Called before the first point runs and after each committed point, with (points done,
  /// points in the design).
  std::function<void(std::size_t, std::size_t)> on_progress;
  /// Called when the last point is in, before the statistics are indexed by output (seconds
  /// for a large sweep: about 8 ms a flagship point).
  std::function<void()> on_indexing;
  /// When it becomes true, no new point starts, and the check of the points stops.
  const std::atomic<bool>* stop = nullptr;
  /// The MPI ranks to spread the points over (core/mpi.hpp), given by the caller: every rank
  /// calls run_sweep alike; rank 0 alone opens the database and commits, the others run points
  /// it hands out. None: this process alone.
  const core::mpi::Session* session = nullptr;
};

struct SweepRunResult {
  std::size_t points = 0;        ///< in the design
  std::size_t already_done = 0;  ///< found in the database
  std::size_t run = 0;           ///< run now
  bool interrupted = false;
  /// Interrupted after the last point was in, while its statistics were indexed by output:
  /// every point is stored, the index is not (interrupted is true too).
  bool interrupted_indexing = false;
  /// Interrupted while the points were checked, before any ran: nothing was written.
  bool interrupted_checking = false;
  /// A rank other than 0 whose rank 0 found a problem (and threw it) or was interrupted while
  /// checking: nothing was run.
  bool stopped = false;
};

/// Checks metrics and periods against the sweep's scenario; returns the problems, one line each.
std::vector<std::string> check_store_filters(const config::Sweep& sweep,
                                             const SweepRunOptions& options);

/// Runs the sweep's missing points into the database. A new database is created only once every
/// point of the design is found to make a valid scenario (a database holding the sweep was
/// checked so when it was created, and is not checked again). Throws SweepStoreError,
/// io::UserError (points' values make invalid scenarios; the first 20 are listed) or ModelError.
/// Distributed, the counts are rank 0's, and the database the same as a single process's.
SweepRunResult run_sweep(const config::Sweep& sweep, const std::filesystem::path& database,
                         const SweepRunOptions& options);

}  // namespace talentcast::studies
