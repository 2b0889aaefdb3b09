#include "page_data.hpp"

#include <fmt/core.h>

#include <map>

namespace talentcast::serve {

using nlohmann::json;

json levers_json(const std::string& id, const models::Scenario& scenario,
                 const std::vector<Lever>& levers) {
  json out;
  out["scenario"] = id;
  out["title"] = scenario.title;
  out["currency"] = scenario.currency;
  out["salary_unit"] = std::string(scenario.salary_unit_name());
  out["synthetic"] = scenario.synthetic;
  out["periods"] = json::array();
  for (int t = 0; t < scenario.periods(); ++t) out["periods"].push_back(scenario.period_label(t));
  out["roles"] = json::array();
  for (const auto& role : scenario.roles) {
    out["roles"].push_back({{"name", role.name}, {"title", role.title}});
  }
  out["levers"] = json::array();
  for (const Lever& lever : levers) {
    const json& base = lever.base;
    out["levers"].push_back({{"key", lever.key},
                             {"read", lever.read},
                             {"group", lever.group},
                             {"label", lever.label},
                             {"role", lever.role},
                             {"move", lever.move == Move::add ? "add" : "scale"},
                             {"unit", lever.unit},
                             {"low", lever.low},
                             {"high", lever.high},
                             {"step", lever.step},
                             {"base", value_text(base)},
                             {"source", source_of(base)}});
  }
  out["events"] = scenario.events.size();
  return out;
}

json comparison_json(const models::Scenario& base, const studies::Comparison& comparison) {
  json series = json::array();
  std::map<std::string, std::size_t> index;
  for (const auto& row : comparison.rows) {
    if (!index.count(row.role)) {
      index[row.role] = series.size();
      const auto role = base.role_index(row.role);
      series.push_back({{"name", row.role},
                        {"title", role ? base.roles[*role].title : "All roles (total)"},
                        {"salary_synthetic", role ? base.roles[*role].salary_data_synthetic : ""}});
    }
    json& metric = series[index[row.role]][row.metric];
    json& quantity = metric[std::string(formats::quantity_name(row.quantity))];
    if (row.metric == "shortage") {
      quantity.push_back(row.summary.mean);
    } else {
      quantity.push_back(row.summary.percentiles);
    }
  }
  // The shares of paths on which each ratio and median salary rose and fell, per period.
  for (const auto& share : comparison.shares) {
    const auto& row = comparison.rows[share.row];
    json& metric = series[index[row.role]][row.metric];
    metric["up"].push_back(share.up);
    metric["down"].push_back(share.down);
  }
  json out;
  out["paths"] = comparison.paths_done;
  out["series"] = std::move(series);
  return out;
}

json problems_json(const std::vector<Problem>& problems) {
  json list = json::array();
  std::string text;
  for (const Problem& p : problems) {
    list.push_back(
        {{"where", p.where}, {"index", p.index}, {"key", p.key}, {"message", p.message}});
    text +=
        p.key.empty() ? fmt::format("{}\n", p.message) : fmt::format("{}: {}\n", p.key, p.message);
  }
  return {{"problems", std::move(list)},
          {"text", text + fmt::format("{} error{}; nothing was run", problems.size(),
                                      problems.size() == 1 ? "" : "s")}};
}

}  // namespace talentcast::serve
