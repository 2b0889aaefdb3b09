#include "talentcast/formats/forecast_table.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "talentcast/io/csv.hpp"
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

std::string forecast_json(const std::vector<ForecastRow>& rows) {
  nlohmann::ordered_json forecast = nlohmann::ordered_json::object();
  for (const auto& row : rows) {
    const Summary& s = row.summary;
    nlohmann::ordered_json cell;
    cell["mean"] = s.mean;
    cell["sd"] = s.sd;
    for (std::size_t i = 0; i < kPercentiles.size(); ++i) {
      cell[fmt::format("p{:02}", kPercentiles[i])] = s.percentiles[i];
    }
    cell["mcse"] = s.mcse;
    forecast[row.role][row.period][row.metric] = std::move(cell);
  }
  nlohmann::ordered_json document;
  document["format"] = "talentcast-forecast-1";
  document["paths"] = rows.empty() ? 0 : rows.front().summary.count;
  document["forecast"] = std::move(forecast);
  return document.dump(1) + "\n";
}

}  // namespace talentcast::formats
