#include "talentcast/core/precision.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "talentcast/core/engine.hpp"

namespace talentcast::core {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Paths rounded up to whole chunks, kMaxPaths at most.
std::uint64_t whole_chunks(double paths) {
  const double chunks = std::ceil(paths / static_cast<double>(kChunkPaths));
  return chunks >= 1e15 ? kMaxPaths : static_cast<std::uint64_t>(chunks) * kChunkPaths;
}

}  // namespace

std::uint64_t first_checkpoint(const PrecisionTarget& target, std::uint64_t paths) {
  return std::min(whole_chunks(static_cast<double>(paths)), target.max_paths);
}

std::uint64_t next_checkpoint(const PrecisionTarget& target, std::uint64_t paths,
                              const std::vector<Moments>& totals, PrecisionReached& reached) {
  reached.target = target.relative;
  reached.reached = 0.0;
  reached.worst.reset();
  for (const std::size_t v : target.watched) {
    const Moments& m = totals[v];
    const double mcse = m.sd() / std::sqrt(static_cast<double>(m.count));
    const double relative = m.count < 2 ? kInf : mcse == 0.0 ? 0.0 : mcse / std::abs(m.mean);
    if (!(relative <= reached.reached)) {  // a NaN too: it is the worst
      reached.reached = relative;
      reached.worst = v;
    }
  }
  reached.met = reached.reached <= target.relative;
  if (reached.met) return 0;
  const double shortfall = reached.reached / target.relative;
  const double needed = static_cast<double>(paths) * shortfall * shortfall * 1.05;
  const std::uint64_t next =
      std::max(paths + kChunkPaths, whole_chunks(std::min(needed, static_cast<double>(kMaxPaths))));
  return std::min(next, std::max(target.max_paths, paths));
}

}  // namespace talentcast::core
