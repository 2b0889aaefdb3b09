// `talentcast reproduce`: rebuilds a run from its manifest and says whether the results are the
// same (docs/cli.md#reproduce). The scenario files come from the manifest itself, the data files
// from disk, each checked by its SHA-256; both are laid out in DIR/inputs as they were beside
// each other, so that `extends` and `salary_data` paths resolve as they did.

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli.hpp"
#include "outputs.hpp"
#include "talentcast/config/scenario_document.hpp"
#include "talentcast/core/libm.hpp"
#include "talentcast/formats/manifest_seal.hpp"
#include "talentcast/io/atomic_file.hpp"
#include "talentcast/io/created_directories.hpp"
#include "talentcast/io/input_file.hpp"
#include "talentcast/io/sha256.hpp"

namespace talentcast::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// A file of the run to lay out again: where the run read it, and its bytes.
struct InputFile {
  fs::path recorded;  ///< as the run named it (relative to where it ran, or absolute)
  std::string bytes;
};

// Where each recorded path goes under `root`, keeping the files' places relative to each other:
// relative paths are taken from one working directory, and the deepest directory holding all
// of them becomes `root`.
std::vector<fs::path> laid_out(const std::vector<InputFile>& files, const fs::path& root) {
  const fs::path cwd = "/.cwd";  // stands for the directory the run ran in
  std::vector<fs::path> absolute;
  for (const auto& file : files) {
    absolute.push_back(
        (file.recorded.is_absolute() ? file.recorded : cwd / file.recorded).lexically_normal());
  }
  const auto inside = [](const fs::path& path, const fs::path& dir) {
    const fs::path relative = path.lexically_relative(dir);
    return !relative.empty() && *relative.begin() != "..";
  };
  fs::path common = absolute.front().parent_path();
  for (const auto& path : absolute) {
    while (!inside(path, common) && common != common.root_path()) common = common.parent_path();
  }
  std::vector<fs::path> placed;
  for (const auto& path : absolute) placed.push_back(root / path.lexically_relative(common));
  return placed;
}

// A recorded path that names a file: not empty, and not ending in a directory ("a/", "x/..").
bool names_a_file(const fs::path& path) {
  const fs::path name = path.lexically_normal().filename();
  return !name.empty() && name != "." && name != "..";
}

// What in the manifest's fields that reproduce reads is not of the kind talentcast writes (a
// manifest edited by hand and sealed again, or written by something else), if anything.
std::optional<std::string> shape_problem(const ordered_json& manifest) {
  const auto files_problem =
      [&](const char* key,
          std::initializer_list<const char*> fields) -> std::optional<std::string> {
    const auto files = manifest.find(key);
    if (files == manifest.end()) return std::nullopt;
    if (!files->is_array())
      return fmt::format("{}: expected an array, found {}", key, files->type_name());
    for (std::size_t i = 0; i < files->size(); ++i) {
      const ordered_json& file = (*files)[i];
      if (!file.is_object()) {
        return fmt::format("{}[{}]: expected an object, found {}", key, i, file.type_name());
      }
      for (const char* field : fields) {
        if (!file.contains(field) || !file[field].is_string()) {
          return fmt::format("{}[{}].{}: expected a string, found {}", key, i, field,
                             file.contains(field) ? file[field].type_name() : "none");
        }
      }
      if (!names_a_file(file["path"].get<std::string>())) {
        return fmt::format("{}[{}].path: expected a file's path, found '{}'", key, i,
                           file["path"].get<std::string>());
      }
    }
    return std::nullopt;
  };
  if (auto problem = files_problem("scenario_files", {"path", "sha256", "text"})) return problem;
  if (auto problem = files_problem("data_files", {"path", "sha256"})) return problem;
  for (const char* key : {"seed", "paths"}) {
    const auto it = manifest.find(key);
    if (it == manifest.end() || !it->is_number_unsigned()) {
      return fmt::format("{}: expected a whole number, found {}", key,
                         it == manifest.end() ? "none" : it->type_name());
    }
  }
  if (const auto it = manifest.find("central"); it != manifest.end() && !it->is_boolean()) {
    return fmt::format("central: expected true or false, found {}", it->type_name());
  }
  if (const auto it = manifest.find("band_store"); it != manifest.end()) {
    if (!it->is_object() || !it->value("samples", ordered_json(0)).is_number_unsigned()) {
      return "band_store.samples: expected a whole number";
    }
  }
  return std::nullopt;
}

