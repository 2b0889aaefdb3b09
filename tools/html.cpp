#include "html.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

#include "talentcast/version.hpp"

namespace talentcast::cli::html {

namespace {

constexpr const char* kStyle = R"css(
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222;
       max-width: 1040px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.3em 0.8em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1em 0; }
figure svg { width: 100%; height: auto; max-width: 800px; display: block; }
figcaption { font-size: 0.85em; color: #555; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 1em; }
pre { background: #f5f5f5; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.note { color: #555; font-size: 0.9em; }
)css";

}  // namespace

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string page(const std::string& title, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // How a later report knows this page (and the charts it shows) as talentcast's to replace.
      "<meta name=\"generator\" content=\"talentcast {}\">\n<title>{}</title>\n"
      "<style>{}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
      escape(kVersion), escape(title), kStyle, body);
}

std::string file_name(const std::string& series) {
  // Safe as a file name, an id and a link: letters, digits, '_', '.' and '-' as they are.
  std::string out;
  for (unsigned char c : series) {
    out += std::isalnum(c) || c == '_' || c == '.' || c == '-' ? static_cast<char>(c)
           : c == '/'                                          ? '-'
                                                               : '_';
  }
  return out;
}

std::string Figures::add(const chart::Rendered& chart, const std::string& name,
                         const std::string& caption) {
  files_.emplace_back(dir_ / (name + ".svg"), chart.svg);
  files_.emplace_back(dir_ / (name + ".png"), chart.png);
  const std::string link = dir_.filename().string();
  return fmt::format(
      "<figure class=\"chart\" id=\"chart-{}\">{}<figcaption>{} <a href=\"{}/{}.svg\">SVG</a> "
      "<a href=\"{}/{}.png\">PNG</a></figcaption></figure>\n",
      name, chart::inline_svg(chart.svg, fmt::format("c{}-", ++count_)), escape(caption), link,
      name, link, name);
}

}  // namespace talentcast::cli::html
