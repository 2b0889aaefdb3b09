#pragma once
// SHA-256 digests (OpenSSL's EVP interface) for manifests: scenario and output fingerprints.

#include <memory>
#include <string>
#include <string_view>

namespace talentcast::io {

/// The lower-case hexadecimal SHA-256 digest of bytes.
std::string sha256_hex(std::string_view bytes);

/// The same digest of bytes given in pieces: update() with each in turn, then hex().
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::string_view bytes);
  /// The digest of everything given; the object is then spent.
  std::string hex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace talentcast::io
