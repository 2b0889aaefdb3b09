#include <fmt/core.h>

#include "talentcast/studies/backtest.hpp"

namespace talentcast::studies {

const char* series_name(config::SeriesBreak::Series series) {
  return series == config::SeriesBreak::Series::employment ? "employment" : "median";
}

std::string forecasts_csv(const BacktestResult& result) {
  std::string out = std::string(kForecastsHeader) + "\n";
  for (const auto& s : result.forecasts) {
    out += fmt::format("{},{},{},{},{},{:.10g},{:.10g}", s.origin, s.origin + s.horizon, s.horizon,
                       series_name(s.series), method_name(s.method), s.last, s.actual);
    for (const double q : s.percentiles) out += fmt::format(",{:.10g}", q);
    out += fmt::format(",{:.6f},{:.8g},{:.8g}", s.pit, s.crps, s.ape);
    for (const bool c : s.covered) out += c ? ",1" : ",0";
    out += s.has_direction ? (s.direction_right ? ",1\n" : ",0\n") : ",\n";
  }
  return out;
}

std::string scores_csv(const BacktestResult& result) {
  std::string out = std::string(kScoresHeader) + "\n";
  const auto all = [](int v) { return v == 0 ? std::string("all") : fmt::format("{}", v); };
  for (const auto& p : result.pooled) {
    out +=
        fmt::format("{},{},{},{},{},{:.6f},{:.6f},{:.6f},{:.8g},{:.8g},{},", series_name(p.series),
                    method_name(p.method), all(p.origin), all(p.horizon), p.n, p.coverage[0],
                    p.coverage[1], p.coverage[2], p.crps, p.mdape, p.directions);
    out += p.directions > 0 ? fmt::format("{:.6f}\n", p.direction_right) : "\n";
  }
  return out;
}

}  // namespace talentcast::studies
