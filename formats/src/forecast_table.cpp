#include "talentcast/formats/forecast_table.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "talentcast/io/csv.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/io/input_file.hpp"
#include "talentcast/io/sha256.hpp"

namespace talentcast::formats {

using core::kPercentiles;
using core::Summary;
using io::append_csv_field;
using io::Sha256;

void write_forecast_csv(const std::vector<ForecastRow>& rows,
                        const std::function<void(std::string_view)>& write) {
  constexpr std::size_t kPiece = 64 * 1024;
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "{}\n", kForecastCsvHeader);
  for (const auto& row : rows) {
    // Names are identifiers (the validator's rule), but a field is quoted if it ever needs it.
    append_csv_field(out, row.role);
    out.push_back(',');
    append_csv_field(out, row.period);
    out.push_back(',');
    append_csv_field(out, row.metric);
    append_summary_csv(out, row.summary);
    out.push_back('\n');
    if (out.size() >= kPiece) {
      write(std::string_view(out.data(), out.size()));
      out.clear();
    }
  }
  if (out.size() > 0) write(std::string_view(out.data(), out.size()));
}

std::string forecast_csv(const std::vector<ForecastRow>& rows) {
  std::string csv;
  write_forecast_csv(rows, [&](std::string_view piece) { csv += piece; });
  return csv;
}

std::string forecast_csv_sha256(const std::vector<ForecastRow>& rows) {
  Sha256 digest;
  write_forecast_csv(rows, [&](std::string_view piece) { digest.update(piece); });
  return digest.hex();
}

void append_summary_csv(fmt::memory_buffer& out, const Summary& s) {
  // Compiled formats: the shortest decimal that reads back as the same double, as "{}" gives,
  // without parsing the format string once a number (a sweep writes this for every point).
  const auto to = fmt::appender(out);
  fmt::format_to(to, FMT_COMPILE(",{},{}"), s.mean, s.sd);
  for (double p : s.percentiles) fmt::format_to(to, FMT_COMPILE(",{}"), p);
  fmt::format_to(to, FMT_COMPILE(",{}"), s.mcse);
}

std::vector<ForecastRow> read_forecast_csv(std::string_view text, const std::string& file) {
  io::CsvReader reader{std::string(text)};
  io::CsvRecord record;
  const auto refuse = [&](const std::string& expected, const std::string& found) {
    return io::UserError(
        fmt::format("{}:{}: expected {}, found {}", file, record.line, expected, found));
  };
  if (!reader.next(record)) {
    throw io::UserError(
        fmt::format("{}: expected the header {}, found an empty file", file, kForecastCsvHeader));
  }
  std::string header;
  for (const auto& field : record.fields) {
    if (!header.empty()) header += ',';
    header += field.text;
  }
  if (header != kForecastCsvHeader) {
    throw refuse(fmt::format("the header {}", kForecastCsvHeader), io::quoted_field(header));
  }
  std::vector<ForecastRow> rows;
  while (reader.next(record)) {
    const auto& f = record.fields;
    if (f.size() != 13) throw refuse("13 fields", fmt::format("{}", f.size()));
    ForecastRow row{std::string(f[0].text), std::string(f[1].text), std::string(f[2].text), {}};
    std::array<double, 10> numbers{};  // the order of kSummaryCsvColumns
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      const std::string_view field = f[3 + i].text;
      const auto [end, error] =
          std::from_chars(field.data(), field.data() + field.size(), numbers[i]);
      if (error != std::errc() || end != field.data() + field.size()) {
        throw refuse("a number", io::quoted_field(field));
      }
    }
    row.summary.mean = numbers[0];
    row.summary.sd = numbers[1];
    std::copy(numbers.begin() + 2, numbers.begin() + 9, row.summary.percentiles.begin());
    row.summary.mcse = numbers[9];
    rows.push_back(std::move(row));
  }
  return rows;
}

nlohmann::ordered_json summary_json(const Summary& s) {
  nlohmann::ordered_json cell;
  cell["mean"] = s.mean;
  cell["sd"] = s.sd;
  for (std::size_t i = 0; i < kPercentiles.size(); ++i) {
    cell[fmt::format("p{:02}", kPercentiles[i])] = s.percentiles[i];
  }
  cell["mcse"] = s.mcse;
  return cell;
}

std::string forecast_json(const std::vector<ForecastRow>& rows) {
  nlohmann::ordered_json forecast = nlohmann::ordered_json::object();
  for (const auto& row : rows) {
    forecast[row.role][row.period][row.metric] = summary_json(row.summary);
  }
  nlohmann::ordered_json document;
  document["format"] = "talentcast-forecast-1";
  document["paths"] = rows.empty() ? 0 : rows.front().summary.count;
  document["forecast"] = std::move(forecast);
  return document.dump(1) + "\n";
}

}  // namespace talentcast::formats
