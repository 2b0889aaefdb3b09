#include "talentcast/models/calendar.hpp"

#include <fmt/core.h>

#include <charconv>

namespace talentcast::models {

std::optional<Step> parse_step(std::string_view text) {
  if (text == "month") return Step::month;
  if (text == "quarter") return Step::quarter;
  if (text == "year") return Step::year;
  return std::nullopt;
}

std::string_view step_name(Step step) {
  switch (step) {
    case Step::month:
      return "month";
    case Step::quarter:
      return "quarter";
    case Step::year:
      return "year";
  }
  return "?";
}

namespace {
std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}
}  // namespace

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() < 4) return std::nullopt;
  const auto year = parse_int(text.substr(0, 4));
  if (!year || *year < 1900 || *year > 2999) return std::nullopt;
  if (text.size() == 4) return Date{*year, 1, Step::year};
  if (text.size() == 7 && text[4] == '-' && text[5] == 'Q') {
    const auto quarter = parse_int(text.substr(6, 1));
    if (!quarter || *quarter < 1 || *quarter > 4) return std::nullopt;
    return Date{*year, 3 * (*quarter - 1) + 1, Step::quarter};
  }
  if (text.size() == 7 && text[4] == '-') {
    const auto month = parse_int(text.substr(5, 2));
    if (!month || *month < 1 || *month > 12) return std::nullopt;
    return Date{*year, *month, Step::month};
  }
  return std::nullopt;
}

std::string period_label(int first_month_ordinal, Step step) {
  const int year = first_month_ordinal / 12;
  const int month = first_month_ordinal % 12 + 1;
  switch (step) {
    case Step::year:
      return fmt::format("{}", year);
    case Step::quarter:
      return fmt::format("{}-Q{}", year, (month - 1) / 3 + 1);
    case Step::month:
      return fmt::format("{}-{:02}", year, month);
  }
  return {};
}

}  // namespace talentcast::models
