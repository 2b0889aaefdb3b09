#pragma once
// Experimental designs for parameter sweeps, in the unit hypercube [0, 1)^d: a full factorial
// grid, Latin hypercube samples, scrambled Sobol sequences, Morris trajectories and Saltelli's
// scheme for Sobol indices (docs/sweeps.md). Every random choice comes from the counter-based
// streams, addressed by (seed, point, dimension), so a design is a pure function of its
// arguments. A sweep maps each coordinate to its parameter's range or list of levels.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace talentcast::core {

/// Points x dims coordinates, row-major: coordinate j of point i is at(i, j).
struct Design {
  std::size_t dims = 0;
  std::vector<double> unit;

  std::size_t points() const { return dims == 0 ? 0 : unit.size() / dims; }
  double at(std::size_t point, std::size_t dim) const { return unit[point * dims + dim]; }
};

/// Every combination of levels[j] evenly spaced values per dimension: i / (levels[j] - 1)
/// (0.5 for one level), the first dimension varying slowest.
Design full_factorial(const std::vector<std::size_t>& levels);

/// n points whose projection on every dimension has exactly one point in each of the n strata
/// [k / n, (k + 1) / n), at a uniform position inside it (McKay, Beckman and Conover 1979).
Design latin_hypercube(std::size_t n, std::size_t dims, std::uint64_t seed);

/// The first n points of the Sobol sequence in dims dimensions (Joe-Kuo direction numbers, as
/// Boost.Random and SciPy, starting at the origin). With scramble, a linear matrix scramble
/// and a random digital shift (Matousek 1998, as SciPy's default) drawn from the seed: every
/// point lies inside (0, 1) and the net's stratification is kept.
Design sobol(std::size_t n, std::size_t dims, std::uint64_t seed, bool scramble = true);

/// r Morris trajectories of dims + 1 points on a grid of `levels` (even) values per dimension:
/// each step moves one coordinate, in a random order, by delta = levels / (2 (levels - 1)).
/// Points are grid values j / (levels - 1).
Design morris(std::size_t trajectories, std::size_t dims, std::size_t levels, std::uint64_t seed);
/// Morris's delta for a number of levels.
double morris_delta(std::size_t levels);

/// Saltelli's scheme for first-order and total Sobol indices: n base rows, each giving
/// dims + 2 points: A, then AB_1 .. AB_d (A with column j taken from B), then B; A and B are
/// the two halves of a 2 dims-dimensional scrambled Sobol point.
Design saltelli(std::size_t n, std::size_t dims, std::uint64_t seed);

}  // namespace talentcast::core
