#include <catch2/catch.hpp>

#include "talentcast/models/calendar.hpp"

using namespace talentcast::models;

TEST_CASE("dates in the three written forms", "[calendar]") {
  const auto year = parse_date("2026");
  REQUIRE(year);
  CHECK(year->month == 1);
  CHECK(year->last_ordinal() - year->ordinal() == 11);
  const auto quarter = parse_date("2025-Q3");
  REQUIRE(quarter);
  CHECK(quarter->month == 7);
  CHECK(quarter->last_ordinal() - quarter->ordinal() == 2);
  const auto month = parse_date("2024-07");
  REQUIRE(month);
  CHECK(month->month == 7);
  CHECK(month->last_ordinal() == month->ordinal());
  for (const char* bad : {"", "24", "2024-Q5", "2024-13", "2024-7", "2024/07", "2024-Q0", "abcd"}) {
    CHECK_FALSE(parse_date(bad));
  }
}

TEST_CASE("period labels", "[calendar]") {
  const int july_2025 = 2025 * 12 + 6;
  CHECK(period_label(july_2025, Step::year) == "2025");
  CHECK(period_label(july_2025, Step::quarter) == "2025-Q3");
  CHECK(period_label(july_2025, Step::month) == "2025-07");
}
