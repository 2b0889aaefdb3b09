#include "talentcast/io/diagnostic.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <numeric>

namespace talentcast::io {

std::string Diagnostic::message() const {
  const std::string where =
      line > 0 ? fmt::format("{}:{}:{}", file, line, column) : fmt::format("{}", file);
  // A key holds names as written, control characters included (a tab in a quoted TOML key).
  return fmt::format("{}: {}: expected {}, found {}", where, printable(key, key.size()), expected,
                     found);
}

namespace {
std::string join_messages(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) text += d.message() + "\n";
  return text;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) {
    if (!text.empty()) text += '\n';
    text += line;
  }
  return text;
}
}  // namespace

UserError::UserError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_messages(diagnostics)), diagnostics_(std::move(diagnostics)) {}

UserError::UserError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

void UserError::add(std::vector<Diagnostic> diagnostics) {
  for (auto& d : diagnostics) diagnostics_.push_back(std::move(d));
}

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    // A shortened key ("horizon" for "horizon_years") is as good as a one-letter slip.
    const bool prefix = word.size() >= 4 && std::string_view(candidate).starts_with(word);
    // Otherwise the distance is at least the difference in length: a long field (a data file's
    // may hold a megabyte) is not compared at all.
    const std::size_t length_difference = word.size() > candidate.size()
                                              ? word.size() - candidate.size()
                                              : candidate.size() - word.size();
    if (!prefix && length_difference >= best_distance) continue;
    const auto d = prefix ? 1 : edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

std::string printable(std::string_view text, std::size_t shown) {
  shown = std::min(text.size(), shown);
  // Not inside a UTF-8 sequence: back off its continuation bytes (10xxxxxx).
  while (shown < text.size() && shown > 0 &&
         (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80)
    --shown;
  std::string out;
  for (const char c : text.substr(0, shown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  if (shown < text.size()) out += "...";
  return out;
}

}  // namespace talentcast::io
