#pragma once
// The one user-error type: a list of diagnostics, each naming where a problem is (file, and its
// line and column when the file has them), the key, what was expected and what was found. Every
// reader of user input collects all its problems as diagnostics and throws them together; the
// command line prints them and exits 2 (tools/errors.cpp).

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace talentcast::io {

struct Diagnostic {
  std::string file;
  int line = 0;    ///< from 1; 0 when the problem has no position (a missing file)
  int column = 0;  ///< from 1, in bytes
  std::string key;
  std::string expected;
  std::string found;

  /// "file:line:column: key: expected ..., found ...".
  std::string message() const;
};

/// Bad input: a scenario, a data file, a database or an argument that cannot be used. Every
/// reader throws it (or a kind of it that says more, such as InputFileError) with all the
/// problems it found; the command line alone turns it into a message and exit code 2
/// (tools/errors.cpp).
class UserError : public std::runtime_error {
 public:
  /// Problems at keys of files; what() is their messages, one per line.
  explicit UserError(std::vector<Diagnostic> diagnostics);
  /// Problems told as sentences (each shown as "talentcast: <problem>"); what() joins them with
  /// newlines.
  explicit UserError(std::vector<std::string> problems);
  /// One problem told as a sentence.
  explicit UserError(const std::string& problem) : UserError(std::vector<std::string>{problem}) {}

  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  const std::vector<std::string>& problems() const { return problems_; }

  /// Adds problems at keys of files, told after the sentences.
  void add(std::vector<Diagnostic> diagnostics);

  /// A line told after the problems, as it is: how many there were, what was not done.
  const std::string& summary() const { return summary_; }
  UserError& summarize(std::string line) {
    summary_ = std::move(line);
    return *this;
  }

 private:
  std::vector<Diagnostic> diagnostics_;
  std::vector<std::string> problems_;
  std::string summary_;
};

/// " (did you mean 'x'?)" for the candidate nearest to word, or "" when none is near.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// Text for a message: control characters as \xHH; after `shown` bytes, "...".
std::string printable(std::string_view text, std::size_t shown = 80);

}  // namespace talentcast::io
