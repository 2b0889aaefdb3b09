// exp and log as branch-free polynomials over exact range reductions (in the manner of
// Cody and Waite, and of fdlibm's log), written so that a compiler vectorises their loops; each
// loop compiled for three instruction sets (docs/performance.md, "Vector maths").
//
// This file is compiled with -ffp-contract=off (core/CMakeLists.txt): a fused multiply-add
// rounds once where a multiply and an add round twice, so contraction in the AVX2 and AVX-512
// loops would change bits against the SSE2 loop. -fno-trapping-math lets the compiler compute
// both sides of a select (the special values), which it must to vectorise; no result changes,
// only floating-point exception flags, which nothing reads. -fno-math-errno lets sqrt be the
// instruction without a call that would set errno (for negative arguments, which Box-Muller's
// never are). -O3 vectorises the loops.
#include "talentcast/core/vector_math.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
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

// cos and sin of the angle 2 pi u, u in [0, 1): Taylor series on [0, pi/4] (errors below
// 2e-16), mapped to the circle by exact symmetries. 4 u = q + f with q the quadrant (counted by
// comparisons, so that every lane computes alike); the reduced angle is f pi/2 for f < 1/2, or
// (1 - f) pi/2 with cosine and sine swapped, all exact in floating point.
TALENTCAST_INLINE void cos_sin_turn_kernel(double u, double& cos_out, double& sin_out) noexcept {
  const double quarter_turns = 4.0 * u;
  const double quadrant = (quarter_turns >= 1.0 ? 1.0 : 0.0) + (quarter_turns >= 2.0 ? 1.0 : 0.0) +
                          (quarter_turns >= 3.0 ? 1.0 : 0.0);
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
  cos_out = quadrant == 0.0 ? c0 : (quadrant == 1.0 ? -s0 : (quadrant == 2.0 ? -c0 : s0));
  sin_out = quadrant == 0.0 ? s0 : (quadrant == 1.0 ? c0 : (quadrant == 2.0 ? -s0 : -c0));
}

// Two standard normals from two uniforms in (0, 1): r cos(2 pi u2), r sin(2 pi u2) with
// r = sqrt(-2 log u1).
TALENTCAST_INLINE void box_muller_kernel(double u1, double u2, double& z1, double& z2) noexcept {
  const double radius = std::sqrt(-2.0 * log_kernel(u1));
  double cosine = 0.0, sine = 0.0;
  cos_sin_turn_kernel(u2, cosine, sine);
  z1 = radius * cosine;
  z2 = radius * sine;
}

// Philox4x32-10 (Salmon et al. 2011; Random123's philox4x32, which tests/test_vector_math.cpp
// checks it against) of the counter (path, a, b, word3) under the key, then its two 64-bit
// halves as uniforms in (0, 1) as CounterRng::to_open_unit makes them. Written lane by lane in
// 32-bit words and 64-bit products so that it vectorises.
TALENTCAST_INLINE void philox_uniforms_kernel(std::uint32_t path, const PhiloxAddress& address,
                                              double& u1, double& u2) noexcept {
  std::uint32_t c0 = path, c1 = address.a, c2 = address.b, c3 = address.word3;
  std::uint32_t k0 = address.key0, k1 = address.key1;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c0;
    const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c2;
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  // (k + 1/2) 2^-52 for the top 52 bits k of (hi, lo); k as a double by its bits (exact).
  const auto unit = [](std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t k = ((std::uint64_t{hi} << 32) | lo) >> 12;
    const double k_value = std::bit_cast<double>(k | std::bit_cast<std::uint64_t>(0x1p52)) - 0x1p52;
    return (k_value + 0.5) * 0x1p-52;
  };
  u1 = unit(c0, c1);
  u2 = unit(c2, c3);
}

// The scan of Extremes in kScanLanes interleaved lanes (value i in lane i % kScanLanes), each
// lane's minimum and maximum in the total order with -0 before +0, the lanes then combined in a
// fixed order: the result depends on the values alone, whatever the vector width. 32 lanes are
// four AVX-512 registers a quantity: four independent chains of compares, where one would wait
// on the latency of each compare and blend before the next.
constexpr std::size_t kScanLanes = 32;

struct ScanLanes {
  double lowest[kScanLanes], highest[kScanLanes];
  double least_positive[kScanLanes], least_negative[kScanLanes];
  std::uint64_t zeros[kScanLanes], nans[kScanLanes];
};

