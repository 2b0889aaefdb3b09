#pragma once
// Reading input files (scenarios, sweep files, CSV data, a run's files) with bounded memory:
// only regular files are read (never a device, a pipe or a directory, which may never end), a
// file larger than its limit is refused before any of it is read, and a text file is refused at
// its first line longer than kMaxLineBytes or its first sign of not being UTF-8 text (a UTF-16
// or UTF-32 byte order mark, a NUL byte), so that nothing of a wrong file is read further.
// Tested in tests/test_input_files.cpp and by the fuzz targets of fuzz/.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "talentcast/io/diagnostic.hpp"

namespace talentcast::io {

/// The longest line of a text input, in bytes (without its line end): 1 MiB.
inline constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;
/// The largest scenario or sweep file (TOML): 16 MiB.
inline constexpr std::uint64_t kMaxTomlBytes = std::uint64_t{16} << 20;
/// The largest CSV file (salary_data, payroll, forecast.csv): 1 GiB.
inline constexpr std::uint64_t kMaxCsvBytes = std::uint64_t{1} << 30;
/// The largest JSON file of a run (manifest.json, bands.json): 64 MiB.
inline constexpr std::uint64_t kMaxJsonBytes = std::uint64_t{64} << 20;

/// An input file that was not read, with where and why in the project's terms: "expected
/// <expected>, found <found>". line and column are 0 when the problem is the whole file.
class InputFileError : public UserError {
 public:
  enum class Kind { missing, unreadable, not_regular, too_large, line_too_long, not_utf8 };

  InputFileError(Kind kind, std::filesystem::path file, int line, int column, std::string expected,
                 std::string found);
  Kind kind() const { return kind_; }
  const std::filesystem::path& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& expected() const { return expected_; }
  const std::string& found() const { return found_; }

 private:
  Kind kind_;
  std::filesystem::path file_;
  int line_;
  int column_;
  std::string expected_;
  std::string found_;
};

/// A UTF-8 text file's bytes, read whole. Refuses (InputFileError) a file that is missing,
/// unreadable or not a regular file, larger than max_bytes, with a line longer than
/// kMaxLineBytes, or that is UTF-16, UTF-32 or holds a NUL byte.
std::string read_text_file(const std::filesystem::path& path, std::uint64_t max_bytes);

/// A binary file's bytes, read whole: only the checks of the file itself and its size.
std::string read_binary_file(const std::filesystem::path& path, std::uint64_t max_bytes);

/// A field of an input file for a message: quoted, at most 40 bytes (longer fields are cut
/// and end in "..."), with control bytes shown as \xNN so that a message never carries more of
/// a file than the offending field, nor anything a terminal would act on.
std::string quoted_field(std::string_view text);

}  // namespace talentcast::io
