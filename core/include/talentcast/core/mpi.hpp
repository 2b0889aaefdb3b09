#pragma once
// Running across processes and machines with MPI (docs/mpi.md): the session a process holds for
// its lifetime, and a task farm that hands out units of work as ranks ask for them.
//
// MPI is built in when CMake finds it (TALENTCAST_MPI), and used only when the process was
// started by an MPI launcher (`mpirun -np K talentcast ...`). Otherwise the session is a single
// process, and nothing here calls MPI: a plain `talentcast run` never touches it.
//
// The contract that keeps a distributed command byte-identical to a single process: rank 0
// alone writes and prints; every rank runs the same command on the same files (a shared
// filesystem) to the same point; rank 0 makes the checks only it can (an output directory, a
// database) and tells the others with decide(); from then on a failure anywhere ends the whole
// job with abort(), so no rank is left waiting for another.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "talentcast/core/bytes.hpp"

namespace talentcast::core::mpi {

/// Whether this build has MPI.
bool built_in() noexcept;

/// Whether an MPI launcher started this process (its environment names a rank), and as how many.
struct Launch {
  bool launched = false;
  int rank = 0;
  int size = 1;
};
Launch launched() noexcept;

/// The MPI world of this process. main() holds one for the process's lifetime; world() gives it.
class Session {
 public:
  /// Initialises MPI (MPI_THREAD_MULTIPLE) when an MPI launcher started the process. Throws
  /// std::runtime_error, with what to do, when it did but this build has no MPI, or when the MPI
  /// library lacks that thread level.
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// The live session; a single process when main() holds none (library users, tests).
  static const Session& world() noexcept;
  /// A single process, whatever the world: for work that one process does alone.
  static const Session& local() noexcept;

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  bool root() const noexcept { return rank_ == 0; }
  bool distributed() const noexcept { return size_ > 1; }

  /// On ranks other than 0: discards standard output and holds standard error back, to be shown
  /// only if this rank fails on its own (abort). Rank 0 prints for the job.
  void quiet_followers();

  /// Collective: every rank passes its verdict (0: go on) and gets the worst of them, so that
  /// all go on or none. A rank that failed while rank 0 did not shows what it held back. Once
  /// all have gone on, the ranks depend on each other: see committed() and abort().
  int decide(int verdict) const;
  /// Whether a decide() has returned 0 on this rank.
  bool committed() const noexcept { return committed_; }
  /// Ends every rank of the job with this exit code, after showing what this rank held back.
  [[noreturn]] void abort(int code) const;
  /// Writes what this rank held back (quiet_followers) to the real standard error.
  void show_held_back() const;

  /// Tells a failure and gives the exit code it ends the job with. The command line installs
  /// its own (cli::report_error); without one, "talentcast: <what>" and 1.
  using Reporter = std::function<int(const std::exception_ptr&)>;
  void report_with(Reporter reporter) { reporter_ = std::move(reporter); }
  /// Ends every rank of the job because of `failure`, from the thread that met it: tells it
  /// (the reporter), then `aftermath` (what the failure leaves behind) on a line of its own,
  /// then abort() with the reporter's exit code (1 when the reporter itself fails). A process
  /// tells one failure: a second thread failing meanwhile waits for the end.
  [[noreturn]] void end_job(const std::exception_ptr& failure,
                            std::string_view aftermath) const noexcept;

  /// Collective: returns when every rank has called it (after flushing standard output).
  void barrier() const;
  /// Collective: rank 0's bytes on every rank.
  void broadcast(std::vector<std::byte>& bytes) const;
  /// Point to point, in order between each pair of ranks (on a communicator of their own).
  void send(int to, std::span<const std::byte> bytes) const;
  std::vector<std::byte> receive(int from) const;

  struct Impl;

 private:
  Session(int rank, int size);  // a single process, without MPI
  std::unique_ptr<Impl> impl_;
  int rank_ = 0;
  int size_ = 1;
  mutable bool committed_ = false;
  Reporter reporter_;
};

/// A task farm: hands out units 0 .. units - 1 to the ranks as each asks for its next (dynamic
/// load balancing: a fast rank takes more) and brings each unit's result to rank 0, where a
/// coordinator thread receives it and a collector thread gives it to `collect`. Every rank
/// constructs the farm (collective), asks with next() and returns results with submit() until
/// next() says no more, then calls finish().
class Farm {
 public:
  struct Options {
    std::uint64_t units = 0;
    /// Collect in unit order (otherwise as results arrive).
    bool ordered = false;
    /// Bounds the results rank 0 holds before collecting them: no unit is handed out while
    /// `window` results wait to be collected (ordered: while it is `window` or more units past
    /// the first one not yet collected); 0: no bound.
    std::uint64_t window = 0;
    /// Rank 0: when it becomes true, no further unit is handed out (those out are collected).
    const std::atomic<bool>* stop = nullptr;
    /// Rank 0, on the coordinator thread, one unit at a time: a unit's result.
    std::function<void(std::uint64_t unit, ByteReader& result)> collect;
  };
  Farm(const Session& session, Options options);
  ~Farm();
  Farm(const Farm&) = delete;
  Farm& operator=(const Farm&) = delete;

  /// This rank's next unit, or nothing when all are handed out (or stopped). One thread at a
  /// time; after a nothing, never again.
  std::optional<std::uint64_t> next();
  /// Sends a unit's result to rank 0. One thread at a time.
  void submit(std::uint64_t unit, std::span<const std::byte> result);
  /// After this rank's last submit. On rank 0, waits for every unit handed out to be collected,
  /// rethrows what `collect` threw, and returns the number handed out; elsewhere returns 0.
  std::uint64_t finish();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace talentcast::core::mpi
