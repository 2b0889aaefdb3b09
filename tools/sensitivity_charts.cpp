#include "sensitivity_charts.hpp"

#include <fmt/chrono.h>
#include <fmt/core.h>

#include <chrono>

#include "chart.hpp"
#include "html.hpp"
#include "talentcast/formats/sweep_store.hpp"
#include "talentcast/io/sqlite.hpp"

namespace talentcast::cli {

const char* const kRankingRule =
    "parameters are ranked by an index in the order of its values; two next to each other in "
    "that order are told apart when their 95% intervals do not overlap, or when both intervals "
    "end below 0.05 (neither parameter matters); more base rows (the sweep's points) narrow the "
    "intervals";

namespace {

// The two indices, as the warnings and the charts name them.
struct Index {
  const char* name;
  const std::vector<core::Estimate> core::SobolIndices::*values;
};
constexpr Index kIndices[] = {{"first-order", &core::SobolIndices::first},
                              {"total", &core::SobolIndices::total}};

std::string interval(const core::Estimate& e) {
  return fmt::format("{:.3f} [{:.3f}, {:.3f}]", e.value, e.low, e.high);
}

// OUTPUT as a file name: ratio:llm/senior:2030-Q4:p50 -> ratio-llm-senior-2030-Q4-p50.
std::string file_stem(const std::string& output) {
  std::string stem = output;
  for (char& c : stem) c = c == ':' ? '-' : c;
  return html::file_name(stem);
}

}  // namespace

std::vector<std::string> ranking_warnings(const std::vector<OutputSensitivity>& outputs) {
  std::vector<std::string> warnings;
  for (const auto& o : outputs) {
    if (!o.sobol) continue;
    for (const Index& index : kIndices) {
      const auto& values = (*o.sobol).*index.values;
      const core::Ranking ranking = core::rank_by(values);
      if (ranking.supported()) continue;
      for (const auto& [above, below] : ranking.unresolved) {
        warnings.push_back(fmt::format(
            "{}: the intervals are too wide to rank {} ({}) above {} ({}) by their {} index",
            o.output, o.parameters[above], interval(values[above]), o.parameters[below],
            interval(values[below]), index.name));
      }
    }
  }
  return warnings;
}

std::string sweep_caption(io::Database& db) {
  const formats::StoredSweep s = formats::read_sweep(db);
  const auto made =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format(
      "Sweep {} of {}: {} design, {} points of {} paths, seed {}. talentcast {}, commit {}. "
      "Charted {:%Y-%m-%d %H:%M} UTC.",
      s.sweep_file, s.scenario_file, s.design, s.points, s.paths, s.seed, s.talentcast_version,
      html::short_commit(s.git_commit), made);
}

std::vector<std::pair<std::filesystem::path, std::string>> sensitivity_charts(
    const std::vector<OutputSensitivity>& outputs, const std::filesystem::path& dir,
    const std::string& caption) {
  std::vector<std::pair<std::filesystem::path, std::string>> files;
  const auto add = [&](const chart::Rendered& r, const std::string& name) {
    files.emplace_back(dir / (name + ".svg"), r.svg);
    files.emplace_back(dir / (name + ".png"), r.png);
  };
  for (const auto& o : outputs) {
    chart::Tornado tornado;
    tornado.title = fmt::format("Tornado: {}", o.output);
    tornado.caption = caption;
    tornado.x_label = fmt::format("mean of {} over the points", o.output);
    tornado.parameters = o.parameters;
    tornado.low = o.low_tenth;
    tornado.high = o.high_tenth;
    tornado.baseline = o.mean;
    add(chart::render(tornado), file_stem(o.output) + "-tornado");
    if (!o.sobol) continue;
    // Ranked by the total index; a ranking the intervals do not support says so on the chart.
    const core::Ranking total = core::rank_by(o.sobol->total);
    chart::Sobol sobol;
    sobol.title = fmt::format("Sobol indices: {}", o.output);
    sobol.caption = caption;
    std::string unsupported;
    for (const Index& index : kIndices) {
      if (core::rank_by((*o.sobol).*index.values).supported()) continue;
      unsupported += fmt::format("{}{}", unsupported.empty() ? "" : " or ", index.name);
    }
    if (!unsupported.empty()) {
      sobol.notice =
          fmt::format("Intervals overlap: no ranking by {} index is supported; run more base rows",
                      unsupported);
    }
    for (std::size_t j : total.order) {
      sobol.parameters.push_back(o.parameters[j]);
      const auto& f = o.sobol->first[j];
      const auto& t = o.sobol->total[j];
      sobol.first.push_back({f.value, f.low, f.high});
      sobol.total.push_back({t.value, t.low, t.high});
    }
    add(chart::render(sobol), file_stem(o.output) + "-sobol");
  }
  return files;
}

}  // namespace talentcast::cli
