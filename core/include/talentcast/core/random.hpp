#pragma once
// Counter-based random streams.
//
// Every draw is a pure function of its address (seed, path, a, b, domain, index): the
// Philox4x32-10 block cipher of Salmon et al. (2011, Random123) encrypts the counter
// (path, a, b, domain << 24 | index) under the key (seed). Nothing is carried from one draw to
// the next, so a path can be recomputed alone, adding paths or parameters never changes another
// draw, and results do not depend on threads or scheduling.
//
// Tested in tests/test_random.cpp: uniformity (chi-squared), independence of addresses,
// open-interval bounds, and normal moments.

#include <Random123/philox.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "talentcast/core/vector_math.hpp"

namespace talentcast::core {

/// What a stream is used for; part of every draw's address, so domains never share draws.
enum class Domain : std::uint32_t {
  parameter = 1,  ///< a parameter drawn once per path (a = hash low, b = hash high)
  shock = 2,      ///< per (path, month, role) shocks (a = month, b = role)
  regime = 3,     ///< per (path, month) regime switches (a = month, b = 0)
  user = 16,      ///< first domain free for other models
};

/// A stable 64-bit FNV-1a hash, for addressing parameters by their key path.
constexpr std::uint64_t fnv1a64(std::string_view text) noexcept {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return hash;
}

/// 128 random bits at one address.
class CounterRng {
 public:
  explicit CounterRng(std::uint64_t seed) noexcept
      : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}} {}

  std::uint64_t seed() const noexcept { return (std::uint64_t{key_.v[1]} << 32) | key_.v[0]; }

  /// Four 32-bit words at (path, a, b, domain, index); index < 2^24.
  std::array<std::uint32_t, 4> bits(std::uint64_t path, std::uint32_t a, std::uint32_t b,
                                    Domain domain, std::uint32_t index = 0) const noexcept {
    // The path takes 32 bits of the counter: 4 billion paths per seed.
    r123::Philox4x32::ctr_type ctr{{static_cast<std::uint32_t>(path), a, b,
                                    (static_cast<std::uint32_t>(domain) << 24) | index}};
    auto out = r123::Philox4x32{}(ctr, key_);
    return {out.v[0], out.v[1], out.v[2], out.v[3]};
  }

  /// Two uniforms in the open interval (0, 1), each from 52 random bits.
  std::array<double, 2> uniforms(std::uint64_t path, std::uint32_t a, std::uint32_t b,
                                 Domain domain, std::uint32_t index = 0) const noexcept {
    auto w = bits(path, a, b, domain, index);
    return {to_open_unit(w[0], w[1]), to_open_unit(w[2], w[3])};
  }

  /// uniforms(first_path + i, a, b, domain, index) for i < u1.size(): u1[i] and u2[i], the same
  /// bits, computed many paths at a time (core::vmath).
  void uniforms(std::uint64_t first_path, std::uint32_t a, std::uint32_t b, Domain domain,
                std::uint32_t index, std::span<double> u1, std::span<double> u2) const noexcept {
    vmath::PhiloxAddress address;
    address.a = a;
    address.b = b;
    address.word3 = (static_cast<std::uint32_t>(domain) << 24) | index;
    address.key0 = key_.v[0];
    address.key1 = key_.v[1];
    vmath::philox_uniforms(first_path, address, u1, u2);
  }

  /// (k + 1/2) 2^-52 for the top 52 bits k of (hi, lo): strictly inside (0, 1), never 0 or 1.
  static double to_open_unit(std::uint32_t hi, std::uint32_t lo) noexcept {
    const std::uint64_t k = ((std::uint64_t{hi} << 32) | lo) >> 12;
    return (static_cast<double>(k) + 0.5) * 0x1p-52;
  }

 private:
  r123::Philox4x32::key_type key_;
};

}  // namespace talentcast::core