TALENTCAST_INLINE void scan_value(ScanLanes& s, std::size_t j, double v) noexcept {
  s.lowest[j] = before(v, s.lowest[j]) ? v : s.lowest[j];
  s.highest[j] = before(s.highest[j], v) ? v : s.highest[j];
  s.least_positive[j] = (v > 0.0) & (v < s.least_positive[j]) ? v : s.least_positive[j];
  s.least_negative[j] = (v < 0.0) & (v > s.least_negative[j]) ? v : s.least_negative[j];
  s.zeros[j] += v == 0.0 ? 1 : 0;
  s.nans[j] += v != v ? 1 : 0;
}

// Lane j takes in lane j + half's: minima and maxima in the total order, and sums of counts,
// neither of which depends on the order in which lanes are combined.
TALENTCAST_INLINE void fold_lanes(ScanLanes& s, std::size_t half) noexcept {
  for (std::size_t j = 0; j < half; ++j) {
    const std::size_t k = j + half;
    s.lowest[j] = before(s.lowest[k], s.lowest[j]) ? s.lowest[k] : s.lowest[j];
    s.highest[j] = before(s.highest[j], s.highest[k]) ? s.highest[k] : s.highest[j];
    s.least_positive[j] = std::min(s.least_positive[j], s.least_positive[k]);
    s.least_negative[j] = std::max(s.least_negative[j], s.least_negative[k]);
    s.zeros[j] += s.zeros[k];
    s.nans[j] += s.nans[k];
  }
}

TALENTCAST_INLINE Extremes extremes_kernel(const double* values, std::size_t n) noexcept {
  ScanLanes s;
  for (std::size_t j = 0; j < kScanLanes; ++j) {
    s.lowest[j] = s.highest[j] = values[0];
    s.least_positive[j] = kInfinity;
    s.least_negative[j] = -kInfinity;
    s.zeros[j] = 0;
    s.nans[j] = 0;
  }
  const std::size_t whole = n / kScanLanes * kScanLanes;
  for (std::size_t i = 0; i < whole; i += kScanLanes) {
    for (std::size_t j = 0; j < kScanLanes; ++j) scan_value(s, j, values[i + j]);
  }
  for (std::size_t i = whole; i < n; ++i) scan_value(s, i - whole, values[i]);
  for (std::size_t half = kScanLanes / 2; half >= 1; half /= 2) fold_lanes(s, half);
  return {s.lowest[0],         s.highest[0], s.least_positive[0],
          s.least_negative[0], s.zeros[0],   s.nans[0]};
}

// The loops, one per instruction set. Element i depends only on in[i], so out may be in
// (no dependence between iterations: ivdep).
#if defined(__clang__)
#define TALENTCAST_NO_LOOP_DEPENDENCE _Pragma("clang loop vectorize(assume_safety)")
#else
#define TALENTCAST_NO_LOOP_DEPENDENCE _Pragma("GCC ivdep")
#endif
// clang-format off
#define TALENTCAST_LOOP(name, kernel_fn)                                  \
  void name(const double* in, double* out, std::size_t n) noexcept {      \
    TALENTCAST_NO_LOOP_DEPENDENCE                                         \
    for (std::size_t i = 0; i < n; ++i) out[i] = kernel_fn(in[i]);        \
  }
#define TALENTCAST_BOX_MULLER_LOOP(name)                                  \
  void name(const double* u1, const double* u2, double* z1, double* z2,   \
            std::size_t n) noexcept {                                     \
    TALENTCAST_NO_LOOP_DEPENDENCE                                         \
    for (std::size_t i = 0; i < n; ++i)                                   \
      box_muller_kernel(u1[i], u2[i], z1[i], z2[i]);                      \
  }

#define TALENTCAST_PHILOX_LOOP(name)                                      \
  void name(std::uint64_t first_path, const PhiloxAddress& address,     \
            double* u1, double* u2, std::size_t n) noexcept {           \
    for (std::size_t i = 0; i < n; ++i)                                 \
      philox_uniforms_kernel(static_cast<std::uint32_t>(first_path + i), \
                             address, u1[i], u2[i]);                    \
  }

#define TALENTCAST_EXTREMES(name)                                         \
  Extremes name(const double* values, std::size_t n) noexcept {         \
    return extremes_kernel(values, n);                                  \
  }

