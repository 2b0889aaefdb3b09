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

/// Bad input, with every problem found in it.
class UserError : public std::runtime_error {
 public:
  explicit UserError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// " (did you mean 'x'?)" for the candidate nearest to word, or "" when none is near.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// Text for a message: control characters as \xHH; after `shown` bytes, "...".
std::string printable(std::string_view text, std::size_t shown = 80);

}  // namespace talentcast::io
