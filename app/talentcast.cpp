// The `talentcast` command: see `talentcast --help` and docs/cli.md. The command line's own
// commands (tools/) and those of the layers above it: `calibrate` and `backtest`
// (evaluation/) and `serve`
// (serve/).
#include <fmt/core.h>

#include <optional>
#include <stdexcept>
#include <string_view>

#include "cli.hpp"
#include "talentcast/core/allocator.hpp"
#include "talentcast/core/libm.hpp"
#include "talentcast/core/mpi.hpp"
#include "talentcast/evaluation/commands.hpp"
#include "talentcast/serve/serve.hpp"

int main(int argc, char** argv) {
  talentcast::core::tune_allocator();
  // --portable-math starts the program again with glibc's baseline maths, before any thread or
  // MPI starts (core/libm.hpp); the option itself is then parsed and ignored by cli::main.
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    if (std::string_view(argv[i]) != "--portable-math") continue;
    try {
      talentcast::core::run_with_baseline_libm(argv);
    } catch (const std::exception& e) {
      // glibc would not take the tunable: the user's environment to mend.
      return talentcast::cli::report_error(
          std::make_exception_ptr(talentcast::io::UserError(e.what())));
    }
    break;
  }
  namespace mpi = talentcast::core::mpi;
  // Started by mpirun, the process joins the MPI job for its lifetime (docs/mpi.md).
  std::optional<mpi::Session> session;
  try {
    session.emplace();
  } catch (const std::exception& e) {
    // MPI could not start (another MPI's launcher, a broken installation): rank 0 tells.
    if (mpi::launched().rank != 0) return talentcast::cli::kExitBadInput;
    return talentcast::cli::report_error(
        std::make_exception_ptr(talentcast::io::UserError(e.what())));
  }
  session->quiet_followers();
  // A failure that ends a distributed job is told as any other (docs/mpi.md, "Errors").
  session->report_with(talentcast::cli::report_error);
  const talentcast::cli::Subcommand more[] = {talentcast::evaluation::calibrate_subcommand(),
                                              talentcast::evaluation::backtest_subcommand(),
                                              talentcast::serve::subcommand()};
  const int code = talentcast::cli::main(argc, argv, more);
  // Once the ranks have gone on together, one that fails must not leave the others waiting.
  if (session->distributed() && session->committed() && code != talentcast::cli::kExitOk) {
    session->abort(code);
  }
  // Otherwise every rank ends here together, so that none ends the job (a non-zero exit makes
  // mpirun stop the others) before rank 0 has printed.
  session->barrier();
  return code;
}
