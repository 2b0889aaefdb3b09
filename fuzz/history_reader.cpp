// Fuzz target: a history file read as `talentcast calibrate` reads it, then the estimators over
// it. Any input must end in a History whose years increase and whose values lie in their
// ranges, with finite estimates, or an io::UserError whose problems show at most the offending
// field.

#include <cmath>

#include "data_messages.hpp"
#include "sandbox.hpp"
#include "talentcast/config/history.hpp"
#include "talentcast/studies/calibration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace talentcast;
  const auto path = fuzz::Sandbox::get().write("input-history.csv", fuzz::as_text(data, size));
  try {
    const config::History history = config::load_history(path);
    fuzz::check(!history.rows.empty(), "a history has rows");
    fuzz::check(history.month >= 1 && history.month <= 12, "the month is a month");
    for (std::size_t i = 0; i < history.rows.size(); ++i) {
      const auto& row = history.rows[i];
      fuzz::check(i == 0 || row.year > history.rows[i - 1].year, "years increase");
      fuzz::check(row.employment > 0 && row.employment <= 1e10, "employment in its range");
      fuzz::check(row.median >= 0.01 && row.median <= 1e9, "the median in its range");
      fuzz::check(!row.source.empty(), "every row has a source");
      if (const auto band = studies::fit_band_sigma(row)) {
        fuzz::check(std::isfinite(band->sigma) && std::isfinite(band->se) && band->se >= 0,
                    "the band's fit is finite");
      }
    }
    using Series = config::SeriesBreak::Series;
    for (const Series which : {Series::employment, Series::median}) {
      const auto series = studies::log_series(
          history, which,
          {{history.rows.front().year + 1, which, config::SeriesBreak::Action::adjust}});
      if (const auto fit = studies::fit_drift(series)) {
        fuzz::check(std::isfinite(fit->drift) && std::isfinite(fit->vol) && fit->vol >= 0 &&
                        std::isfinite(fit->drift_se),
                    "the random walk's fit is finite");
      }
    }
  } catch (const io::UserError& error) {
    fuzz::check_data_messages(error, path);
  }
  return 0;
}
