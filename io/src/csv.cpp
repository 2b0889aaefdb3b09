#include "talentcast/io/csv.hpp"

#include "talentcast/io/input_file.hpp"

namespace talentcast::io {

CsvReader::CsvReader(std::string text) : text_(std::move(text)) {
  if (text_.starts_with("\xEF\xBB\xBF")) pos_ = line_start_ = 3;
}

CsvReader CsvReader::from_file(const std::filesystem::path& path) {
  return CsvReader(read_text_file(path, kMaxCsvBytes));
}

bool CsvReader::next(CsvRecord& record) {
  record.fields.clear();
  const std::size_t n = text_.size();
  // Blank lines separate nothing.
  while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') {
      ++line_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }
  if (pos_ >= n) return false;
  record.line = line_;
  for (;;) {
    CsvField field;
    field.line = line_;
    field.column = static_cast<int>(pos_ - line_start_) + 1;
    if (pos_ < n && text_[pos_] == '"') {
      // A quoted field, unescaped in place: the write position never passes the read position.
      const int open_line = line_, open_column = field.column;
      std::size_t read = pos_ + 1, write = read;
      const std::size_t begin = write;
      for (;;) {
        if (read >= n) {
          throw CsvError(open_line, open_column, "a quoted field is not closed");
        }
        const char c = text_[read];
        if (c == '"') {
          if (read + 1 < n && text_[read + 1] == '"') {
            text_[write++] = '"';
            read += 2;
            continue;
          }
          ++read;
          break;
        }
        if (c == '\n') {
          ++line_;
          line_start_ = read + 1;
        }
        text_[write++] = c;
        ++read;
      }
      field.text = std::string_view(text_.data() + begin, write - begin);
      pos_ = read;
      if (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        throw CsvError(line_, static_cast<int>(pos_ - line_start_) + 1,
                       "text after a closing quote (a quote inside a field is written \"\")");
      }
    } else {
      const std::size_t begin = pos_;
      while (pos_ < n && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
      field.text = std::string_view(text_.data() + begin, pos_ - begin);
    }
    record.fields.push_back(field);
    if (pos_ < n && text_[pos_] == ',') {
      ++pos_;
      continue;
    }
    // End of record: CRLF, LF, a lone CR, or the end of the text.
    if (pos_ < n && text_[pos_] == '\r') ++pos_;
    if (pos_ < n && text_[pos_] == '\n') ++pos_;
    ++line_;
    line_start_ = pos_;
    return true;
  }
}

}  // namespace talentcast::io
