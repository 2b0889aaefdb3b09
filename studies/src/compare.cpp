#include "talentcast/studies/compare.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "run_options.hpp"
#include "talentcast/core/engine.hpp"
#include "talentcast/formats/forecast_table.hpp"
#include "talentcast/io/csv.hpp"
#include "talentcast/models/labour_market.hpp"
#include "talentcast/models/metrics.hpp"

namespace talentcast::studies {

using formats::Quantity;
using models::LabourMarketModel;
using models::Metric;
using models::metric_name;
using models::OutputLayout;
using models::OutputSeries;
using models::Scenario;

namespace {

bool is_salary(Metric metric) {
  return metric == Metric::salary_median || metric == Metric::salary_p10 ||
         metric == Metric::salary_p25 || metric == Metric::salary_p75 ||
         metric == Metric::salary_p90;
}

// Both models on the same paths. Output v of the base model is output v here, the what-if's is
// N + v, their difference 2N + v, and the ratio of salary output salary[k] is 3N + k.
class PairedModel final : public core::PathModel {
 public:
  PairedModel(const LabourMarketModel& base, const LabourMarketModel& whatif)
      : base_(base), whatif_(whatif) {
    const OutputLayout& layout = base.layout();
    for (const OutputSeries& series : layout.series()) {
      for (std::size_t t = 0; t < layout.periods(); ++t) {
        for (std::size_t m = series.first_metric; m < series.first_metric + series.metric_count;
             ++m) {
          if (is_salary(static_cast<Metric>(m))) {
            salary_.push_back(layout.index(series, t, static_cast<Metric>(m)));
          }
        }
      }
    }
    salary_of_.assign(base.outputs_per_path(), kNotSalary);
    for (std::size_t k = 0; k < salary_.size(); ++k) salary_of_[salary_[k]] = k;
  }
  std::size_t outputs_per_path() const override {
    return 3 * base_.outputs_per_path() + salary_.size();
  }
  const std::vector<std::size_t>& salary_outputs() const { return salary_; }

  std::unique_ptr<core::PathWorker> make_worker() const override {
    return std::make_unique<Worker>(*this);
  }

 private:
  // The what-if's rows, paired as the what-if worker flushes them with the base's (held whole
  // for the block): each output's base, what-if and difference rows, and the ratio row of a
  // salary output, go to the engine's sink. The what-if's rows are read while in cache, and
  // never held for a whole block.
  class PairingSink final : public core::RowSink {
   public:
    PairingSink(const PairedModel& model, const std::vector<double>& base)
        : model_(model), base_(base), n_(model.base_.outputs_per_path()) {}
    void start(core::RowSink& out, std::size_t count) {
      out_ = &out;
      count_ = count;
    }
    std::span<double> row(std::size_t v) override {
      if (v >= n_) throw std::logic_error("a compared worker reported a row past its outputs");
      return pending_.add(v);
    }
    void flush() override {
      constexpr std::size_t B = core::kBlockPaths;
      // Quantity by quantity, so that the engine's sink gets rows of neighbouring outputs
      // together.
      for (std::size_t slot = 0; slot < pending_.size(); ++slot) {
        const std::size_t v = pending_.output(slot);
        std::copy_n(base_.data() + v * B, count_, out_->row(v).data());
      }
      for (std::size_t slot = 0; slot < pending_.size(); ++slot) {
        std::copy_n(pending_.data(slot), count_, out_->row(n_ + pending_.output(slot)).data());
      }
      for (std::size_t slot = 0; slot < pending_.size(); ++slot) {
        const std::size_t v = pending_.output(slot);
        const double* a = base_.data() + v * B;
        const double* b = pending_.data(slot);
        double* difference = out_->row(2 * n_ + v).data();
        for (std::size_t i = 0; i < count_; ++i) difference[i] = b[i] - a[i];
      }
      for (std::size_t slot = 0; slot < pending_.size(); ++slot) {
        const std::size_t v = pending_.output(slot);
        const std::size_t k = model_.salary_of_[v];
        if (k == kNotSalary) continue;
        const double* a = base_.data() + v * B;
        const double* b = pending_.data(slot);
        double* ratio = out_->row(3 * n_ + k).data();
        for (std::size_t i = 0; i < count_; ++i) ratio[i] = b[i] / a[i];
      }
      pending_.clear();
      out_->flush();
    }

