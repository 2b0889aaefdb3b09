// MPI distribution (mpi.hpp) over Open MPI, the build with TALENTCAST_HAVE_MPI: the task farm
// (the session is in mpi_openmpi.cpp).
#include <fmt/core.h>
#include <mpi.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "mpi_check.hpp"
#include "talentcast/core/mpi.hpp"

namespace talentcast::core::mpi {

using detail::check;

// The farm. Workers (every rank, rank 0 included) talk to the coordinator (a thread on rank 0)
// on `requests`; it answers on `replies`, so that it never receives its own answers. The
// coordinator only moves messages, so that a worker sending a result (a blocking send, which
// progresses the transfer itself) never waits long; a collector thread on rank 0 gives the
// results to `collect` (which may take a while: a sweep point's commit).
struct Farm::Impl {
  enum Tag : int { kRequest = 1, kResult = 2, kDone = 3 };
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};

  const Session& session;
  Options options;
  MPI_Comm requests = MPI_COMM_NULL;
  MPI_Comm replies = MPI_COMM_NULL;
  bool exhausted = false;  // this rank was told there is nothing more
  // Rank 0.
  std::thread coordinator, collector;
  std::atomic<bool> abandon{false};
  std::uint64_t handed_out = 0;  // the coordinator's
  std::mutex mutex;              // guards what follows
  std::condition_variable arrived;
  std::deque<std::pair<std::uint64_t, std::vector<std::byte>>> received;
  bool all_received = false;
  std::uint64_t collected = 0;  // results given to collect (in order, when ordered)
  std::exception_ptr failure;

  Impl(const Session& s, Options o) : session(s), options(std::move(o)) {}

  void coordinate();
  void collect();
  std::optional<std::uint64_t> request();  // the next unit from rank 0, or nothing
  void send_result(std::uint64_t unit, std::span<const std::byte> result);
  std::uint64_t finish_distributed();
};

void Farm::Impl::coordinate() {
  std::uint64_t results = 0;  // received
  std::deque<int> waiting;    // ranks whose request waits for the window
  int done = 0;
  const auto stopping = [&] {
    if (options.stop != nullptr && options.stop->load()) return true;
    std::lock_guard lock(mutex);
    return failure != nullptr;
  };
  // A unit may go out unless rank 0 holds `window` results it has not collected yet (ordered:
  // units handed out past the first one not collected), which bounds its memory.
  const auto may_hand_out = [&] {
    if (handed_out == options.units || options.window == 0 || stopping()) return true;
    std::lock_guard lock(mutex);
    return options.ordered ? handed_out < collected + options.window
                           : received.size() < options.window;
  };
  const auto answer = [&](int rank) {
    std::uint64_t unit = kNone;
    if (!stopping() && handed_out < options.units) unit = handed_out++;
    MPI_Send(&unit, 1, MPI_UINT64_T, rank, 0, replies);
  };
  std::chrono::microseconds idle(50);
  while (!abandon.load() && !(done == session.size() && results == handed_out)) {
    while (!waiting.empty() && may_hand_out()) {
      answer(waiting.front());
      waiting.pop_front();
    }
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, requests, &flag, &status);
    if (!flag) {
      // Units take tenths of seconds to seconds. A blocking receive would spin on a core the
      // workers need, and each probe costs a pass over Open MPI's transports: the coordinator
      // sleeps instead, from 50 microseconds up to 2 milliseconds while nothing arrives.
      std::this_thread::sleep_for(idle);
      idle = std::min(2 * idle, std::chrono::microseconds(2000));
      continue;
    }
    idle = std::chrono::microseconds(50);
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    std::vector<std::byte> message(static_cast<std::size_t>(count));
    MPI_Recv(message.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, requests,
             MPI_STATUS_IGNORE);
    if (status.MPI_TAG == kRequest) {
      if (may_hand_out()) {
        answer(status.MPI_SOURCE);
      } else {
        waiting.push_back(status.MPI_SOURCE);
      }
    } else if (status.MPI_TAG == kResult) {
      ++results;
      std::uint64_t unit = 0;
      std::memcpy(&unit, message.data(), 8);
      std::lock_guard lock(mutex);
      received.emplace_back(unit, std::move(message));
      arrived.notify_one();
    } else if (status.MPI_TAG == kDone) {
      ++done;
    }
  }
  std::lock_guard lock(mutex);
  all_received = true;
  arrived.notify_one();
}

