// Fuzz target: io::CsvReader, on bytes in memory and on the same bytes read from a file
// (io::read_text_file's checks). Properties: records come in order of their lines, fields lie
// where their line and column say; written back with every field quoted, the records read back
// the same; a file the text checks accept reads as the bytes do.

#include <optional>
#include <string>
#include <vector>

#include "sandbox.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/io/input_file.hpp"

namespace {

using talentcast::fuzz::check;
using talentcast::io::CsvError;
using talentcast::io::CsvReader;
using talentcast::io::CsvRecord;

// Every record's fields as strings, or nothing when the text is malformed CSV.
std::optional<std::vector<std::vector<std::string>>> records_of(CsvReader reader) {
  std::vector<std::vector<std::string>> records;
  CsvRecord record;
  int last_line = 0;
  try {
    while (reader.next(record)) {
      check(record.line > last_line, "records come in order of their lines");
      check(!record.fields.empty(), "a record has a field");
      last_line = record.line;
      int line = record.line, column = 0;
      std::vector<std::string> fields;
      for (const auto& field : record.fields) {
        check(field.line > line || (field.line == line && field.column > column),
              "fields come in order of their places");
        line = field.line;
        column = field.column;
        fields.emplace_back(field.text);
      }
      records.push_back(std::move(fields));
    }
  } catch (const CsvError& e) {
    check(e.line() >= 1 && e.column() >= 1, "a CSV error has a place");
    return std::nullopt;
  }
  return records;
}

std::string quoted(const std::vector<std::vector<std::string>>& records) {
  std::string text;
  for (const auto& fields : records) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      text += i ? ",\"" : "\"";
      for (char c : fields[i]) text += c == '"' ? std::string("\"\"") : std::string(1, c);
      text += '"';
    }
    text += '\n';
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace talentcast;
  const std::string_view text = fuzz::as_text(data, size);
  const auto records = records_of(CsvReader(std::string(text)));
  if (records) {
    const auto again = records_of(CsvReader(quoted(*records)));
    check(again && *again == *records, "records written back quoted read back the same");
  }
  const auto path = fuzz::Sandbox::get().write("input.csv", text);
  try {
    const auto from_file = records_of(CsvReader::from_file(path));
    check(from_file == records, "a file reads as its bytes do");
  } catch (const io::InputFileError& e) {
    check(e.kind() == io::InputFileError::Kind::not_utf8 ||
              e.kind() == io::InputFileError::Kind::line_too_long,
          "a file in the sandbox is refused only for its text");
  }
  return 0;
}
