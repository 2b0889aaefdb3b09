#pragma once
// Internal to studies: the per-path values of chosen outputs (ForecastSettings::keep), kept by
// a model that passes another's outputs through unchanged and retains the chosen ones of every
// path after them.

#include <cstddef>
#include <memory>
#include <vector>

#include "talentcast/core/engine.hpp"

namespace talentcast::studies::detail {

class KeepingModel final : public core::PathModel {
 public:
  /// Keeps the outputs `kept` of base (indices into its outputs), in that order, as retained
  /// values; base must retain none of its own.
  KeepingModel(const core::PathModel& base, std::vector<std::size_t> kept);

  std::size_t outputs_per_path() const override { return base_.outputs_per_path(); }
  std::size_t retained_per_path() const override { return kept_.size(); }
  std::unique_ptr<core::PathWorker> make_worker() const override;

 private:
  class Sink;
  class Worker;
  const core::PathModel& base_;
  std::vector<std::size_t> kept_;
  std::vector<std::size_t> slot_of_;  // per output of base: its place in kept_, or kNotKept
  static constexpr std::size_t kNotKept = static_cast<std::size_t>(-1);
};

}  // namespace talentcast::studies::detail
