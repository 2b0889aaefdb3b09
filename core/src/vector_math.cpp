// exp and log as branch-free polynomials over exact range reductions (in the manner of
// Cody and Waite, and of fdlibm's log), written so that a compiler vectorises their loops; each
// loop compiled for three instruction sets (docs/performance.md, "Vector maths").
//
// This file is compiled with -ffp-contract=off (core/CMakeLists.txt): a fused multiply-add
// rounds once where a multiply and an add round twice, so contraction in the AVX2 and AVX-512
// loops would change bits against the SSE2 loop. -fno-trapping-math lets the compiler compute
// both sides of a select (the special values), which it must to vectorise; no result changes,
// only floating-point exception flags, which nothing reads. -O3 vectorises the loops.
#include "talentcast/core/vector_math.hpp"

#include <fmt/core.h>

#include <atomic>
#include <bit>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace talentcast::core::vmath {

namespace {

constexpr double kLog2e = 1.4426950408889634;
// ln 2 in two parts (fdlibm's): kLn2Hi has 32 significant bits, so n kLn2Hi is exact for the
// |n| <= 1100 used here.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
// 1.5 2^52: x + kShifter rounds x to an integer, and the integer is in the low bits.
constexpr double kShifter = 0x1.8p52;
constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

#define TALENTCAST_INLINE [[gnu::always_inline]] inline

/// 2^k for an integer-valued k in [-1022, 1023], built from its bits.
TALENTCAST_INLINE double two_to(double k) noexcept {
  const std::uint64_t biased =
      std::bit_cast<std::uint64_t>(k + kShifter) - std::bit_cast<std::uint64_t>(kShifter) + 1023;
  return std::bit_cast<double>(biased << 52);
}

TALENTCAST_INLINE double exp_kernel(double x) noexcept {
  // Outside [-746, 710] the result is 0 or infinity either way; NaN stays NaN.
  const double clamped = x < -746.0 ? -746.0 : (x > 710.0 ? 710.0 : x);
  // exp x = 2^n exp r, n = round(x / ln 2), r = x - n ln 2 in about [-0.35, 0.35].
  const double n = (clamped * kLog2e + kShifter) - kShifter;
  const double r = (clamped - n * kLn2Hi) - n * kLn2Lo;
  // exp r by its Taylor series to r^13 / 13! (truncation below 2^-60 relative), Horner's rule.
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // 2^n in two factors, each a normal number for |n| <= 1077: overflow and underflow happen in
  // the last product, rounded once.
  const double half = (n * 0.5 + kShifter) - kShifter;
  return p * two_to(half) * two_to(n - half);
}

TALENTCAST_INLINE double log_kernel(double x) noexcept {
  // Subnormal arguments are scaled into the normal range first.
  const bool tiny = x < 0x1p-1022;
  const double scaled = tiny ? x * 0x1p54 : x;
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(scaled);
  // x = 2^e m, m in [sqrt(1/2), sqrt(2)); the exponent field read as a double by its bits.
  const double field =
      std::bit_cast<double>((bits >> 52) | std::bit_cast<std::uint64_t>(0x1p52)) - 0x1p52;
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  const bool high = m > kSqrt2;
  m = high ? m * 0.5 : m;
  const double e = field - 1023.0 + (high ? 1.0 : 0.0) - (tiny ? 54.0 : 0.0);
  // log m = log(1 + f) = 2 atanh s, s = f / (2 + f): f - (f^2/2 - s (f^2/2 + R)) with
  // R = 2 s^2/3 + 2 s^4/5 + ... (to s^22 / 23: |s| < 0.172, truncation below 2^-60).
  const double f = m - 1.0;  // exact
  const double s = f / (2.0 + f);
  const double z = s * s;
  double r = 2.0 / 23.0;
  r = r * z + 2.0 / 21.0;
  r = r * z + 2.0 / 19.0;
  r = r * z + 2.0 / 17.0;
  r = r * z + 2.0 / 15.0;
  r = r * z + 2.0 / 13.0;
  r = r * z + 2.0 / 11.0;
  r = r * z + 2.0 / 9.0;
  r = r * z + 2.0 / 7.0;
  r = r * z + 2.0 / 5.0;
  r = r * z + 2.0 / 3.0;
  r = r * z;
  const double half_square = 0.5 * f * f;
  const double log_m = f - (half_square - s * (half_square + r));
  const double result = e * kLn2Hi + (log_m + e * kLn2Lo);
  // log 0 = -inf, log inf = inf, log of a negative number or NaN = NaN.
  if (x > 0.0 && x < kInfinity) return result;
  return x == 0.0 ? -kInfinity : (x == kInfinity ? x : std::numeric_limits<double>::quiet_NaN());
}

// The loops, one per instruction set. Element i depends only on in[i], so out may be in
// (no dependence between iterations: ivdep).
#if defined(__clang__)
#define TALENTCAST_NO_LOOP_DEPENDENCE _Pragma("clang loop vectorize(assume_safety)")
#else
#define TALENTCAST_NO_LOOP_DEPENDENCE _Pragma("GCC ivdep")
#endif
#define TALENTCAST_LOOP(name, kernel_fn)                             \
  void name(const double* in, double* out, std::size_t n) noexcept { \
    TALENTCAST_NO_LOOP_DEPENDENCE                                    \
    for (std::size_t i = 0; i < n; ++i) out[i] = kernel_fn(in[i]);   \
  }

TALENTCAST_LOOP(exp_sse2, exp_kernel)
TALENTCAST_LOOP(log_sse2, log_kernel)
#if defined(__x86_64__)
#define TALENTCAST_AVX2 gnu::target("avx2,fma,bmi,bmi2")
#define TALENTCAST_AVX512 gnu::target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma,bmi,bmi2")
[[TALENTCAST_AVX2]] TALENTCAST_LOOP(exp_avx2, exp_kernel)
    [[TALENTCAST_AVX2]] TALENTCAST_LOOP(log_avx2, log_kernel)
        [[TALENTCAST_AVX512]] TALENTCAST_LOOP(exp_avx512, exp_kernel)
            [[TALENTCAST_AVX512]] TALENTCAST_LOOP(log_avx512, log_kernel)
#endif

