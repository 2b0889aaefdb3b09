// MPI distribution (mpi.hpp) without MPI: the build CMake makes when it finds none. Every
// session is a single process, and a launcher that started several is refused.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <utility>

#include "mpi_world.hpp"
#include "talentcast/core/mpi.hpp"

namespace talentcast::core::mpi {

using detail::g_world;

bool built_in() noexcept {
  return false;
}

struct Session::Impl {};

Session::Session() : impl_(std::make_unique<Impl>()) {
  const Launch launch = launched();
  if (launch.launched && launch.size != 1) {
    throw std::runtime_error(
        "started by an MPI launcher, but this talentcast was built without MPI (CMake did not "
        "find Open MPI); install openmpi-bin and libopenmpi-dev (scripts/setup.sh does) and "
        "rebuild, or run without mpirun");
  }
  g_world = this;
}

Session::~Session() {
  if (g_world == this) g_world = nullptr;
}

void Session::quiet_followers() {}

void Session::show_held_back() const {}

void Session::abort(int code) const {
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(code);
}

int Session::decide(int verdict) const {
  committed_ = verdict == 0;
  return verdict;
}

void Session::barrier() const {}

void Session::broadcast(std::vector<std::byte>&) const {}

void Session::send(int, std::span<const std::byte>) const {
  throw std::logic_error("Session::send in a single process");
}

std::vector<std::byte> Session::receive(int) const {
  throw std::logic_error("Session::receive in a single process");
}

// Without MPI, every session is a single process.
struct Farm::Impl {
  const Session& session;
  Options options;
  std::uint64_t handed_out = 0;
  bool exhausted = false;

  Impl(const Session& s, Options o) : session(s), options(std::move(o)) {}
};

Farm::Farm(const Session& session, Options options)
    : impl_(std::make_unique<Impl>(session, std::move(options))) {}

Farm::~Farm() = default;

// A single process hands units out in order, and collects each result as it is submitted.
std::optional<std::uint64_t> Farm::next() {
  Impl& f = *impl_;
  if (f.exhausted) return std::nullopt;
  std::optional<std::uint64_t> unit;
  if (f.handed_out < f.options.units && !(f.options.stop && f.options.stop->load())) {
    unit = f.handed_out++;
  }
  f.exhausted = !unit;
  return unit;
}

void Farm::submit(std::uint64_t unit, std::span<const std::byte> result) {
  ByteReader reader(result);
  impl_->options.collect(unit, reader);
}

std::uint64_t Farm::finish() {
  return impl_->handed_out;
}

Session::Session(int rank, int size) : impl_(std::make_unique<Impl>()), rank_(rank), size_(size) {}

}  // namespace talentcast::core::mpi
