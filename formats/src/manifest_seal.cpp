#include "talentcast/formats/manifest_seal.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "talentcast/io/sha256.hpp"

namespace talentcast::formats {

std::string reproducible_sha256(const nlohmann::ordered_json& manifest) {
  nlohmann::ordered_json sealed = nlohmann::ordered_json::object();
  for (const auto& [key, value] : manifest.items()) {
    if (std::find(kUnsealedFields.begin(), kUnsealedFields.end(), key) == kUnsealedFields.end()) {
      sealed[key] = value;
    }
  }
  // dump() writes each double in its shortest round-trip form, so a manifest parsed back dumps
  // to the same text.
  return io::sha256_hex(sealed.dump());
}

void seal(nlohmann::ordered_json& manifest) {
  manifest.erase("reproducible_sha256");
  manifest["reproducible_sha256"] = reproducible_sha256(manifest);
}

SealState check_seal(const nlohmann::ordered_json& manifest) {
  if (!manifest.is_object()) return SealState::broken;
  const auto recorded = manifest.find("reproducible_sha256");
  if (recorded == manifest.end()) return SealState::missing;
  if (!recorded->is_string()) return SealState::broken;
  return recorded->get<std::string>() == reproducible_sha256(manifest) ? SealState::intact
                                                                       : SealState::broken;
}

std::string broken_seal_message(const std::string& file) {
  return fmt::format(
      "{}: expected a manifest as talentcast wrote it, found one changed since (its "
      "reproducible_sha256 does not match its seed, paths, digests or scenario); run the "
      "scenario again, or `talentcast reproduce` the run",
      file);
}

std::string missing_seal_message(const std::string& file) {
  return fmt::format(
      "{}: this manifest has no reproducible_sha256 (written before manifests were sealed, or the "
      "field was removed), so changes to it cannot be detected",
      file);
}

}  // namespace talentcast::formats