std::string field_string(const ordered_json& manifest, const char* key) {
  const auto it = manifest.find(key);
  return it != manifest.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The manifest, whole and sealed, of a run.
ordered_json read_manifest(const fs::path& manifest_path, const std::string& shown) {
  std::string text;
  try {
    text = io::read_text_file(manifest_path, io::kMaxJsonBytes);
  } catch (const io::InputFileError& e) {
    const bool missing = e.kind() == io::InputFileError::Kind::missing;
    throw io::UserError(
        fmt::format("{}: expected {}, found {}", shown,
                    missing ? "a run's manifest.json (or its directory)" : e.expected(),
                    missing ? "none" : e.found()));
  }
  ordered_json manifest = ordered_json::parse(text, nullptr, false);
  if (!manifest.is_object() || field_string(manifest, "format") != "talentcast-manifest-1") {
    throw io::UserError(fmt::format(
        "{}: expected a run's manifest (\"format\": \"talentcast-manifest-1\"), found {}", shown,
        manifest.is_object() ? "another file's" : "text that is not JSON"));
  }
  switch (formats::check_seal(manifest)) {
    case formats::SealState::broken:
      throw io::UserError(formats::broken_seal_message(shown));
    case formats::SealState::missing:
      fmt::print(stderr, "talentcast: warning: {}\n", formats::missing_seal_message(shown));
      break;
    case formats::SealState::intact:
      break;
  }

  if (const auto problem = shape_problem(manifest)) {
    throw io::UserError(fmt::format("{}: {}; nothing was run or written", shown, *problem));
  }
  return manifest;
}

// The scenario files, from the manifest (a manifest written before scenario_files holds only
// the resolved scenario, in place of the file that was run).
std::vector<InputFile> scenario_inputs(const ordered_json& manifest,
                                       std::vector<std::string>& errors) {
  std::vector<InputFile> inputs;
  if (const auto files = manifest.find("scenario_files");
      files != manifest.end() && files->is_array()) {
    for (const auto& file : *files) {
      InputFile input{file.value("path", ""), file.value("text", "")};
      if (io::sha256_hex(input.bytes) != file.value("sha256", "")) {
        errors.push_back(
            fmt::format("scenario_files: expected {} as its SHA-256 says, found "
                        "other text",
                        input.recorded.string()));
      }
      inputs.push_back(std::move(input));
    }
  } else {
    inputs.push_back(
        {field_string(manifest, "scenario_path"), field_string(manifest, "scenario_toml")});
  }
  if (inputs.empty() || inputs.front().recorded.empty()) {
    errors.push_back("scenario_files: expected the scenario files of the run, found none");
  }
  return inputs;
}

// The data files, found on disk by their digest: where the run read them (relative to here),
// or in a --data-dir, at the same relative path or by name. Added to inputs after the
// scenario's `scenario_files`.
void add_data_inputs(const ordered_json& manifest, const ReproduceArgs& args,
                     std::size_t scenario_files, std::vector<InputFile>& inputs,
                     std::vector<std::string>& errors) {
  for (const auto& file : manifest.value("data_files", ordered_json::array())) {
    const fs::path recorded = file.value("path", "");
    const std::string sha256 = file.value("sha256", "");
    const bool again =
        std::any_of(inputs.begin() + static_cast<std::ptrdiff_t>(scenario_files), inputs.end(),
                    [&](const InputFile& input) { return input.recorded == recorded; });
    if (again) continue;
    std::vector<fs::path> candidates{recorded};
    for (const auto& dir : args.data_dirs) {
      candidates.push_back(fs::path(dir) / recorded);
      candidates.push_back(fs::path(dir) / recorded.filename());
    }
    std::optional<std::string> found;
    std::vector<std::string> tried;
    for (const auto& candidate : candidates) {
      std::optional<std::string> bytes;
      try {
        bytes = io::read_binary_file(candidate, io::kMaxCsvBytes);
      } catch (const io::InputFileError&) {
        // not there, or not a file: the next candidate
      }
      if (bytes && io::sha256_hex(*bytes) == sha256) {
        found = bytes;
        break;
      }
      tried.push_back(fmt::format("{} ({})", candidate.string(),
                                  bytes ? "another SHA-256: changed since the run" : "none"));
    }
    if (!found) {
      errors.push_back(fmt::format(
          "data_files: expected {} with SHA-256 {} (the file the run read), found {}; give "
          "--data-dir DIR where the original is",
          recorded.string(), sha256, fmt::join(tried, ", ")));
      continue;
    }
    inputs.push_back({recorded, std::move(*found)});
  }
}

// The run's settings, as the manifest records them (shape_problem has checked their kinds).
studies::ForecastSettings settings_of(const ordered_json& manifest,
                                      const models::Scenario& scenario, const ReproduceArgs& args) {
  studies::ForecastSettings settings = studies::default_settings(scenario);
  settings.seed = manifest.at("seed").get<std::uint64_t>();
  settings.paths = manifest.at("paths").get<std::uint64_t>();
  settings.central = manifest.value("central", false);
  settings.band_samples = 0;
  if (const auto store = manifest.find("band_store"); store != manifest.end()) {
    settings.band_samples = store->value("samples", std::uint64_t{0});
  }
  settings.threads = args.threads;
  return settings;
}

// What the run's outcome says: whether forecast.csv (and bands.bin) reproduced, and if not,
// why that may be. kExitNotReproduced when it did not.
int tell_outcome(const ReproduceArgs& args, const std::string& shown, const ordered_json& manifest,
                 const RunResult& result, const Reproduction& reproduction) {
  const bool same = result.forecast_csv_sha256 == reproduction.forecast_csv_sha256;
  const std::string bands =
      field_string(manifest.value("band_store", ordered_json::object()), "bands_bin_sha256");
  fmt::print("{}{}: forecast.csv SHA-256 {} {}\n", args.quiet ? "" : "\n", shown,
             result.forecast_csv_sha256,
             same ? "matches the manifest's: reproduced"
                  : fmt::format("differs from the manifest's {}: NOT reproduced",
                                reproduction.forecast_csv_sha256));
  if (!bands.empty()) {
    fmt::print("bands.bin SHA-256 {}\n", result.bands_bin_sha256 == bands
                                             ? "matches the manifest's"
                                             : "differs from the manifest's");
  }
  if (!same) {
    const std::string commit = field_string(manifest, "git_commit");
    fmt::print(
        "The run was made by talentcast {} (commit {}); results are reproducible with the same "
        "build (docs/output-formats.md#manifestjson).\n",
        field_string(manifest, "talentcast_version"), commit);
    // glibc's maths variants, when they differ: --portable-math reproduces a run made with the
    // baseline ones, with the same glibc.
    const std::string libm = manifest.value("libm", std::string()), here = core::libm_variant();
    if (!libm.empty() && !here.empty() && libm != here) {
      const std::string glibc = here.substr(0, here.find(','));
      const bool portable = libm == glibc + ", sse2";
      fmt::print(
          "It ran glibc's maths as \"{}\", this machine as \"{}\": these may differ in the last "
          "bits (docs/performance.md#vector-maths).{}\n",
          libm, here, portable ? " Run talentcast --portable-math reproduce to run the same." : "");
    }
    return kExitNotReproduced;
  }
  return kExitOk;
}

}  // namespace

