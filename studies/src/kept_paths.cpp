#include "kept_paths.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <utility>

namespace talentcast::studies::detail {

// Hands the base worker the engine's rows; when it flushes, copies each kept output's row of
// the block to that output's retained row, then lets the engine reduce them all.
class KeepingModel::Sink final : public core::RowSink {
 public:
  explicit Sink(const KeepingModel& model) : model_(model) {}
  void start(core::RowSink& out) { out_ = &out; }

  std::span<double> row(std::size_t v) override {
    const std::span<double> row = out_->row(v);
    if (v < model_.slot_of_.size() && model_.slot_of_[v] != kNotKept) {
      pending_.emplace_back(model_.slot_of_[v], row);
    }
    return row;
  }
  void flush() override {
    const std::size_t outputs = model_.outputs_per_path();
    for (const auto& [slot, row] : pending_) {
      const std::span<double> kept = out_->row(outputs + slot);
      std::copy(row.begin(), row.end(), kept.begin());
    }
    pending_.clear();
    out_->flush();
  }

 private:
  const KeepingModel& model_;
  core::RowSink* out_ = nullptr;
  std::vector<std::pair<std::size_t, std::span<double>>> pending_;
};

class KeepingModel::Worker final : public core::PathWorker {
 public:
  explicit Worker(const KeepingModel& model) : base_(model.base_.make_worker()), sink_(model) {}
  void simulate(std::uint64_t first_path, std::size_t count, core::RowSink& out) override {
    sink_.start(out);
    base_->simulate(first_path, count, sink_);
  }

 private:
  std::unique_ptr<core::PathWorker> base_;
  Sink sink_;
};

KeepingModel::KeepingModel(const core::PathModel& base, std::vector<std::size_t> kept)
    : base_(base), kept_(std::move(kept)), slot_of_(base.outputs_per_path(), kNotKept) {
  if (base.retained_per_path() != 0) {
    throw std::logic_error("KeepingModel: the base model retains values of its own");
  }
  for (std::size_t k = 0; k < kept_.size(); ++k) slot_of_.at(kept_[k]) = k;
}

std::unique_ptr<core::PathWorker> KeepingModel::make_worker() const {
  return std::make_unique<Worker>(*this);
}

}  // namespace talentcast::studies::detail
