#include "talentcast/core/progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace talentcast::core {

namespace {

std::string rate_text(double per_second, std::string_view unit) {
  if (per_second >= 10.0) return fmt::format("{:.0f} {}/s", per_second, unit);
  const double per_minute = per_second * 60.0;
  if (per_minute >= 10.0) return fmt::format("{:.0f} {}/min", per_minute, unit);
  if (per_minute >= 1.0) return fmt::format("{:.1f} {}/min", per_minute, unit);
  return fmt::format("{:.1f} {}/h", per_minute * 60.0, unit);
}

std::string duration_text(double seconds) {
  const auto s = static_cast<std::uint64_t>(std::llround(std::max(0.0, seconds)));
  if (s < 60) return fmt::format("{} s", s);
  const std::uint64_t minutes = (s + 30) / 60;
  if (minutes < 60) return fmt::format("{} min", minutes);
  if (minutes < 24 * 60) return fmt::format("{} h {} min", minutes / 60, minutes % 60);
  const std::uint64_t hours = (minutes + 30) / 60;
  return fmt::format("{} d {} h", hours / 24, hours % 24);
}

}  // namespace

std::string progress_text(std::uint64_t done, std::uint64_t total, std::string_view unit,
                          std::string_view verb, std::uint64_t before, double seconds) {
  constexpr int kWidth = 30;
  const double fraction =
      total ? static_cast<double>(std::min(done, total)) / static_cast<double>(total) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string text = fmt::format("[{:=<{}}{: <{}}] {}/{} {}{}{}", "", filled, "", kWidth - filled,
                                 done, total, unit, verb.empty() ? "" : " ", verb);
  const std::uint64_t since = done > before ? done - before : 0;
  if (since == 0 || seconds <= 0.0) return text;
  const double per_second = static_cast<double>(since) / seconds;
  const double left = static_cast<double>(total - std::min(done, total)) / per_second;
  return text + fmt::format(", {}, {} left", rate_text(per_second, unit), duration_text(left));
}

ProgressBar::ProgressBar(std::uint64_t total, std::string unit, bool enabled)
    : total_(total),
      unit_(std::move(unit)),
      active_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(Clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  finish();
}

ProgressBar& ProgressBar::verb(std::string verb) {
  verb_ = std::move(verb);
  return *this;
}

ProgressBar& ProgressBar::delay(std::chrono::milliseconds delay) {
  delay_ = delay;
  return *this;
}

ProgressBar& ProgressBar::resume_from(std::uint64_t done) {
  before_ = done;
  return *this;
}

void ProgressBar::update(std::uint64_t done) {
  if (!active_) return;
  const auto now = Clock::now();
  if (now - start_ < delay_) return;
  // The first state is drawn at once (a sweep's first point can take a while); then at most
  // ten times a second, the first rate after a tenth of a second.
  if (done > before_ && done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) {
    return;
  }
  last_draw_ = now;
  const std::string text = progress_text(done, total_, unit_, verb_, before_,
                                         std::chrono::duration<double>(now - start_).count());
  // Spaces over what a longer line before left.
  fmt::print(stderr, "\r{: <{}}", text, std::max(text.size(), drawn_width_));
  drawn_width_ = text.size();
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (!active_) return;
  if (drawn_width_ > 0) {
    fmt::print(stderr, "\r{: <{}}\r", "", drawn_width_);
    std::fflush(stderr);
  }
  active_ = false;
}

}  // namespace talentcast::core
