#include "talentcast/formats/band_store.hpp"

#include <fmt/core.h>

#include <bit>
#include <nlohmann/json.hpp>

#include "talentcast/formats/manifest_seal.hpp"
#include "talentcast/io/input_file.hpp"
#include "talentcast/io/sha256.hpp"
#include "talentcast/models/metrics.hpp"
#include "talentcast/models/scenario.hpp"

namespace talentcast::formats {

using models::OutputLayout;
using models::OutputSeries;
using models::parse_date;
using models::parse_step;
using models::period_label;
using models::RoleSpec;
using models::Scenario;
using models::step_name;

namespace {
constexpr const char* kFormat = "talentcast-bands-1";

BandStoreError unread(const io::InputFileError& e) {
  if (e.kind() != io::InputFileError::Kind::missing) return BandStoreError(e.what());
  return BandStoreError(fmt::format(
      "{}: cannot be read; is this the output directory of `talentcast run`?", e.file().string()));
}

std::string read_whole(const std::filesystem::path& path) {
  try {
    return io::read_text_file(path, io::kMaxJsonBytes);
  } catch (const io::InputFileError& e) {
    throw unread(e);
  }
}
}  // namespace

std::span<const float> BandStore::ln_medians(std::size_t g, std::size_t t) const {
  return {ln_median.data() + (g * periods.size() + t) * samples, samples};
}

std::span<const float> BandStore::log_sds(std::size_t g, std::size_t t) const {
  return {log_sd.data() + (g * periods.size() + t) * samples, samples};
}

int BandStore::find(std::string_view role, std::string_view level) const {
  for (std::size_t g = 0; g < series.size(); ++g) {
    if (series[g].role == role && series[g].level == level) return static_cast<int>(g);
  }
  return -1;
}

BandStore BandStore::from_run(const Scenario& scenario, const OutputLayout& layout,
                              std::span<const double> retained, std::uint64_t samples,
                              std::uint64_t seed, std::uint64_t paths, bool central) {
  BandStore store;
  store.central = central;
  store.scenario = scenario.path.string();
  store.currency = scenario.currency;
  store.salary_unit = std::string(scenario.salary_unit_name());
  store.start = scenario.start;
  store.step = scenario.step;
  store.seed = seed;
  store.paths = paths;
  store.samples = samples;
  for (int t = 0; t < scenario.periods(); ++t) store.periods.push_back(scenario.period_label(t));
  for (std::size_t g = 0; g < layout.band_groups(); ++g) {
    const OutputSeries& s = layout.series()[g];
    const RoleSpec& role = scenario.roles[s.role];
    store.series.push_back(
        {s.name, role.name, s.level ? role.levels[*s.level].name : std::string(), role.title});
  }
  const std::size_t G = store.series.size(), T = store.periods.size();
  const std::size_t per_path = layout.band_values();
  store.ln_median.resize(G * T * samples);
  store.log_sd.resize(G * T * samples);
  for (std::size_t g = 0; g < G; ++g) {
    for (std::size_t t = 0; t < T; ++t) {
      for (std::size_t k = 0; k < samples; ++k) {
        const std::size_t at = (g * T + t) * samples + k;
        store.ln_median[at] =
            static_cast<float>(retained[k * per_path + layout.band_value(g, t, 0)]);
        store.log_sd[at] = static_cast<float>(retained[k * per_path + layout.band_value(g, t, 1)]);
      }
    }
  }
  return store;
}

std::string BandStore::binary() const {
  std::string bytes;
  bytes.reserve(4 * (ln_median.size() + log_sd.size()));
  for (const auto* array : {&ln_median, &log_sd}) {
    for (float x : *array) {
      const auto bits = std::bit_cast<std::uint32_t>(x);
      for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
    }
  }
  return bytes;
}

std::string BandStore::json(const std::string& binary_sha256) const {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["scenario"] = scenario;
  j["seed"] = seed;
  j["paths"] = paths;
  j["central"] = central;
  j["currency"] = currency;
  j["salary_unit"] = salary_unit;
  j["start"] = period_label(start.ordinal(), step);
  j["step"] = std::string(step_name(step));
  j["periods"] = periods;
  j["samples"] = samples;
  j["sampled_paths"] = fmt::format("0 to {}", samples - 1);
  auto& list = j["series"] = nlohmann::ordered_json::array();
  for (const auto& s : series) {
    nlohmann::ordered_json entry;
    entry["name"] = s.name;
    entry["role"] = s.role;
    entry["level"] = s.level.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.level);
    entry["title"] = s.title;
    list.push_back(std::move(entry));
  }
  const std::vector<std::size_t> shape{series.size(), periods.size(), samples};
  j["data"] = {{"file", "bands.bin"},
               {"dtype", "float32, little-endian"},
               {"sha256", binary_sha256},
               {"arrays",
                {{{"name", "ln_median"}, {"offset", 0}, {"shape", shape}},
                 {{"name", "log_sd"}, {"offset", 4 * ln_median.size()}, {"shape", shape}}}}};
  return j.dump(1) + "\n";
}

std::string BandStore::synthetic_reason(std::size_t series_index) const {
  if (!synthetic.empty()) return synthetic;
  const auto it = synthetic_roles.find(series[series_index].role);
  return it == synthetic_roles.end() ? std::string() : it->second;
}

