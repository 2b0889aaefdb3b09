#pragma once
// The forecast table: one row per (role, period, metric) with its forecast distribution, and
// its two file formats (docs/output-formats.md). Numbers are written in their shortest
// round-trip form, so equal doubles give equal bytes.

#include <fmt/format.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "talentcast/core/accumulator.hpp"

namespace talentcast::formats {

struct ForecastRow {
  std::string role;
  std::string period;
  std::string metric;
  core::Summary summary;
};

/// The header of forecast.csv.
inline constexpr const char* kForecastCsvHeader =
    "role,period,metric,mean,sd,p05,p10,p25,p50,p75,p90,p95,mcse";

/// A summary's columns in a CSV line, after the line's keys.
inline constexpr const char* kSummaryCsvColumns = "mean,sd,p05,p10,p25,p50,p75,p90,p95,mcse";

/// Appends a summary's columns, each after a comma, in kSummaryCsvColumns' order.
void append_summary_csv(fmt::memory_buffer& out, const core::Summary& summary);

/// forecast.csv: the header, then one line per row.
std::string forecast_csv(const std::vector<ForecastRow>& rows);

/// The same text given to write in pieces of about 64 KiB, in order (none held whole).
void write_forecast_csv(const std::vector<ForecastRow>& rows,
                        const std::function<void(std::string_view)>& write);

/// The SHA-256 of forecast_csv(rows), in lower-case hexadecimal.
std::string forecast_csv_sha256(const std::vector<ForecastRow>& rows);

/// The rows of forecast.csv's text, as forecast_csv wrote them (file names it in messages).
/// Throws io::UserError for another header, a line of another shape or a field that is not a
/// number. Each row's summary.count is 0: forecast.csv does not hold it.
std::vector<ForecastRow> read_forecast_csv(std::string_view text, const std::string& file);

/// A summary as forecast.json and comparison.json write it: {mean, sd, p05 ... p95, mcse}.
nlohmann::ordered_json summary_json(const core::Summary& summary);

/// forecast.json: {"columns": [...], "paths": P, "forecast": {role: {period: {metric: {...}}}}},
/// roles, periods and metrics in the rows' order.
std::string forecast_json(const std::vector<ForecastRow>& rows);

}  // namespace talentcast::formats
