// `talentcast sensitivity`: the sensitivity of a sweep's outputs to its parameters, from its
// results database (docs/sweeps.md).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

#include "cli.hpp"
#include "interrupt.hpp"
#include "outputs.hpp"
#include "sensitivity_charts.hpp"
#include "talentcast/core/sensitivity.hpp"
#include "talentcast/formats/sweep_store.hpp"
#include "talentcast/io/sqlite.hpp"
#include "talentcast/version.hpp"

namespace talentcast::cli {

namespace {

const std::vector<std::string> kStatistics{"mean", "sd",  "p05", "p10", "p25",
                                           "p50",  "p75", "p90", "p95", "mcse"};

struct Parameter {
  std::string key;
  std::optional<double> low, high;
  std::vector<double> levels;
  // The coordinate in [0, 1] of a value: its place in the range, or among the levels.
  double unit(double v) const {
    if (!levels.empty()) {
      const auto it = std::find(levels.begin(), levels.end(), v);
      const auto k = static_cast<double>(it - levels.begin());
      return levels.size() > 1 ? k / static_cast<double>(levels.size() - 1) : 0.5;
    }
    return (v - *low) / (*high - *low);
  }
};

struct Results {
  std::string design;
  std::size_t points = 0;
  std::uint64_t seed = 0;
  std::size_t committed = 0;  // points in the database
  std::vector<Parameter> parameters;
  std::vector<std::vector<double>> values;  // [point][parameter]
  std::vector<std::string> periods;
};

Results read_results(io::Database& db) {
  Results r;
  const formats::StoredSweep sweep = formats::read_sweep(db);
  r.design = sweep.design;
  r.points = sweep.points;
  r.seed = sweep.seed;
  for (auto& stored : formats::read_parameters(db)) {
    r.parameters.push_back(
        {std::move(stored.key), stored.low, stored.high, std::move(stored.levels)});
  }
  r.values.assign(r.points, std::vector<double>(r.parameters.size(), NAN));
  for (const auto& [point, values] : formats::read_point_values(db, r.parameters.size())) {
    if (point < r.points) r.values[point] = values;
  }
  r.committed = formats::stored_points(db);
  r.periods = formats::stored_periods(db);
  return r;
}

struct Output {
  std::string metric, role, period, statistic;
  std::string name() const { return fmt::format("{}:{}:{}:{}", metric, role, period, statistic); }
};

// The --output values, parsed; their problems, and those of --db and --charts, go to errors.
std::vector<Output> check_arguments(const SensitivityArgs& args, std::vector<std::string>& errors) {
  std::vector<Output> outputs;
  for (const auto& text : args.outputs) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t colon; (colon = text.find(':', start)) != std::string::npos;
         start = colon + 1) {
      parts.push_back(text.substr(start, colon - start));
    }
    parts.push_back(text.substr(start));
    if (parts.size() != 4 ||
        std::find(kStatistics.begin(), kStatistics.end(), parts[3]) == kStatistics.end()) {
      errors.push_back(fmt::format(
          "--output: expected metric:role:period:statistic (statistic one of {}; period * for "
          "every period), found '{}'",
          fmt::join(kStatistics, ", "), text));
      continue;
    }
    outputs.push_back({parts[0], parts[1], parts[2], parts[3]});
  }
  if (!std::filesystem::is_regular_file(args.db)) {
    errors.push_back(
        fmt::format("--db: expected a sweep's results database, found '{}', which "
                    "does not exist",
                    args.db));
  }
  // --charts DIR is new, empty, or an earlier chart set's, which its manifest.json says.
  if (const auto found = args.charts.empty()
                             ? std::nullopt
                             : foreign_directory(args.charts, formats::kChartSetFormat,
                                                 "a chart set's", {"manifest.json"})) {
    errors.push_back(fmt::format(
        "--charts {}: expected a new or empty directory, or an earlier one of `sensitivity "
        "--charts`, found a directory {}",
        args.charts, *found));
  } else if (!args.charts.empty() && std::filesystem::exists(args.charts) &&
             !std::filesystem::is_directory(args.charts)) {
    errors.push_back(fmt::format("--charts {}: expected a directory, found a file", args.charts));
  }
  return outputs;
}

// The outputs with each "*" period expanded to every stored period.
std::vector<Output> expand_periods(const std::vector<Output>& outputs,
                                   const std::vector<std::string>& periods) {
  std::vector<Output> expanded;
  for (const auto& o : outputs) {
    if (o.period != "*") {
      expanded.push_back(o);
      continue;
    }
    for (const auto& label : periods) expanded.push_back({o.metric, o.role, label, o.statistic});
  }
  return expanded;
}

// One output's value at each point (NAN where absent), and how many points have it.
std::pair<std::vector<double>, std::size_t> read_output(io::Database& db, const Output& o,
                                                        std::size_t points) {
  std::vector<double> y(points, NAN);
  std::size_t found = 0;
  for (const auto& [i, value] : formats::read_output(db, o.metric, o.role, o.period, o.statistic)) {
    if (i < y.size()) {
      y[i] = value;
      ++found;
    }
  }
  return {std::move(y), found};
}

