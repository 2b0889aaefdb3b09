#pragma once
// Box-Muller over arrays of uniforms: z1 = r cos(2 pi u2),
// z2 = r sin(2 pi u2), r = sqrt(-2 ln u1), two independent standard normals per pair.
//
// The radius is vectorised (core::vmath::log and Eigen's sqrt). Eigen has no vectorised
// double-precision sine or cosine, and glibc's sincos was the largest cost of the shocks, so the
// angle's cosine and sine come from their Taylor series on [0, pi/4] (errors below 2e-16, tested
// against std::cos and std::sin in tests/test_random.cpp), mapped to the full circle by exact
// octant symmetries: 4 u2 = q + f with q the quadrant, and the reduced angle is f pi/2 for f < 1/2
// or (1 - f) pi/2 with cosine and sine swapped, both exact in floating point.

#include <Eigen/Core>
#include <numbers>
#include <span>

#include "talentcast/core/vector_math.hpp"

namespace talentcast::core {

namespace detail {

/// cos and sin of the angle 2 pi u for u in [0, 1).
inline void cos_sin_turn(double u, double& cos_out, double& sin_out) {
  const double quarter_turns = 4.0 * u;
  const int quadrant = static_cast<int>(quarter_turns);
  const double fraction = quarter_turns - quadrant;  // exact
  const bool swapped = fraction >= 0.5;
  const double x = (swapped ? 1.0 - fraction : fraction) * (std::numbers::pi / 2);  // [0, pi/4]
  const double y = x * x;
  // sin x = x (1 - y S(y)), S(y) = 1/3! - y/5! + ... - y^7/17!; cos x = 1 - y C(y),
  // C(y) = 1/2! - y/4! + ... + y^8/18!; Horner's rule.
  double s = -1.0 / 355687428096000.0;
  s = s * y + 1.0 / 1307674368000.0;
  s = s * y - 1.0 / 6227020800.0;
  s = s * y + 1.0 / 39916800.0;
  s = s * y - 1.0 / 362880.0;
  s = s * y + 1.0 / 5040.0;
  s = s * y - 1.0 / 120.0;
  s = s * y + 1.0 / 6.0;
  double c = 1.0 / 6402373705728000.0;
  c = c * y - 1.0 / 20922789888000.0;
  c = c * y + 1.0 / 87178291200.0;
  c = c * y - 1.0 / 479001600.0;
  c = c * y + 1.0 / 3628800.0;
  c = c * y - 1.0 / 40320.0;
  c = c * y + 1.0 / 720.0;
  c = c * y - 1.0 / 24.0;
  c = c * y + 1.0 / 2.0;
  const double sine = x * (1.0 - y * s);
  const double cosine = 1.0 - y * c;
  // The first quadrant's (cos, sin), rotated by the quadrant: (c, s), (-s, c), (-c, -s), (s, -c).
  const double c0 = swapped ? sine : cosine;
  const double s0 = swapped ? cosine : sine;
  switch (quadrant) {
    case 0:
      cos_out = c0;
      sin_out = s0;
      break;
    case 1:
      cos_out = -s0;
      sin_out = c0;
      break;
    case 2:
      cos_out = -c0;
      sin_out = -s0;
      break;
    default:
      cos_out = s0;
      sin_out = -c0;
      break;
  }
}

}  // namespace detail

inline void box_muller(const Eigen::ArrayXd& u1, const Eigen::ArrayXd& u2, Eigen::ArrayXd& z1,
                       Eigen::ArrayXd& z2) {
  z1 = u1;  // the radius, vectorised
  vmath::log(std::span<const double>(z1.data(), static_cast<std::size_t>(z1.size())),
             std::span<double>(z1.data(), static_cast<std::size_t>(z1.size())));
  z1 = (-2.0 * z1).sqrt();
  z2.resize(z1.size());
  for (Eigen::Index i = 0; i < z1.size(); ++i) {
    double cosine = 0.0, sine = 0.0;
    detail::cos_sin_turn(u2[i], cosine, sine);
    z2[i] = z1[i] * sine;
    z1[i] *= cosine;
  }
}

}  // namespace talentcast::core
