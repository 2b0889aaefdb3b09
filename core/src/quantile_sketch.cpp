#include "talentcast/core/quantile_sketch.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "talentcast/core/bytes.hpp"
#include "talentcast/core/vector_math.hpp"

namespace talentcast::core {

namespace {

constexpr int kShift = 52 - QuantileSketch::kMantissaBits;

// The smaller and larger of two values in the order with -0 before +0, so that the exact min
// and max do not depend on the order in which values arrive or sketches merge.
double lower(double a, double b) noexcept {
  return vmath::before(b, a) ? b : a;
}
double higher(double a, double b) noexcept {
  return vmath::before(a, b) ? b : a;
}

}  // namespace

std::int64_t QuantileSketch::key_of(double magnitude) noexcept {
  return static_cast<std::int64_t>(std::bit_cast<std::uint64_t>(magnitude) >> kShift);
}

double QuantileSketch::point_in(std::int64_t key, double position) noexcept {
  const auto bits = static_cast<std::uint64_t>(key) << kShift;
  const double lo = std::bit_cast<double>(bits);
  const double hi = std::bit_cast<double>(bits + (std::uint64_t{1} << kShift));
  return lo + position * (hi - lo);
}

std::uint64_t QuantileSketch::Side::count(std::size_t i) const noexcept {
  return low[i] + (high.empty() ? 0 : std::uint64_t{high[i]} << kLowBits);
}

std::uint64_t QuantileSketch::Side::total(std::size_t from, std::size_t to) const noexcept {
  std::uint64_t sum = 0;
  for (std::size_t i = from; i < to; ++i) sum += low[i];
  if (!high.empty()) {
    for (std::size_t i = from; i < to; ++i) sum += std::uint64_t{high[i]} << kLowBits;
  }
  return sum;
}

void QuantileSketch::Side::set(std::size_t i, std::uint64_t total) {
  low[i] = static_cast<std::uint16_t>(total & kLowMask);
  if (total > kLowMask && high.empty()) high.assign(low.size(), 0);
  if (!high.empty()) high[i] = static_cast<std::uint32_t>(total >> kLowBits);
}

void QuantileSketch::Side::normalise() {
  for (std::size_t i = 0; i < low.size(); ++i) {
    if (low[i] > kLowMask) set(i, count(i));
  }
}

void QuantileSketch::Side::drop_front(std::size_t n) {
  low.erase(low.begin(), low.begin() + static_cast<std::ptrdiff_t>(n));
  if (!high.empty()) high.erase(high.begin(), high.begin() + static_cast<std::ptrdiff_t>(n));
}

void QuantileSketch::Side::grow_front(std::size_t n) {
  // One allocation each, of the final size (<= kMaxBuckets).
  const auto grow = [n](auto& counts) {
    std::remove_reference_t<decltype(counts)> grown;
    grown.reserve(counts.size() + n);
    grown.assign(n, 0);
    grown.insert(grown.end(), counts.begin(), counts.end());
    counts.swap(grown);
  };
  grow(low);
  if (!high.empty()) grow(high);
}

void QuantileSketch::Side::grow_back(std::size_t size) {
  // With slack (an eighth: a run holds one sketch an output, and slack is most of what a wide
  // window wastes), so that a drifting range reallocates only logarithmically often.
  if (size > low.capacity()) {
    low.reserve(std::min(size + low.size() / 8, static_cast<std::size_t>(kMaxBuckets)));
  }
  low.resize(size, 0);
  if (!high.empty()) high.resize(size, 0);
}

void QuantileSketch::Side::add(std::int64_t key, std::uint64_t n) {
  const std::int64_t index = key - first;
  if (index >= 0 && index < static_cast<std::int64_t>(low.size())) {
    const auto i = static_cast<std::size_t>(index);  // the common case
    if (n != 0) set(i, count(i) + n);
    return;
  }
  if (low.empty()) {
    first = key;
    low.assign(1, 0);
  }
  std::int64_t last = first + static_cast<std::int64_t>(low.size()) - 1;
  if (key > last) {
    // A new largest magnitude: the window moves up, collapsing what falls below it.
    const std::int64_t new_first = std::max(first, key - kMaxBuckets + 1);
    if (new_first > first) {
      const auto drop = static_cast<std::size_t>(std::min(new_first - first, last - first + 1));
      std::uint64_t collapsed = 0;
      for (std::size_t i = 0; i < drop; ++i) collapsed += count(i);
      drop_front(drop);
      if (low.empty()) {
        low.assign(1, 0);
        high.clear();
      }
      first = new_first;
      set(0, count(0) + collapsed);
    }
    grow_back(static_cast<std::size_t>(key - first + 1));
  } else {
    // Below the window: extend it downwards with slack (an eighth, in empty buckets), but never
    // past kMaxBuckets below the largest key; anything lower is collapsed into the lowest bucket.
    const std::int64_t lowest = last - kMaxBuckets + 1;
    key = std::max(key, lowest);
    if (key < first) {
      const std::int64_t new_first =
          std::max(lowest, key - static_cast<std::int64_t>(low.size() / 8));
      grow_front(static_cast<std::size_t>(first - new_first));
      first = new_first;
    }
  }
  const auto i = static_cast<std::size_t>(key - first);
  if (n != 0) set(i, count(i) + n);
}

bool QuantileSketch::Side::cover(std::int64_t low_key, std::int64_t high_key) {
  add(high_key, 0);
  add(low_key, 0);
  return low_key >= first;  // else low_key is collapsed: the general path clamps key by key
}

void QuantileSketch::Side::count_all(std::span<const double> values, std::uint64_t zeros) noexcept {
  std::uint16_t* const counter = low.data();
  const std::int64_t offset = first;
  // Zeros (key 0) are counted in the lowest bucket, then taken out of it: no branch per value.
  // The arithmetic is modulo 2^16, and exact because the true counts stay below 2^16
  // (QuantileSketch::add normalises first).
  for (double v : values) ++counter[std::max(key_of(std::abs(v)), offset) - offset];
  counter[0] = static_cast<std::uint16_t>(counter[0] - zeros);
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
  bucketed_ = true;
  const std::vector<double> values = std::move(exact_);
  exact_ = {};
  if (!values.empty()) count(values, prepare_buckets(values, vmath::extremes(values)));
}

void QuantileSketch::add(double value) {
  assert(std::isfinite(value));
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = lower(min_, value);
    max_ = higher(max_, value);
  }
  ++count_;
  if (bucketed_) {
    add_to_buckets(value);
    return;
  }
  exact_.push_back(value);
  if (count_ > kExactLimit) flush_exact();
}

