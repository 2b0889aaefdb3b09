#include "talentcast/studies/comparison_base.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <span>
#include <stdexcept>

#include "kept_paths.hpp"
#include "run_options.hpp"
#include "talentcast/core/engine.hpp"
#include "talentcast/models/labour_market.hpp"

namespace talentcast::studies {

using formats::Quantity;
using models::LabourMarketModel;
using models::Metric;
using models::OutputLayout;
using models::OutputSeries;

namespace {

bool is_salary(Metric metric) {
  return metric >= Metric::salary_median && metric <= Metric::salary_p90;
}

// Calls visit(output, series, period, metric) for every kept output, in the layout's order
// (series, period, metric), which is run_comparison's.
template <class Visit>
void for_each_kept(const OutputLayout& layout, const std::vector<Metric>& metrics, Visit visit) {
  for (const OutputSeries& series : layout.series()) {
    if (series.level) continue;
    for (std::size_t t = 0; t < layout.periods(); ++t) {
      for (std::size_t m = series.first_metric; m < series.first_metric + series.metric_count;
           ++m) {
        const auto metric = static_cast<Metric>(m);
        if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) continue;
        visit(layout.index(series, t, metric), series, t, metric);
      }
    }
  }
}

// Takes every row of the what-if's worker: the kept outputs' into a block of their own, the
// others into one scratch row, overwritten (each row is written, then checked, by the model).
class KeptRows final : public core::RowSink {
 public:
  KeptRows(std::size_t outputs, const std::vector<std::size_t>& kept)
      : slot_of_(outputs, kNotKept), rows_(kept.size() * core::kBlockPaths) {
    for (std::size_t k = 0; k < kept.size(); ++k) slot_of_.at(kept[k]) = k;
  }
  std::span<double> row(std::size_t v) override {
    if (v >= slot_of_.size())
      throw std::logic_error("a what-if worker reported a row past its outputs");
    const std::size_t k = slot_of_[v];
    return k == kNotKept
               ? std::span<double>(scratch_)
               : std::span<double>(rows_).subspan(k * core::kBlockPaths, core::kBlockPaths);
  }
  void flush() override {}
  const double* kept(std::size_t k) const { return rows_.data() + k * core::kBlockPaths; }

 private:
  static constexpr std::size_t kNotKept = static_cast<std::size_t>(-1);
  std::vector<std::size_t> slot_of_;
  std::vector<double> rows_;
  std::array<double, core::kBlockPaths> scratch_{};
};

}  // namespace

// The what-if on the same paths as the kept base. Kept output k's base row is output 3k, its
// what-if 3k + 1, their difference 3k + 2; the ratio of the j-th salary output is 3K + j.
class ComparisonBase::PairedModel final : public core::PathModel {
 public:
  PairedModel(const ComparisonBase& base, const LabourMarketModel& whatif)
      : base_(base), whatif_(whatif) {
    for (std::size_t k = 0; k < base.kept_.size(); ++k) {
      const Metric m = base.kept_metric_[k];
      if (is_salary(m)) salary_.push_back(k);
      if (m == Metric::ratio || m == Metric::salary_median) shared_.push_back(k);
    }
  }
  std::size_t outputs_per_path() const override {
    return 3 * base_.kept_.size() + salary_.size() + 2 * shared_.size();
  }
  /// The kept salaries: outputs 3K .. 3K + S - 1. The shares of paths up and down of the j-th
  /// kept ratio or median salary follow: outputs 3K + S + 2j and + 1, each path's 1 or 0.
  std::size_t salaries() const { return salary_.size(); }
  std::unique_ptr<core::PathWorker> make_worker() const override {
    return std::make_unique<Worker>(*this);
  }