   private:
    const PairedModel& model_;
    const std::vector<double>& base_;
    const std::size_t n_;
    core::RowSink* out_ = nullptr;
    std::size_t count_ = 0;
    core::PendingRows pending_;  // the what-if's
  };

  class Worker final : public core::PathWorker {
   public:
    explicit Worker(const PairedModel& model)
        : base_(model.base_.make_worker()),
          whatif_(model.whatif_.make_worker()),
          a_(model.base_.outputs_per_path() * core::kBlockPaths),
          pairing_(model, a_) {}
    void simulate(std::uint64_t first_path, std::size_t count, core::RowSink& out) override {
      base_->simulate(first_path, count, std::span<double>(a_));
      pairing_.start(out, count);
      whatif_->simulate(first_path, count, pairing_);
      pairing_.flush();
    }

   private:
    std::unique_ptr<core::PathWorker> base_, whatif_;
    std::vector<double> a_;
    PairingSink pairing_;
  };

  static constexpr std::size_t kNotSalary = static_cast<std::size_t>(-1);
  const LabourMarketModel& base_;
  const LabourMarketModel& whatif_;
  std::vector<std::size_t> salary_;
  std::vector<std::size_t> salary_of_;  // by base output: its k in salary_, or kNotSalary
};

}  // namespace

std::vector<std::string> comparison_problems(const Scenario& base, const Scenario& whatif) {
  std::vector<std::string> problems;
  const OutputLayout a(base), b(whatif);
  const auto names = [](const OutputLayout& layout) {
    std::vector<std::string> out;
    for (const auto& s : layout.series()) out.push_back(s.name);
    return out;
  };
  if (names(a) != names(b)) {
    problems.push_back(
        fmt::format("expected the roles and levels of the base, in its order ({}), found ({})",
                    fmt::join(names(a), ", "), fmt::join(names(b), ", ")));
  }
  if (base.periods() != whatif.periods() || base.period_label(0) != whatif.period_label(0)) {
    problems.push_back(fmt::format("expected the base's periods ({} to {}), found {} to {}",
                                   base.period_label(0), base.period_label(base.periods() - 1),
                                   whatif.period_label(0),
                                   whatif.period_label(whatif.periods() - 1)));
  }
  return problems;
}

Comparison run_comparison(const Scenario& base, const Scenario& whatif,
                          const ForecastSettings& settings,
                          std::optional<std::uint64_t> whatif_seed) {
  if (const auto problems = comparison_problems(base, whatif); !problems.empty()) {
    throw std::invalid_argument(problems.front());
  }
  // The same seed: every draw is addressed by (seed, path, what it is for), so path p of both
  // scenarios sees the same random numbers, and a parameter with the same key the same
  // quantile of its (possibly changed) distribution.
  const LabourMarketModel a(base, {settings.seed, false, false});
  const LabourMarketModel b(whatif, {whatif_seed.value_or(settings.seed), false, false});
  const PairedModel paired(a, b);
  const core::RunResult result = core::run(paired, detail::run_options(settings));

  Comparison comparison;
  comparison.paths_done = result.paths_done;
  comparison.interrupted = result.interrupted;
  const OutputLayout& layout = a.layout();
  const std::size_t n = layout.size();
  std::size_t next_salary = 0;
  for (const OutputSeries& series : layout.series()) {
    for (std::size_t t = 0; t < layout.periods(); ++t) {
      const std::string label = base.period_label(static_cast<int>(t));
      for (std::size_t m = series.first_metric; m < series.first_metric + series.metric_count;
           ++m) {
        const std::size_t v = layout.index(series, t, static_cast<Metric>(m));
        const std::string metric(metric_name(m));
        for (Quantity q : {Quantity::base, Quantity::whatif, Quantity::difference}) {
          comparison.rows.push_back(
              {series.name, label, metric, q, result.outputs[static_cast<std::size_t>(q) * n + v]});
        }
        if (is_salary(static_cast<Metric>(m))) {
          // Salary outputs were listed in this same order.
          comparison.rows.push_back(
              {series.name, label, metric, Quantity::ratio, result.outputs[3 * n + next_salary++]});
        }
      }
    }
  }
  return comparison;
}

}  // namespace talentcast::studies
