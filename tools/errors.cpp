#include "errors.hpp"

#include <fmt/core.h>

#include <stdexcept>

#include "talentcast/core/mpi.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/diagnostic.hpp"

namespace talentcast::cli {

int report_error(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const io::UserError& e) {
    for (const auto& problem : e.problems()) fmt::print(stderr, "talentcast: {}\n", problem);
    for (const auto& d : e.diagnostics()) fmt::print(stderr, "{}\n", d.message());
    if (!e.summary().empty()) fmt::print(stderr, "{}\n", e.summary());
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
    verdict = report_error(std::current_exception());
  }
  const int decided = session.decide(verdict);
  return verdict != kExitOk ? verdict : decided;
}

}  // namespace talentcast::cli
