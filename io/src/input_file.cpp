#include "talentcast/io/input_file.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>
#include <utility>

namespace talentcast::io {

InputFileError::InputFileError(Kind kind, std::filesystem::path file, int line, int column,
                               std::string expected, std::string found)
    : UserError(fmt::format(
          "{}: expected {}, found {}",
          line > 0 ? fmt::format("{}:{}:{}", file.string(), line, column) : file.string(), expected,
          found)),
      kind_(kind),
      file_(std::move(file)),
      line_(line),
      column_(column),
      expected_(std::move(expected)),
      found_(std::move(found)) {}

namespace {

using Kind = InputFileError::Kind;

// Closes the file however reading ends.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(Descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Descriptor& operator=(Descriptor&&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string file_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISSOCK(mode)) return "a socket";
  return "something other than a regular file";
}

std::string byte_count(std::uint64_t bytes) {
  constexpr std::uint64_t kMiB = std::uint64_t{1} << 20, kGiB = std::uint64_t{1} << 30;
  if (bytes >= kGiB && bytes % kGiB == 0)
    return fmt::format("{} bytes ({} GiB)", bytes, bytes / kGiB);
  if (bytes >= kMiB && bytes % kMiB == 0)
    return fmt::format("{} bytes ({} MiB)", bytes, bytes / kMiB);
  return fmt::format("{} bytes", bytes);
}

struct OpenFile {
  Descriptor descriptor;
  std::uint64_t size;
};

// Opens path without blocking (opening a FIFO waits for a writer) and checks, before reading
// anything, that it is a regular file of at most max_bytes.
OpenFile open_regular(const std::filesystem::path& path, std::uint64_t max_bytes) {
  // The system would read the name only up to its first NUL, which is another file.
  if (path.native().find('\0') != std::string::npos) {
    throw InputFileError(Kind::unreadable, path, 0, 0, "a file name without NUL characters",
                         "a name with one");
  }
  Descriptor descriptor(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (descriptor.get() < 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR)
      throw InputFileError(Kind::missing, path, 0, 0, "an existing file", "no such file");
    throw InputFileError(
        Kind::unreadable, path, 0, 0, "a readable file",
        fmt::format("a file that cannot be opened ({})", std::generic_category().message(error)));
  }
  struct stat status {};
  if (::fstat(descriptor.get(), &status) != 0) {
    throw InputFileError(Kind::unreadable, path, 0, 0, "a readable file",
                         std::generic_category().message(errno));
  }
  if (!S_ISREG(status.st_mode)) {
    throw InputFileError(Kind::not_regular, path, 0, 0, "a regular file",
                         file_type(status.st_mode));
  }
  const auto size = static_cast<std::uint64_t>(status.st_size);
  if (size > max_bytes) {
    throw InputFileError(Kind::too_large, path, 0, 0,
                         fmt::format("a file of at most {}", byte_count(max_bytes)),
                         fmt::format("{} bytes", size));
  }
  const int flags = ::fcntl(descriptor.get(), F_GETFL);
  if (flags >= 0) ::fcntl(descriptor.get(), F_SETFL, flags & ~O_NONBLOCK);
  return {std::move(descriptor), size};
}

// Follows a text file as its bytes arrive: refuses it at the first line longer than
// kMaxLineBytes and at the first sign that it is not UTF-8, before more of it is read.
class TextCheck {
 public:
  explicit TextCheck(const std::filesystem::path& path) : path_(path) {}

  // text holds the file's bytes read so far; those from `from` on are new.
  void check(std::string_view text, std::size_t from, bool at_end) {
    if (!start_checked_ && (text.size() >= 4 || at_end)) {
      start_checked_ = true;
      check_start(text);
    }
    if (const void* nul = std::memchr(text.data() + from, '\0', text.size() - from)) {
      refuse_nul(text, static_cast<std::size_t>(static_cast<const char*>(nul) - text.data()));
    }
    for (std::size_t pos = from; pos < text.size(); ++pos) {
      const void* newline = std::memchr(text.data() + pos, '\n', text.size() - pos);
      const std::size_t end =
          newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - text.data())
                  : text.size();
      if (end - line_start_ > kMaxLineBytes) {
        throw InputFileError(Kind::line_too_long, path_, line_, 1,
                             fmt::format("lines of at most {} bytes", kMaxLineBytes),
                             "a longer line");
      }
      if (!newline) break;
      ++line_;
      line_start_ = end + 1;
      pos = end;
    }
  }