namespace {

// The scenario of the run: its first file, with the values the run set by key path (a run
// from Python; `scenario_changes`) set again.
models::Scenario rebuilt_scenario(const fs::path& first, const ordered_json& manifest) {
  const auto changes = manifest.find("scenario_changes");
  if (changes == manifest.end()) return load_scenario_for_command(first.string());
  const auto is_change = [](const ordered_json& change) {
    return change.is_object() && change.contains("key") && change["key"].is_string() &&
           change.contains("value") && change["value"].is_string();
  };
  if (!changes->is_array() || !std::all_of(changes->begin(), changes->end(), is_change)) {
    throw io::UserError(
        "scenario_changes: expected an array of {\"key\": key path, \"value\": TOML value}, "
        "found another value; nothing was run or written");
  }
  try {
    config::ScenarioDocument document(first);
    for (const auto& change : *changes) {
      document.set(change["key"].get<std::string>(), change["value"].get<std::string>());
    }
    return document.scenario();
  } catch (io::UserError& error) {
    count_errors(error, first.string());
    throw;
  }
}

}  // namespace

int reproduce_command(const ReproduceArgs& args) {
  const auto started = std::chrono::steady_clock::now();
  const fs::path source(args.source);
  std::error_code error;
  const fs::path manifest_path =
      fs::is_directory(source, error) ? source / "manifest.json" : source;
  const std::string shown = manifest_path.string();
  const ordered_json manifest = read_manifest(manifest_path, shown);

  std::vector<std::string> errors;
  std::vector<InputFile> inputs = scenario_inputs(manifest, errors);
  const std::size_t scenario_files = inputs.size();
  add_data_inputs(manifest, args, scenario_files, inputs, errors);

  // DIR: new or empty, since it receives the inputs before the run starts.
  const fs::path out(args.out);
  if (fs::exists(out, error) && (!fs::is_directory(out, error) || !fs::is_empty(out, error))) {
    errors.push_back(fmt::format("--out {}: expected a new or empty directory, found {}",
                                 out.string(),
                                 fs::is_directory(out, error) ? "one that holds files" : "a file"));
  }
  if (!errors.empty()) {
    const std::size_t n = errors.size();
    errors.push_back(fmt::format("{} error{}; nothing was run or written", n, n == 1 ? "" : "s"));
    throw io::UserError(std::move(errors));
  }

  // The inputs in DIR/inputs, removed again (with the directories made for them) unless the run
  // writes its files.
  const std::vector<fs::path> placed = laid_out(inputs, out / "inputs");
  io::CreatedDirectories directories;
  OutputFiles files;
  for (std::size_t i = 0; i < inputs.size(); ++i) files.emplace_back(placed[i], inputs[i].bytes);
  struct Unwind {
    const OutputFiles& files;
    bool keep = false;
    ~Unwind() {
      if (keep) return;
      std::error_code ignored;
      for (const auto& [path, bytes] : files) fs::remove(path, ignored);
    }
  } unwind{files};
  try {
    for (const auto& path : placed) directories.create(path.parent_path());
    io::write_files_atomically(files);
  } catch (const std::exception& e) {
    // A directory or file that could not be made (permissions, a full disk).
    throw io::UserError(fmt::format("{}; nothing was run or written", e.what()));
  }

  const models::Scenario scenario = rebuilt_scenario(placed.front(), manifest);
  const std::string recorded_scenario = field_string(manifest, "scenario_sha256");
  if (io::sha256_hex(scenario.resolved_toml) != recorded_scenario) {
    throw io::UserError(fmt::format(
        "{}: expected the scenario the manifest records (scenario_sha256 {}), found another after "
        "rebuilding it from {} file{}; nothing was run or written",
        shown, recorded_scenario, scenario_files, scenario_files == 1 ? "" : "s"));
  }

  const studies::ForecastSettings settings = settings_of(manifest, scenario, args);

  RunOutputs outputs;
  outputs.out = out;
  outputs.quiet = args.quiet;
  outputs.command_line = args.command_line;
  outputs.threads = args.threads;
  Reproduction reproduction;
  reproduction.manifest = shown;
  reproduction.reproducible_sha256 = field_string(manifest, "reproducible_sha256");
  reproduction.forecast_csv_sha256 = field_string(manifest, "forecast_csv_sha256");
  outputs.reproduces = reproduction;
  const RunResult result = simulate_and_write(scenario, settings, outputs, started);
  unwind.keep = true;
  directories.keep();

  return tell_outcome(args, shown, manifest, result, reproduction);
}

}  // namespace talentcast::cli
