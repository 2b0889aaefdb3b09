// MPI distribution (mpi.hpp) over Open MPI, the build with TALENTCAST_HAVE_MPI: the session
// (the farm is in mpi_openmpi_farm.cpp).
#include "talentcast/core/mpi.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "mpi_check.hpp"
#include "mpi_world.hpp"

namespace talentcast::core::mpi {

using detail::check;

using detail::g_world;

bool built_in() noexcept {
  return true;
}

struct Session::Impl {
  bool initialised = false;
  MPI_Comm collective = MPI_COMM_NULL;  // decide, broadcast
  MPI_Comm messages = MPI_COMM_NULL;    // send, receive
  int held_stderr = -1;                 // followers: the real standard error
  std::FILE* held_back = nullptr;       // followers: what they wrote to standard error
};

Session::Session() : impl_(std::make_unique<Impl>()) {
  // Read before MPI_Init, which sets Open MPI's variables even in a process it starts alone.
  const Launch launch = launched();
  if (launch.launched) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread");
    impl_->initialised = true;
    if (provided < MPI_THREAD_MULTIPLE) {
      MPI_Finalize();
      impl_->initialised = false;
      throw std::runtime_error(
          "this MPI library does not support MPI_THREAD_MULTIPLE, which talentcast's ranks need "
          "(a coordinator thread beside the workers); use Open MPI 4 or later");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    if (launch.size > 1 && size_ == 1) {
      // Another MPI's launcher: every process would run the whole command and write the same
      // outputs.
      MPI_Finalize();
      impl_->initialised = false;
      throw std::runtime_error(fmt::format(
          "the launcher started {} processes, but this talentcast's MPI sees one: start it with "
          "the mpirun of the MPI it was built with (Open MPI)",
          launch.size));
    }
    MPI_Comm_dup(MPI_COMM_WORLD, &impl_->collective);
    MPI_Comm_dup(MPI_COMM_WORLD, &impl_->messages);
  }
  g_world = this;
}

Session::~Session() {
  if (g_world == this) g_world = nullptr;
  if (impl_->initialised) {
    MPI_Comm_free(&impl_->messages);
    MPI_Comm_free(&impl_->collective);
    MPI_Finalize();
  }
  if (impl_->held_back != nullptr) std::fclose(impl_->held_back);
}

void Session::quiet_followers() {
  if (rank_ == 0 || impl_->held_back != nullptr) return;
  std::fflush(stdout);
  std::fflush(stderr);
  impl_->held_back = std::tmpfile();
  const int null = ::open("/dev/null", O_WRONLY);
  if (impl_->held_back == nullptr || null < 0) return;  // then followers simply print
  impl_->held_stderr = ::dup(STDERR_FILENO);
  ::dup2(null, STDOUT_FILENO);
  ::dup2(::fileno(impl_->held_back), STDERR_FILENO);
  ::close(null);
}

void Session::show_held_back() const {
  std::fflush(stderr);
  if (impl_->held_back == nullptr || impl_->held_stderr < 0) return;
  // This rank failed on its own, so rank 0 cannot tell: its messages go out, under its name.
  std::rewind(impl_->held_back);
  char buffer[4096];
  std::size_t n = 0;
  const std::string prefix = fmt::format("talentcast (rank {}):\n", rank_);
  [[maybe_unused]] auto w = ::write(impl_->held_stderr, prefix.data(), prefix.size());
  while ((n = std::fread(buffer, 1, sizeof buffer, impl_->held_back)) > 0) {
    w = ::write(impl_->held_stderr, buffer, n);
  }
  std::rewind(impl_->held_back);
  [[maybe_unused]] auto t = ::ftruncate(::fileno(impl_->held_back), 0);
}

void Session::abort(int code) const {
  std::fflush(stdout);
  std::fflush(stderr);
  show_held_back();
  if (impl_->initialised) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

int Session::decide(int verdict) const {
  if (!distributed()) {
    committed_ = verdict == 0;
    return verdict;
  }
  // The worst verdict, and rank 0's: a rank that failed alone shows what it held back.
  int mine[2] = {verdict, rank_ == 0 ? verdict : 0};
  int all[2] = {0, 0};
  check(MPI_Allreduce(mine, all, 2, MPI_INT, MPI_MAX, impl_->collective), "MPI_Allreduce");
  if (verdict != 0 && all[1] == 0) show_held_back();
  committed_ = all[0] == 0;
  return all[0];
}

void Session::barrier() const {
  std::fflush(stdout);
  std::fflush(stderr);
  if (distributed()) check(MPI_Barrier(impl_->collective), "MPI_Barrier");
}

void Session::broadcast(std::vector<std::byte>& bytes) const {
  if (!distributed()) return;
  std::uint64_t size = bytes.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, 0, impl_->collective), "MPI_Bcast");
  if (size > static_cast<std::uint64_t>(INT_MAX)) throw std::length_error("MPI: message > 2 GiB");
  bytes.resize(size);
  check(MPI_Bcast(bytes.data(), static_cast<int>(size), MPI_BYTE, 0, impl_->collective),
        "MPI_Bcast");
}

void Session::send(int to, std::span<const std::byte> bytes) const {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::length_error("MPI: message > 2 GiB");
  }
  check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, 0, impl_->messages),
        "MPI_Send");
}

std::vector<std::byte> Session::receive(int from) const {
  MPI_Status status;
  check(MPI_Probe(from, 0, impl_->messages, &status), "MPI_Probe");
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  std::vector<std::byte> bytes(static_cast<std::size_t>(count));
  check(MPI_Recv(bytes.data(), count, MPI_BYTE, from, 0, impl_->messages, MPI_STATUS_IGNORE),
        "MPI_Recv");
  return bytes;
}

Session::Session(int rank, int size) : impl_(std::make_unique<Impl>()), rank_(rank), size_(size) {}

}  // namespace talentcast::core::mpi
