#pragma once
// Numbers as people read them in reports, tables and charts.

#include <string>

namespace talentcast::cli {

/// With thousands separators: 61474.6 -> "61,475"; grouped(1234.5, 2) -> "1,234.50". A value
/// that rounds to zero has no sign.
std::string grouped(double value, int decimals = 0);

}  // namespace talentcast::cli
