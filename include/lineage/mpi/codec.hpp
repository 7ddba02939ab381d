// SPDX-License-Identifier: Apache-2.0
#pragma once
// Values as bytes, for the messages of the world backend.
//
// Elements of a trivially copyable type (that is not a pointer and can be default-constructed)
// travel as their object representation: a count, then the raw bytes of the whole bucket, as
// MPI itself sends typed buffers. Such a type must not hold pointers (they would point into
// another process); everything else goes through cereal, with lineage's archives
// (storage/archive.hpp): the bounded reader checks every size prefix against the bytes left.
// Messages stay in the process that wrote them and in one build, so native byte order is fine.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "../storage/archive.hpp"
#include "../storage/file_system.hpp"

namespace lineage::mpi::detail {

template <class T>
inline constexpr bool raw_element_v = std::is_trivially_copyable_v<T> && !std::is_pointer_v<T> &&
                                      !std::is_member_pointer_v<T> && std::default_initializable<T>;

// A writable_file that appends to a byte vector (what cereal writes through the archive).
class byte_sink final : public storage::writable_file {
 public:
  explicit byte_sink(std::vector<std::byte>& out) : out_(&out) {}
  std::size_t write_some(const std::byte* data, std::size_t size) override {
    out_->insert(out_->end(), data, data + size);
    return size;
  }
  void sync() override {}
  void close() override {}

 private:
  std::vector<std::byte>* out_;
};

// Appends values one after the other to `out`.
class encoder {
 public:
  explicit encoder(std::vector<std::byte>& out) : out_(&out), sink_(out) {}
  encoder(const encoder&) = delete;
  encoder& operator=(const encoder&) = delete;

  template <class T>
  void vector(const std::vector<T>& v) {
    if constexpr (raw_element_v<T>) {
      raw(static_cast<std::uint64_t>(v.size()));
      const auto* bytes = reinterpret_cast<const std::byte*>(v.data());
      out_->insert(out_->end(), bytes, bytes + v.size() * sizeof(T));
    } else {
      value(v);
    }
  }
  template <class V>
  void value(const V& v) {
    static_assert(storage::serializable<V>,
                  "lineage::mpi: a value that crosses ranks must be serializable with cereal (or trivially copyable)");
    if constexpr (storage::serializable<V>) {
      if (!archive_) archive_.emplace(&sink_);
      (*archive_)(v);
      archive_->flush();  // in order with raw writes
    }
  }
  void raw(std::uint64_t n) {
    const auto* bytes = reinterpret_cast<const std::byte*>(&n);
    out_->insert(out_->end(), bytes, bytes + sizeof n);
  }

 private:
  std::vector<std::byte>* out_;
  byte_sink sink_;
  std::optional<storage::hashing_output_archive> archive_;
};

// Reads values in the order an encoder wrote them; throws storage::decode_error on bytes that
// do not decode.
class decoder {
 public:
  explicit decoder(std::span<const std::byte> in) : in_(in) {}

  template <class T>
  void vector(std::vector<T>& v) {
    if constexpr (raw_element_v<T>) {
      const std::uint64_t n = raw();
      if (n > remaining() / (sizeof(T) == 0 ? 1 : sizeof(T))) {
        throw storage::decode_error("lineage::mpi: a message claims more elements than it holds");
      }
      v.resize(static_cast<std::size_t>(n));
      if (n != 0) std::memcpy(static_cast<void*>(v.data()), in_.data() + at_, v.size() * sizeof(T));
      at_ += v.size() * sizeof(T);
    } else {
      value(v);
    }
  }
  template <class V>
  void value(V& v) {
    if constexpr (storage::serializable<V>) {
      storage::bounded_input_archive archive(in_.data() + at_, remaining());
      archive(v);
      at_ = in_.size() - archive.remaining();
    }
  }
  std::uint64_t raw() {
    std::uint64_t n = 0;
    if (remaining() < sizeof n) throw storage::decode_error("lineage::mpi: a message ends early");
    std::memcpy(&n, in_.data() + at_, sizeof n);
    at_ += sizeof n;
    return n;
  }
  std::size_t remaining() const noexcept { return in_.size() - at_; }
  void expect_end() const {
    if (remaining() != 0) throw storage::decode_error("lineage::mpi: trailing bytes in a message");
  }

 private:
  std::span<const std::byte> in_;
  std::size_t at_ = 0;
};

}  // namespace lineage::mpi::detail
