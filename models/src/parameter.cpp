#include "talentcast/models/parameter.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>

#include "talentcast/core/random.hpp"

namespace talentcast::models {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// Doubles stay doubles: Boost.Math's default promotes them to long double internally, which
// costs several times the time for no accuracy a forecast can use.
// Overflow returns infinity instead of throwing: validation and the model check finiteness.
using Policy = boost::math::policies::policy<
    boost::math::policies::promote_double<false>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>>;
using Normal = boost::math::normal_distribution<double, Policy>;
using Lognormal = boost::math::lognormal_distribution<double, Policy>;
using Uniform = boost::math::uniform_distribution<double, Policy>;
using Triangular = boost::math::triangular_distribution<double, Policy>;
using Beta = boost::math::beta_distribution<double, Policy>;
using ChiSquared = boost::math::chi_squared_distribution<double, Policy>;

// Truncated standard normal inverse CDF on [lo, hi] at u, computed on the side of the mean the
// interval mostly lies in, so that a far tail keeps its precision instead of rounding to 0 or 1.
double truncated_standard_normal(double lo, double hi, double u) {
  const Normal standard;
  if (lo >= 0.0) {
    // Upper tail: work with survival probabilities Q(x) = 1 - Phi(x).
    const double q_lo = boost::math::cdf(boost::math::complement(standard, lo));
    const double q_hi =
        std::isinf(hi) ? 0.0 : boost::math::cdf(boost::math::complement(standard, hi));
    const double q = q_lo - u * (q_lo - q_hi);
    return boost::math::quantile(boost::math::complement(standard, q));
  }
  const double p_lo = std::isinf(lo) ? 0.0 : boost::math::cdf(standard, lo);
  const double p_hi = std::isinf(hi) ? 1.0 : boost::math::cdf(standard, hi);
  if (hi <= 0.0 || p_hi - p_lo < 0.5) {
    return boost::math::quantile(standard, p_lo + u * (p_hi - p_lo));
  }
  // The interval straddles the mean: choose the side of u's image for precision.
  const double p = p_lo + u * (p_hi - p_lo);
  return p < 0.5 ? boost::math::quantile(standard, p)
                 : boost::math::quantile(boost::math::complement(standard, 1.0 - p));
}
}  // namespace

std::optional<DistributionKind> parse_distribution_kind(std::string_view name) {
  if (name == "normal") return DistributionKind::normal;
  if (name == "lognormal") return DistributionKind::lognormal;
  if (name == "uniform") return DistributionKind::uniform;
  if (name == "triangular") return DistributionKind::triangular;
  if (name == "pert") return DistributionKind::pert;
  if (name == "beta") return DistributionKind::beta;
  return std::nullopt;
}

std::string_view distribution_name(DistributionKind kind) {
  switch (kind) {
    case DistributionKind::normal:
      return "normal";
    case DistributionKind::lognormal:
      return "lognormal";
    case DistributionKind::uniform:
      return "uniform";
    case DistributionKind::triangular:
      return "triangular";
    case DistributionKind::pert:
      return "pert";
    case DistributionKind::beta:
      return "beta";
    case DistributionKind::scaled_inv_chi:
      return "scaled_inv_chi";
  }
  return "?";
}

QuantileTable::QuantileTable(const std::function<double(double)>& quantile,
                             const std::function<double(double)>& pdf)
    : u_(kIntervals + 1), q_(kIntervals + 1), slope_(kIntervals + 1), exact_(kIntervals, 1) {
  for (int i = 0; i <= kIntervals; ++i) {
    const double s = static_cast<double>(i) / kIntervals;
    const auto k = static_cast<std::size_t>(i);
    u_[k] = 0.5 * (1.0 - std::cos(std::numbers::pi * s));
    if (i < 2 || i > kIntervals - 2) continue;  // the outer intervals use the exact quantile
    q_[k] = quantile(u_[k]);
    // dQ/ds = dQ/du du/ds = (1 / pdf(Q)) (pi / 2) sin(pi s)
    slope_[k] = 0.5 * std::numbers::pi * std::sin(std::numbers::pi * s) / pdf(q_[k]);
    valid_ = valid_ && std::isfinite(q_[k]) && std::isfinite(slope_[k]);
  }
  if (!valid_) return;
  // Trust an interval only where the interpolant matches the exact quantile inside it.
  const double range = quantile(u_[kIntervals - 2]) - quantile(u_[2]);
  for (std::size_t i = 2; i + 2 < static_cast<std::size_t>(kIntervals); ++i) {
    // The cubic Hermite error is largest near the middle of an interval.
    const double s = (static_cast<double>(i) + 0.5) / kIntervals;
    const double u = 0.5 * (1.0 - std::cos(std::numbers::pi * s));
    exact_[i] = std::abs(interpolate(i, 0.5) - quantile(u)) <= kTolerance * range ? 0 : 1;
  }
}

