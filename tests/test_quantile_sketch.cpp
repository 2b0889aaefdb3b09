// The quantile sketch against exact order statistics (NumPy's default "linear" method).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "talentcast/core/bytes.hpp"
#include "talentcast/core/quantile_sketch.hpp"

using talentcast::core::QuantileSketch;

namespace {

double exact_quantile(std::vector<double> sorted, double p) {
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const auto k = static_cast<std::size_t>(std::floor(h));
  if (k + 1 >= sorted.size()) return sorted[k];
  return sorted[k] + (h - static_cast<double>(k)) * (sorted[k + 1] - sorted[k]);
}

// The documented bound: within 2^-8 relative when the bracketing order statistics share a
// sign; otherwise between the order statistics one rank further out (0.1% in rank).
void check_bound(const std::vector<double>& values, const QuantileSketch& sketch,
                 const std::vector<double>& ps = {0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95,
                                                  0.99, 1.0}) {
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : ps) {
    const double exact = exact_quantile(sorted, p);
    const double estimate = sketch.quantile(p);
    INFO("p = " << p << ", exact " << exact << ", estimate " << estimate);
    const double h = static_cast<double>(sorted.size() - 1) * p;
    const auto k = static_cast<std::size_t>(std::floor(h));
    const double lo = sorted[k];
    const double hi = sorted[std::min(k + 1, sorted.size() - 1)];
    if ((lo > 0 && hi > 0) || (lo < 0 && hi < 0)) {
      CHECK(std::abs(estimate - exact) <= 0x1p-8 * std::abs(exact) * (1 + 1e-12));
    } else {
      CHECK(estimate >= std::min(lo, 0.0) * (1 + 0x1p-8));
      CHECK(estimate <= std::max(hi, 0.0) * (1 + 0x1p-8));
    }
  }
}

}  // namespace

TEST_CASE("sketch percentiles are within 0.39% of exact ones", "[sketch]") {
  std::mt19937_64 engine(12345);
  SECTION("lognormal salaries") {
    std::lognormal_distribution<double> dist(std::log(60000.0), 0.4);
    std::vector<double> values(50000);
    QuantileSketch sketch;
    for (double& v : values) sketch.add(v = dist(engine));
    check_bound(values, sketch);
  }
  SECTION("normal values of both signs, with exact zeros") {
    std::normal_distribution<double> dist(100.0, 400.0);
    std::vector<double> values(20001);
    QuantileSketch sketch;
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = i % 10 == 0 ? 0.0 : dist(engine);
      sketch.add(values[i]);
    }
    check_bound(values, sketch);
  }
  SECTION("a tiny sample") {
    const std::vector<double> values{3.0, 1.0, 2.0};
    QuantileSketch sketch;
    for (double v : values) sketch.add(v);
    check_bound(values, sketch);
  }
}

TEST_CASE("every percentile is within the bound, wherever its rank falls among the buckets",
          "[sketch]") {
  // Runs of buckets below a rank are passed over by their total (order_statistics): 2,001
  // percentiles put ranks in every run, at their edges, on both sides of zero.
  std::vector<double> ps;
  for (int i = 0; i <= 2000; ++i) ps.push_back(i / 2000.0);
  std::mt19937_64 engine(777);
  SECTION("both signs over 23 octaves, with zeros") {
    std::uniform_real_distribution<double> magnitude(-8.0, 8.0);
    std::vector<double> values(30000);
    QuantileSketch sketch;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double v = std::exp(magnitude(engine));
      values[i] = i % 17 == 0 ? 0.0 : (i % 3 == 0 ? -v : v);
      sketch.add(values[i]);
    }
    check_bound(values, sketch, ps);
  }
  SECTION("counts past 16 bits in a narrow range") {
    // About five buckets wide: the middle ones count past 2^15, so their carries are summed.
    std::lognormal_distribution<double> dist(0.0, 0.002);
    std::vector<double> values(300000);
    for (double& v : values) v = dist(engine);
    QuantileSketch sketch, uncarried;
    sketch.add(values);
    uncarried.add(std::span(values).first(20000));
    // The carries take 4 bytes a bucket beside the counters' 2.
    REQUIRE(sketch.memory_bytes() >= 2 * uncarried.memory_bytes());
    check_bound(values, sketch, ps);
  }
}

