#include "talentcast/formats/comparison.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/io/csv.hpp"

namespace talentcast::formats {

std::string_view quantity_name(Quantity quantity) {
  switch (quantity) {
    case Quantity::base:
      return "base";
    case Quantity::whatif:
      return "whatif";
    case Quantity::difference:
      return "difference";
    case Quantity::ratio:
      return "ratio";
  }
  return "?";
}

std::string comparison_csv(const std::vector<ComparisonRow>& rows) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "role,period,metric,quantity,{}\n", kSummaryCsvColumns);
  for (const auto& row : rows) {
    for (const std::string_view field :
         {std::string_view(row.role), std::string_view(row.period), std::string_view(row.metric)}) {
      io::append_csv_field(out, field);
      out.push_back(',');
    }
    io::append_csv_field(out, quantity_name(row.quantity));
    append_summary_csv(out, row.summary);
    out.push_back('\n');
  }
  return fmt::to_string(out);
}

std::string comparison_json(const std::vector<ComparisonRow>& rows) {
  nlohmann::ordered_json table = nlohmann::ordered_json::object();
  for (const auto& row : rows) {
    table[row.role][row.period][row.metric][std::string(quantity_name(row.quantity))] =
        summary_json(row.summary);
  }
  nlohmann::ordered_json document;
  document["format"] = "talentcast-comparison-1";
  document["paths"] = rows.empty() ? 0 : rows.front().summary.count;
  document["comparison"] = std::move(table);
  return document.dump(1) + "\n";
}

}  // namespace talentcast::formats