// Tornado data for parameter j: the mean output over the points whose value is at or below the
// parameter's 10th percentile value, and at or above its 90th (ties included: a grid's two
// levels are two halves).
std::pair<double, double> tornado(const Results& results, const std::vector<double>& y,
                                  std::size_t j) {
  std::vector<double> sorted(results.points);
  for (std::size_t i = 0; i < results.points; ++i) sorted[i] = results.values[i][j];
  std::sort(sorted.begin(), sorted.end());
  const std::size_t tenth = std::max<std::size_t>(1, results.points / 10);
  const double low_value = sorted[tenth - 1];
  const double high_value = sorted[results.points - tenth];
  double low = 0.0, high = 0.0;
  std::size_t n_low = 0, n_high = 0;
  for (std::size_t i = 0; i < results.points; ++i) {
    if (results.values[i][j] <= low_value) {
      low += y[i];
      ++n_low;
    }
    if (results.values[i][j] >= high_value) {
      high += y[i];
      ++n_high;
    }
  }
  return {low / static_cast<double>(n_low), high / static_cast<double>(n_high)};
}

// One output's sensitivity: Sobol indices (saltelli designs), Morris effects (morris designs)
// and tornado data (any design).
struct Computed {
  OutputSensitivity sensitivity;
  std::optional<core::MorrisEffects> morris;
};

Computed compute(const Output& o, const Results& results, const std::vector<double>& y,
                 std::size_t resamples) {
  const std::size_t d = results.parameters.size();
  Computed c;
  if (results.design == "saltelli") {
    const std::size_t n = results.points / (d + 2);
    c.sensitivity.sobol = core::sobol_indices(y, n, d, resamples, 0.95, results.seed);
  }
  if (results.design == "morris") {
    core::Design unit;
    unit.dims = d;
    for (std::size_t i = 0; i < results.points; ++i) {
      for (std::size_t j = 0; j < d; ++j) {
        unit.unit.push_back(results.parameters[j].unit(results.values[i][j]));
      }
    }
    c.morris = core::morris_effects(y, unit, results.points / (d + 1));
  }
  c.sensitivity.output = o.name();
  c.sensitivity.mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  for (std::size_t j = 0; j < d; ++j) {
    const auto [low, high] = tornado(results, y, j);
    c.sensitivity.parameters.push_back(results.parameters[j].key);
    c.sensitivity.low_tenth.push_back(low);
    c.sensitivity.high_tenth.push_back(high);
  }
  return c;
}

// The three formats of the results (--format), filled output by output.
struct Rendered {
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  std::string csv =
      "output,parameter,first,first_low,first_high,total,total_low,total_high,mu,mu_star,"
      "sigma,low_tenth_mean,high_tenth_mean\n";
  std::string table;

  void add(const Computed& c, const Results& results) {
    const OutputSensitivity& s = c.sensitivity;
    const auto& sobol = s.sobol;
    const auto& morris = c.morris;
    table += fmt::format("{}  ({} design, {} points)\n", s.output, results.design, results.points);
    std::size_t width = 9;
    for (const auto& p : results.parameters) width = std::max(width, p.key.size());
    table += fmt::format("{:<{}}", "parameter", width);
    if (sobol) table += fmt::format("  {:<22}  {:<22}", "first [95% CI]", "total [95% CI]");
    if (morris) table += fmt::format("  {:>10}  {:>10}  {:>10}", "mu", "mu*", "sigma");
    table += fmt::format("  {:>12}  {:>12}\n", "low tenth", "high tenth");
    for (std::size_t j = 0; j < s.parameters.size(); ++j) {
      const std::string& key = s.parameters[j];
      const double low = s.low_tenth[j], high = s.high_tenth[j];
      table += fmt::format("{:<{}}", key, width);
      nlohmann::ordered_json row;
      row["output"] = s.output;
      row["parameter"] = key;
      std::string line = fmt::format("{},{}", s.output, key);
      if (sobol) {
        const auto& f = sobol->first[j];
        const auto& t = sobol->total[j];
        table += fmt::format("  {:<22}  {:<22}",
                             fmt::format("{:.3f} [{:.3f}, {:.3f}]", f.value, f.low, f.high),
                             fmt::format("{:.3f} [{:.3f}, {:.3f}]", t.value, t.low, t.high));
        row["first"] = {{"value", f.value}, {"low", f.low}, {"high", f.high}};
        row["total"] = {{"value", t.value}, {"low", t.low}, {"high", t.high}};
        line += fmt::format(",{},{},{},{},{},{}", f.value, f.low, f.high, t.value, t.low, t.high);
      } else {
        line += ",,,,,,";
      }
      if (morris) {
        table += fmt::format("  {:>10.4g}  {:>10.4g}  {:>10.4g}", morris->mu[j], morris->mu_star[j],
                             morris->sigma[j]);
        row["mu"] = morris->mu[j];
        row["mu_star"] = morris->mu_star[j];
        row["sigma"] = morris->sigma[j];
        line += fmt::format(",{},{},{}", morris->mu[j], morris->mu_star[j], morris->sigma[j]);
      } else {
        line += ",,,";
      }
      table += fmt::format("  {:>12.4g}  {:>12.4g}\n", low, high);
      row["low_tenth_mean"] = low;
      row["high_tenth_mean"] = high;
      line += fmt::format(",{},{}\n", low, high);
      csv += line;
      json.push_back(std::move(row));
    }
    table += "\n";
  }
};

