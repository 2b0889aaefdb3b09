#include <fmt/core.h>

#include "cli.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/models/labour_market.hpp"

namespace talentcast::cli {

int replay_command(const ReplayArgs& args) {
  const models::Scenario scenario = load_scenario_for_command(args.scenario);
  const models::LabourMarketModel model(scenario,
                                        {args.seed.value_or(scenario.seed), args.central});
  const std::vector<double> values = model.replay(args.central ? 0 : args.path);
  const models::OutputLayout& layout = model.layout();
  fmt::print("role,period,metric,value\n");
  for (const models::OutputSeries& series : layout.series()) {
    for (std::size_t period = 0; period < layout.periods(); ++period) {
      const std::string label = scenario.period_label(static_cast<int>(period));
      for (std::size_t m = series.first_metric; m < series.first_metric + series.metric_count;
           ++m) {
        const auto metric = static_cast<models::Metric>(m);
        fmt::print("{},{},{},{}\n", io::csv_field(series.name), label, models::metric_name(metric),
                   values[layout.index(series, period, metric)]);
      }
    }
  }
  return kExitOk;
}

}  // namespace talentcast::cli
