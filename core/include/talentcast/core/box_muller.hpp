#pragma once
// Box-Muller over arrays of uniforms: z1 = r cos(2 pi u2), z2 = r sin(2 pi u2),
// r = sqrt(-2 ln u1), two independent standard normals per pair.
//
// The whole transform is one vectorised loop of core::vmath (vector_math.hpp): log from its
// polynomial, the angle's cosine and sine from their Taylor series on [0, pi/4] (errors below
// 2e-16, tested against std::cos and std::sin in tests/test_random.cpp) mapped to the full
// circle by exact symmetries. Eigen has no vectorised double-precision sine or cosine, and
// glibc's sincos was once the largest cost of the shocks.

#include <Eigen/Core>
#include <span>

#include "talentcast/core/vector_math.hpp"

namespace talentcast::core {

namespace detail {

/// cos and sin of the angle 2 pi u for u in [0, 1).
inline void cos_sin_turn(double u, double& cos_out, double& sin_out) {
  vmath::cos_sin_turn_one(u, cos_out, sin_out);
}

}  // namespace detail

inline void box_muller(const Eigen::ArrayXd& u1, const Eigen::ArrayXd& u2, Eigen::ArrayXd& z1,
                       Eigen::ArrayXd& z2) {
  const auto n = static_cast<std::size_t>(u1.size());
  z1.resize(u1.size());
  z2.resize(u1.size());
  vmath::box_muller(std::span<const double>(u1.data(), n), std::span<const double>(u2.data(), n),
                    std::span<double>(z1.data(), n), std::span<double>(z2.data(), n));
}

}  // namespace talentcast::core
