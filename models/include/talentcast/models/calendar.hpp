#pragma once
// The model's monthly clock and its reporting periods: dates written "2024", "2024-Q3" or
// "2024-07", months counted from the scenario's start, and period labels.

#include <optional>
#include <string>
#include <string_view>

namespace talentcast::models {

/// A reporting period length in months: 1, 3 or 12.
enum class Step { month = 1, quarter = 3, year = 12 };

std::optional<Step> parse_step(std::string_view text);
std::string_view step_name(Step step);

/// A calendar date at month resolution together with the precision it was written in: "2024"
/// names a year, "2024-Q3" a quarter and "2024-07" a month.
struct Date {
  int year = 0;
  int month = 1;                 ///< 1..12, the first month of what it names
  Step precision = Step::month;  ///< how much the written date covers

  /// Months since year 0, for arithmetic.
  int ordinal() const { return year * 12 + (month - 1); }
  /// The ordinal of the last month the date covers ("2026" -> December 2026).
  int last_ordinal() const { return ordinal() + static_cast<int>(precision) - 1; }
};

std::optional<Date> parse_date(std::string_view text);

/// The label of the period that starts at a month ordinal: "2025", "2025-Q3" or "2025-07".
std::string period_label(int first_month_ordinal, Step step);

}  // namespace talentcast::models
