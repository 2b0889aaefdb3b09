#include "number_text.hpp"

#include <fmt/core.h>

#include <cmath>

namespace talentcast::cli {

std::string grouped(double value, int decimals) {
  const std::string digits = fmt::format("{:.{}f}", std::abs(value), decimals);
  const std::size_t point = digits.find('.');
  const std::size_t whole = point == std::string::npos ? digits.size() : point;
  const bool zero = digits.find_first_not_of("0.") == std::string::npos;
  std::string text = value < 0 && !zero ? "-" : "";
  for (std::size_t i = 0; i < whole; ++i) {
    if (i > 0 && (whole - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text + digits.substr(whole);
}

}  // namespace talentcast::cli
