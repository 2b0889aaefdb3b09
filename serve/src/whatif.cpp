#include "whatif.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "cli.hpp"
#include "comparison_page.hpp"
#include "export.hpp"
#include "levers.hpp"
#include "page_data.hpp"
#include "request.hpp"
#include "talentcast/config/scenario_loader.hpp"
#include "talentcast/models/labour_market.hpp"

namespace talentcast::serve {

using nlohmann::json;

struct WhatIfService::Entry {
  std::filesystem::path path;
  config::ScenarioDocument document;
  models::Scenario scenario;
  std::vector<Lever> levers;
};

// A request read, its changes and the what-if they make, or its problems.
struct WhatIfService::Prepared {
  const Entry* entry = nullptr;
  std::size_t index = 0;
  WhatIf whatif;
  /// The changes as the what-if's document keeps them (a later one of a key replaces an
  /// earlier one): what the export states.
  std::vector<std::pair<std::string, std::string>> changes;
  std::optional<models::Scenario> scenario;
  std::uint64_t paths = 0, seed = 0;
  std::vector<Problem> problems;
};

namespace {

// A text that is not UTF-8 (a scenario's file name) is shown with U+FFFD, never refused.
Reply json_reply(int status, const json& body) {
  return {status, "application/json; charset=utf-8",
          body.dump(-1, ' ', false, json::error_handler_t::replace), ""};
}

Reply problems_reply(const std::vector<Problem>& problems) {
  return json_reply(422, problems_json(problems));
}

// The metrics the page shows.
const std::vector<models::Metric> kPageMetrics{models::Metric::ratio, models::Metric::shortage,
                                               models::Metric::salary_median};

}  // namespace

WhatIfService::WhatIfService(const std::vector<std::filesystem::path>& scenarios,
                             ServiceSettings settings)
    : settings_(settings) {
  std::vector<io::Diagnostic> diagnostics;
  std::vector<std::string> sentences;
  for (const auto& path : scenarios) {
    try {
      config::ScenarioDocument document(path);
      models::Scenario scenario = document.scenario();
      auto levers = levers_of(document, scenario);
      entries_.push_back(std::make_unique<Entry>(
          Entry{path, std::move(document), std::move(scenario), std::move(levers)}));
    } catch (const io::UserError& error) {
      diagnostics.insert(diagnostics.end(), error.diagnostics().begin(), error.diagnostics().end());
      sentences.insert(sentences.end(), error.problems().begin(), error.problems().end());
    }
  }
  if (!diagnostics.empty() || !sentences.empty()) {
    io::UserError error(std::move(sentences));
    error.add(std::move(diagnostics));
    throw error;
  }
}

WhatIfService::~WhatIfService() = default;

Reply WhatIfService::scenarios() const {
  json list = json::array();
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = *entries_[i];
    list.push_back({{"id", std::to_string(i)},
                    {"file", e.path.filename().string()},
                    {"title", e.scenario.title},
                    {"description", e.scenario.description}});
  }
  return json_reply(200, {{"scenarios", std::move(list)}, {"paths", settings_.paths}});
}

std::optional<std::size_t> WhatIfService::index_of(const std::string& id) const {
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (std::to_string(i) == id) return i;
  }
  return std::nullopt;
}

Reply WhatIfService::levers(const std::string& scenario) const {
  const auto i = index_of(scenario);
  if (!i) return problems_reply({{"request", 0, "scenario", "no scenario has this id"}});
  return json_reply(200, levers_json(scenario, entries_[*i]->scenario, entries_[*i]->levers));
}

WhatIfService::Prepared WhatIfService::prepare(const std::string& request) const {
  Prepared p;
  p.whatif = read_whatif(request, p.problems);
  if (!p.problems.empty()) return p;
  const auto index = index_of(p.whatif.scenario);
  if (!index) {
    p.problems.push_back({"request", 0, "scenario", "no scenario has this id"});
    return p;
  }
  p.index = *index;
  p.entry = entries_[p.index].get();
  p.paths = p.whatif.paths.value_or(settings_.paths);
  if (p.paths < 1 || p.paths > settings_.paths) {
    p.problems.push_back({"request", 0, "paths",
                          fmt::format("expected 1 to {} paths (serve --paths), found {}",
                                      settings_.paths, p.paths)});
  }
  p.seed = settings_.seed.value_or(p.entry->scenario.seed);
  check_values(p.whatif, p.entry->document, p.problems);
  const auto changes = changes_of(p.whatif, p.entry->levers, p.entry->scenario, p.problems);
  p.scenario =
      apply(p.entry->document, p.entry->scenario, p.whatif, changes, p.changes, p.problems);
  if (p.scenario) {
    for (const auto& problem : studies::comparison_problems(p.entry->scenario, *p.scenario)) {
      p.problems.push_back({"scenario", 0, "", problem});
    }
  }
  return p;
}

// The base runs under the server's stop alone: a newer what-if waits for it rather than
// throwing it away (it takes seconds for large --paths).
std::shared_ptr<const studies::ComparisonBase> WhatIfService::base_for(std::size_t scenario) {
  if (base_ && base_scenario_ == scenario) return base_;
  base_.reset();  // one kept base at a time
  studies::ForecastSettings settings;
  settings.paths = settings_.paths;
  settings.seed = settings_.seed.value_or(entries_[scenario]->scenario.seed);
  settings.threads = settings_.threads;
  settings.stop = settings_.stop ? settings_.stop : &never_;
  auto base = std::make_shared<const studies::ComparisonBase>(entries_[scenario]->scenario,
                                                              kPageMetrics, settings);
  if (base->interrupted()) return nullptr;
  base_ = std::move(base);
  base_scenario_ = scenario;
  return base_;
}

