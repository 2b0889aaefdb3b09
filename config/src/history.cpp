#include "talentcast/config/history.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "talentcast/config/data_file.hpp"
#include "talentcast/io/diagnostic.hpp"

namespace talentcast::config {

namespace {

inline constexpr int kFirstYear = 1900;
inline constexpr int kLastYear = 2200;
inline constexpr double kMaxEmployment = 1e10;  // the model's headcount range

std::optional<int> whole_number(std::string_view text, int min, int max) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return std::nullopt;
  }
  return value;
}

// One row's salaries, checked in order: p10 < p25 < median < p75 < p90 where given.
void check_order(DataFile& data, const HistoryRow& row, const std::array<int, 5>& columns) {
  const std::array<std::optional<double>, 5> values{row.p10, row.p25, row.median, row.p75, row.p90};
  static constexpr std::array<const char*, 5> kNames{"p10", "p25", "median", "p75", "p90"};
  std::optional<std::size_t> below;  // the last given value before i
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    if (below && !(*values[i] > *values[*below])) {
      data.error(columns[i], fmt::format("a salary above {} ({})", kNames[*below], *values[*below]),
                 fmt::format("{}", *values[i]));
    }
    below = i;
  }
}

// One row, appended to history when its year can be used; its problems reported by data.
void read_row(DataFile& data, History& history, std::optional<int>& first_month) {
  const int year = data.column("year"), month = data.column("month");
  const int employment = data.column("employment"), graduates = data.column("graduates");
  const int source = data.column("source");
  const std::array<int, 5> salaries{data.column("p10"), data.column("p25"), data.column("median"),
                                    data.column("p75"), data.column("p90")};
  HistoryRow row;
  row.line = data.line();
  bool ok = true;
  if (const auto y = whole_number(data.field(year), kFirstYear, kLastYear)) {
    row.year = *y;
    if (!history.rows.empty() && row.year <= history.rows.back().year) {
      data.error(
          year,
          fmt::format("a year after {} (rows in order, each year once)", history.rows.back().year),
          shown(data.field(year)));
      ok = false;
    }
  } else {
    data.error(year, fmt::format("a year from {} to {}", kFirstYear, kLastYear),
               shown(data.field(year)));
    ok = false;
  }
  if (month >= 0) {
    if (const auto m = whole_number(data.field(month), 1, 12)) {
      if (!first_month) {
        first_month = *m;
      } else if (*m != *first_month) {
        data.error(month, fmt::format("the month of the rows above ({})", *first_month),
                   shown(data.field(month)));
      }
    } else {
      data.error(month, "a month from 1 to 12 (the month the observations refer to)",
                 shown(data.field(month)));
    }
  }
  if (const auto e = data.positive_number(employment, "an employment", kMaxEmployment)) {
    row.employment = *e;
  }
  if (const auto m = data.salary(salaries[2])) row.median = *m;
  std::array<std::optional<double>*, 5> optional{&row.p10, &row.p25, nullptr, &row.p75, &row.p90};
  for (std::size_t i = 0; i < salaries.size(); ++i) {
    if (optional[i] == nullptr || salaries[i] < 0 || data.field(salaries[i]).empty()) continue;
    *optional[i] = data.salary(salaries[i]);
  }
  if (graduates >= 0 && !data.field(graduates).empty()) {
    row.graduates = data.positive_number(graduates, "a number of graduates", kMaxEmployment);
  }
  row.source = std::string(data.field(source));
  if (row.source.empty()) {
    data.error(source, "where the row's figures come from (a publication, a URL)",
               "an empty field");
  }
  if (row.median > 0.0) check_order(data, row, salaries);
  if (ok) history.rows.push_back(std::move(row));
}

}  // namespace

const HistoryRow* History::find(int year) const {
  const auto it = std::find_if(rows.begin(), rows.end(),
                               [year](const HistoryRow& row) { return row.year == year; });
  return it == rows.end() ? nullptr : &*it;
}

SeriesBreak parse_break(const std::string& text) {
  const auto fail = [&] {
    return io::UserError(fmt::format(
        "--break: expected YEAR:SERIES:ACTION, SERIES employment, median or both and ACTION "
        "skip or adjust (like 2021:median:adjust), found '{}'",
        io::printable(text)));
  };
  const auto first = text.find(':');
  const auto second = first == std::string::npos ? first : text.find(':', first + 1);
  if (second == std::string::npos) throw fail();
  SeriesBreak b;
  const std::string_view year(text.data(), first);
  const auto [end, ec] = std::from_chars(year.data(), year.data() + year.size(), b.year);
  if (ec != std::errc() || end != year.data() + year.size() || b.year < 1900 || b.year > 2200) {
    throw fail();
  }
  const std::string series = text.substr(first + 1, second - first - 1);
  const std::string action = text.substr(second + 1);
  using S = SeriesBreak::Series;
  using A = SeriesBreak::Action;
  if (series == "employment") {
    b.series = S::employment;
  } else if (series == "median") {
    b.series = S::median;
  } else if (series == "both") {
    b.series = S::both;
  } else {
    throw fail();
  }
  if (action == "skip") {
    b.action = A::skip;
  } else if (action == "adjust") {
    b.action = A::adjust;
  } else {
    throw fail();
  }
  return b;
}

History load_history(const std::filesystem::path& file) {
  std::vector<io::Diagnostic> diagnostics;
  History history;
  history.file = file;
  {
    DataFile data(file, {"year", "employment", "median", "source"},
                  {"month", "p10", "p25", "p75", "p90", "graduates"}, diagnostics);
    history.sha256 = data.sha256();
    std::optional<int> first_month;
    while (data.next()) read_row(data, history, first_month);
    if (first_month) history.month = *first_month;
    if (data.ok() && !data.had_errors() && history.rows.empty()) {
      data.no_rows("a row for each year observed", "no rows");
    }
  }  // DataFile's destructor counts the problems it did not list
  if (!diagnostics.empty()) throw io::UserError(std::move(diagnostics));
  return history;
}

}  // namespace talentcast::config
