#include "test_hooks.hpp"

#include <fmt/core.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <string>

#include "cli.hpp"

namespace talentcast::cli {

namespace {

struct Raise {
  std::string event;  // empty: no hook
  long at = 0;
  int signal = 0;
};

Raise parse(const char* text) {
  if (text == nullptr || *text == '\0') return {};
  const std::string value(text);
  const auto first = value.find(':'), second = value.find(':', first + 1);
  Raise hook;
  if (first != std::string::npos && second != std::string::npos) {
    hook.event = value.substr(0, first);
    const auto count = value.substr(first + 1, second - first - 1);
    const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), hook.at);
    const auto name = value.substr(second + 1);
    hook.signal = name == "INT" ? SIGINT : name == "TERM" ? SIGTERM : name == "KILL" ? SIGKILL : 0;
    const bool known = hook.event == "run-progress" || hook.event == "sweep-point" ||
                       hook.event == "backtest-origin";
    if (known && error == std::errc() && end == count.data() + count.size() && hook.at >= 1 &&
        hook.signal != 0) {
      return hook;
    }
  }
  throw io::UserError(fmt::format(
      "TALENTCAST_TEST_RAISE: expected EVENT:N:SIGNAL (EVENT run-progress, sweep-point or "
      "backtest-origin, N from 1, SIGNAL INT, TERM or KILL), found '{}'",
      value));
}

const Raise& hook() {
  static const Raise parsed = parse(std::getenv("TALENTCAST_TEST_RAISE"));
  return parsed;
}

}  // namespace

void check_test_hooks() {
  hook();
}

void test_event(std::string_view event) {
  static std::atomic<long> count{0};
  if (hook().event.empty() || hook().event != event) return;
  if (++count == hook().at) std::raise(hook().signal);
}

}  // namespace talentcast::cli
