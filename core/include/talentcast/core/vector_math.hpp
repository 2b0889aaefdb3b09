#pragma once
// exp and log over arrays of doubles, vectorised for the processor the program runs on, with
// the same bits on every x86-64 processor.
//
// The functions are written once in plain C++ (core/src/vector_math.cpp): a polynomial after
// an exact range reduction, branch-free, with IEEE special values. The loops over the arrays
// are compiled three times, for the x86-64 baseline (SSE2, 2 doubles a vector), AVX2 with FMA
// (4) and AVX-512 (8), and the widest the processor supports is chosen at run time. Floating-point
// contraction into fused multiply-adds is off for that file, so each element goes through the same
// operations, each rounded the same way, whatever the width: the kernel changes the speed, never a
// bit of the result (tests/test_vector_math.cpp checks every kernel the processor supports against
// the baseline).
//
// Accuracy (the same test, against glibc over a million arguments): exp within 1 ulp of the
// correctly rounded result for normal results, log within 1 ulp.
//
// The same-bits promise is this file's: the model's other transcendental calls (parameter
// draws through Boost, a few once-per-block terms) use glibc's libm, whose FMA variants may
// differ in the last bit (docs/performance.md, "Vector maths").

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace talentcast::core::vmath {

/// The instruction sets the loops are compiled for, narrowest first.
enum class Kernel { sse2, avx2, avx512 };

/// "sse2", "avx2" or "avx512".
std::string_view kernel_name(Kernel kernel) noexcept;
/// The widest kernel this processor supports.
Kernel widest_supported() noexcept;
/// The kernels this processor supports, narrowest first.
std::vector<Kernel> supported_kernels();
/// The kernel the functions below use: the widest supported unless set. Set it only before
/// threads use the functions (tests, and the manifest's record of what ran).
Kernel active_kernel() noexcept;
void set_active_kernel(Kernel kernel);

/// out[i] = exp(in[i]), i < in.size(); out may be in.
void exp(std::span<const double> in, std::span<double> out) noexcept;
/// out[i] = log(in[i]), i < in.size(); out may be in.
void log(std::span<const double> in, std::span<double> out) noexcept;

/// The same, with a given kernel (for tests; Kernel must be supported).
void exp(Kernel kernel, std::span<const double> in, std::span<double> out) noexcept;
void log(Kernel kernel, std::span<const double> in, std::span<double> out) noexcept;

/// Box-Muller: z1[i] = r cos(2 pi u2[i]), z2[i] = r sin(2 pi u2[i]), r = sqrt(-2 log u1[i]),
/// for u1, u2 in (0, 1) (the uniforms of CounterRng); two independent standard normals.
void box_muller(std::span<const double> u1, std::span<const double> u2, std::span<double> z1,
                std::span<double> z2) noexcept;
void box_muller(Kernel kernel, std::span<const double> u1, std::span<const double> u2,
                std::span<double> z1, std::span<double> z2) noexcept;

/// Philox4x32-10 counters (path, a, b, word3) under the key (key0, key1): CounterRng's
/// addresses (random.hpp) for a run of consecutive paths.
struct PhiloxAddress {
  std::uint32_t a = 0, b = 0, word3 = 0;
  std::uint32_t key0 = 0, key1 = 0;
};
/// u1[i], u2[i]: the two uniforms in (0, 1) of CounterRng::uniforms at path first_path + i
/// (its low 32 bits, as CounterRng takes them) and `address`, for i < u1.size(); the same bits.
void philox_uniforms(std::uint64_t first_path, const PhiloxAddress& address, std::span<double> u1,
                     std::span<double> u2) noexcept;
void philox_uniforms(Kernel kernel, std::uint64_t first_path, const PhiloxAddress& address,
                     std::span<double> u1, std::span<double> u2) noexcept;

/// a < b in the order with -0 before +0 (of the doubles other than NaN): a minimum or maximum
/// taken with it does not depend on the order of the values.
[[gnu::always_inline]] inline bool before(double a, double b) noexcept {
  return a < b || (a == b && std::bit_cast<std::int64_t>(a) < std::bit_cast<std::int64_t>(b));
}

/// What QuantileSketch needs of a block of values before counting them. lowest and highest
/// order -0 before +0 (so they do not depend on the order of the values).
struct Extremes {
  double lowest, highest;
  double least_positive;  ///< the smallest positive value; infinity if none
  double least_negative;  ///< the negative value nearest zero; -infinity if none
  std::uint64_t zeros;    ///< how many values are zero
  std::uint64_t nans;     ///< how many are NaN (the extremes ignore them, unless values[0] is)
};
/// The Extremes of values (not empty).
Extremes extremes(std::span<const double> values) noexcept;
Extremes extremes(Kernel kernel, std::span<const double> values) noexcept;

/// cos and sin of the angle 2 pi u, u in [0, 1), within 2e-16 (Box-Muller's angle).
void cos_sin_turn_one(double u, double& cos_out, double& sin_out) noexcept;

/// One element, scalar (what every kernel computes for each element).
double exp_one(double x) noexcept;
double log_one(double x) noexcept;

}  // namespace talentcast::core::vmath