TEST_CASE("constant and two-valued outputs are reported exactly", "[sketch]") {
  QuantileSketch constant;
  for (int i = 0; i < 1000; ++i) constant.add(1051.2710963760242);
  for (double p : {0.05, 0.5, 0.95}) CHECK(constant.quantile(p) == 1051.2710963760242);

  QuantileSketch shortage;  // 0/1 indicators: every percentile is 0 or 1 or between them
  for (int i = 0; i < 1000; ++i) shortage.add(i < 300 ? 0.0 : 1.0);
  CHECK(shortage.quantile(0.05) == 0.0);
  CHECK(shortage.quantile(0.25) == 0.0);
  CHECK(shortage.quantile(0.5) == 1.0);
  CHECK(shortage.quantile(0.95) == 1.0);
}

TEST_CASE("merging is exact and independent of order", "[sketch]") {
  std::mt19937_64 engine(7);
  std::exponential_distribution<double> dist(0.01);
  QuantileSketch all, parts[3];
  for (int i = 0; i < 30000; ++i) {
    const double v = dist(engine) - 50.0;
    all.add(v);
    parts[i % 3].add(v);
  }
  QuantileSketch forward, backward;
  for (int i = 0; i < 3; ++i) forward.merge(parts[i]);
  for (int i = 2; i >= 0; --i) backward.merge(parts[i]);
  for (double p : {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99}) {
    CHECK(forward.quantile(p) == all.quantile(p));
    CHECK(backward.quantile(p) == all.quantile(p));
  }
  CHECK(forward.count() == 30000);
  // Merging by move (into an empty sketch: taken; then merged) gives the same.
  QuantileSketch moved, copies[3] = {parts[0], parts[1], parts[2]};
  for (auto& part : copies) moved.merge(std::move(part));
  for (double p : {0.01, 0.5, 0.99}) CHECK(moved.quantile(p) == all.quantile(p));
  CHECK(moved.count() == 30000);
  CHECK(copies[0].count() == 0);
}

TEST_CASE("memory depends on the range of values, not on their number", "[sketch]") {
  std::mt19937_64 engine(3);
  std::lognormal_distribution<double> dist(10.0, 0.5);
  QuantileSketch sketch;
  for (int i = 0; i < 10000; ++i) sketch.add(dist(engine));
  const std::size_t after_ten_thousand = sketch.memory_bytes();
  for (int i = 0; i < 1000000; ++i) sketch.add(std::clamp(dist(engine), 2000.0, 200000.0));
  // log2(200000 / 2000) = 6.6 octaves of 256 buckets each, 8 bytes a bucket, with growth slack.
  CHECK(sketch.memory_bytes() <= 2 * 7 * 256 * 8);
  CHECK(after_ten_thousand <= sketch.memory_bytes());
}

TEST_CASE("a range wider than 28 octaves collapses its smallest magnitudes, whatever the order",
          "[sketch]") {
  // Values from 1e-30 to 1e6: 120 octaves. The window keeps the top 28 octaves of each sign;
  // below 2^-28 of the largest magnitude, values share the lowest bucket.
  std::mt19937_64 engine(17);
  std::uniform_real_distribution<double> exponent(-30.0, 6.0);
  std::vector<double> values(20000);
  for (double& v : values) v = std::pow(10.0, exponent(engine)) * (engine() % 5 == 0 ? -1.0 : 1.0);
  QuantileSketch forward, reversed, split[2];
  for (double v : values) forward.add(v);
  for (auto it = values.rbegin(); it != values.rend(); ++it) reversed.add(*it);
  for (std::size_t i = 0; i < values.size(); ++i) split[i % 2].add(values[i]);
  split[1].merge(split[0]);
  CHECK(forward.memory_bytes() <= 2 * QuantileSketch::kMaxBuckets * sizeof(std::uint32_t));
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95}) {
    CHECK(reversed.quantile(p) == forward.quantile(p));
    CHECK(split[1].quantile(p) == forward.quantile(p));
  }
  // Percentiles whose magnitude is within 2^-28 of the largest (1e6) keep the 0.39% bound.
  const double threshold = 1e6 * std::ldexp(1.0, -28);
  for (double p : {0.9, 0.95, 0.99}) {
    const double exact = exact_quantile(sorted, p);
    if (std::abs(exact) > threshold)
      CHECK(std::abs(forward.quantile(p) - exact) <= 0x1p-8 * std::abs(exact));
  }
}

