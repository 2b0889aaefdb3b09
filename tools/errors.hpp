#pragma once
// The one place where an error becomes what the user reads and the command's exit code
// (docs/cli.md, "Exit codes"). Commands throw; cli::main catches everything here.

#include <exception>
#include <functional>
#include <stdexcept>
#include <string>

namespace talentcast::io {
class UserError;
}
namespace talentcast::core::mpi {
class Session;
}

namespace talentcast::cli {

/// Exit codes: 0 success, 2 bad input (scenario, flags, unusable values), 130 interrupted,
/// 1 an internal error, 3 a reproduction whose results differ.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInterrupted = 130;
/// `reproduce` ran, but the results differ from the manifest's.
inline constexpr int kExitNotReproduced = 3;

/// Ctrl-C stopped a command: what it had done, and what it left. Exit 130.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What report_error prints for bad input: each problem as "talentcast: <problem>", each
/// diagnostic's line, then the summary line, each ending in a newline. (The Python package's
/// ScenarioError says the same.)
std::string user_error_text(const io::UserError& error);

/// Prints the error on standard error and returns its exit code:
/// - io::UserError and its kinds (bad input: files, flags, databases, values the model cannot
///   use): each problem as "talentcast: <problem>", each diagnostic's "file:line:column: key:
///   expected ..., found ..." line, then its summary line; kExitBadInput.
/// - Interrupted, io::WriteInterrupted (Ctrl-C; while writing: "interrupted; nothing was
///   written"): "talentcast: <what>"; kExitInterrupted.
/// - io::PartlyWritten (a rename failed after others succeeded): its message; kExitBadInput.
/// - std::domain_error (Boost.Math could not evaluate a distribution at a draw): "talentcast: a
///   parameter's distribution could not be evaluated: <what>"; kExitBadInput.
/// - anything else is a bug: "talentcast: internal error: <what>"; kExitInternal.
int report_error(const std::exception_ptr& error);

/// Under mpirun, a command's checks run on every rank, and the ranks go on together or not at all
/// (docs/mpi.md). Runs checks, then decides with the other ranks: kExitOk when every rank's
/// checks passed, else the exit code. This rank's error is told (report_error) before deciding,
/// so that a rank failing alone is heard; another rank's failure is rank 0's to tell. A single
/// process rethrows what checks threw, to be told as any error is.
int check_on_every_rank(const core::mpi::Session& session, const std::function<void()>& checks);

}  // namespace talentcast::cli