 private:
  [[noreturn]] void refuse(int line, int column, std::string found) {
    throw InputFileError(Kind::not_utf8, path_, line, column, "UTF-8 text", std::move(found));
  }
  [[noreturn]] void refuse_encoding(std::string encoding) {
    refuse(1, 1, encoding + "; save it as UTF-8");
  }

  void check_start(std::string_view text) {
    if (text.starts_with(std::string_view("\xFF\xFE\0\0", 4)) ||
        text.starts_with(std::string_view("\0\0\xFE\xFF", 4))) {
      refuse_encoding("UTF-32 (a UTF-32 byte order mark)");
    }
    if (text.starts_with("\xFF\xFE")) refuse_encoding("UTF-16 (a little-endian byte order mark)");
    if (text.starts_with("\xFE\xFF")) refuse_encoding("UTF-16 (a big-endian byte order mark)");
  }

  // A NUL byte: UTF-16 without a byte order mark when the file begins with ASCII-like pairs
  // (every other byte NUL), else binary data.
  [[noreturn]] void refuse_nul(std::string_view text, std::size_t at) {
    const std::size_t pairs = std::min<std::size_t>(text.size(), 128) / 2;
    std::size_t even_nuls = 0, odd_nuls = 0;
    for (std::size_t i = 0; i < pairs; ++i) {
      even_nuls += text[2 * i] == '\0';
      odd_nuls += text[2 * i + 1] == '\0';
    }
    if (pairs > 0 && even_nuls == 0 && 2 * odd_nuls >= pairs)
      refuse_encoding("UTF-16 (little-endian, without a byte order mark)");
    if (pairs > 0 && odd_nuls == 0 && 2 * even_nuls >= pairs)
      refuse_encoding("UTF-16 (big-endian, without a byte order mark)");
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    refuse(line, static_cast<int>(at - line_start) + 1, "a NUL byte (binary data, not text)");
  }

  const std::filesystem::path& path_;
  bool start_checked_ = false;
  int line_ = 1;
  std::size_t line_start_ = 0;
};

std::string read_regular(const std::filesystem::path& path, std::uint64_t max_bytes,
                         TextCheck* text_check) {
  OpenFile file = open_regular(path, max_bytes);
  std::string bytes;
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  // Room for the last, short read too: a large file is never copied to grow the buffer.
  bytes.reserve(static_cast<std::size_t>(file.size) + kChunk);
  for (;;) {
    const std::size_t from = bytes.size();
    bytes.resize(from + kChunk);
    const ssize_t got = ::read(file.descriptor.get(), bytes.data() + from, kChunk);
    if (got < 0) {
      const int error = errno;
      bytes.resize(from);
      if (error == EINTR) continue;
      throw InputFileError(
          Kind::unreadable, path, 0, 0, "a readable file",
          fmt::format("a read error ({})", std::generic_category().message(error)));
    }
    bytes.resize(from + static_cast<std::size_t>(got));
    // A file that grows while it is read is held to the same limit.
    if (bytes.size() > max_bytes) {
      throw InputFileError(Kind::too_large, path, 0, 0,
                           fmt::format("a file of at most {}", byte_count(max_bytes)),
                           "a larger file");
    }
    if (text_check) text_check->check(bytes, from, got == 0);
    if (got == 0) return bytes;
  }
}

// The length of the well-formed UTF-8 sequence at text[i] that is not a control character
// (C1 controls, U+0080 to U+009F, are two bytes: C2 80 to C2 9F), or 0.
std::size_t printable_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead >= 0x20 && lead < 0x7F) return 1;
  std::size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF) length = 2;
  if (lead >= 0xE0 && lead <= 0xEF) length = 3;
  if (lead >= 0xF0 && lead <= 0xF4) length = 4;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  if (lead == 0xC2 && byte(i + 1) < 0xA0) return 0;
  return length;
}

}  // namespace

std::string read_text_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
  TextCheck check(path);
  return read_regular(path, max_bytes, &check);
}

std::string read_binary_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
  return read_regular(path, max_bytes, nullptr);
}

std::string quoted_field(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string quoted = "'";
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = printable_sequence(text, i);
    if (i + std::max<std::size_t>(length, 1) > kShown) break;
    if (length == 0) {
      quoted += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      quoted.append(text.substr(i, length));
      i += length;
    }
  }
  quoted += i < text.size() ? "...'" : "'";
  return quoted;
}

}  // namespace talentcast::io
