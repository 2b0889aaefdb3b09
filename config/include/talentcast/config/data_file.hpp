#pragma once
// Reading a CSV data file whose header names its columns (salary_data, payrolls),
// turning every problem into an io::Diagnostic at the file's line and column.

#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/io/csv.hpp"

namespace talentcast::config {

/// The one rule for a salary wherever talentcast reads one (payrolls, salary_data files,
/// `benchmark --salary`): a decimal number from kMinSalary to kMaxSalary. The floor keeps
/// denormals such as 1e-320 out; a cent of any currency is above it.
inline constexpr double kMinSalary = 0.01;
inline constexpr double kMaxSalary = 1e9;
inline constexpr const char* kSalaryRule =
    "a salary from 0.01 to 1e9, as a decimal number (like 60000 or 6.5e4)";
std::optional<double> parse_salary(std::string_view text);

/// A field of a data file for a message: quoted and cut to 40 bytes, or "an empty field".
std::string shown(std::string_view text);

class DataFile {
 public:
  /// At most this many problems are listed per file; the rest are counted.
  static constexpr std::size_t kMaxListed = 20;

  /// Reads `file` and its header. Columns outside required and optional are errors; so are
  /// missing required columns. ok() is false when the rows cannot be read at all.
  DataFile(std::filesystem::path file, std::vector<std::string> required,
           std::vector<std::string> optional, std::vector<io::Diagnostic>& diagnostics);
  ~DataFile();
  DataFile(const DataFile&) = delete;
  DataFile& operator=(const DataFile&) = delete;

  bool ok() const { return reader_.has_value() && header_ok_; }
  const std::string& sha256() const { return sha256_; }
  /// The file's size in bytes.
  std::size_t size() const { return size_; }
  const std::filesystem::path& file() const { return file_; }

  /// The field index of a column, or -1 when the file has no such column.
  int column(std::string_view name) const;
  /// Advances to the next row with as many fields as the header (others are reported).
  bool next();
  int line() const { return record_.line; }
  /// The field of a column in the current row, without surrounding spaces ("" when absent).
  std::string_view field(int column) const;

  /// Reports a problem with a field of the current row (key: the column's name).
  void error(int column, std::string expected, std::string found);
  /// A salary by the one rule (config::parse_salary), or an error naming what was found.
  std::optional<double> salary(int column);
  /// A finite number in (0, max], or an error naming what was found.
  std::optional<double> positive_number(int column, std::string_view what,
                                        double max = std::numeric_limits<double>::max());
  bool had_errors() const { return errors_ > 0; }
  /// Reports a file that was read without a problem but holds no row it can use (key "rows", at
  /// the line after the header).
  void no_rows(std::string expected, std::string found);

 private:
  void report(int line, int column, std::string key, std::string expected, std::string found);

  std::filesystem::path file_;
  std::vector<io::Diagnostic>& diagnostics_;
  std::optional<io::CsvReader> reader_;
  io::CsvRecord record_;
  std::vector<std::string> header_;
  std::string sha256_;
  std::size_t size_ = 0;
  bool header_ok_ = false;
  std::size_t errors_ = 0;
};

}  // namespace talentcast::config
