#pragma once
// The reference labour-market model of docs/reference-model.md as a core::PathModel: per path,
// the monthly steps 1-9 for every role, aggregated into the 16 metrics per role and reporting
// period plus the `total` pseudo-role.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "talentcast/core/engine.hpp"
#include "talentcast/io/diagnostic.hpp"
#include "talentcast/models/metrics.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::models {

struct ModelOptions {
  std::uint64_t seed = 1;
  /// The central projection: every distribution at its median, no shocks, no regime switches.
  bool central = false;
  /// Report each band's log median and log-sd as retained values (the band store, for the
  /// first RunOptions::retain_paths paths): OutputLayout::band_value gives their order.
  bool band_store = false;
};

/// A state became non-finite: the scenario's values are jointly unusable.
class ModelError : public io::UserError {
 public:
  using UserError::UserError;
};

class LabourMarketModel final : public core::PathModel {
 public:
  LabourMarketModel(const Scenario& scenario, ModelOptions options);
  ~LabourMarketModel() override;

  std::size_t outputs_per_path() const override { return layout_.size(); }
  std::size_t retained_per_path() const override {
    return options_.band_store ? layout_.band_values() : 0;
  }
  std::unique_ptr<core::PathWorker> make_worker() const override;

  const OutputLayout& layout() const { return layout_; }
  const Scenario& scenario() const { return scenario_; }
  const ModelOptions& options() const { return options_; }

  /// Every output of one path, computed alone: the same values the path has inside a run.
  std::vector<double> replay(std::uint64_t path) const;

 private:
  const Scenario& scenario_;
  ModelOptions options_;
  OutputLayout layout_;
};

}  // namespace talentcast::models
