#pragma once
// What `report` and `compare --report` share: escaping, the page and its style, and charts
// inlined in the page and written beside it as SVG and PNG (docs/report.md).

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "chart.hpp"

namespace talentcast::cli::html {

std::string escape(const std::string& text);

/// A whole page: the title, the report's style and the body.
std::string page(const std::string& title, const std::string& body);

/// A chart's file name part for a series (`role/level` -> `role-level`).
std::string file_name(const std::string& series);

/// The mark beside a number that comes from synthetic data; `why` shows on hover.
std::string synthetic_mark(const std::string& why);

/// A commit as a caption cites it: 12 hex digits, and "+dirty" when the tree was modified.
std::string short_commit(const std::string& commit);

/// The charts of one page: each inlined as a <figure> and kept for charts/NAME.svg and .png.
class Figures {
 public:
  explicit Figures(std::filesystem::path dir) : dir_(std::move(dir)) {}
  /// The figure's HTML; the files go to files(). `mark` (HTML) follows the caption.
  std::string add(const chart::Rendered& chart, const std::string& name, const std::string& caption,
                  const std::string& mark = "");
  std::vector<std::pair<std::filesystem::path, std::string>>& files() { return files_; }
  int count() const { return count_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::vector<std::pair<std::filesystem::path, std::string>> files_;
  int count_ = 0;
};

}  // namespace talentcast::cli::html
