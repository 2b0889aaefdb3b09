// core::vmath's exp and log: every instruction set's loop gives the same bits, and those bits
// are within one unit in the last place of glibc's (which are correctly rounded, or within
// one ulp of it).
#include <algorithm>
#include <array>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "talentcast/core/random.hpp"
#include "talentcast/core/vector_math.hpp"

namespace vmath = talentcast::core::vmath;

namespace {

// Distance in units in the last place between two finite doubles of the same sign.
std::uint64_t ulps(double a, double b) {
  const auto ia = std::bit_cast<std::int64_t>(a), ib = std::bit_cast<std::int64_t>(b);
  return ia > ib ? static_cast<std::uint64_t>(ia - ib) : static_cast<std::uint64_t>(ib - ia);
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b) ||
         (std::isnan(a) && std::isnan(b));
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Arguments over the whole domain of each function, special values first.
std::vector<double> exp_arguments() {
  // clang-format off
  std::vector<double> x{
      0.0, -0.0, 1.0, -1.0, kInf, -kInf, kNaN, 1e-300, -1e-300, 709.78, 709.79, 710.0, -708.0,
      -745.0, -745.2, -746.0, -800.0, 800.0, 0x1p-30, -0x1p-30, 0.34657359027997264,
      -0.34657359027997264};
  // clang-format on
  std::mt19937_64 engine(5);
  std::uniform_real_distribution<double> wide(-750.0, 712.0), narrow(-2.0, 2.0);
  for (int i = 0; i < 300000; ++i) x.push_back(wide(engine));
  for (int i = 0; i < 300000; ++i) x.push_back(narrow(engine));
  return x;
}

std::vector<double> log_arguments() {
  // clang-format off
  std::vector<double> x{
      0.0, -0.0, 1.0, -1.0, kInf, -kInf, kNaN, 0x1p-1074, 0x1p-1022, 0x1.fffffffffffffp-1023,
      std::numeric_limits<double>::max(), 1.4142135623730951, 1.4142135623730949,
      0.7071067811865476, 2.0, 0.5};
  // clang-format on
  std::mt19937_64 engine(6);
  std::uniform_real_distribution<double> exponent(-1074.0, 1023.0), near_one(0.9, 1.1);
  for (int i = 0; i < 300000; ++i) x.push_back(std::exp2(exponent(engine)));
  for (int i = 0; i < 300000; ++i) x.push_back(near_one(engine));
  return x;
}

}  // namespace

TEST_CASE("every vector kernel gives the bits of the scalar function", "[vmath]") {
  const std::vector<double> xe = exp_arguments(), xl = log_arguments();
  for (vmath::Kernel kernel : vmath::supported_kernels()) {
    INFO("kernel " << vmath::kernel_name(kernel));
    // An odd length, so that each loop's remainder is run too; then in place.
    for (std::size_t length : {xe.size() - 3, xe.size()}) {
      std::vector<double> out(length);
      vmath::exp(kernel, std::span(xe.data(), length), out);
      std::size_t differ = 0;
      for (std::size_t i = 0; i < length; ++i) differ += !same_bits(out[i], vmath::exp_one(xe[i]));
      CHECK(differ == 0);
    }
    std::vector<double> in_place = xl;
    vmath::log(kernel, in_place, in_place);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < xl.size(); ++i)
      differ += !same_bits(in_place[i], vmath::log_one(xl[i]));
    CHECK(differ == 0);
  }
  // Box-Muller, from the scalar functions.
  std::mt19937_64 engine(7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> u1(100001), u2(u1.size());
  for (std::size_t i = 0; i < u1.size(); ++i) {
    u1[i] = std::max(unit(engine), 0x1p-53);
    u2[i] = i < 8 ? std::array<double, 8>{1e-17, 0.125, 0.25, 0.375, 0.5, 0.75, 1 - 1e-16, 0.6}[i]
                  : unit(engine);
  }
  for (vmath::Kernel kernel : vmath::supported_kernels()) {
    INFO("kernel " << vmath::kernel_name(kernel));
    std::vector<double> z1(u1.size()), z2(u1.size());
    vmath::box_muller(kernel, u1, u2, z1, z2);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < u1.size(); ++i) {
      double cosine = 0.0, sine = 0.0;
      vmath::cos_sin_turn_one(u2[i], cosine, sine);
      const double radius = std::sqrt(-2.0 * vmath::log_one(u1[i]));
      differ += !same_bits(z1[i], radius * cosine) || !same_bits(z2[i], radius * sine);
    }
    CHECK(differ == 0);
  }
  CHECK(vmath::supported_kernels().front() == vmath::Kernel::sse2);
  CHECK(vmath::supported_kernels().back() == vmath::widest_supported());
}

