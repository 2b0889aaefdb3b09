#pragma once
// A mergeable quantile sketch with a bounded relative error and bounded memory.
//
// Up to kExactLimit values are kept as they are, and their percentiles are exact. Past that,
// each finite double goes to a bucket made of its sign, its binary exponent and the top
// kMantissaBits bits of its mantissa (the layout of HdrHistogram and DDSketch's bit mapping): a
// bucket covers [lo, hi) with hi / lo <= 1 + 2^-8, so any point of it is within 2^-8 = 0.39% of
// every value in it. Zeros are counted exactly. Counts are integers, so merging is exact and
// independent of order, which keeps percentiles identical for any thread count.
//
// Memory: each sign keeps at most kMaxBuckets consecutive buckets (28 octaves). Magnitudes
// below 2^-28 of the largest magnitude of their sign share the lowest kept bucket (DDSketch's
// collapsing). A bucket takes 2 bytes, 6 once a count of the sketch has passed 2^15, so a
// sketch never exceeds 2 x 42 KiB whatever the number of values.
//
// Error bound (docs/output-formats.md, tested in tests/test_quantile_sketch.cpp): each order
// statistic is estimated inside its own bucket (interpolated by rank within the bucket, as if
// its values were spread evenly) and clamped to the exact [min, max], so it is within 0.39% of
// the exact order statistic, unless its magnitude is below 2^-28 of the largest of its sign;
// a percentile interpolated between two order statistics of the same sign (NumPy's default,
// "linear") is therefore within 0.39% of the exact one. Exact zeros, and the exact min and max,
// are reported exactly.

#include <cstdint>
#include <span>
#include <vector>

#include "talentcast/core/vector_math.hpp"

namespace talentcast::core {

class ByteWriter;
class ByteReader;

class QuantileSketch {
  struct Side;

 public:
  static constexpr int kMantissaBits = 8;
  static constexpr std::size_t kExactLimit = 256;
  static constexpr std::int64_t kMaxBuckets = std::int64_t{28} << kMantissaBits;

  /// A sketch that buckets from its first value. Its percentiles are those of a default one
  /// once it holds more than kExactLimit values (the same counts); below that they are
  /// bucketed estimates rather than exact. For sketches known to end above kExactLimit (a
  /// run's sketches when the run has more paths), it saves keeping the first values.
  static QuantileSketch bucketed() {
    QuantileSketch s;
    s.bucketed_ = true;
    return s;
  }

  void add(double value);
  /// Adds many values; the same result as adding them one by one, faster: the bucket counters'
  /// cache lines are prefetched before they are incremented. Equal to count(values,
  /// prepare(values)).
  void add(std::span<const double> values);

  /// add(values) in two halves, so that the counters' cache lines arrive while the caller does
  /// other work: prepare() scans the values, moves the window and asks for the counters;
  /// count() increments them. In between, other sketches may be used, and this one not at all.
  class Prepared {
    friend class QuantileSketch;
    Side* side = nullptr;  // the side counted in one go, or
    bool general = false;  // counted value by value; neither: prepare() counted them
    std::uint64_t zeros = 0;
  };
  Prepared prepare(std::span<const double> values);
  void count(std::span<const double> values, const Prepared& prepared);
  void merge(const QuantileSketch& other);
  /// The same; into an empty sketch (not bucketed()), it takes other's state instead of
  /// copying its counts, and leaves other empty.
  void merge(QuantileSketch&& other);

  std::uint64_t count() const noexcept { return count_; }
  double min() const noexcept { return min_; }
  double max() const noexcept { return max_; }

  /// The p-quantile (p in [0, 1]) by linear interpolation between order statistics:
  /// h = (n - 1) p, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
  double quantile(double p) const;
  /// Several quantiles at once (ps ascending): one sort or one walk over the buckets.
  void quantiles(std::span<const double> ps, std::span<double> out) const;

  /// The sketch as bytes, to merge it in another process: read(write(s)) merges like s.
  void write(ByteWriter& out) const;
  static QuantileSketch read(ByteReader& in);

  /// Bytes held by the value and bucket arrays.
  std::size_t memory_bytes() const noexcept;

 private:
  // One sign's buckets: bucket key first + i holds count(i), at most kMaxBuckets of them.
  // A count is kept in two parts, so that the counters the engine increments are 2 bytes (half
  // the cache lines of 4): its low 15 bits in `low`, the rest in `high` (allocated the first
  // time a count needs it). count_all increments `low` alone, letting it run up to 2^16 - 1;
  // normalise() carries what is above 15 bits into `high`.
  struct Side {
    static constexpr int kLowBits = 15;
    static constexpr std::uint64_t kLowMask = (std::uint64_t{1} << kLowBits) - 1;
    std::int64_t first = 0;
    std::vector<std::uint16_t> low;
    std::vector<std::uint32_t> high;

    std::uint64_t count(std::size_t i) const noexcept;
    /// The counts of buckets from..to (excluded) together.
    std::uint64_t total(std::size_t from, std::size_t to) const noexcept;
    void set(std::size_t i, std::uint64_t total);
    /// Adds n to key's count, moving or extending the window (and collapsing) as needed.
    void add(std::int64_t key, std::uint64_t n);
    /// Makes the window hold keys low_key..high_key (low_key <= high_key), as adding them
    /// would; false when low_key falls below what the window may keep (it would be collapsed).
    bool cover(std::int64_t low_key, std::int64_t high_key);
    /// Counts each of values (of this side's sign or zero, the keys covered) once in `low`;
    /// `zeros` is how many of them are zero, which it does not count.
    void count_all(std::span<const double> values, std::uint64_t zeros) noexcept;
    /// Carries every low part above 15 bits into high.
    void normalise();

   private:
    void drop_front(std::size_t n);
    void grow_front(std::size_t n);
    void grow_back(std::size_t size);
  };
  void add_to_buckets(double value) noexcept;
  /// prepare()'s bucket half: the window and the prefetches for values, whose extremes are e.
  Prepared prepare_buckets(std::span<const double> values, const vmath::Extremes& e);
  void flush_exact();
  /// The estimated order statistics at ranks (ascending), written to out.
  void order_statistics(std::span<const std::uint64_t> ranks, std::span<double> out) const;
  static std::int64_t key_of(double magnitude) noexcept;
  /// The magnitude at fraction position (0..1) of bucket key's span.
  static double point_in(std::int64_t key, double position) noexcept;

  std::vector<double> exact_;  // the values themselves, while count_ <= kExactLimit
  bool bucketed_ = false;
  Side negative_;  // keys of |x| for x < 0
  Side positive_;
  std::uint64_t zeros_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t unnormalised_ = 0;  // values counted by count_all since the last normalise()
  double min_ = 0.0;
  double max_ = 0.0;
};

}  // namespace talentcast::core
