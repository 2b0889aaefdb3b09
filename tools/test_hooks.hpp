#pragma once
// A test hook (docs/cli.md, "Test hooks"): TALENTCAST_TEST_RAISE=EVENT:N:SIGNAL makes the
// process raise SIGNAL (INT, TERM or KILL) on itself the N-th time it reaches EVENT, so that a
// test stops or kills a command at a chosen moment, without timing. Events: `run-progress` (a
// run reports progress, after a chunk of paths), `sweep-point` (a sweep has stored a point) and
// `backtest-origin` (a backtest has scored an origin).

#include <string_view>

namespace talentcast::cli {

/// Reads TALENTCAST_TEST_RAISE: a malformed value throws io::UserError before the command does
/// anything.
void check_test_hooks();

/// Counts event and raises the signal when TALENTCAST_TEST_RAISE asks for this one.
void test_event(std::string_view event);

}  // namespace talentcast::cli
