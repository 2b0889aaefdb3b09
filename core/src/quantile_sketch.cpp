#include "talentcast/core/quantile_sketch.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>

#include "talentcast/core/bytes.hpp"

namespace talentcast::core {

namespace {
constexpr int kShift = 52 - QuantileSketch::kMantissaBits;
}

std::int64_t QuantileSketch::key_of(double magnitude) noexcept {
  return static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(magnitude) >> kShift);
}

double QuantileSketch::point_in(std::int64_t key, double position) noexcept {
  const auto bits = static_cast<std::uint64_t>(key) << kShift;
  const double lo = std::bit_cast<double>(bits);
  const double hi = std::bit_cast<double>(bits + (std::uint64_t{1} << kShift));
  return lo + position * (hi - lo);
}

void QuantileSketch::Side::add(std::int64_t key, std::uint32_t n) {
  const std::int64_t index = key - first;
  if (index >= 0 && index < static_cast<std::int64_t>(counts.size())) {
    counts[static_cast<std::size_t>(index)] += n;  // the common case
    return;
  }
  if (counts.empty()) {
    first = key;
    counts.assign(1, 0);
  }
  std::int64_t last = first + static_cast<std::int64_t>(counts.size()) - 1;
  if (key > last) {
    // A new largest magnitude: the window moves up, collapsing what falls below it.
    const std::int64_t new_first = std::max(first, key - kMaxBuckets + 1);
    if (new_first > first) {
      const auto drop = static_cast<std::size_t>(std::min(new_first - first, last - first + 1));
      std::uint32_t collapsed = 0;
      for (std::size_t i = 0; i < drop; ++i) collapsed += counts[i];
      counts.erase(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(drop));
      if (counts.empty()) counts.assign(1, 0);
      first = new_first;
      counts[0] += collapsed;
    }
    // Grow with slack, so that a drifting range reallocates only logarithmically often.
    const auto needed = static_cast<std::size_t>(key - first + 1);
    if (needed > counts.capacity()) {
      counts.reserve(std::min(needed + counts.size() / 2, static_cast<std::size_t>(kMaxBuckets)));
    }
    counts.resize(needed, 0);
  } else {
    // Below the window: extend it downwards with slack (empty buckets), but never past
    // kMaxBuckets below the largest key; anything lower is collapsed into the lowest bucket.
    const std::int64_t lowest = last - kMaxBuckets + 1;
    key = std::max(key, lowest);
    if (key < first) {
      const std::int64_t new_first =
          std::max(lowest, key - static_cast<std::int64_t>(counts.size() / 2));
      std::vector<std::uint32_t> grown;
      grown.reserve(counts.size() + static_cast<std::size_t>(first - new_first));  // <= kMaxBuckets
      grown.assign(static_cast<std::size_t>(first - new_first), 0);
      grown.insert(grown.end(), counts.begin(), counts.end());
      counts.swap(grown);
      first = new_first;
    }
  }
  counts[static_cast<std::size_t>(key - first)] += n;
}

bool QuantileSketch::Side::cover(std::int64_t low, std::int64_t high) {
  add(high, 0);
  add(low, 0);
  return low >= first;  // else low is collapsed: the general path clamps key by key
}

void QuantileSketch::Side::count_all(std::span<const double> values, std::uint64_t zeros) noexcept {
  std::uint32_t* const counter = counts.data();
  const std::int64_t offset = first;
  // Zeros (key 0) are counted in the lowest bucket, then taken out of it: no branch per value.
  for (double v : values) ++counter[std::max(key_of(std::abs(v)), offset) - offset];
  counter[0] -= static_cast<std::uint32_t>(zeros);
}

void QuantileSketch::add_to_buckets(double value) noexcept {
  if (value > 0.0) {
    positive_.add(key_of(value), 1);
  } else if (value < 0.0) {
    negative_.add(key_of(-value), 1);
  } else {
    ++zeros_;
  }
}

void QuantileSketch::flush_exact() {
  for (double v : exact_) add_to_buckets(v);
  exact_.clear();
  exact_.shrink_to_fit();
  bucketed_ = true;
}

void QuantileSketch::add(double value) {
  assert(std::isfinite(value));
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++count_;
  if (bucketed_) {
    add_to_buckets(value);
    return;
  }
  exact_.push_back(value);
  if (count_ > kExactLimit) flush_exact();
}