namespace {

// What a run's manifest says of its band store.
struct StoreRecord {
  std::string bands_bin_sha256, bands_json_sha256, synthetic;
  std::map<std::string, std::string> synthetic_roles;
  SealState seal = SealState::missing;
};

// The run's manifest names the store it wrote: a store left from another run is refused.
StoreRecord store_record(const std::filesystem::path& dir) {
  const auto manifest_path = dir / "manifest.json";
  StoreRecord record;
  try {
    const auto manifest = nlohmann::ordered_json::parse(read_whole(manifest_path));
    record.seal = check_seal(manifest);
    if (record.seal == SealState::broken) throw BandStoreError(broken_seal_message(manifest_path));
    if (!manifest.contains("band_store")) {
      throw BandStoreError(fmt::format(
          "{}: the run kept no band store (it ran with --band-samples 0); run it again without",
          dir.string()));
    }
    record.bands_bin_sha256 = manifest.at("band_store").at("bands_bin_sha256");
    record.bands_json_sha256 = manifest.at("band_store").value("bands_json_sha256", "");
    if (const auto it = manifest.find("synthetic"); it != manifest.end() && it->is_string()) {
      record.synthetic = it->get<std::string>();
    }
    for (const auto& fit : manifest.value("band_fits", nlohmann::ordered_json::array())) {
      const auto it = fit.find("synthetic");
      if (it == fit.end() || !it->is_string()) continue;
      const std::string series = fit.at("series");
      record.synthetic_roles[series.substr(0, series.find('/'))] = it->get<std::string>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw BandStoreError(
        fmt::format("{}: not a talentcast run manifest ({})", manifest_path.string(), e.what()));
  }
  return record;
}

// bands.json's description of the store: everything but the values.
void read_description(const nlohmann::json& j, const std::filesystem::path& json_path,
                      BandStore& store) {
  if (j.at("format") != kFormat) {
    throw BandStoreError(fmt::format("{}: expected format '{}', found {}", json_path.string(),
                                     kFormat, j.at("format").dump()));
  }
  store.scenario = j.at("scenario");
  store.seed = j.at("seed");
  store.paths = j.at("paths");
  store.central = j.at("central");
  store.currency = j.at("currency");
  store.salary_unit = j.at("salary_unit");
  const auto start = parse_date(j.at("start").get<std::string>());
  const auto step = parse_step(j.at("step").get<std::string>());
  if (!start || !step) throw BandStoreError(json_path.string() + ": bad start or step");
  store.start = *start;
  store.step = *step;
  store.periods = j.at("periods").get<std::vector<std::string>>();
  store.samples = j.at("samples");
  for (const auto& s : j.at("series")) {
    store.series.push_back({s.at("name"), s.at("role"),
                            s.at("level").is_null() ? "" : s.at("level").get<std::string>(),
                            s.at("title")});
  }
}

// bands.bin's values, checked against the SHA-256 both bands.json and the manifest give.
void read_values(const std::filesystem::path& dir, const nlohmann::json& j,
                 const std::string& kept_sha256, BandStore& store) {
  const auto mismatch = [&] {
    return BandStoreError(fmt::format(
        "{}: does not match {} and {} (size or SHA-256); rerun `talentcast run` to rewrite them",
        (dir / "bands.bin").string(), (dir / "bands.json").string(),
        (dir / "manifest.json").string()));
  };
  // bands.bin's size follows from bands.json: a larger file is refused before it is read.
  std::uint64_t n = 0, expected_bytes = 0;
  if (__builtin_mul_overflow(store.series.size(), store.periods.size(), &n) ||
      __builtin_mul_overflow(n, store.samples, &n) ||
      __builtin_mul_overflow(n, std::uint64_t{8}, &expected_bytes)) {
    throw mismatch();
  }
  std::string bytes;
  try {
    bytes = io::read_binary_file(dir / "bands.bin", expected_bytes);
  } catch (const io::InputFileError& e) {
    if (e.kind() == io::InputFileError::Kind::too_large) throw mismatch();
    throw unread(e);
  }
  const std::string sha256 = io::sha256_hex(bytes);
  if (bytes.size() != 8 * n || sha256 != j.at("data").at("sha256") || sha256 != kept_sha256) {
    throw mismatch();
  }
  for (auto* array : {&store.ln_median, &store.log_sd}) {
    const std::size_t base = array == &store.ln_median ? 0 : 4 * n;
    array->resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint32_t bits = 0;
      for (int b = 0; b < 4; ++b) {
        bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[base + 4 * i + b]))
                << (8 * b);
      }
      (*array)[i] = std::bit_cast<float>(bits);
    }
  }
}

}  // namespace

BandStore BandStore::read(const std::filesystem::path& dir) {
  StoreRecord record = store_record(dir);
  const auto json_path = dir / "bands.json";
  const std::string text = read_whole(json_path);
  if (!record.bands_json_sha256.empty() && io::sha256_hex(text) != record.bands_json_sha256) {
    throw BandStoreError(fmt::format(
        "{}: expected the bands.json its manifest names (bands_json_sha256), found another; run "
        "the scenario again",
        json_path.string()));
  }
  BandStore store;
  store.manifest_sealed = record.seal == SealState::intact;
  store.synthetic = std::move(record.synthetic);
  store.synthetic_roles = std::move(record.synthetic_roles);
  try {
    const auto j = nlohmann::json::parse(text);
    read_description(j, json_path, store);
    read_values(dir, j, record.bands_bin_sha256, store);
  } catch (const nlohmann::json::exception& e) {
    throw BandStoreError(
        fmt::format("{}: not a talentcast band store ({})", json_path.string(), e.what()));
  }
  return store;
}

}  // namespace talentcast::formats