Reply WhatIfService::compare(const std::string& request) {
  const auto started = std::chrono::steady_clock::now();
  // The order of arrival decides which what-if is the newest, not the end of preparing it.
  const std::uint64_t arrival = ++arrivals_;
  Prepared p = prepare(request);
  if (!p.problems.empty()) return problems_reply(p.problems);
  const auto cancelled = [] {
    return json_reply(409, {{"cancelled", "a newer what-if replaced this one"}});
  };
  const auto stop = std::make_shared<std::atomic<bool>>(false);
  {
    const std::lock_guard lock(newest_mutex_);
    if (arrival < newest_arrival_) return cancelled();
    if (newest_) newest_->store(true);
    newest_ = stop;
    newest_arrival_ = arrival;
  }
  // Waits for the run in progress to end, but not once replaced.
  std::unique_lock run(run_, std::defer_lock);
  while (!run.try_lock_for(std::chrono::milliseconds(20))) {
    if (stop->load()) return cancelled();
  }
  if (stop->load()) return cancelled();
  const auto base = base_for(p.index);
  if (!base) return json_reply(409, {{"cancelled", "the server is stopping"}});
  studies::ForecastSettings settings;
  settings.paths = p.paths;
  settings.threads = settings_.threads;
  settings.stop = stop.get();
  studies::Comparison comparison;
  try {
    comparison = base->compare(*p.scenario, settings);
  } catch (const models::ModelError& error) {
    return problems_reply({{"scenario", 0, "", error.what()}});
  }
  if (comparison.interrupted) return cancelled();
  json body = comparison_json(p.entry->scenario, comparison);
  body["seed"] = base->seed();
  body["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return json_reply(200, body);
}

void WhatIfService::cancel() {
  const std::lock_guard lock(newest_mutex_);
  if (newest_) newest_->store(true);
}

Reply WhatIfService::export_toml(const std::string& request) {
  Prepared p = prepare(request);
  if (!p.problems.empty()) return problems_reply(p.problems);
  std::string text = variant_toml(p.entry->path, p.changes, p.whatif,
                                  p.entry->scenario.events.size(), p.paths, p.seed, p.problems);
  if (!p.problems.empty()) return problems_reply(p.problems);
  return {200, "application/toml; charset=utf-8", std::move(text), "whatif.toml"};
}

namespace {

// A folder of its own under the system's temporary folder, removed with everything in it when
// it goes.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string name =
        (std::filesystem::temp_directory_path() / "talentcast-serve-XXXXXX").string();
    if (!mkdtemp(name.data())) throw std::runtime_error("cannot make a temporary folder");
    path_ = name;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

// The report is the one `talentcast compare BASE whatif.toml --report` writes for the exported
// file: the what-if is read back from that file, and both run on every output, so that its
// digests are those of the command's.
Reply WhatIfService::export_report(const std::string& request) {
  Prepared p = prepare(request);
  if (!p.problems.empty()) return problems_reply(p.problems);
  const std::string text =
      variant_toml(p.entry->path, p.changes, p.whatif, p.entry->scenario.events.size(), p.paths,
                   p.seed, p.problems);
  if (!p.problems.empty()) return problems_reply(p.problems);
  const TemporaryFolder folder;
  const auto file = folder.path() / "whatif.toml";
  std::ofstream(file) << text;
  std::optional<models::Scenario> read;
  try {
    read = config::load_scenario(file);
  } catch (const io::UserError& error) {
    // Not expected (the page's what-if validated): told as the downloaded file's problem.
    std::string told = cli::user_error_text(error);
    for (std::size_t at; (at = told.find(file.string())) != std::string::npos;) {
      told.replace(at, file.string().size(), "whatif.toml");
    }
    return problems_reply({{"scenario", 0, "", told}});
  }
  const models::Scenario& whatif = *read;
  cli::CompareArgs args;
  args.base = base_reference(p.entry->path);
  args.whatif = "whatif.toml";
  args.paths = p.paths;
  args.seed = p.seed;
  args.report = (folder.path() / "whatif-report.html").string();
  args.command_line = fmt::format(
      "talentcast compare {} whatif.toml --paths {} --seed {} --report "
      "whatif-report.html",
      args.base, p.paths, p.seed);
  studies::ForecastSettings settings;
  settings.paths = p.paths;
  settings.seed = p.seed;
  settings.threads = settings_.threads;
  settings.stop = settings_.stop;
  const std::lock_guard run(run_);  // waits for a what-if in progress
  const studies::Comparison comparison =
      studies::run_comparison(p.entry->scenario, whatif, settings);
  if (comparison.interrupted) {
    return json_reply(409, {{"cancelled", "the server is stopping"}});
  }
  const std::string period = p.entry->scenario.period_label(p.entry->scenario.periods() - 1);
  for (auto& [path, contents] :
       cli::comparison_page(args, p.entry->scenario, whatif, comparison, p.seed, period)) {
    if (path == args.report) {
      return {200, "text/html; charset=utf-8", std::move(contents), "whatif-report.html"};
    }
  }
  throw std::logic_error("the comparison page wrote no page");
}

}  // namespace talentcast::serve