TEST_CASE("adding a block of values counts them as adding them one by one", "[sketch]") {
  // The engine adds each output's values a block at a time, through a fast path for blocks of
  // one sign (zeros allowed) whose keys the window holds; every kind of block must give the
  // counts of adding value by value.
  std::mt19937_64 engine(23);
  std::lognormal_distribution<double> lognormal(3.0, 0.8);
  std::uniform_real_distribution<double> exponent(-30.0, 6.0);
  const auto block = [&](int kind) {
    std::vector<double> values(256);
    for (double& v : values) {
      switch (kind) {
        case 0:
          v = lognormal(engine);
          break;  // positive
        case 1:
          v = engine() % 4 == 0 ? 0.0 : lognormal(engine);
          break;  // and zeros
        case 2:
          v = engine() % 4 == 0 ? 0.0 : -lognormal(engine);
          break;  // negative
        case 3:
          v = (engine() % 3 == 0 ? -1.0 : 1.0) * lognormal(engine);
          break;  // mixed
        case 4:
          v = std::pow(10.0, exponent(engine));
          break;  // wider than the window
        case 5:
          v = 0.0;
          break;
        default:
          v = static_cast<double>(engine() % 2);
          break;  // 0 and 1
      }
    }
    return values;
  };
  for (int kind = 0; kind <= 6; ++kind) {
    for (int first_kind = 0; first_kind <= 6; ++first_kind) {
      INFO("blocks of kind " << kind << " after blocks of kind " << first_kind);
      QuantileSketch by_block, by_value;
      std::vector<double> all;
      for (int b = 0; b < 6; ++b) {
        const std::vector<double> values = block(b < 2 ? first_kind : kind);
        by_block.add(values);
        for (double v : values) by_value.add(v);
        all.insert(all.end(), values.begin(), values.end());
      }
      REQUIRE(by_block.count() == by_value.count());
      CHECK(by_block.min() == by_value.min());
      CHECK(by_block.max() == by_value.max());
      for (int i = 0; i <= 100; ++i) {
        const double p = i / 100.0;
        INFO("p = " << p);
        CHECK(by_block.quantile(p) == by_value.quantile(p));
      }
    }
  }
}

TEST_CASE("counts past 16 bits are carried exactly, in blocks, merges and messages", "[sketch]") {
  // The engine's counters are 16 bits with a carry (quantile_sketch.hpp): 300,000 values on a
  // few buckets take every count past 2^15 and 2^16, and a few past 2^17.
  std::mt19937_64 engine(29);
  QuantileSketch by_block, by_value, halves[2];
  std::vector<double> all;
  for (int b = 0; b < 1200; ++b) {
    std::vector<double> values(250);
    for (double& v : values) v = static_cast<double>(engine() % 4);  // 0, 1, 2, 3
    by_block.add(values);
    halves[b % 2].add(values);
    for (double v : values) by_value.add(v);
    all.insert(all.end(), values.begin(), values.end());
  }
  talentcast::core::ByteWriter message;
  halves[0].write(message);
  talentcast::core::ByteReader reader(message.bytes());
  QuantileSketch merged = QuantileSketch::read(reader);
  merged.merge(halves[1]);
  std::sort(all.begin(), all.end());
  REQUIRE(by_block.count() == all.size());
  for (int i = 0; i <= 100; ++i) {
    const double p = i / 100.0;
    INFO("p = " << p);
    // Values 0 to 3 are reported exactly where both neighbouring order statistics are equal.
    const double exact = exact_quantile(all, p);
    CHECK(by_block.quantile(p) == by_value.quantile(p));
    CHECK(merged.quantile(p) == by_value.quantile(p));
    if (exact == std::floor(exact)) CHECK(by_block.quantile(p) == Approx(exact).epsilon(0x1p-8));
  }
}

TEST_CASE("the exact min and max do not depend on the order of signed zeros", "[sketch]") {
  // -0 and +0 compare equal; min and max take -0 as the smaller, whichever came first, so
  // that they are the same for any order of values and of merges (any thread count).
  QuantileSketch forward, backward, merged_ab, merged_ba, a, b;
  for (double v : {0.0, -0.0}) forward.add(v);
  for (double v : {-0.0, 0.0}) backward.add(v);
  a.add(0.0);
  b.add(-0.0);
  merged_ab.merge(a);
  merged_ab.merge(b);
  merged_ba.merge(b);
  merged_ba.merge(a);
  for (const QuantileSketch* s : {&forward, &backward, &merged_ab, &merged_ba}) {
    CHECK(std::signbit(s->min()));
    CHECK(!std::signbit(s->max()));
  }
}

