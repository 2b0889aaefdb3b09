// MPI distribution (mpi.hpp): what both builds share, how a process was launched and which
// session is the world. The session and the farm themselves are in mpi_openmpi.cpp and
// mpi_openmpi_farm.cpp (built with MPI) or mpi_single.cpp (without), as CMake chose.
#include "talentcast/core/mpi.hpp"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <utility>

#include "mpi_world.hpp"

namespace talentcast::core::mpi {

namespace detail {
const Session* g_world = nullptr;
}  // namespace detail

namespace {

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  const long n = std::strtol(value, &end, 10);
  return (*end == '\0' && n >= 0 && n <= INT_MAX) ? static_cast<int>(n) : fallback;
}

}  // namespace

Launch launched() noexcept {
  // Open MPI's mpirun, then PMIx and PMI launchers (Slurm's srun, MPICH's Hydra).
  Launch launch;
  for (const auto& [rank, size] :
       {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
        std::pair{"PMIX_RANK", "PMIX_SIZE"}, std::pair{"PMI_RANK", "PMI_SIZE"}}) {
    if (std::getenv(rank) != nullptr) {
      launch.launched = true;
      launch.rank = env_int(rank, 0);
      launch.size = env_int(size, 0);  // 0: unknown (PMIx does not always say)
      return launch;
    }
  }
  return launch;
}

void Session::end_job(const std::exception_ptr& failure,
                      std::string_view aftermath) const noexcept {
  // The first thread to fail tells; any other waits here until the abort ends the process.
  static std::mutex ending;
  ending.lock();
  int code = 1;
  try {
    if (!reporter_) std::rethrow_exception(failure);
    code = reporter_(failure);
  } catch (const std::exception& e) {  // no reporter, or the reporter failed (a full disk)
    std::fprintf(stderr, "talentcast: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "talentcast: an exception of unknown type\n");
  }
  if (!aftermath.empty()) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(aftermath.size()), aftermath.data());
  }
  abort(code);
}

const Session& Session::local() noexcept {
  static const Session single(0, 1);
  return single;
}

const Session& Session::world() noexcept {
  return detail::g_world != nullptr ? *detail::g_world : local();
}

}  // namespace talentcast::core::mpi
