// The test programs' skip (tests/support.hpp, docs/testing.md): a test case that finds a
// prerequisite missing makes ctest report "Skipped", and a skip never hides a failure.
#include <fmt/core.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "support.hpp"

namespace {

using talentcast::test::CommandResult;

// This test program, on one of the hidden ([.]) test cases below.
CommandResult run_hidden(const std::string& name) {
  const auto self = std::filesystem::read_symlink("/proc/self/exe");
  return talentcast::test::run_shell(fmt::format("'{}' --warn NoTests '{}'", self.string(), name));
}

}  // namespace

TEST_CASE("harness: a test case that skips", "[.]") {
  return talentcast::test::skip_test("what this test needs is missing");
}

TEST_CASE("harness: a test case that fails and then skips", "[.]") {
  CHECK(1 + 1 == 3);
  return talentcast::test::skip_test("what this test needs is missing");
}

TEST_CASE("harness: a test case with as many failures as the skip code", "[.]") {
  for (int failure = 0; failure < TALENTCAST_TEST_SKIP_CODE; ++failure) CHECK(failure < 0);
}

TEST_CASE("a skipped test case says why and exits with ctest's skip code, unless it failed",
          "[harness]") {
  const CommandResult skipped = run_hidden("harness: a test case that skips");
  CHECK(skipped.exit_code == TALENTCAST_TEST_SKIP_CODE);
  CHECK(skipped.out.find("\nskipped: what this test needs is missing\n") != std::string::npos);

  CHECK(run_hidden("harness: a test case that fails and then skips").exit_code == 1);
  // Catch's exit code is the number of failed assertions, which must not read as a skip.
  CHECK(run_hidden("harness: a test case with as many failures as the skip code").exit_code == 1);
}
