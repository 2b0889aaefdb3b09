#pragma once
// A manifest's seal: the SHA-256 of its reproducible fields, recorded in the manifest itself
// (`reproducible_sha256`), so that a manifest edited by hand (its seed, paths or digests) is
// caught wherever one is read (report, benchmark, reproduce). It guards against mistakes and
// careless edits, not against someone who recomputes it: the fields and the rule are public
// (docs/output-formats.md#manifestjson).

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace talentcast::formats {

/// The fields that say how a run went rather than what it computed; identical runs may differ
/// in them, so the seal leaves them out (and itself).
inline constexpr std::array<std::string_view, 8> kUnsealedFields{
    "command",     "wall_time_seconds",  "threads", "mpi_ranks", "vector_kernel", "libm",
    "created_utc", "reproducible_sha256"};

/// SHA-256 of the manifest without kUnsealedFields, as compact JSON in the manifest's key order.
std::string reproducible_sha256(const nlohmann::ordered_json& manifest);

/// Adds `reproducible_sha256` as the manifest's last field.
void seal(nlohmann::ordered_json& manifest);

enum class SealState { intact, missing, broken };

/// Whether a manifest read back still matches its seal; `missing` for one written before seals
/// (or with the field removed).
SealState check_seal(const nlohmann::ordered_json& manifest);

/// The error for a manifest whose seal does not match: "FILE: expected ..., found ...".
std::string broken_seal_message(const std::string& file);
/// The warning for a manifest without a seal.
std::string missing_seal_message(const std::string& file);

}  // namespace talentcast::formats
