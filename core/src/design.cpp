#include "talentcast/core/design.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <boost/random/sobol.hpp>
#include <numeric>
#include <stdexcept>

#include "talentcast/core/random.hpp"

namespace talentcast::core {

namespace {
// Stream addresses of the designs' random choices (Domain::user, a = design, b = dimension).
constexpr std::uint32_t kLatinHypercube = 1, kSobolScramble = 2, kMorris = 3;

std::uint64_t random_bits(const CounterRng& rng, std::uint64_t index, std::uint32_t a,
                          std::uint32_t b) {
  const auto w = rng.bits(index, a, b, Domain::user);
  return (static_cast<std::uint64_t>(w[0]) << 32) | w[1];
}

// A uniform integer in [0, n) (n small; the modulo bias is below 2^-40).
std::size_t below(const CounterRng& rng, std::uint64_t index, std::uint32_t a, std::uint32_t b,
                  std::size_t n) {
  return static_cast<std::size_t>(random_bits(rng, index, a, b) % n);
}

// Fisher-Yates permutation of 0 .. n - 1 from the stream (a, b).
std::vector<std::size_t> permutation(const CounterRng& rng, std::size_t n, std::uint32_t a,
                                     std::uint32_t b) {
  std::vector<std::size_t> p(n);
  std::iota(p.begin(), p.end(), std::size_t{0});
  for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[below(rng, i, a, b, i)]);
  return p;
}
}  // namespace

Design full_factorial(const std::vector<std::size_t>& levels) {
  Design d;
  d.dims = levels.size();
  std::size_t n = 1;
  for (std::size_t l : levels) {
    if (l == 0) throw std::invalid_argument("full_factorial: a dimension has no levels");
    n *= l;
  }
  d.unit.resize(n * d.dims);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t rest = i;
    for (std::size_t j = d.dims; j-- > 0;) {
      const std::size_t k = rest % levels[j];
      rest /= levels[j];
      d.unit[i * d.dims + j] =
          levels[j] == 1 ? 0.5 : static_cast<double>(k) / static_cast<double>(levels[j] - 1);
    }
  }
  return d;
}

Design latin_hypercube(std::size_t n, std::size_t dims, std::uint64_t seed) {
  const CounterRng rng(seed);
  Design d;
  d.dims = dims;
  d.unit.resize(n * dims);
  for (std::size_t j = 0; j < dims; ++j) {
    const auto strata = permutation(rng, n, kLatinHypercube, static_cast<std::uint32_t>(j));
    for (std::size_t i = 0; i < n; ++i) {
      const double u =
          rng.uniforms(i, kLatinHypercube, static_cast<std::uint32_t>(j), Domain::user, 1)[0];
      d.unit[i * dims + j] = (static_cast<double>(strata[i]) + u) / static_cast<double>(n);
    }
  }
  return d;
}

Design sobol(std::size_t n, std::size_t dims, std::uint64_t seed, bool scramble) {
  Design d;
  d.dims = dims;
  d.unit.resize(n * dims);
  if (n == 0 || dims == 0) return d;
  const CounterRng rng(seed);
  // Per dimension: a random lower-triangular binary matrix with unit diagonal (row r as a
  // 64-bit mask over the bits of higher or equal significance, bit 63 the most significant)
  // and a random digital shift.
  std::vector<std::array<std::uint64_t, 64>> matrix(dims);
  std::vector<std::uint64_t> shift(dims, 0);
  for (std::size_t j = 0; j < dims && scramble; ++j) {
    for (int r = 0; r < 64; ++r) {
      const std::uint64_t diagonal = std::uint64_t{1} << (63 - r);
      const std::uint64_t above = r == 0 ? 0 : ~((diagonal << 1) - 1);  // more significant bits
      matrix[j][static_cast<std::size_t>(r)] =
          diagonal | (random_bits(rng, static_cast<std::uint64_t>(r), kSobolScramble,
                                  static_cast<std::uint32_t>(j)) &
                      above);
    }
    shift[j] = random_bits(rng, 64, kSobolScramble, static_cast<std::uint32_t>(j));
  }
  boost::random::sobol engine(static_cast<unsigned>(dims));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < dims; ++j) {
      std::uint64_t x = i == 0 ? 0 : static_cast<std::uint64_t>(engine());  // Boost skips 0
      if (scramble) {
        std::uint64_t y = 0;
        for (int r = 0; r < 64; ++r) {
          const auto parity = static_cast<std::uint64_t>(
              std::popcount(matrix[j][static_cast<std::size_t>(r)] & x) & 1);
          y |= parity << (63 - r);
        }
        x = y ^ shift[j];
      }
      // The top 53 bits, centred in their cell: inside (0, 1) when scrambled.
      d.unit[i * dims + j] = scramble ? (static_cast<double>(x >> 11) + 0.5) * 0x1p-53
                                      : static_cast<double>(x >> 11) * 0x1p-53;
    }
  }
  return d;
}

double morris_delta(std::size_t levels) {
  return static_cast<double>(levels) / (2.0 * static_cast<double>(levels - 1));
}

Design morris(std::size_t trajectories, std::size_t dims, std::size_t levels, std::uint64_t seed) {
  if (levels < 2 || levels % 2 != 0) {
    throw std::invalid_argument("morris: the number of levels must be even and at least 2");
  }
  const CounterRng rng(seed);
  const std::size_t step_levels = levels / 2;  // delta in grid steps
  Design d;
  d.dims = dims;
  d.unit.reserve(trajectories * (dims + 1) * dims);
  for (std::size_t t = 0; t < trajectories; ++t) {
    // A random base point on the grid, each coordinate moving up or down, in a random order;
    // bases low enough to move up, high enough to move down.
    std::vector<std::size_t> grid(dims);
    std::vector<bool> up(dims);
    for (std::size_t j = 0; j < dims; ++j) {
      up[j] = below(rng, t, kMorris, static_cast<std::uint32_t>(2 * j), 2) == 0;
      const std::size_t base =
          below(rng, t, kMorris, static_cast<std::uint32_t>(2 * j + 1), levels - step_levels);
      grid[j] = up[j] ? base : base + step_levels;
    }
    const auto order = permutation(rng, dims, kMorris, static_cast<std::uint32_t>(1000000 + t));
    const auto push = [&] {
      for (std::size_t j = 0; j < dims; ++j) {
        d.unit.push_back(static_cast<double>(grid[j]) / static_cast<double>(levels - 1));
      }
    };
    push();
    for (std::size_t j : order) {
      grid[j] = up[j] ? grid[j] + step_levels : grid[j] - step_levels;
      push();
    }
  }
  return d;
}

Design saltelli(std::size_t n, std::size_t dims, std::uint64_t seed) {
  const Design base = sobol(n, 2 * dims, seed, true);
  Design d;
  d.dims = dims;
  d.unit.reserve(n * (dims + 2) * dims);
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = [&](std::size_t j) { return base.at(i, j); };
    const auto b = [&](std::size_t j) { return base.at(i, dims + j); };
    for (std::size_t j = 0; j < dims; ++j) d.unit.push_back(a(j));
    for (std::size_t k = 0; k < dims; ++k) {
      for (std::size_t j = 0; j < dims; ++j) d.unit.push_back(j == k ? b(j) : a(j));
    }
    for (std::size_t j = 0; j < dims; ++j) d.unit.push_back(b(j));
  }
  return d;
}

}  // namespace talentcast::core
