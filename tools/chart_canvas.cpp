#include "chart_canvas.hpp"

#include <cairo-svg.h>
#include <fmt/core.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "number_text.hpp"

namespace talentcast::cli::chart::detail {

void set(cairo_t* cr, Rgb c, double alpha) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

namespace {
void font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

void swatch(cairo_t* cr, const LegendItem& item, double x, double baseline) {
  const double middle = baseline - 0.35 * kTextSize;
  set(cr, item.colour);
  switch (item.swatch) {
    case LegendItem::Swatch::box:
      cairo_rectangle(cr, x, middle - 6, 18, 12);
      cairo_fill(cr);
      break;
    case LegendItem::Swatch::dot:
      cairo_arc(cr, x + 9, middle, 5, 0, 2 * M_PI);
      cairo_fill(cr);
      break;
    case LegendItem::Swatch::line:
    case LegendItem::Swatch::dashed: {
      const double dash[] = {5, 3};
      if (item.swatch == LegendItem::Swatch::dashed) cairo_set_dash(cr, dash, 2, 0);
      cairo_set_line_width(cr, 2.5);
      cairo_move_to(cr, x, middle);
      cairo_line_to(cr, x + 18, middle);
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
      break;
    }
  }
}
}  // namespace

double text_width(cairo_t* cr, const std::string& s, double size, bool bold) {
  font(cr, size, bold);
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  return e.x_advance;
}

void text(cairo_t* cr, const std::string& s, double x, double y, double size, double align,
          bool bold) {
  const double width = text_width(cr, s, size, bold);
  cairo_move_to(cr, x - align * width, y);
  cairo_show_text(cr, s.c_str());
}

std::vector<std::string> wrap(cairo_t* cr, const std::string& s, double width, double size,
                              bool bold, std::size_t max_lines) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t at = 0;
  while (at < s.size()) {
    const std::size_t space = s.find(' ', at);
    const std::string word = s.substr(at, space == std::string::npos ? s.npos : space - at);
    at = space == std::string::npos ? s.size() : space + 1;
    const std::string longer = line.empty() ? word : line + " " + word;
    if (line.empty() || text_width(cr, longer, size, bold) <= width) {
      line = longer;
    } else {
      lines.push_back(line);
      line = word;
    }
  }
  if (!line.empty()) lines.push_back(line);
  // A line cut short (one word too long, or the last of too many) ends with "...".
  const auto cut = [&](std::string& l) {
    while (!l.empty() && text_width(cr, l + "...", size, bold) > width) {
      while (!l.empty() && (static_cast<unsigned char>(l.back()) & 0xC0) == 0x80) l.pop_back();
      if (!l.empty()) l.pop_back();  // a whole UTF-8 character
    }
    l += "...";
  };
  const bool too_many = lines.size() > max_lines;
  if (too_many) lines.resize(max_lines);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if ((too_many && i + 1 == lines.size()) || text_width(cr, lines[i], size, bold) > width) {
      cut(lines[i]);
    }
  }
  return lines;
}

Box surround(cairo_t* cr, const Labels& labels, const std::vector<LegendItem>& legend) {
  set(cr, {1, 1, 1});
  cairo_paint(cr);
  const double width = kWidth - 2 * kMargin;
  // From the top: title, legend, notice; each line's baseline below the previous one's.
  double y = kMargin - 2;
  set(cr, kInk);
  for (const auto& line : wrap(cr, labels.title, width, kTitleSize, true, 2)) {
    y += kTitleSize * 1.25;
    text(cr, line, kMargin, y, kTitleSize, 0, true);
  }
  if (!legend.empty()) {
    y += kTextSize * 1.6;
    double x = kMargin;
    for (const auto& item : legend) {
      // An item that does not fit on this row starts the next.
      const double item_width = 24 + text_width(cr, item.label, kTextSize);
      if (x > kMargin && x + item_width > kWidth - kMargin) {
        x = kMargin;
        y += kTextSize * 1.4;
      }
      swatch(cr, item, x, y);
      set(cr, kInk);
      text(cr, item.label, x + 24, y, kTextSize, 0);
      x += item_width + 20;
    }
  }
  if (!labels.notice.empty()) {
    set(cr, kWarning);
    for (const auto& line : wrap(cr, labels.notice, width, kTextSize, true, 2)) {
      y += kTextSize * 1.35;
      text(cr, line, kMargin, y, kTextSize, 0, true);
    }
  }
  // From the bottom: the caption, in muted ink, under a rule.
  double bottom = kHeight - kMargin + 4;
  if (!labels.caption.empty()) {
    const auto lines = wrap(cr, labels.caption, width, kCaptionSize, false, 3);
    set(cr, kMuted);
    double baseline = kHeight - kMargin + 2 - kCaptionSize * 1.3 * double(lines.size() - 1);
    bottom = baseline - kCaptionSize * 1.3;
    for (const auto& line : lines) {
      text(cr, line, kMargin, baseline, kCaptionSize, 0);
      baseline += kCaptionSize * 1.3;
    }
    set(cr, kGrid);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, kMargin, bottom + 2);
    cairo_line_to(cr, kWidth - kMargin, bottom + 2);
    cairo_stroke(cr);
  }
  return {kMargin, kWidth - kMargin, y + kTextSize, bottom - 4};
}

