#include "html.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

#include "talentcast/version.hpp"

namespace talentcast::cli::html {

namespace {

constexpr const char* kStyle = R"css(
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222;
       max-width: 1320px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
p, .banner { max-width: 60em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
h3 .id, td .id { font-family: monospace; font-size: 0.8em; font-weight: normal; color: #666; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.3em 0.8em; text-align: left;
         vertical-align: top; }
th { font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n span.range { white-space: nowrap; }
td code { overflow-wrap: break-word; }
figure { margin: 1em 0; }
figure svg { width: 100%; height: auto; max-width: 800px; display: block; }
figcaption { font-size: 0.85em; color: #555; max-width: 800px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 1em; }
pre { background: #f5f5f5; padding: 0.8em; overflow-x: auto; font-size: 0.85em;
      white-space: pre-wrap; overflow-wrap: anywhere; }
.note { color: #555; font-size: 0.9em; }
.banner { border-left: 5px solid #b3261e; background: #fdf0ee; padding: 0.5em 1em; margin: 1em 0; }
.synthetic { color: #8a1c10; background: #fbe3e0; font-size: 0.78em; font-weight: bold;
             padding: 0 0.3em; border-radius: 3px; white-space: nowrap; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  .charts { display: block; }
  figure, tr, .banner { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  /* Assumptions and sources are folded on screen; on paper they are all shown. */
  details::details-content { content-visibility: visible; display: block; }
  details > summary { list-style: none; font-weight: bold; }
  a { color: inherit; text-decoration: none; }
}
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

std::string synthetic_mark(const std::string& why) {
  return fmt::format("<span class=\"synthetic\" title=\"{}\">synthetic</span>", escape(why));
}

std::string short_commit(const std::string& commit) {
  const bool dirty = commit.ends_with("+dirty");
  return commit.substr(0, std::min<std::size_t>(12, commit.size())) + (dirty ? "+dirty" : "");
}

std::string Figures::add(const chart::Rendered& chart, const std::string& name,
                         const std::string& caption, const std::string& mark) {
  files_.emplace_back(dir_ / (name + ".svg"), chart.svg);
  files_.emplace_back(dir_ / (name + ".png"), chart.png);
  const std::string link = dir_.filename().string();
  return fmt::format(
      "<figure class=\"chart\" id=\"chart-{}\">{}<figcaption>{}{} <a href=\"{}/{}.svg\">SVG</a> "
      "<a href=\"{}/{}.png\">PNG</a></figcaption></figure>\n",
      name, chart::inline_svg(chart.svg, fmt::format("c{}-", ++count_)), escape(caption),
      mark.empty() ? "" : " " + mark, link, name, link, name);
}

}  // namespace talentcast::cli::html
