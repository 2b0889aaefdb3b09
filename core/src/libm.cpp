#include "talentcast/core/libm.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

#if defined(__GLIBC__) && defined(__x86_64__)
#include <gnu/libc-version.h>
#include <sys/platform/x86.h>
#define TALENTCAST_GLIBC_X86 1
#endif

namespace talentcast::core {

namespace {

// Set in the environment of the program started again, so that it is started only once.
constexpr const char* kStartedAgain = "TALENTCAST_BASELINE_LIBM_STARTED";

}  // namespace

std::string libm_variant() {
#if defined(TALENTCAST_GLIBC_X86)
  // glibc 2.36's choices (sysdeps/x86_64/fpu/multiarch): the FMA variants need FMA and AVX2;
  // sin, cos, tan and atan also have AVX variants; older AMD processors have FMA4 ones.
  std::string variants;
  const auto add = [&](const char* name) {
    if (!variants.empty()) variants += '+';
    variants += name;
  };
  if (CPU_FEATURE_ACTIVE(FMA) && CPU_FEATURE_ACTIVE(AVX2)) add("fma");
  if (CPU_FEATURE_ACTIVE(AVX)) add("avx");
  if (CPU_FEATURE_ACTIVE(FMA4)) add("fma4");
  return fmt::format("glibc {}, {}", gnu_get_libc_version(), variants.empty() ? "sse2" : variants);
#else
  return "";
#endif
}

bool libm_is_baseline() noexcept {
#if defined(TALENTCAST_GLIBC_X86)
  return !CPU_FEATURE_ACTIVE(FMA) && !CPU_FEATURE_ACTIVE(AVX2) && !CPU_FEATURE_ACTIVE(AVX) &&
         !CPU_FEATURE_ACTIVE(FMA4);
#else
  return true;
#endif
}

void run_with_baseline_libm(char** argv) {
  if (libm_is_baseline()) return;
  if (std::getenv(kStartedAgain) != nullptr) {
    throw std::runtime_error(
        fmt::format("--portable-math: glibc did not take GLIBC_TUNABLES={} (it still runs {}); is "
                    "GLIBC_TUNABLES ignored here?",
                    kBaselineLibmTunable, libm_variant()));
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string value = tunables != nullptr && *tunables != '\0'
                                ? fmt::format("{}:{}", tunables, kBaselineLibmTunable)
                                : std::string(kBaselineLibmTunable);
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0 || setenv(kStartedAgain, "1", 1) != 0) {
    throw std::runtime_error("--portable-math: cannot set GLIBC_TUNABLES");
  }
  execv("/proc/self/exe", argv);
  throw std::runtime_error(fmt::format("--portable-math: cannot start the program again ({})",
                                       std::generic_category().message(errno)));
}

}  // namespace talentcast::core
