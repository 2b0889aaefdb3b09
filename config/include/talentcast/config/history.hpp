#pragma once
// A history file: annual observations of one role's market (docs/calibration.md#history-files),
// the input of `talentcast calibrate` and `talentcast backtest`. Read whole, checked whole: every
// problem is an io::Diagnostic at its file:line:column.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace talentcast::config {

/// One year's observations.
struct HistoryRow {
  int year = 0;
  int line = 0;  ///< the file's line, for sources and messages
  double employment = 0.0;
  double median = 0.0;  ///< the median annual salary
  /// Salary percentiles, each absent when its field is empty or its column missing.
  std::optional<double> p10, p25, p75, p90;
  std::optional<double> graduates;  ///< graduates in the role's fields that year
  std::string source;
};

struct History {
  std::filesystem::path file;
  std::string sha256;
  /// The month (1-12) the observations refer to, the same in every row: 5 for BLS's May
  /// estimates; 12 (the year's end) when the file has no `month` column.
  int month = 12;
  std::vector<HistoryRow> rows;  ///< years strictly increasing

  /// The row of a year, or nullptr.
  const HistoryRow* find(int year) const;
};

/// A break in a history's series (docs/calibration.md#breaks): a year whose observation is not
/// used (`skip`), or from which the series is measured on a new basis (`adjust`: the earlier
/// values are moved to the new level).
struct SeriesBreak {
  enum class Series { employment, median, both };
  enum class Action { skip, adjust };
  int year = 0;
  Series series = Series::both;
  Action action = Action::skip;

  bool applies_to(Series s) const { return series == Series::both || series == s; }
};

/// A break as the command line (and the Python package) writes it, "YEAR:SERIES:ACTION"
/// ("2021:median:adjust"; SERIES employment, median or both; ACTION skip or adjust). Throws
/// io::UserError naming the flag --break.
SeriesBreak parse_break(const std::string& text);

/// The columns a history file may have; the first three are required, and so is `source`.
inline constexpr const char* kHistoryColumns =
    "year,employment,median,source[,month][,p10][,p25][,p75][,p90][,graduates]";

/// Reads and checks a history file. Throws io::UserError with every problem: an unreadable
/// file, unknown or missing columns, a year that is not a whole number in [1900, 2200] or not
/// after the row before, a month that differs between rows, an employment that is not a number
/// in (0, 1e10], a salary that is not one, percentiles out of order (p10 < p25 < median < p75 <
/// p90, each where given), an empty source.
History load_history(const std::filesystem::path& file);

}  // namespace talentcast::config