 private:
  class Worker final : public core::PathWorker {
   public:
    explicit Worker(const PairedModel& model)
        : model_(model),
          whatif_(model.whatif_.make_worker()),
          rows_(model.whatif_.outputs_per_path(), model.base_.kept_) {}
    void simulate(std::uint64_t first_path, std::size_t count, core::RowSink& out) override {
      whatif_->simulate(first_path, count, rows_);
      const ComparisonBase& base = model_.base_;
      const std::size_t K = base.kept_.size();
      for (std::size_t k = 0; k < K; ++k) {
        double* a = out.row(3 * k).data();
        for (std::size_t i = 0; i < count; ++i) a[i] = base.values_[(first_path + i) * K + k];
        const double* b = rows_.kept(k);
        std::copy_n(b, count, out.row(3 * k + 1).data());
        double* difference = out.row(3 * k + 2).data();
        for (std::size_t i = 0; i < count; ++i) difference[i] = b[i] - a[i];
      }
      const std::size_t S = model_.salary_.size();
      for (std::size_t j = 0; j < model_.shared_.size(); ++j) {
        const std::size_t k = model_.shared_[j];
        const double* b = rows_.kept(k);
        double* up = out.row(3 * K + S + 2 * j).data();
        double* down = out.row(3 * K + S + 2 * j + 1).data();
        for (std::size_t i = 0; i < count; ++i) {
          const double a = base.values_[(first_path + i) * K + k];
          up[i] = b[i] > a ? 1.0 : 0.0;
          down[i] = b[i] < a ? 1.0 : 0.0;
        }
      }
      for (std::size_t j = 0; j < model_.salary_.size(); ++j) {
        const std::size_t k = model_.salary_[j];
        const double* b = rows_.kept(k);
        double* ratio = out.row(3 * K + j).data();
        for (std::size_t i = 0; i < count; ++i) {
          ratio[i] = b[i] / base.values_[(first_path + i) * K + k];
        }
      }
      out.flush();
    }

   private:
    const PairedModel& model_;
    std::unique_ptr<core::PathWorker> whatif_;
    KeptRows rows_;
  };

  const ComparisonBase& base_;
  const LabourMarketModel& whatif_;
  std::vector<std::size_t> salary_;  // the kept outputs that are salaries, in order
  std::vector<std::size_t> shared_;  // the kept ratios and median salaries, in order
};

ComparisonBase::ComparisonBase(models::Scenario base, std::vector<Metric> metrics,
                               const ForecastSettings& settings)
    : base_(std::move(base)), metrics_(std::move(metrics)), seed_(settings.seed) {
  const LabourMarketModel model(base_, {settings.seed, false, false});
  for_each_kept(model.layout(), metrics_, [&](std::size_t v, const auto&, std::size_t, Metric m) {
    kept_.push_back(v);
    kept_metric_.push_back(m);
  });
  const detail::KeepingModel keeping(model, kept_);
  core::RunOptions options = detail::run_options(settings);
  options.retain_paths = settings.paths;
  core::RunResult result = core::run(keeping, options);
  paths_ = result.paths_done;
  interrupted_ = result.interrupted;
  values_ = std::move(result.retained);
  values_.resize(paths_ * kept_.size());
}

Comparison ComparisonBase::compare(const models::Scenario& whatif,
                                   const ForecastSettings& settings) const {
  if (const auto problems = comparison_problems(base_, whatif); !problems.empty()) {
    throw std::invalid_argument(problems.front());
  }
  if (settings.paths > paths_) {
    throw std::invalid_argument(
        fmt::format("asked for {} paths of a base that keeps {}", settings.paths, paths_));
  }
  const LabourMarketModel model(whatif, {seed_, false, false});
  const PairedModel paired(*this, model);
  const core::RunResult result = core::run(paired, detail::run_options(settings));

  Comparison comparison;
  comparison.paths_done = result.paths_done;
  comparison.interrupted = result.interrupted;
  const std::size_t K = kept_.size();
  const std::size_t shares_from = 3 * K + paired.salaries();
  std::size_t k = 0, j = 0, w = 0;
  for_each_kept(model.layout(), metrics_,
                [&](std::size_t, const OutputSeries& series, std::size_t t, Metric metric) {
                  if (metric == Metric::ratio || metric == Metric::salary_median) {
                    comparison.shares.push_back({comparison.rows.size() + 2,
                                                 result.outputs[shares_from + 2 * w].mean,
                                                 result.outputs[shares_from + 2 * w + 1].mean});
                    ++w;
                  }
                  const std::string label = base_.period_label(static_cast<int>(t));
                  const std::string name(models::metric_name(metric));
                  for (std::size_t q = 0; q < 3; ++q) {
                    comparison.rows.push_back({series.name, label, name, static_cast<Quantity>(q),
                                               result.outputs[3 * k + q]});
                  }
                  if (is_salary(metric)) {
                    comparison.rows.push_back(
                        {series.name, label, name, Quantity::ratio, result.outputs[3 * K + j++]});
                  }
                  ++k;
                });
  return comparison;
}

}  // namespace talentcast::studies