                using Loop = void(*)(const double*, double*, std::size_t) noexcept;

struct Loops {
  Loop exp, log;
};

Loops loops_of(Kernel kernel) noexcept {
#if defined(__x86_64__)
  if (kernel == Kernel::avx512) return {exp_avx512, log_avx512};
  if (kernel == Kernel::avx2) return {exp_avx2, log_avx2};
#endif
  return {exp_sse2, log_sse2};
}

bool supports(Kernel kernel) noexcept {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
  switch (kernel) {
    case Kernel::sse2:
      return true;
    case Kernel::avx2:
      return avx2;
    case Kernel::avx512:
      return avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  }
  return false;
#else
  return kernel == Kernel::sse2;
#endif
}

std::atomic<Kernel>& active() noexcept {
  static std::atomic<Kernel> kernel{widest_supported()};
  return kernel;
}

}  // namespace

std::string_view kernel_name(Kernel kernel) noexcept {
  switch (kernel) {
    case Kernel::avx2:
      return "avx2";
    case Kernel::avx512:
      return "avx512";
    case Kernel::sse2:
      break;
  }
  return "sse2";
}

Kernel widest_supported() noexcept {
  for (Kernel k : {Kernel::avx512, Kernel::avx2}) {
    if (supports(k)) return k;
  }
  return Kernel::sse2;
}

std::vector<Kernel> supported_kernels() {
  std::vector<Kernel> kernels;
  for (Kernel k : {Kernel::sse2, Kernel::avx2, Kernel::avx512}) {
    if (supports(k)) kernels.push_back(k);
  }
  return kernels;
}

Kernel active_kernel() noexcept {
  return active().load(std::memory_order_relaxed);
}

void set_active_kernel(Kernel kernel) {
  if (!supports(kernel)) {
    throw std::invalid_argument(
        fmt::format("this processor cannot run the {} kernel", kernel_name(kernel)));
  }
  active().store(kernel, std::memory_order_relaxed);
}

void exp(std::span<const double> in, std::span<double> out) noexcept {
  exp(active_kernel(), in, out);
}

void log(std::span<const double> in, std::span<double> out) noexcept {
  log(active_kernel(), in, out);
}

void exp(Kernel kernel, std::span<const double> in, std::span<double> out) noexcept {
  loops_of(kernel).exp(in.data(), out.data(), in.size());
}

void log(Kernel kernel, std::span<const double> in, std::span<double> out) noexcept {
  loops_of(kernel).log(in.data(), out.data(), in.size());
}

double exp_one(double x) noexcept {
  return exp_kernel(x);
}
double log_one(double x) noexcept {
  return log_kernel(x);
}

}  // namespace talentcast::core::vmath
