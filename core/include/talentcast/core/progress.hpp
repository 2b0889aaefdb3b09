#pragma once
// A progress bar on stderr for long tasks: units done, their rate and the time left. It draws
// only when stderr is a terminal and it is enabled, and redraws at most ten times a second.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace talentcast::core {

class ProgressBar {
 public:
  /// enabled: the caller's wish (false with --quiet); the bar also stays off when stderr is not
  /// a terminal, so logs and CI output stay clean.
  ProgressBar(std::uint64_t total, std::string unit, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// A word after the counts: "120/1000 points checked".
  ProgressBar& verb(std::string verb);
  /// Draws nothing until `delay` has passed, so that a task quicker than that shows no bar.
  ProgressBar& delay(std::chrono::milliseconds delay);
  /// Units done before the bar started (a resumed sweep's points): counted as done, not in the
  /// rate.
  ProgressBar& resume_from(std::uint64_t done);

  void update(std::uint64_t done);
  /// Clears the bar's line.
  void finish();
  bool active() const noexcept { return active_; }

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t total_;
  std::string unit_;
  std::string verb_;
  std::uint64_t before_ = 0;
  bool active_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  std::chrono::milliseconds delay_{0};
  std::size_t drawn_width_ = 0;
};

/// The bar's text: `done` of `total` units, `before` of them done before the bar started, after
/// `seconds`. The rate counts only the units done since, per second, or per minute or hour when
/// fewer than ten a second or minute (a sweep's points take seconds each: "0 points/s" says
/// nothing); the time left is in s, min, h or d. Without a unit done yet, neither is shown.
std::string progress_text(std::uint64_t done, std::uint64_t total, std::string_view unit,
                          std::string_view verb, std::uint64_t before, double seconds);

}  // namespace talentcast::core