QuantileSketch::Prepared QuantileSketch::prepare(std::span<const double> values) {
  if (values.empty()) return {};
  if (bucketed_ && values.size() < 16) {
    for (double v : values) add(v);
    return {};
  }
  // One scan for the extremes, the smallest magnitude of each sign and the zeros.
  const vmath::Extremes e = vmath::extremes(values);
  min_ = count_ == 0 ? e.lowest : lower(min_, e.lowest);
  max_ = count_ == 0 ? e.highest : higher(max_, e.highest);
  count_ += values.size();
  if (!bucketed_) {  // kept as they are, until there are more than kExactLimit
    exact_.insert(exact_.end(), values.begin(), values.end());
    if (count_ > kExactLimit) flush_exact();
    return {};
  }
  return prepare_buckets(values, e);
}

QuantileSketch::Prepared QuantileSketch::prepare_buckets(std::span<const double> values,
                                                         const vmath::Extremes& e) {
  Prepared prepared;
  // Between normalisations at most kLowMask + 1 values are counted by count_all, so that no
  // 16-bit counter, below 2^15 after a normalisation, can pass 2^16 - 1; a larger block is
  // counted value by value, as is a block with a NaN (which the extremes ignore, and which has
  // no bucket: counted with the zeros, as add(double) does).
  if (values.size() > Side::kLowMask + 1 || e.nans != 0) {
    prepared.general = true;
    return prepared;
  }
  if (unnormalised_ + values.size() > Side::kLowMask + 1) {
    positive_.normalise();
    negative_.normalise();
    unnormalised_ = 0;
  }
  unnormalised_ += values.size();
  // The common case: values of one sign (and zeros) whose keys the window can hold at once.
  // The window is set for the largest key, then the smallest (as adding them first would), and
  // the counters are then incremented without checks: the counts are those of adding the
  // values one by one.
  if (e.lowest >= 0.0 && e.highest == 0.0) {
    zeros_ += e.zeros;
    return prepared;
  }
  Side* side = nullptr;
  std::int64_t low_key = 0, high_key = 0;
  if (e.lowest >= 0.0) {
    side = &positive_;
    low_key = key_of(e.least_positive);
    high_key = key_of(e.highest);
  } else if (e.highest <= 0.0) {
    side = &negative_;
    low_key = key_of(-e.least_negative);
    high_key = key_of(-e.lowest);
  }
  if (side == nullptr || !side->cover(low_key, high_key)) {
    prepared.general = true;  // counted value by value
    return prepared;
  }
  // The counters these values increment lie between those of the two keys: asked for now, they
  // arrive while the caller does other work before count().
  const auto low = static_cast<std::size_t>(low_key - side->first);
  const auto high = static_cast<std::size_t>(high_key - side->first);
  constexpr std::size_t kLine = 64 / sizeof(std::uint16_t);
  constexpr std::size_t kMaxPrefetched = 64 * kLine;
  if (high - low <= kMaxPrefetched) {
    for (std::size_t k = low; k <= high; k += kLine) __builtin_prefetch(side->low.data() + k, 1);
    __builtin_prefetch(side->low.data() + high, 1);
  }
  prepared.side = side;
  prepared.zeros = e.zeros;
  return prepared;
}

void QuantileSketch::count(std::span<const double> values, const Prepared& prepared) {
  if (prepared.side != nullptr) {
    zeros_ += prepared.zeros;
    prepared.side->count_all(values, prepared.zeros);
    return;
  }
  if (!prepared.general) return;  // prepare() counted them
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
      if (index >= 0 && index < static_cast<std::int64_t>(side.low.size())) {
        __builtin_prefetch(&side.low[static_cast<std::size_t>(index)], 1);
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

void QuantileSketch::add(std::span<const double> values) {
  count(values, prepare(values));
}

void QuantileSketch::merge(QuantileSketch&& other) {
  if (count_ == 0 && !bucketed_) {  // merging into an empty sketch gives the other's counts
    *this = std::move(other);
    other = QuantileSketch{};
    return;
  }
  merge(static_cast<const QuantileSketch&>(other));
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = lower(min_, other.min_);
    max_ = higher(max_, other.max_);
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
    for (std::size_t i = side->low.size(); i-- > 0;) {
      const std::uint64_t n = side->count(i);
      if (n != 0) mine.add(side->first + static_cast<std::int64_t>(i), n);
    }
  }
}

}  // namespace talentcast::core
