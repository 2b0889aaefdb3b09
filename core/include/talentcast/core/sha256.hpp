#pragma once
// SHA-256 digests (OpenSSL's EVP interface) for manifests: scenario and output fingerprints.

#include <string>
#include <string_view>

namespace talentcast::core {

/// The lower-case hexadecimal SHA-256 digest of bytes.
std::string sha256_hex(std::string_view bytes);

}  // namespace talentcast::core