double QuantileTable::interpolate(std::size_t i, double t) const {
  const double h00 = (1 + 2 * t) * (1 - t) * (1 - t), h10 = t * (1 - t) * (1 - t);
  const double h01 = t * t * (3 - 2 * t), h11 = t * t * (t - 1);
  const double step = 1.0 / kIntervals;
  return h00 * q_[i] + h10 * step * slope_[i] + h01 * q_[i + 1] + h11 * step * slope_[i + 1];
}

double QuantileTable::operator()(double u) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (!(u >= u_[2] && u < u_[kIntervals - 2])) return kNaN;
  const double s = std::acos(1.0 - 2.0 * u) / std::numbers::pi * kIntervals;
  const auto i =
      std::clamp(static_cast<std::size_t>(s), std::size_t{2}, std::size_t{kIntervals - 3});
  if (exact_[i]) return kNaN;
  return interpolate(i, s - static_cast<double>(i));
}

struct QuantileTables::State {
  mutable std::mutex mutex;
  // A key whose build gave no table keeps null, so it is not built again.
  std::map<std::pair<double, double>, std::shared_ptr<const QuantileTable>> tables;
};

QuantileTables::QuantileTables() : state_(std::make_unique<State>()) {}
QuantileTables::~QuantileTables() = default;

std::shared_ptr<const QuantileTable> QuantileTables::find(
    double alpha, double beta, const std::function<std::shared_ptr<const QuantileTable>()>& build) {
  const std::lock_guard lock(state_->mutex);
  const auto [it, added] = state_->tables.try_emplace({alpha, beta});
  if (added) it->second = build();
  return it->second;
}

std::size_t QuantileTables::size() const {
  const std::lock_guard lock(state_->mutex);
  return state_->tables.size();
}

void Distribution::tabulate(QuantileTables& tables) {
  if (kind != DistributionKind::beta && kind != DistributionKind::pert &&
      kind != DistributionKind::scaled_inv_chi) {
    return;
  }
  // Tables are of the standardised distribution, shared between equal ones (a [defaults] value
  // is one per role): Beta(alpha, beta) on [0, 1], or sqrt(nu / X) for scaled_inv_chi (key
  // (nu, -1), which no beta has).
  double alpha = a, beta = b;
  if (kind == DistributionKind::pert) {
    alpha = 1.0 + 4.0 * (a - low) / (high - low);
    beta = 1.0 + 4.0 * (high - a) / (high - low);
  }
  if (kind == DistributionKind::scaled_inv_chi) beta = -1.0;
  table = tables.find(alpha, beta, [&]() -> std::shared_ptr<const QuantileTable> {
    try {
      std::shared_ptr<const QuantileTable> built;
      if (kind == DistributionKind::scaled_inv_chi) {
        const double nu = a;
        const ChiSquared chi(nu);
        // Y = sqrt(nu / X): its u-quantile is at X's (1 - u)-quantile, and its density is
        // f_X(nu / y^2) 2 nu / y^3.
        built = std::make_shared<const QuantileTable>(
            [&](double u) {
              return std::sqrt(nu / boost::math::quantile(boost::math::complement(chi, u)));
            },
            [&](double y) { return boost::math::pdf(chi, nu / (y * y)) * 2.0 * nu / (y * y * y); });
      } else {
        const Beta standard(alpha, beta);
        built = std::make_shared<const QuantileTable>(
            [&](double u) { return boost::math::quantile(standard, u); },
            [&](double x) { return boost::math::pdf(standard, x); });
      }
      return built->valid() ? built : nullptr;
    } catch (const std::exception&) {
      return nullptr;  // no table: every draw uses the exact quantile
    }
  });
}