void QuantileSketch::add(std::span<const double> values) {
  if (values.empty()) return;
  if (!bucketed_ || values.size() < 16) {
    for (double v : values) add(v);
    return;
  }
  // One scan for the extremes, the smallest magnitude of each sign and the zeros.
  double lowest = values[0], highest = values[0];
  double least_positive = std::numeric_limits<double>::infinity(), least_negative = -least_positive;
  std::uint64_t zeros = 0;
  for (double v : values) {
    lowest = v < lowest ? v : lowest;
    highest = v > highest ? v : highest;
    least_positive = v > 0.0 && v < least_positive ? v : least_positive;
    least_negative = v < 0.0 && v > least_negative ? v : least_negative;
    zeros += v == 0.0;
  }
  min_ = std::min(min_, lowest);
  max_ = std::max(max_, highest);
  count_ += values.size();
  // The common case: values of one sign (and zeros) whose keys the window can hold at once.
  // The window is set for the largest key, then the smallest (as adding them first would), and
  // the counters are then incremented without checks: the counts are those of adding the
  // values one by one.
  if (lowest >= 0.0 &&
      (highest == 0.0 || positive_.cover(key_of(least_positive), key_of(highest)))) {
    zeros_ += zeros;
    if (highest > 0.0) positive_.count_all(values, zeros);
    return;
  }
  if (highest <= 0.0 && negative_.cover(key_of(-least_negative), key_of(-lowest))) {
    zeros_ += zeros;
    negative_.count_all(values, zeros);
    return;
  }
  // Histogram increments are memory-latency bound (thousands of outputs, each with its own
  // counters): touch every counter's cache line first so that the misses overlap.
  constexpr std::size_t kChunk = 64;
  std::array<std::int64_t, kChunk> keys{};
  for (std::size_t start = 0; start < values.size(); start += kChunk) {
    const std::size_t n = std::min(kChunk, values.size() - start);
    for (std::size_t i = 0; i < n; ++i) {
      const double v = values[start + i];
      keys[i] = key_of(std::abs(v));
      const Side& side = v > 0.0 ? positive_ : negative_;
      const std::int64_t index = keys[i] - side.first;
      if (index >= 0 && index < static_cast<std::int64_t>(side.counts.size())) {
        __builtin_prefetch(&side.counts[static_cast<std::size_t>(index)], 1);
      }
    }
    for (std::size_t i = 0; i < n; ++i) {  // as add_to_buckets, value by value
      const double v = values[start + i];
      if (v > 0.0) {
        positive_.add(keys[i], 1);
      } else if (v < 0.0) {
        negative_.add(keys[i], 1);
      } else {
        ++zeros_;
      }
    }
  }
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  if (!bucketed_ && !other.bucketed_ && count_ <= kExactLimit) {
    exact_.insert(exact_.end(), other.exact_.begin(), other.exact_.end());
    return;
  }
  if (!bucketed_) flush_exact();
  for (double v : other.exact_) add_to_buckets(v);
  zeros_ += other.zeros_;
  for (const auto* side : {&other.positive_, &other.negative_}) {
    Side& mine = side == &other.positive_ ? positive_ : negative_;
    // Largest magnitudes first, so the window settles before the small ones arrive.
    for (std::size_t i = side->counts.size(); i-- > 0;) {
      if (side->counts[i] != 0)
        mine.add(side->first + static_cast<std::int64_t>(i), side->counts[i]);
    }
  }
}

void QuantileSketch::write(ByteWriter& out) const {
  out.put(count_).put(min_).put(max_).put(zeros_).put(bucketed_);
  out.put_array(std::span<const double>(exact_));
  for (const Side* side : {&negative_, &positive_}) {
    out.put(side->first).put_array(std::span<const std::uint32_t>(side->counts));
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
    side->counts = in.get_array<std::uint32_t>();
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
  std::uint64_t below = 0;
  // Negative values in increasing order: largest magnitude first, positions running downwards.
  for (std::size_t i = negative_.counts.size(); i-- > 0 && next < ranks.size();) {
    const std::int64_t key = negative_.first + static_cast<std::int64_t>(i);
    emit(below, negative_.counts[i], [&](double p) { return -point_in(key, 1.0 - p); });
    below += negative_.counts[i];
  }
  emit(below, zeros_, [](double) { return 0.0; });
  below += zeros_;
  for (std::size_t i = 0; i < positive_.counts.size() && next < ranks.size(); ++i) {
    const std::int64_t key = positive_.first + static_cast<std::int64_t>(i);
    emit(below, positive_.counts[i], [&](double p) { return point_in(key, p); });
    below += positive_.counts[i];
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
  return (positive_.counts.capacity() + negative_.counts.capacity()) * sizeof(std::uint32_t) +
         exact_.capacity() * sizeof(double);
}

}  // namespace talentcast::core
