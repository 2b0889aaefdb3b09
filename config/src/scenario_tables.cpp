// The scenario's other tables (fields, events, regimes, correlations), validated in full like
// the roles (scenario_roles.cpp).

#include <fmt/core.h>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "talentcast/core/engine.hpp"
#include "validator.hpp"

namespace talentcast::config {

using models::Date;
using models::EventSpec;
using models::FieldSpec;
using models::parse_date;
using models::RegimeSpec;
using models::Step;
namespace detail {

// A field's graduates by year: its `series`, or its `enrolment` (graduating `lag` years on).
void Validator::field_series(const toml::table& table, const std::string& prefix,
                             FieldSpec& field) {
  const Range headcount{0, 1e10};
  for (const char* form : {"series", "enrolment"}) {
    const toml::node* series_node = table.get(form);
    if (!series_node) continue;
    field.form =
        std::string_view(form) == "series" ? FieldSpec::Form::series : FieldSpec::Form::enrolment;
    const toml::table* series = table_at(series_node, prefix + form);
    if (!series) continue;
    if (series->empty()) error(*series_node, prefix + form, "at least one year", "none");
    for (const auto& [year_key, value] : *series) {
      const auto date = parse_date(year_key.str());
      const std::string key = prefix + form + "." + std::string(year_key.str());
      if (!date || date->precision != Step::year) {
        error(value, key, "a calendar year such as 2024 as the key",
              fmt::format("'{}'", year_key.str()));
        continue;
      }
      if (auto p = parameter(value, key, headcount, key)) field.series.emplace(date->year, *p);
    }
  }
}

// An event's months: from `from` to `to` (or through `from`'s period), relative to the start.
// Returns its start date, when valid.
std::optional<Date> Validator::event_window(const toml::table& table, const std::string& prefix,
                                            const Scenario& s, EventSpec& event) {
  const auto read_date = [&](const char* key) -> std::optional<Date> {
    const toml::node* d = table.get(key);
    if (!d) return std::nullopt;
    const auto text =
        string(*d, prefix + key, "a date such as \"2026\", \"2026-Q3\" or \"2026-07\"");
    if (!text) return std::nullopt;
    const std::optional<Date> date = parse_date(*text);
    if (!date) {
      error(*d, prefix + key, "a date such as \"2026\", \"2026-Q3\" or \"2026-07\"",
            describe_node(*d));
    }
    return date;
  };
  const auto from = read_date("from");
  if (!table.get("from")) error(table, prefix + "from", "the event's start date 'from'", "nothing");
  const auto to = table.get("to") ? read_date("to") : from;
  if (from && to) {
    event.first_month = from->ordinal() - s.start.ordinal();
    event.last_month = to->last_ordinal() - s.start.ordinal();
    if (event.last_month < event.first_month) {
      error(*table.get("to"), prefix + "to", "a date not before 'from'",
            describe_node(*table.get("to")));
    }
  }
  return from;
}

// The roles an event applies to (all when it names none).
void Validator::event_roles(const toml::node& roles_node, const std::string& prefix,
                            EventSpec& event) {
  if (const auto* roles = roles_node.as_array()) {
    if (roles->empty()) {
      error(roles_node, prefix + "roles",
            "a non-empty list of role names (leave 'roles' out for every role)", "[]");
    }
    for (const auto& r : *roles) {
      if (!r.is_string()) {
        error(r, prefix + "roles", "role names", describe_node(r));
      } else if (auto index = role_reference(r, r.as_string()->get(), prefix + "roles")) {
        event.roles.push_back(*index);
      }
    }
  } else {
    error(roles_node, prefix + "roles", "an array of role names", describe_node(roles_node));
  }
}

void Validator::fields(Scenario& s) {
  const toml::table* fields_table = table_at(root_.get("fields"), "fields");
  if (!fields_table) return;
  const std::vector<std::string> allowed{"series", "base",       "enrolment",        "growth",
                                         "lag",    "completion", "graduation_month", "shares"};
  for (const auto& [name_key, node] : *fields_table) {
    const std::string name(name_key.str());
    const std::string prefix = "fields." + name + ".";
    check_name(node, "fields." + name, name, "field");
    const toml::table* table = table_at(&node, "fields." + name);
    if (!table) continue;
    check_keys(*table, prefix, allowed, "a field key");
    FieldSpec field;
    field.name = name;
    const int forms = (table->contains("series") ? 1 : 0) + (table->contains("base") ? 1 : 0) +
                      (table->contains("enrolment") ? 1 : 0);
    if (forms != 1) {
      error(*table, "fields." + name,
            "exactly one of 'series', 'base' or 'enrolment' (graduates per year)",
            forms == 0 ? "none" : "more than one");
    }
    const Range headcount{0, 1e10};
    field_series(*table, prefix, field);
    if (const auto* base = table->get("base")) {
      field.form = FieldSpec::Form::base;
      if (auto p = parameter(*base, prefix + "base", headcount, prefix + "base")) field.base = *p;
    }
    if (const auto* growth = table->get("growth")) {
      if (auto p = parameter(*growth, prefix + "growth", {-1, 1}, prefix + "growth"))
        field.growth = *p;
    }
    if (const auto* lag = table->get("lag")) {
      if (field.form != FieldSpec::Form::enrolment) {
        error(*lag, prefix + "lag", "'lag' only with 'enrolment'", describe_node(*lag));
      } else if (auto v = integer(*lag, prefix + "lag", 0, 200)) {
        field.lag = static_cast<int>(*v);
      }
    }
    if (const auto* completion = table->get("completion")) {
      if (field.form != FieldSpec::Form::enrolment) {
        error(*completion, prefix + "completion", "'completion' only with 'enrolment'",
              describe_node(*completion));
      } else if (auto p =
                     parameter(*completion, prefix + "completion", {0, 1}, prefix + "completion")) {
        field.completion = *p;
      }
    }
    if (const auto* month = table->get("graduation_month")) {
      if (auto v = integer(*month, prefix + "graduation_month", 1, 12)) {
        field.graduation_month = static_cast<int>(*v);
      }
    }
    if (const auto* shares_node = table->get("shares")) {
      if (const toml::table* shares = table_at(shares_node, prefix + "shares")) {
        for (const auto& [role_key, share] : *shares) {
          const std::string key = prefix + "shares." + std::string(role_key.str());
          auto r = role_reference(share, role_key.str(), key);
          if (!r) continue;
          if (auto p = parameter(share, key, {0, 1}, key)) field.shares.emplace_back(*r, *p);
        }
        check_sum_at_most_one(*shares_node, prefix + "shares", field.shares);
      }
    }
    s.fields.push_back(std::move(field));
  }
}

void Validator::events(Scenario& s) {
  const toml::node* node = root_.get("events");
  if (!node) return;
  const toml::array* list = node->as_array();
  if (!list) {
    error(*node, "events", "an array of tables ([[events]])", describe_node(*node));
    return;
  }
  const std::vector<std::string> allowed{"name",       "from", "to", "roles", "demand_growth_add",
                                         "demand_jump"};
  std::set<std::string> event_names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    const std::string prefix = fmt::format("events[{}].", i);
    const toml::table* table = table_at(&item, fmt::format("events[{}]", i));
    if (!table) continue;
    check_keys(*table, prefix, allowed, "an event key");
    EventSpec event;
    event.name = fmt::format("event {}", i);
    // A named event's draws are addressed by its name, so adding an event elsewhere (in a base
    // file, say) leaves them unchanged; an unnamed one by its position.
    std::string address = prefix;
    if (const auto* name = table->get("name")) {
      if (auto text = string(*name, prefix + "name", "a string")) {
        event.name = *text;
        address = "events." + *text + ".";
        if (!event_names.insert(*text).second) {
          error(*name, prefix + "name", "a name no other event has",
                fmt::format("'{}' again", *text));
        }
      }
    }
    const auto from = event_window(*table, prefix, s, event);
    if (const auto* roles_node = table->get("roles")) event_roles(*roles_node, prefix, event);
    if (const auto* add = table->get("demand_growth_add")) {
      event.demand_growth_add =
          parameter(*add, prefix + "demand_growth_add", {-1, 1}, address + "demand_growth_add");
    }
    if (const auto* jump = table->get("demand_jump")) {
      event.demand_jump =
          parameter(*jump, prefix + "demand_jump", {0, 100, true}, address + "demand_jump");
      if (from && (event.first_month < 0 || event.first_month >= s.months())) {
        error(*table->get("from"), prefix + "from", "a demand_jump month within the horizon",
              describe_node(*table->get("from")));
      }
    }
    if (!table->get("demand_growth_add") && !table->get("demand_jump")) {
      error(*table, fmt::format("events[{}]", i), "'demand_growth_add' or 'demand_jump'",
            "neither");
    }
    s.events.push_back(std::move(event));
  }
}

void Validator::regimes(Scenario& s) {
  const toml::table* regimes_table = table_at(root_.get("regimes"), "regimes");
  const toml::node* initial = root_.get("initial_regime");
  if (!regimes_table) {
    if (initial)
      error(*initial, "initial_regime", "no 'initial_regime' without [regimes]",
            describe_node(*initial));
    return;
  }
  std::vector<std::string> names;
  for (const auto& [name, node] : *regimes_table) names.emplace_back(name.str());
  if (names.empty())
    error(*regimes_table, "regimes", "at least one [regimes.<name>] table", "none");
  for (const auto& [name_key, node] : *regimes_table) {
    const std::string name(name_key.str());
    const std::string prefix = "regimes." + name + ".";
    check_name(node, "regimes." + name, name, "regime");
    const toml::table* table = table_at(&node, "regimes." + name);
    if (!table) continue;
    check_keys(*table, prefix, {"growth_add", "rates"}, "a regime key");
    RegimeSpec regime;
    regime.name = name;
    regime.growth_add.assign(s.roles.size(), Parameter(0.0));
    if (const auto* add = table->get("growth_add")) {
      const auto* by_role = add->as_table();
      if (by_role && !by_role->contains("dist") && !by_role->contains("value")) {
        for (const auto& [role_key, value] : *by_role) {
          const std::string key = prefix + "growth_add." + std::string(role_key.str());
          auto r = role_reference(value, role_key.str(), key);
          auto p = parameter(value, key, {-1, 1}, key);
          if (r && p) regime.growth_add[*r] = *p;
        }
      } else if (auto p = parameter(*add, prefix + "growth_add", {-1, 1}, prefix + "growth_add")) {
        // One value for all roles, drawn for each role on its own.
        for (std::size_t r = 0; r < s.roles.size(); ++r)
          regime.growth_add[r] = p->for_role(role_names_[r]);
      }
    }
    if (const auto* rates_node = table->get("rates")) {
      if (const toml::table* rates = table_at(rates_node, prefix + "rates")) {
        for (const auto& [target_key, rate] : *rates) {
          const std::string target(target_key.str());
          const std::string key = prefix + "rates." + target;
          auto j = std::find(names.begin(), names.end(), target);
          if (j == names.end()) {
            error(rate, key, fmt::format("a regime of [regimes]{}", did_you_mean(target, names)),
                  fmt::format("unknown regime '{}'", target));
            continue;
          }
          if (target == name) {
            error(rate, key, "a rate to another regime", "a rate to the regime itself");
            continue;
          }
          if (auto p = parameter(rate, key, {0, 12}, key)) {
            regime.rates.emplace_back(static_cast<std::size_t>(j - names.begin()), *p);
          }
        }
      }
    }
    s.regimes.push_back(std::move(regime));
  }
  if (!initial) {
    error(root_, "initial_regime", "the name of the regime that holds in month 0", "nothing");
  } else if (auto text = string(*initial, "initial_regime", "a regime name")) {
    auto j = std::find(names.begin(), names.end(), *text);
    if (j == names.end()) {
      error(*initial, "initial_regime",
            fmt::format("a regime of [regimes]{}", did_you_mean(*text, names)),
            fmt::format("'{}'", *text));
    } else {
      s.initial_regime = static_cast<std::size_t>(j - names.begin());
    }
  }
}

Eigen::MatrixXd Validator::correlation(const toml::node& node, const std::string& key,
                                       std::size_t n) {
  Eigen::MatrixXd matrix =
      Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  const auto expected =
      fmt::format("one common correlation in (-1, 1) or a {} x {} matrix in role order", n, n);
  if (node.is_number()) {
    auto rho = number(node, key, {-1, 1, true, true});
    if (!rho) return matrix;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (i != j) matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = *rho;
  } else if (const auto* rows = node.as_array(); rows && rows->size() == n) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto* row = rows->get(i)->as_array();
      if (!row || row->size() != n) {
        error(*rows->get(i), fmt::format("{}[{}]", key, i), fmt::format("a row of {} numbers", n),
              describe_node(*rows->get(i)));
        return matrix;
      }
      for (std::size_t j = 0; j < n; ++j) {
        auto v = number(*row->get(j), fmt::format("{}[{}][{}]", key, i, j), {-1, 1});
        if (!v) return matrix;
        matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = *v;
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto ii = static_cast<Eigen::Index>(i);
      if (matrix(ii, ii) != 1.0) {
        error(node, fmt::format("{}[{}][{}]", key, i, i), "1 on the diagonal",
              fmt::format("{}", matrix(ii, ii)));
        return matrix;
      }
      for (std::size_t j = 0; j < i; ++j) {
        const auto jj = static_cast<Eigen::Index>(j);
        if (matrix(ii, jj) != matrix(jj, ii)) {
          error(node, key, "a symmetric matrix",
                fmt::format("[{}][{}] = {} but [{}][{}] = {}", i, j, matrix(ii, jj), j, i,
                            matrix(jj, ii)));
          return matrix;
        }
      }
    }
  } else {
    error(node, key, expected, describe_node(node));
    return matrix;
  }
  // Without roles there is nothing to correlate (and the missing roles are reported).
  if (n == 0) return matrix;
  Eigen::LLT<Eigen::MatrixXd> cholesky(matrix);
  if (cholesky.info() != Eigen::Success ||
      cholesky.matrixL().toDenseMatrix().diagonal().minCoeff() <= 0.0) {
    const double smallest =
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(matrix).eigenvalues().minCoeff();
    error(node, key, "a positive definite correlation matrix",
          fmt::format("a matrix whose smallest eigenvalue is {:.6g}", smallest));
  }
  return matrix;
}

void Validator::correlations(Scenario& s) {
  const std::size_t n = s.roles.size();
  s.demand_correlation =
      Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  s.wage_correlation = s.demand_correlation;
  const toml::table* table = table_at(root_.get("correlation"), "correlation");
  if (!table) return;
  check_keys(*table, "correlation.", {"demand", "wage"}, "a correlation key");
  if (const auto* demand = table->get("demand"))
    s.demand_correlation = correlation(*demand, "correlation.demand", n);
  if (const auto* wage = table->get("wage"))
    s.wage_correlation = correlation(*wage, "correlation.wage", n);
}

}  // namespace detail
}  // namespace talentcast::config