TEST_CASE("one bucket's count past 16 bits, in blocks at the carry's limits and after a message",
          "[sketch]") {
  // Every value in one bucket: each block's count lands on one 16-bit counter. Blocks of
  // exactly 2^15 and 2^15 + 1 values sit at the limit of what may be counted between carries.
  for (std::size_t block : {std::size_t{256}, std::size_t{32768}, std::size_t{32769}}) {
    INFO("blocks of " << block);
    QuantileSketch sketch;
    const std::vector<double> ones(block, 1.0);
    std::size_t total = 0;
    while (total < 200000) {
      sketch.add(ones);
      total += block;
    }
    sketch.add(std::vector<double>(300, 2.0));
    // total ones, then 300 twos: the median and the 99th percentile are 1 (within the bucket).
    CHECK(sketch.count() == total + 300);
    CHECK(sketch.quantile(0.5) == Approx(1.0).epsilon(0x1p-8));
    CHECK(sketch.quantile(0.99) == Approx(1.0).epsilon(0x1p-8));
  }
  // A sketch read from a message, its counters past 15 bits, then counted on (an MPI rank's).
  QuantileSketch sent;
  sent.add(std::vector<double>(32768, 1.0));
  talentcast::core::ByteWriter message;
  sent.write(message);
  talentcast::core::ByteReader reader(message.bytes());
  QuantileSketch received = QuantileSketch::read(reader);
  received.add(std::vector<double>(32768, 1.0));
  received.add(std::vector<double>(256, 2.0));
  CHECK(received.count() == 65792);
  CHECK(received.quantile(0.5) == Approx(1.0).epsilon(0x1p-8));
}

TEST_CASE("a NaN in a block is counted as add(double) counts it, and writes nowhere else",
          "[sketch]") {
  // NaN has no bucket; a block holding one goes value by value (NaN with the zeros, as ever).
  QuantileSketch by_block, by_value;
  std::vector<double> block(300, 1.0);
  by_block.add(block);
  for (double v : block) by_value.add(v);
  block.assign(16, 1.0);
  block[1] = std::numeric_limits<double>::quiet_NaN();
  by_block.add(block);
  for (double v : block) by_value.add(v);
  CHECK(by_block.count() == by_value.count());
  for (double p : {0.0, 0.01, 0.5, 1.0}) CHECK(by_block.quantile(p) == by_value.quantile(p));
}

TEST_CASE("a sketch sent as bytes merges exactly as the sketch itself", "[sketch][mpi]") {
  // What a distributed run does with each rank's sketches (docs/mpi.md).
  std::mt19937_64 engine(11);
  std::normal_distribution<double> dist(0.0, 100.0);
  for (const int n : {0, 5, 256, 5000}) {  // empty, exact, at the limit, bucketed
    CAPTURE(n);
    QuantileSketch all, mine, theirs;
    for (int i = 0; i < n; ++i) {
      const double v = i % 7 == 0 ? 0.0 : dist(engine);  // exact zeros and both signs
      all.add(v);
      (i % 2 ? mine : theirs).add(v);
    }
    // A little more on this side, so that merging crosses the exact limit at n = 256.
    all.add(1.5);
    mine.add(1.5);
    talentcast::core::ByteWriter out;
    theirs.write(out);
    talentcast::core::ByteReader in(out.bytes());
    mine.merge(QuantileSketch::read(in));
    CHECK(in.done());
    CHECK(mine.count() == all.count());
    CHECK(mine.min() == all.min());
    CHECK(mine.max() == all.max());
    for (double p : {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0})
      CHECK(mine.quantile(p) == all.quantile(p));
  }
  // A truncated message is an error, not a read past its end.
  QuantileSketch some;
  some.add(3.0);
  talentcast::core::ByteWriter out;
  some.write(out);
  out.bytes().pop_back();
  talentcast::core::ByteReader in(out.bytes());
  CHECK_THROWS_AS(QuantileSketch::read(in), std::length_error);
}
