#include "errors.hpp"

#include <fmt/core.h>

#include <stdexcept>

#include "talentcast/core/mpi.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/diagnostic.hpp"

namespace talentcast::cli {

std::string user_error_text(const io::UserError& error) {
  std::string text;
  for (const auto& problem : error.problems()) text += fmt::format("talentcast: {}\n", problem);
  for (const auto& d : error.diagnostics()) text += d.message() + "\n";
  if (!error.summary().empty()) text += error.summary() + "\n";
  return text;
}

int report_error(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const io::UserError& e) {
    fmt::print(stderr, "{}", user_error_text(e));
    return kExitBadInput;
  } catch (const Interrupted& e) {
    if (*e.what() != '\0') fmt::print(stderr, "talentcast: {}\n", e.what());
    return kExitInterrupted;
  } catch (const io::WriteInterrupted& e) {
    fmt::print(stderr, "talentcast: {}\n", e.what());
    return kExitInterrupted;
  } catch (const io::PartlyWritten& e) {
    fmt::print(stderr, "talentcast: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::domain_error& e) {
    fmt::print(stderr, "talentcast: a parameter's distribution could not be evaluated: {}\n",
               e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "talentcast: internal error: {}\n", e.what());
    return kExitInternal;
  } catch (...) {
    fmt::print(stderr, "talentcast: internal error: an exception of unknown type\n");
    return kExitInternal;
  }
}

int check_on_every_rank(const core::mpi::Session& session, const std::function<void()>& checks) {
  int verdict = kExitOk;
  try {
    checks();
  } catch (...) {
    // A single process: told where every error is (cli::main, or the Python package).
    if (!session.distributed()) throw;
    verdict = report_error(std::current_exception());
  }
  const int decided = session.decide(verdict);
  return verdict != kExitOk ? verdict : decided;
}

}  // namespace talentcast::cli