TALENTCAST_EXTREMES(extremes_sse2)
TALENTCAST_LOOP(exp_sse2, exp_kernel)
TALENTCAST_LOOP(log_sse2, log_kernel)
TALENTCAST_BOX_MULLER_LOOP(box_muller_sse2)
TALENTCAST_PHILOX_LOOP(philox_sse2)
#if defined(__x86_64__)
#define TALENTCAST_AVX2 gnu::target("avx2,fma,bmi,bmi2")
#define TALENTCAST_AVX512 gnu::target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma,bmi,bmi2")
[[TALENTCAST_AVX2]] TALENTCAST_EXTREMES(extremes_avx2)
[[TALENTCAST_AVX2]] TALENTCAST_LOOP(exp_avx2, exp_kernel)
[[TALENTCAST_AVX2]] TALENTCAST_LOOP(log_avx2, log_kernel)
[[TALENTCAST_AVX2]] TALENTCAST_BOX_MULLER_LOOP(box_muller_avx2)
[[TALENTCAST_AVX2]] TALENTCAST_PHILOX_LOOP(philox_avx2)
[[TALENTCAST_AVX512]] TALENTCAST_EXTREMES(extremes_avx512)
[[TALENTCAST_AVX512]] TALENTCAST_LOOP(exp_avx512, exp_kernel)
[[TALENTCAST_AVX512]] TALENTCAST_LOOP(log_avx512, log_kernel)
[[TALENTCAST_AVX512]] TALENTCAST_BOX_MULLER_LOOP(box_muller_avx512)
[[TALENTCAST_AVX512]] TALENTCAST_PHILOX_LOOP(philox_avx512)
#endif
    // clang-format on

    using Loop = void(*)(const double*, double*, std::size_t) noexcept;
using PairLoop = void (*)(const double*, const double*, double*, double*, std::size_t) noexcept;
using PhiloxLoop = void (*)(std::uint64_t, const PhiloxAddress&, double*, double*,
                            std::size_t) noexcept;

using ExtremesScan = Extremes (*)(const double*, std::size_t) noexcept;

struct Loops {
  Loop exp, log;
  PairLoop box_muller;
  PhiloxLoop philox;
  ExtremesScan extremes;
};

Loops loops_of(Kernel kernel) noexcept {
#if defined(__x86_64__)
  if (kernel == Kernel::avx512) {
    return {exp_avx512, log_avx512, box_muller_avx512, philox_avx512, extremes_avx512};
  }
  if (kernel == Kernel::avx2)
    return {exp_avx2, log_avx2, box_muller_avx2, philox_avx2, extremes_avx2};
#endif
  return {exp_sse2, log_sse2, box_muller_sse2, philox_sse2, extremes_sse2};
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

void box_muller(std::span<const double> u1, std::span<const double> u2, std::span<double> z1,
                std::span<double> z2) noexcept {
  box_muller(active_kernel(), u1, u2, z1, z2);
}

void box_muller(Kernel kernel, std::span<const double> u1, std::span<const double> u2,
                std::span<double> z1, std::span<double> z2) noexcept {
  loops_of(kernel).box_muller(u1.data(), u2.data(), z1.data(), z2.data(), u1.size());
}

void philox_uniforms(std::uint64_t first_path, const PhiloxAddress& address, std::span<double> u1,
                     std::span<double> u2) noexcept {
  philox_uniforms(active_kernel(), first_path, address, u1, u2);
}

void philox_uniforms(Kernel kernel, std::uint64_t first_path, const PhiloxAddress& address,
                     std::span<double> u1, std::span<double> u2) noexcept {
  loops_of(kernel).philox(first_path, address, u1.data(), u2.data(), u1.size());
}

Extremes extremes(std::span<const double> values) noexcept {
  return extremes(active_kernel(), values);
}

Extremes extremes(Kernel kernel, std::span<const double> values) noexcept {
  return loops_of(kernel).extremes(values.data(), values.size());
}

void cos_sin_turn_one(double u, double& cos_out, double& sin_out) noexcept {
  cos_sin_turn_kernel(u, cos_out, sin_out);
}

double exp_one(double x) noexcept {
  return exp_kernel(x);
}
double log_one(double x) noexcept {
  return log_kernel(x);
}

}  // namespace talentcast::core::vmath
