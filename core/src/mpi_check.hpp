#pragma once
// Internal to core's Open MPI build (mpi_openmpi.cpp, mpi_openmpi_farm.cpp).

#include <fmt/core.h>
#include <mpi.h>

#include <stdexcept>
#include <string>

namespace talentcast::core::mpi::detail {

/// Throws std::runtime_error naming the MPI call and MPI's message when it failed.
inline void check(int code, const char* what) {
  if (code != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw std::runtime_error(fmt::format("MPI: {} failed: {}", what, std::string(text, length)));
  }
}

}  // namespace talentcast::core::mpi::detail