double Distribution::quantile(double u) const {
  if (table) {
    const double x = (*table)(u);
    if (!std::isnan(x))
      return kind == DistributionKind::scaled_inv_chi ? b * x : low + (high - low) * x;
  }
  return exact_quantile(u);
}

double Distribution::exact_quantile(double u) const {
  switch (kind) {
    case DistributionKind::normal:
      if (std::isinf(low) && std::isinf(high)) return boost::math::quantile(Normal(a, b), u);
      return a + b * truncated_standard_normal((low - a) / b, (high - a) / b, u);
    case DistributionKind::lognormal: {
      const double mu = std::log(a);
      if (low <= 0.0 && std::isinf(high)) return boost::math::quantile(Lognormal(mu, b), u);
      // Truncation in log space: exp of a normal truncated to [ln low, ln high].
      const double lo = low > 0.0 ? (std::log(low) - mu) / b : -kInf;
      const double hi = std::isinf(high) ? kInf : (std::log(high) - mu) / b;
      return std::exp(mu + b * truncated_standard_normal(lo, hi, u));
    }
    case DistributionKind::uniform:
      return boost::math::quantile(Uniform(low, high), u);
    case DistributionKind::triangular:
      return boost::math::quantile(Triangular(low, a, high), u);
    case DistributionKind::pert: {
      // PERT(low, mode, high) with lambda = 4: low + (high - low) Beta(alpha, beta) with
      // alpha = 1 + 4 (mode - low) / (high - low), beta = 1 + 4 (high - mode) / (high - low).
      const double range = high - low;
      const double alpha = 1.0 + 4.0 * (a - low) / range;
      const double beta = 1.0 + 4.0 * (high - a) / range;
      return low + range * boost::math::quantile(Beta(alpha, beta), u);
    }
    case DistributionKind::beta:
      return low + (high - low) * boost::math::quantile(Beta(a, b), u);
    case DistributionKind::scaled_inv_chi:
      return b * std::sqrt(a / boost::math::quantile(boost::math::complement(ChiSquared(a), u)));
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double Distribution::support_min() const {
  switch (kind) {
    case DistributionKind::normal:
      return low;
    case DistributionKind::lognormal:
      return std::max(low, 0.0);
    default:
      return low;
  }
}

double Distribution::support_max() const {
  switch (kind) {
    case DistributionKind::normal:
      return high;
    default:
      return high;
  }
}

std::string Distribution::describe() const {
  const auto bounds = [&] {
    return fmt::format("{}{}", std::isinf(low) ? "" : fmt::format(", min = {}", low),
                       std::isinf(high) ? "" : fmt::format(", max = {}", high));
  };
  switch (kind) {
    case DistributionKind::normal:
      return fmt::format("normal(mean = {}, sd = {}{})", a, b, bounds());
    case DistributionKind::lognormal:
      return fmt::format("lognormal(median = {}, sigma = {}{})", a, b, bounds());
    case DistributionKind::uniform:
      return fmt::format("uniform({}, {})", low, high);
    case DistributionKind::triangular:
      return fmt::format("triangular({}, {}, {})", low, a, high);
    case DistributionKind::pert:
      return fmt::format("pert({}, {}, {})", low, a, high);
    case DistributionKind::beta:
      return fmt::format("beta(alpha = {}, beta = {}, low = {}, high = {})", a, b, low, high);
    case DistributionKind::scaled_inv_chi:
      return fmt::format("scaled_inv_chi(nu = {}, s = {})", a, b);
  }
  return "?";
}

Parameter::Parameter(Distribution distribution, std::string_view key_path, QuantileTables& tables)
    : distribution_(distribution), address_(core::fnv1a64(key_path)) {
  distribution_->tabulate(tables);
}

Parameter Parameter::for_role(std::string_view role) const {
  Parameter copy = *this;
  // FNV-1a continued over "@role": equal to the hash of the key path followed by "@role".
  std::uint64_t hash = address_;
  const auto mix = [&](char c) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  };
  mix('@');
  for (char c : role) mix(c);
  copy.address_ = hash;
  return copy;
}

std::string Parameter::describe() const {
  return distribution_ ? distribution_->describe() : fmt::format("{}", constant_);
}

}  // namespace talentcast::models