TEST_CASE("exp and log are within one ulp of glibc's, with IEEE special values", "[vmath]") {
  for (double x : exp_arguments()) {
    const double expected = std::exp(x), got = vmath::exp_one(x);
    INFO("exp(" << x << "): " << got << " against " << expected);
    if (std::isnan(expected) || std::isinf(expected) || expected == 0.0) {
      CHECK(same_bits(got, expected));
    } else if (expected >= std::numeric_limits<double>::min()) {
      CHECK(ulps(got, expected) <= 1);
    } else {  // a subnormal result: within one of its (fewer) significant places
      CHECK(std::abs(got - expected) <= 0x1p-1074);
    }
  }
  for (double x : log_arguments()) {
    const double expected = std::log(x), got = vmath::log_one(x);
    INFO("log(" << x << "): " << got << " against " << expected);
    if (std::isnan(expected) || std::isinf(expected) || expected == 0.0) {
      CHECK((std::isnan(expected) ? std::isnan(got) : same_bits(got, expected)));
    } else {
      CHECK(ulps(got, expected) <= 1);
    }
  }
  CHECK(vmath::exp_one(0.0) == 1.0);
  CHECK(vmath::log_one(1.0) == 0.0);
}

TEST_CASE("a kernel the processor cannot run is refused", "[vmath]") {
  const vmath::Kernel before = vmath::active_kernel();
  for (vmath::Kernel kernel : {vmath::Kernel::sse2, vmath::Kernel::avx2, vmath::Kernel::avx512}) {
    const auto supported = vmath::supported_kernels();
    if (std::find(supported.begin(), supported.end(), kernel) != supported.end()) {
      vmath::set_active_kernel(kernel);
      CHECK(vmath::active_kernel() == kernel);
    } else {
      CHECK_THROWS_WITH(
          vmath::set_active_kernel(kernel),
          "this processor cannot run the " + std::string(vmath::kernel_name(kernel)) + " kernel");
      CHECK(vmath::active_kernel() != kernel);
    }
  }
  vmath::set_active_kernel(before);
}

TEST_CASE("lane-wise Philox gives Random123's uniforms on every kernel", "[vmath][random]") {
  using talentcast::core::CounterRng;
  using talentcast::core::Domain;
  for (std::uint64_t seed : {0ull, 20240101ull, 0xfedcba9876543210ull}) {
    const CounterRng rng(seed);
    // A run of paths crossing 2^32, where the counter keeps the path's low 32 bits.
    for (std::uint64_t first : {0ull, 4294967200ull}) {
      for (vmath::Kernel kernel : vmath::supported_kernels()) {
        INFO("seed " << seed << ", first path " << first << ", kernel "
                     << vmath::kernel_name(kernel));
        vmath::PhiloxAddress address;
        address.a = 83;
        address.b = 0x9abcdef0u;
        address.word3 = (static_cast<std::uint32_t>(Domain::shock) << 24) | 0x123456u;
        address.key0 = static_cast<std::uint32_t>(seed);
        address.key1 = static_cast<std::uint32_t>(seed >> 32);
        std::vector<double> u1(203), u2(203);
        vmath::philox_uniforms(kernel, first, address, u1, u2);
        std::size_t differ = 0;
        for (std::size_t i = 0; i < u1.size(); ++i) {
          const auto u = rng.uniforms(first + i, 83, 0x9abcdef0u, Domain::shock, 0x123456u);
          differ += !same_bits(u1[i], u[0]) || !same_bits(u2[i], u[1]);
        }
        CHECK(differ == 0);
      }
    }
  }
}

TEST_CASE("the extremes scan is the same on every kernel, and order-free for signed zeros",
          "[vmath][sketch]") {
  std::mt19937_64 engine(13);
  std::normal_distribution<double> normal(0.0, 3.0);
  for (std::size_t n : {1, 7, 8, 9, 256, 1001}) {
    std::vector<double> values(n);
    for (double& v : values) {
      const auto kind = engine() % 6;
      v = kind == 0 ? 0.0 : kind == 1 ? -0.0 : normal(engine);
    }
    // The reference, value by value.
    double lowest = values[0], highest = values[0];
    double least_positive = kInf, least_negative = -kInf;
    std::uint64_t zeros = 0;
    const auto before = [](double a, double b) {
      return a < b || (a == b && std::signbit(a) && !std::signbit(b));
    };
    for (double v : values) {
      if (before(v, lowest)) lowest = v;
      if (before(highest, v)) highest = v;
      if (v > 0.0 && v < least_positive) least_positive = v;
      if (v < 0.0 && v > least_negative) least_negative = v;
      zeros += v == 0.0;
    }
    for (vmath::Kernel kernel : vmath::supported_kernels()) {
      INFO(n << " values, kernel " << vmath::kernel_name(kernel));
      const vmath::Extremes e = vmath::extremes(kernel, values);
      CHECK(same_bits(e.lowest, lowest));
      CHECK(same_bits(e.highest, highest));
      CHECK(same_bits(e.least_positive, least_positive));
      CHECK(same_bits(e.least_negative, least_negative));
      CHECK(e.zeros == zeros);
    }
  }
}