std::string Axis::label(double v) const {
  if (percent) return fmt::format("{:.0f}%", 100 * v);
  const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return grouped(v, decimals);
}

Axis axis(double lo, double hi, bool percent, std::size_t max_ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    throw std::runtime_error(fmt::format("expected finite values, found {} to {}", lo, hi));
  }
  // A flat series, or one spanning only a few doubles, gets a range of 10% of its size.
  if (!(hi - lo > 1e-9 * std::max(std::abs(lo), std::abs(hi)))) {
    const double pad = std::max(1e-9, std::max(std::abs(lo), std::abs(hi)) * 0.05);
    lo -= pad;
    hi += pad;
  }
  const double pad = 0.04 * (hi - lo);
  Axis a{lo - pad, hi + pad, {}, percent};
  const double span = a.hi - a.lo;
  const double power = std::pow(10.0, std::floor(std::log10(span / 5.0)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0, 20.0, 50.0}) {
    step = m * power;
    if (span / step <= static_cast<double>(max_ticks)) break;
  }
  // Counted, not accumulated: a step below the spacing of doubles near t would never move t.
  const double first = std::ceil(a.lo / step);
  for (int k = 0; k <= 12; ++k) {
    const double t = (first + k) * step;
    if (t > a.hi + 1e-9 * span) break;
    a.ticks.push_back(std::abs(t) < 1e-12 * span ? 0.0 : t);
  }
  return a;
}

namespace {
std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : std::string(1, c);
  }
  return out;
}
}  // namespace

namespace {

void append_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

// A PNG chunk: its length, type and data, and the CRC-32 of type and data.
void append_chunk(std::string& out, std::string_view type, std::string_view data) {
  append_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.append(type).append(data);
  const auto* typed = reinterpret_cast<const Bytef*>(out.data() + start);
  append_u32(out,
             static_cast<std::uint32_t>(crc32(0, typed, static_cast<uInt>(out.size() - start))));
}

}  // namespace

