#pragma once
// A flat byte buffer for messages between processes (core/mpi.hpp): integers and doubles are
// copied bit for bit in the host's byte order (every rank of a run is the same build on the
// same kind of machine), strings and arrays carry their length first.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace talentcast::core {

class ByteWriter {
 public:
  template <typename T>
  requires std::is_trivially_copyable_v<T> ByteWriter& put(const T& value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
    return *this;
  }
  template <typename T>
  requires std::is_trivially_copyable_v<T> ByteWriter& put_array(std::span<const T> values) {
    put<std::uint64_t>(values.size());
    const auto* p = reinterpret_cast<const std::byte*>(values.data());
    bytes_.insert(bytes_.end(), p, p + values.size_bytes());
    return *this;
  }
  ByteWriter& put_string(std::string_view text) {
    return put_array(std::span<const char>(text.data(), text.size()));
  }
  std::vector<std::byte>& bytes() noexcept { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}

  template <typename T>
  requires std::is_trivially_copyable_v<T> T get() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  template <typename T>
  requires std::is_trivially_copyable_v<T> std::vector<T> get_array() {
    const auto n = static_cast<std::size_t>(get<std::uint64_t>());
    if (n > bytes_.size() / sizeof(T)) throw std::length_error("ByteReader: truncated message");
    std::vector<T> values(n);
    if (n > 0) std::memcpy(values.data(), take(n * sizeof(T)), n * sizeof(T));
    return values;
  }
  std::string get_string() {
    const std::vector<char> chars = get_array<char>();
    return {chars.begin(), chars.end()};
  }
  bool done() const noexcept { return bytes_.empty(); }

 private:
  const std::byte* take(std::size_t n) {
    if (n > bytes_.size()) throw std::length_error("ByteReader: truncated message");
    const std::byte* p = bytes_.data();
    bytes_ = bytes_.subspan(n);
    return p;
  }
  std::span<const std::byte> bytes_;
};

}  // namespace talentcast::core