void Farm::Impl::collect() {
  std::map<std::uint64_t, std::vector<std::byte>> early;  // ordered: results ahead of the next
  std::uint64_t next = 0;                                 // ordered: the next unit to collect
  const auto deliver = [&](std::uint64_t unit, const std::vector<std::byte>& message) {
    {
      std::lock_guard lock(mutex);
      if (failure != nullptr) return;  // after a failure, results are dropped
    }
    try {
      ByteReader reader(std::span<const std::byte>(message).subspan(8));
      options.collect(unit, reader);
    } catch (...) {
      std::lock_guard lock(mutex);
      failure = std::current_exception();
    }
  };
  while (true) {
    std::pair<std::uint64_t, std::vector<std::byte>> item;
    {
      std::unique_lock lock(mutex);
      arrived.wait(lock, [&] { return !received.empty() || all_received || abandon.load(); });
      if (received.empty() || abandon.load()) return;
      item = std::move(received.front());
      received.pop_front();
    }
    if (!options.ordered) {
      deliver(item.first, item.second);
      std::lock_guard lock(mutex);
      ++collected;
      continue;
    }
    early.emplace(std::move(item));
    for (auto it = early.begin(); it != early.end() && it->first == next;
         it = early.erase(it), ++next) {
      deliver(it->first, it->second);
      std::lock_guard lock(mutex);
      ++collected;
    }
  }
}

Farm::Farm(const Session& session, Options options)
    : impl_(std::make_unique<Impl>(session, std::move(options))) {
  if (!session.distributed()) return;
  MPI_Comm_dup(MPI_COMM_WORLD, &impl_->requests);
  MPI_Comm_dup(MPI_COMM_WORLD, &impl_->replies);
  if (session.root()) {
    impl_->coordinator = std::thread([this] { impl_->coordinate(); });
    impl_->collector = std::thread([this] { impl_->collect(); });
  }
}

Farm::~Farm() {
  if (impl_->coordinator.joinable()) {
    // Only on the way out of a failure (finish() joins otherwise); the job is then aborted.
    {
      std::lock_guard lock(impl_->mutex);
      impl_->abandon = true;
      impl_->arrived.notify_one();
    }
    impl_->coordinator.join();
    impl_->collector.join();
    return;
  }
  if (impl_->requests != MPI_COMM_NULL) {
    MPI_Comm_free(&impl_->requests);
    MPI_Comm_free(&impl_->replies);
  }
}

std::optional<std::uint64_t> Farm::Impl::request() {
  std::uint64_t unit = kNone;
  MPI_Send(nullptr, 0, MPI_BYTE, 0, kRequest, requests);
  MPI_Recv(&unit, 1, MPI_UINT64_T, 0, 0, replies, MPI_STATUS_IGNORE);
  if (unit == kNone) return std::nullopt;
  return unit;
}

void Farm::Impl::send_result(std::uint64_t unit, std::span<const std::byte> result) {
  if (result.size() > static_cast<std::size_t>(INT_MAX) - 8) {
    throw std::length_error("MPI: a unit's result is larger than 2 GiB");
  }
  std::vector<std::byte> message(8 + result.size());
  std::memcpy(message.data(), &unit, 8);
  if (!result.empty()) std::memcpy(message.data() + 8, result.data(), result.size());
  check(MPI_Send(message.data(), static_cast<int>(message.size()), MPI_BYTE, 0, kResult, requests),
        "MPI_Send");
}

std::uint64_t Farm::Impl::finish_distributed() {
  MPI_Send(nullptr, 0, MPI_BYTE, 0, kDone, requests);
  if (!session.root()) return 0;
  coordinator.join();
  collector.join();
  if (failure) std::rethrow_exception(failure);
  return handed_out;
}

// What a single process does itself; the rest goes through Impl, over MPI.
std::optional<std::uint64_t> Farm::next() {
  Impl& f = *impl_;
  if (f.exhausted) return std::nullopt;
  std::optional<std::uint64_t> unit;
  if (f.session.distributed()) {
    unit = f.request();
  } else if (f.handed_out < f.options.units && !(f.options.stop && f.options.stop->load())) {
    unit = f.handed_out++;
  }
  f.exhausted = !unit;
  return unit;
}

void Farm::submit(std::uint64_t unit, std::span<const std::byte> result) {
  Impl& f = *impl_;
  if (f.session.distributed()) return f.send_result(unit, result);
  // A single process hands units out in order and submits them in order.
  ByteReader reader(result);
  f.options.collect(unit, reader);
}

std::uint64_t Farm::finish() {
  Impl& f = *impl_;
  return f.session.distributed() ? f.finish_distributed() : f.handed_out;
}

}  // namespace talentcast::core::mpi
