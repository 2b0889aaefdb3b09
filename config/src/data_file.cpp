#include "talentcast/config/data_file.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "talentcast/io/input_file.hpp"
#include "talentcast/io/sha256.hpp"
#include "validator.hpp"

namespace talentcast::config {

using io::did_you_mean;

namespace {
std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<double> parse_salary(std::string_view text) {
  double value = 0.0;
  // from_chars reads decimal only: no hex, no leading "+" or space.
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !(value >= kMinSalary && value <= kMaxSalary)) {
    return std::nullopt;
  }
  return value;
}

std::string shown(std::string_view text) {
  return text.empty() ? "an empty field" : io::quoted_field(text);
}

DataFile::DataFile(std::filesystem::path file, std::vector<std::string> required,
                   std::vector<std::string> optional, std::vector<io::Diagnostic>& diagnostics)
    : file_(std::move(file)), diagnostics_(diagnostics) {
  std::string text;
  try {
    text = io::read_text_file(file_, io::kMaxCsvBytes);
  } catch (const io::InputFileError& e) {
    const bool missing = e.kind() == io::InputFileError::Kind::missing;
    report(e.line(), e.column(), "file", missing ? "an existing CSV file" : e.expected(),
           e.found());
    return;
  }
  sha256_ = io::sha256_hex(text);
  size_ = text.size();
  reader_.emplace(std::move(text));
  std::string columns = required.front();
  for (std::size_t i = 1; i < required.size(); ++i) columns += "," + required[i];
  for (const auto& name : optional) columns += "[," + name + "]";
  try {
    if (!reader_->next(record_)) {
      report(1, 1, "header", fmt::format("a header line naming the columns {}", columns),
             "an empty file");
      return;
    }
  } catch (const io::CsvError& e) {
    report(e.line(), e.column(), "header", "a well-formed CSV header", e.what());
    return;
  }
  std::vector<std::string> allowed = required;
  allowed.insert(allowed.end(), optional.begin(), optional.end());
  // A first line naming none of the columns is not this kind of file at all (a path mistyped,
  // or a file that is not data): it is not shown, as it may be anything.
  const bool names_a_column =
      std::any_of(record_.fields.begin(), record_.fields.end(), [&](const io::CsvField& field) {
        return std::find(allowed.begin(), allowed.end(), trim(field.text)) != allowed.end();
      });
  if (!names_a_column) {
    report(record_.line, 1, "header", fmt::format("a header line naming the columns {}", columns),
           "a first line that names none of them (is this the right file?)");
    return;
  }
  header_ok_ = true;
  for (const auto& field : record_.fields) {
    const std::string name(trim(field.text));
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      report(record_.line, field.column, "header",
             fmt::format("one of the columns {}{}", columns, did_you_mean(name, allowed)),
             fmt::format("unknown column {}", shown(name)));
      header_ok_ = false;
    } else if (std::find(header_.begin(), header_.end(), name) != header_.end()) {
      report(record_.line, field.column, "header", "each column once",
             fmt::format("column '{}' again", name));
      header_ok_ = false;
    }
    header_.push_back(name);
  }
  for (const auto& name : required) {
    if (column(name) < 0) {
      report(record_.line, 1, "header", fmt::format("a column '{}' (columns {})", name, columns),
             fmt::format("no column '{}'", name));
      header_ok_ = false;
    }
  }
}

DataFile::~DataFile() {
  if (errors_ > kMaxListed) {
    io::Diagnostic d;
    d.file = file_.string();
    d.key = "rows";
    d.expected = fmt::format("at most {} problems listed per file", kMaxListed);
    d.found = fmt::format("{} more", errors_ - kMaxListed);
    diagnostics_.push_back(std::move(d));
  }
}

int DataFile::column(std::string_view name) const {
  const auto it = std::find(header_.begin(), header_.end(), name);
  return it == header_.end() ? -1 : static_cast<int>(it - header_.begin());
}

bool DataFile::next() {
  if (!ok()) return false;
  for (;;) {
    try {
      if (!reader_->next(record_)) return false;
    } catch (const io::CsvError& e) {
      report(e.line(), e.column(), "row", "a well-formed CSV row", e.what());
      return false;  // the rest of the file cannot be split into rows reliably
    }
    if (record_.fields.size() == header_.size()) return true;
    report(record_.line, 1, "row", fmt::format("{} fields, as in the header", header_.size()),
           fmt::format("{} field{}", record_.fields.size(), record_.fields.size() == 1 ? "" : "s"));
  }
}

std::string_view DataFile::field(int column) const {
  if (column < 0) return {};
  return trim(record_.fields[static_cast<std::size_t>(column)].text);
}

void DataFile::error(int column, std::string expected, std::string found) {
  const auto& f = record_.fields[static_cast<std::size_t>(column)];
  report(f.line, f.column, header_[static_cast<std::size_t>(column)], std::move(expected),
         std::move(found));
}

std::optional<double> DataFile::salary(int column) {
  const std::string_view text = field(column);
  const auto value = parse_salary(text);
  if (!value) error(column, kSalaryRule, shown(text));
  return value;
}

std::optional<double> DataFile::positive_number(int column, std::string_view what, double max) {
  const std::string_view text = field(column);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      text.empty()) {
    error(column, fmt::format("{} as a number greater than 0", what), shown(text));
    return std::nullopt;
  }
  if (!(value > 0.0)) {
    error(column, fmt::format("{} greater than 0", what), shown(text));
    return std::nullopt;
  }
  if (value > max) {
    error(column, fmt::format("{} of at most {}", what, max), shown(text));
    return std::nullopt;
  }
  return value;
}

void DataFile::no_rows(std::string expected, std::string found) {
  report(2, 1, "rows", std::move(expected), std::move(found));
}

void DataFile::report(int line, int column, std::string key, std::string expected,
                      std::string found) {
  if (++errors_ > kMaxListed) return;
  io::Diagnostic d;
  d.file = file_.string();
  d.line = line;
  d.column = column;
  d.key = std::move(key);
  d.expected = std::move(expected);
  d.found = std::move(found);
  diagnostics_.push_back(std::move(d));
}

}  // namespace talentcast::config
