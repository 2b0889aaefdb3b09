// MPI distribution (mpi.hpp) over Open MPI: the build with TALENTCAST_HAVE_MPI.
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

#include "mpi_world.hpp"

namespace talentcast::core::mpi {

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

namespace {
void check(int code, const char* what) {
  if (code != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw std::runtime_error(fmt::format("MPI: {} failed: {}", what, std::string(text, length)));
  }
}
}  // namespace

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

Session::Session(int rank, int size) : impl_(std::make_unique<Impl>()), rank_(rank), size_(size) {}

}  // namespace talentcast::core::mpi
