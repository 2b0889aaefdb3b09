#pragma once
// Reading comma-separated files (RFC 4180) record by record, with the line and column of every
// field, so that a bad value is reported where it is. Fields may be quoted ("a, b", with ""
// for a quote inside) and a quoted field may span lines. CRLF and LF line ends, a UTF-8 byte
// order mark and blank lines are accepted. The file is read whole (input_file.hpp); records are
// visited one at a time, so a million-row file costs its own size in memory and nothing per row.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/io/diagnostic.hpp"

namespace talentcast::io {

struct CsvField {
  std::string_view text;  ///< unquoted and unescaped
  int line = 1;           ///< 1-based line where the field starts
  int column = 1;         ///< 1-based column (in bytes) where the field starts
};

struct CsvRecord {
  int line = 0;  ///< 1-based line where the record starts
  std::vector<CsvField> fields;
};

/// Malformed CSV: an unterminated quote, or text after a closing quote.
class CsvError : public UserError {
 public:
  CsvError(int line, int column, const std::string& what)
      : UserError(what), line_(line), column_(column) {}
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_;
  int column_;
};

class CsvReader {
 public:
  explicit CsvReader(std::string text);
  /// Reads a file whole; throws InputFileError (input_file.hpp) when it cannot be read, is not a
  /// regular file, is larger than kMaxCsvBytes or is not UTF-8 text.
  static CsvReader from_file(const std::filesystem::path& path);

  /// Reads the next non-blank record into `record` (its fields stay valid until the next call);
  /// returns false at the end of the text. Throws CsvError.
  bool next(CsvRecord& record);

 private:
  std::string text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
};

/// Appends a CSV field (RFC 4180): as it is, or quoted when it holds a comma, a quote or a line
/// break, with each quote doubled. Out: std::string or fmt::memory_buffer.
template <class Out>
void append_csv_field(Out& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text.data(), text.data() + text.size());
    return;
  }
  out.push_back('"');
  for (const char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

/// A CSV field, quoted where needed (append_csv_field).
inline std::string csv_field(std::string_view text) {
  std::string out;
  append_csv_field(out, text);
  return out;
}

}  // namespace talentcast::io
