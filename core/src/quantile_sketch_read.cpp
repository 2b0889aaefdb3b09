// The quantile sketch's answers (its order statistics and quantiles) and its serialisation
// (quantile_sketch.hpp); counting values and merging sketches are in quantile_sketch.cpp.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "talentcast/core/bytes.hpp"
#include "talentcast/core/quantile_sketch.hpp"

namespace talentcast::core {

void QuantileSketch::write(ByteWriter& out) const {
  out.put(count_).put(min_).put(max_).put(zeros_).put(bucketed_);
  out.put_array(std::span<const double>(exact_));
  for (const Side* side : {&negative_, &positive_}) {
    out.put(side->first)
        .put_array(std::span<const std::uint16_t>(side->low))
        .put_array(std::span<const std::uint32_t>(side->high));
  }
}

QuantileSketch QuantileSketch::read(ByteReader& in) {
  QuantileSketch s;
  s.count_ = in.get<std::uint64_t>();
  s.min_ = in.get<double>();
  s.max_ = in.get<double>();
  s.zeros_ = in.get<std::uint64_t>();
  s.bucketed_ = in.get<bool>();
  s.exact_ = in.get_array<double>();
  for (Side* side : {&s.negative_, &s.positive_}) {
    side->first = in.get<std::int64_t>();
    side->low = in.get_array<std::uint16_t>();
    side->high = in.get_array<std::uint32_t>();
    if (!side->high.empty() && side->high.size() != side->low.size()) {
      throw std::runtime_error("a quantile sketch's message is malformed");
    }
    side->normalise();  // the sender's counters may be past 15 bits: carried before counting on
  }
  return s;
}

void QuantileSketch::order_statistics(std::span<const std::uint64_t> ranks,
                                      std::span<double> out) const {
  std::size_t next = 0;
  // Within its bucket, rank k sits at (k - below + 1/2) / n of the bucket's span.
  const auto emit = [&](std::uint64_t below, std::uint64_t n, auto&& value_at) {
    while (next < ranks.size() && ranks[next] < below + n) {
      const double position =
          (static_cast<double>(ranks[next] - below) + 0.5) / static_cast<double>(n);
      out[next] = std::clamp(value_at(position), min_, max_);
      ++next;
    }
  };
  // Runs of kRun buckets below the next rank are passed over by their total count.
  constexpr std::size_t kRun = 32;
  std::uint64_t below = 0;
  // Negative values in increasing order: largest magnitude first, positions running downwards.
  for (std::size_t end = negative_.low.size(); end > 0 && next < ranks.size();) {
    const std::size_t start = end > kRun ? end - kRun : 0;
    if (const std::uint64_t n = negative_.total(start, end); below + n <= ranks[next]) {
      below += n;
    } else {
      for (std::size_t i = end; i-- > start;) {
        const std::int64_t key = negative_.first + static_cast<std::int64_t>(i);
        const std::uint64_t count = negative_.count(i);
        emit(below, count, [&](double p) { return -point_in(key, 1.0 - p); });
        below += count;
      }
    }
    end = start;
  }
  emit(below, zeros_, [](double) { return 0.0; });
  below += zeros_;
  for (std::size_t start = 0; start < positive_.low.size() && next < ranks.size();) {
    const std::size_t end = std::min(start + kRun, positive_.low.size());
    if (const std::uint64_t n = positive_.total(start, end); below + n <= ranks[next]) {
      below += n;
    } else {
      for (std::size_t i = start; i < end; ++i) {
        const std::int64_t key = positive_.first + static_cast<std::int64_t>(i);
        const std::uint64_t count = positive_.count(i);
        emit(below, count, [&](double p) { return point_in(key, p); });
        below += count;
      }
    }
    start = end;
  }
  for (; next < ranks.size(); ++next) out[next] = max_;
  // The extreme order statistics are known exactly.
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    if (ranks[i] == 0) out[i] = min_;
    if (ranks[i] + 1 == count_) out[i] = max_;
  }
}

void QuantileSketch::quantiles(std::span<const double> ps, std::span<double> out) const {
  assert(count_ > 0 && ps.size() == out.size() && ps.size() <= 16);
  std::array<std::uint64_t, 32> ranks{};
  std::array<double, 32> fractions{};
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const double h = static_cast<double>(count_ - 1) * ps[i];
    const auto k = static_cast<std::uint64_t>(std::floor(h));
    ranks[2 * i] = k;
    ranks[2 * i + 1] = std::min(k + 1, count_ - 1);
    fractions[i] = h - static_cast<double>(k);
  }
  const std::size_t n = 2 * ps.size();
  std::array<double, 32> values{};
  if (bucketed_) {
    // One walk over the buckets needs the ranks in ascending order.
    std::array<std::uint64_t, 32> sorted = ranks;
    std::sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n));
    std::array<double, 32> sorted_values{};
    order_statistics(std::span(sorted.data(), n), std::span(sorted_values.data(), n));
    for (std::size_t i = 0; i < n; ++i) {
      const auto at = std::lower_bound(sorted.begin(),
                                       sorted.begin() + static_cast<std::ptrdiff_t>(n), ranks[i]);
      values[i] = sorted_values[static_cast<std::size_t>(at - sorted.begin())];
    }
  } else {
    std::vector<double> sorted = exact_;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < n; ++i) values[i] = sorted[ranks[i]];
  }
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const double lower = values[2 * i], upper = values[2 * i + 1];
    out[i] = fractions[i] == 0.0 ? lower : lower + fractions[i] * (upper - lower);
  }
}

double QuantileSketch::quantile(double p) const {
  double out = 0.0;
  quantiles(std::span(&p, 1), std::span(&out, 1));
  return out;
}

std::size_t QuantileSketch::memory_bytes() const noexcept {
  return (positive_.low.capacity() + negative_.low.capacity()) * sizeof(std::uint16_t) +
         (positive_.high.capacity() + negative_.high.capacity()) * sizeof(std::uint32_t) +
         exact_.capacity() * sizeof(double);
}

}  // namespace talentcast::core
