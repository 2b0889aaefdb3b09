#pragma once
// The page's files, built into the binary (serve/assets/, embedded by cmake/embed_assets.cmake):
// the page works with no network and no installed files.

#include <span>
#include <string_view>

namespace talentcast::serve {

struct Asset {
  std::string_view path;  ///< as requested: "/", "/page.js"
  std::string_view content_type;
  std::string_view body;
};

/// Every asset; the server answers exactly these paths and no other file.
std::span<const Asset> assets();

}  // namespace talentcast::serve
