#pragma once
// What the what-if page asks of talentcast, without HTTP (server.cpp carries it): the
// scenarios and their levers, a what-if compared with its base on common random numbers, and
// the what-if exported as a TOML variant or as the comparison's report (docs/serve.md, "API").

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "talentcast/config/scenario_document.hpp"
#include "talentcast/studies/comparison_base.hpp"

namespace talentcast::serve {

struct ServiceSettings {
  std::uint64_t paths = 5000;         ///< the most a what-if runs (and the kept base's paths)
  std::optional<std::uint64_t> seed;  ///< none: each scenario's own
  int threads = 0;
  /// Set by Ctrl-C: every run stops.
  const std::atomic<bool>* stop = nullptr;
};

/// An answer: an HTTP status and its body.
struct Reply {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::string filename;  ///< set: a download of this name
};

class WhatIfService {
 public:
  /// Reads and validates each scenario. Throws io::UserError with every problem of every file.
  WhatIfService(const std::vector<std::filesystem::path>& scenarios, ServiceSettings settings);
  ~WhatIfService();

  /// GET /api/scenarios: each scenario's id, file, title and description.
  Reply scenarios() const;
  /// GET /api/levers?scenario=ID: its roles, periods and levers with their base values.
  Reply levers(const std::string& scenario) const;
  /// POST /api/compare: a what-if (docs/serve.md, "API") against its base. A request that
  /// arrived later stops one in progress or waiting, which answers 409.
  Reply compare(const std::string& request);
  /// POST /api/export/toml: the what-if as a variant that extends its base.
  Reply export_toml(const std::string& request);
  /// POST /api/export/report: the comparison's HTML report, with its provenance block.
  Reply export_report(const std::string& request);
  /// Stops the run in progress (Ctrl-C: the server is stopping).
  void cancel();

 private:
  struct Entry;
  struct Prepared;
  /// The entry of a scenario's id (its index, as text), if any.
  std::optional<std::size_t> index_of(const std::string& id) const;
  Prepared prepare(const std::string& request) const;
  std::shared_ptr<const studies::ComparisonBase> base_for(std::size_t scenario);

  ServiceSettings settings_;
  std::vector<std::unique_ptr<Entry>> entries_;
  /// One run at a time: it guards base_ and base_scenario_ too.
  std::timed_mutex run_;
  /// Requests counted as they arrive; the newest registered one's number and stop flag, which
  /// a newer one sets.
  std::atomic<std::uint64_t> arrivals_{0};
  std::mutex newest_mutex_;
  std::uint64_t newest_arrival_ = 0;
  std::shared_ptr<std::atomic<bool>> newest_;
  /// The kept base of the scenario compared last (one, so memory stays bounded).
  std::shared_ptr<const studies::ComparisonBase> base_;
  std::size_t base_scenario_ = 0;
  const std::atomic<bool> never_{false};  ///< the stop of a service given none
};

}  // namespace talentcast::serve
