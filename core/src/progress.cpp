#include "talentcast/core/progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>

namespace talentcast::core {

ProgressBar::ProgressBar(std::uint64_t total, std::string unit, bool enabled)
    : total_(total),
      unit_(std::move(unit)),
      active_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(Clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(std::uint64_t done) {
  if (!active_) return;
  const auto now = Clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double left = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : 0.0;
  constexpr int kWidth = 30;
  const double fraction = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  fmt::print(stderr, "\r[{:=<{}}{: <{}}] {}/{} {} {:.0f} {}/s, {:.0f} s left ", "", filled, "",
             kWidth - filled, done, total_, unit_, rate, unit_, left);
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!active_) return;
  fmt::print(stderr, "\r{: <100}\r", "");
  std::fflush(stderr);
  active_ = false;
}

}  // namespace talentcast::core
