#pragma once
// Internal to core's MPI distribution: the session of the process's lifetime, set by the
// Session a command's main() makes (mpi.cpp, mpi_openmpi.cpp, mpi_single.cpp).

#include "talentcast/core/mpi.hpp"

namespace talentcast::core::mpi::detail {

extern const Session* g_world;

}  // namespace talentcast::core::mpi::detail