std::string png(cairo_surface_t* image) {
  cairo_surface_flush(image);
  const int width = cairo_image_surface_get_width(image);
  const int height = cairo_image_surface_get_height(image);
  const int stride = cairo_image_surface_get_stride(image);
  const unsigned char* data = cairo_image_surface_get_data(image);
  if (data == nullptr || cairo_image_surface_get_format(image) != CAIRO_FORMAT_ARGB32) {
    throw std::runtime_error("a chart's PNG needs an ARGB32 image surface");
  }
  // Cairo's pixels: native-endian 32-bit words, alpha in the high byte, colours premultiplied.
  const auto pixels = [&](int y) {
    return reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
  };
  bool opaque = true;
  for (int y = 0; y < height && opaque; ++y) {
    opaque =
        std::all_of(pixels(y), pixels(y) + width, [](std::uint32_t p) { return p >> 24 == 0xff; });
  }
  const std::size_t channels = opaque ? 3 : 4;

  z_stream z{};
  if (deflateInit(&z, kPngDeflateLevel) != Z_OK) {
    throw std::runtime_error("zlib could not start compressing a chart");
  }
  const std::unique_ptr<z_stream, int (*)(z_stream*)> end_deflate(&z, deflateEnd);
  std::string idat;
  std::vector<unsigned char> row(1 + static_cast<std::size_t>(width) * channels);  // filter 0
  unsigned char chunk[1 << 16];
  const auto pump = [&](int flush) {
    int status = Z_OK;
    do {
      z.next_out = chunk;
      z.avail_out = sizeof chunk;
      status = deflate(&z, flush);
      idat.append(reinterpret_cast<const char*>(chunk), sizeof chunk - z.avail_out);
    } while (z.avail_out == 0);
    return status;
  };
  for (int y = 0; y < height; ++y) {
    unsigned char* c = row.data() + 1;
    for (const std::uint32_t* p = pixels(y); p != pixels(y) + width; ++p, c += channels) {
      const unsigned a = *p >> 24;
      for (int k = 0; k < 3; ++k) {
        const unsigned v = (*p >> (16 - 8 * k)) & 0xff;
        c[k] = static_cast<unsigned char>(a == 0xff ? v : a == 0 ? 0 : (v * 255 + a / 2) / a);
      }
      if (!opaque) c[3] = static_cast<unsigned char>(a);
    }
    z.next_in = row.data();
    z.avail_in = static_cast<uInt>(row.size());
    pump(Z_NO_FLUSH);
  }
  const int status = pump(Z_FINISH);
  if (status != Z_STREAM_END) throw std::runtime_error("zlib could not compress a chart");

  std::string out("\x89PNG\r\n\x1a\n", 8);
  std::string header;
  append_u32(header, static_cast<std::uint32_t>(width));
  append_u32(header, static_cast<std::uint32_t>(height));
  // 8 bits a channel, RGB (2) or RGBA (6), deflate, adaptive filtering, no interlace.
  header += std::string{'\x08', static_cast<char>(opaque ? 2 : 6), '\0', '\0', '\0'};
  append_chunk(out, "IHDR", header);
  append_chunk(out, "IDAT", idat);
  append_chunk(out, "IEND", "");
  return out;
}

Rendered both(const Labels& labels, const std::function<void(cairo_t*)>& draw) {
  Rendered out;
  const auto append = [](void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  };
  cairo_surface_t* svg = cairo_svg_surface_create_for_stream(append, &out.svg, kWidth, kHeight);
  cairo_svg_surface_set_document_unit(svg, CAIRO_SVG_UNIT_PX);
  cairo_t* cr = cairo_create(svg);
  draw(cr);
  cairo_destroy(cr);
  cairo_surface_finish(svg);
  const cairo_status_t svg_status = cairo_surface_status(svg);
  cairo_surface_destroy(svg);
  // Cairo writes text as glyph outlines: the words go beside them, first in the <svg>.
  std::string words;
  for (const auto* part : {&labels.notice, &labels.caption}) {
    if (part->empty()) continue;
    if (!words.empty()) words += ' ';
    words += xml_escape(*part);
  }
  const std::size_t open = out.svg.find('>', out.svg.find("<svg"));
  if (open != std::string::npos) {
    out.svg.insert(open + 1, fmt::format("\n<title>{}</title>\n<desc>{}</desc>",
                                         xml_escape(labels.title), words));
  }

  cairo_surface_t* png = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 2 * kWidth, 2 * kHeight);
  cr = cairo_create(png);
  cairo_scale(cr, 2, 2);
  draw(cr);
  cairo_destroy(cr);
  const cairo_status_t png_status = cairo_surface_status(png);
  const std::unique_ptr<cairo_surface_t, void (*)(cairo_surface_t*)> release(png,
                                                                             cairo_surface_destroy);
  if (png_status == CAIRO_STATUS_SUCCESS) out.png = detail::png(png);
  if (svg_status != CAIRO_STATUS_SUCCESS || png_status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(fmt::format(
        "Cairo could not draw a chart: {}",
        cairo_status_to_string(svg_status != CAIRO_STATUS_SUCCESS ? svg_status : png_status)));
  }
  return out;
}

}  // namespace talentcast::cli::chart::detail
