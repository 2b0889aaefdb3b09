// The one place where errors become messages and exit codes (tools/errors.cpp): each kind of
// error, what the user reads of it, and the code the command ends with.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "errors.hpp"
#include "support.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/io/input_file.hpp"
#include "talentcast/models/labour_market.hpp"

namespace {

struct Told {
  int code;
  std::string text;  // what went to standard error
};

// report_error of the exception thrown by `raise`, with standard error captured.
template <typename Raise>
Told tell(Raise raise) {
  std::fflush(stderr);
  std::FILE* capture = std::tmpfile();
  REQUIRE(capture != nullptr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(::fileno(capture), STDERR_FILENO);
  int code = -1;
  try {
    raise();
  } catch (...) {
    code = talentcast::cli::report_error(std::current_exception());
  }
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::string text;
  std::rewind(capture);
  for (int c; (c = std::fgetc(capture)) != EOF;) text.push_back(static_cast<char>(c));
  std::fclose(capture);
  return {code, text};
}

}  // namespace

TEST_CASE("every error is told and given its exit code in one place", "[errors]") {
  using namespace talentcast;
  using cli::kExitBadInput, cli::kExitInterrupted, cli::kExitInternal;

  SECTION("bad input at keys of a file: each diagnostic on its line, exit 2") {
    io::Diagnostic a{"s.toml", 3, 7, "roles.x.attrition", "a number in [0, 1]", "2"};
    io::Diagnostic b{"s.toml", 0, 0, "file", "an existing file", "none"};
    const Told told = tell([&] { throw io::UserError(std::vector<io::Diagnostic>{a, b}); });
    CHECK(told.code == kExitBadInput);
    CHECK(told.text ==
          "s.toml:3:7: roles.x.attrition: expected a number in [0, 1], found 2\n"
          "s.toml: file: expected an existing file, found none\n");
  }
  SECTION("problems told as sentences, then the diagnostics, then the summary") {
    const Told told = tell([] {
      io::UserError error(std::vector<std::string>{"--out x: expected a directory", "--role: y"});
      error.add({{"p.csv", 2, 1, "salary", "a salary", "'-1'"}});
      error.summarize("talentcast: 3 errors; nothing was written");
      throw error;
    });
    CHECK(told.code == kExitBadInput);
    CHECK(told.text ==
          "talentcast: --out x: expected a directory\ntalentcast: --role: y\n"
          "p.csv:2:1: salary: expected a salary, found '-1'\n"
          "talentcast: 3 errors; nothing was written\n");
  }
  SECTION("the kinds of user error are user errors") {
    const Told file = tell([] {
      throw io::InputFileError(io::InputFileError::Kind::missing, "m.json", 0, 0, "a file", "none");
    });
    CHECK(file.code == kExitBadInput);
    CHECK(file.text == "talentcast: m.json: expected a file, found none\n");
    const Told model = tell([] { throw models::ModelError("a state became NaN"); });
    CHECK(model.code == kExitBadInput);
    CHECK(model.text == "talentcast: a state became NaN\n");
  }
  SECTION("Ctrl-C: 130") {
    const Told run = tell([] { throw cli::Interrupted("interrupted after 5 of 9 paths"); });
    CHECK(run.code == kExitInterrupted);
    CHECK(run.text == "talentcast: interrupted after 5 of 9 paths\n");
    const Told writing = tell([] { throw io::WriteInterrupted(); });
    CHECK(writing.code == kExitInterrupted);
    CHECK(writing.text == "talentcast: interrupted; nothing was written\n");
    // A rank other than 0 ends with the code and leaves the telling to rank 0.
    const Told quiet = tell([] { throw cli::Interrupted(""); });
    CHECK(quiet.code == kExitInterrupted);
    CHECK(quiet.text.empty());
  }
  SECTION("files partly renamed, and a distribution Boost.Math cannot evaluate: 2") {
    const Told partly = tell([] { throw io::PartlyWritten("a.csv was replaced, b.csv not"); });
    CHECK(partly.code == kExitBadInput);
    CHECK(partly.text == "talentcast: a.csv was replaced, b.csv not\n");
    const Told domain = tell([] { throw std::domain_error("shape must be > 0"); });
    CHECK(domain.code == kExitBadInput);
    CHECK(domain.text ==
          "talentcast: a parameter's distribution could not be evaluated: shape must be > 0\n");
  }
  SECTION("anything else is a bug: 1") {
    const Told bug = tell([] { throw std::logic_error("index out of range"); });
    CHECK(bug.code == kExitInternal);
    CHECK(bug.text == "talentcast: internal error: index out of range\n");
    const Told odd = tell([] { throw 42; });
    CHECK(odd.code == kExitInternal);
    CHECK(odd.text == "talentcast: internal error: an exception of unknown type\n");
  }
}