// The charts of the outputs in args.charts, with the manifest that marks it as a chart set's.
void write_charts(const SensitivityArgs& args, const std::vector<OutputSensitivity>& charted,
                  io::Database& db, const std::atomic<bool>& stop) {
  const std::filesystem::path dir(args.charts);
  OutputFiles files = sensitivity_charts(charted, dir, sweep_caption(db));
  // What the directory holds and where it came from; it also marks the directory as a chart
  // set's, which a later --charts may write into again.
  std::vector<std::string> names;
  for (const auto& [path, contents] : files) names.push_back(path.filename().string());
  files.emplace_back(dir / "manifest.json",
                     formats::chart_set_manifest(args.db, args.outputs, names, provenance({})));
  write_outputs(files, stop);
}

}  // namespace

SensitivityReport sensitivity_report(const SensitivityArgs& args) {
  SensitivityReport report;
  std::vector<std::string> errors;
  const std::vector<Output> outputs = check_arguments(args, errors);
  if (!errors.empty()) throw io::UserError(std::move(errors));
  std::optional<InterruptGuard> guard;
  const std::atomic<bool>& stop = args.stop != nullptr ? *args.stop : guard.emplace().flag();
  try {
    io::Database db = formats::open_store_to_read(args.db);
    const Results results = read_results(db);
    // Checked before any output is read: an incomplete sweep's statistics are not indexed by
    // output (formats::index_store), so each output's query would scan them all.
    const auto incomplete = [&](std::size_t found) {
      return io::UserError(fmt::format(
          "{}: the sweep is incomplete ({} of {} points); run talentcast sweep again to finish it",
          args.db, found, results.points));
    };
    if (results.committed < results.points) throw incomplete(results.committed);
    if (!formats::store_indexed(db)) {
      throw io::UserError(fmt::format(
          "{}: the sweep's statistics are not indexed by output (it was stopped while indexing "
          "them); run talentcast sweep again to index them",
          args.db));
    }
    Rendered rendered;
    std::vector<OutputSensitivity> charted;  // for the warnings and the charts
    for (const auto& o : expand_periods(outputs, results.periods)) {
      const auto [y, found] = read_output(db, o, results.points);
      if (found == 0) {
        throw io::UserError(fmt::format(
            "--output: expected an output stored in {} (metric, role, period as in its stats "
            "view), found '{}'",
            args.db, o.name()));
      }
      if (found < results.points) throw incomplete(found);
      const Computed computed = compute(o, results, y, args.resamples);
      rendered.add(computed, results);
      charted.push_back(computed.sensitivity);
    }
    if (!args.charts.empty()) write_charts(args, charted, db, stop);
    if (args.format == "csv") {
      report.text = rendered.csv;
    } else if (args.format == "json") {
      report.text = rendered.json.dump(1) + "\n";
    } else {
      report.text = rendered.table;
      report.text +=
          "first, total: Sobol indices (Saltelli 2010, Jansen 1999) with bootstrap 95% intervals "
          "(saltelli designs); mu, mu*, sigma: Morris elementary effects per whole range of a "
          "parameter (morris designs); low/high tenth: mean output where the parameter is in its "
          "lowest/highest tenth of values, ties included (tornado data)\n";
      if (!args.charts.empty()) {
        report.text +=
            fmt::format("wrote {} charts (SVG and PNG) in {}\n",
                        charted.size() * (results.design == "saltelli" ? 2 : 1), args.charts);
      }
    }
    report.warnings = ranking_warnings(charted);
  } catch (const io::SqliteError& e) {
    throw io::UserError(fmt::format("{}: not a readable sweep database ({})", args.db, e.what()));
  }
  return report;
}

int sensitivity_command(const SensitivityArgs& args) {
  const SensitivityReport report = sensitivity_report(args);
  fmt::print("{}", report.text);
  for (const auto& warning : report.warnings) {
    fmt::print(stderr, "talentcast: warning: {}\n", warning);
  }
  if (!report.warnings.empty()) fmt::print(stderr, "talentcast: the rule: {}\n", kRankingRule);
  return kExitOk;
}

}  // namespace talentcast::cli
