// SPDX-License-Identifier: Apache-2.0
#pragma once
// zstd compression of partition payloads (checkpoint_options::compression, libzstd).
//
// A compressed partition file is a version-2 partition file (format.hpp): the same header and
// trailer, and a payload that is one zstd frame of the bytes a version-1 file would hold. The
// trailer's length and checksum describe the stored (compressed) bytes, so verify() checks a
// compressed checkpoint without knowing its element type or decompressing it.
//
// Bounds: a payload is decompressed into a buffer that grows with the output actually produced
// (never sized from a number read from disk), and at most max_expansion times the
// compressed size (format.hpp).
#include <zstd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <lineage/storage/archive.hpp>
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>
#include <lineage/storage/format.hpp>
#include <lineage/storage/options.hpp>

namespace lineage {
namespace storage::detail {

struct zstd_cctx_deleter {
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct zstd_dctx_deleter {
  void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};

// A writable_file that compresses what is written to it into `target`, hashing and counting the
// compressed bytes on the way (they are the stored payload). finish() ends the frame.
class zstd_writable_file final : public writable_file {
 public:
  zstd_writable_file(writable_file& target, int level)
      : target_(&target),
        ctx_(ZSTD_createCCtx()),
        out_(std::make_unique_for_overwrite<std::byte[]>(ZSTD_CStreamOutSize())),
        out_size_(ZSTD_CStreamOutSize()),
        state_(make_xxh3_state()) {
    if (!ctx_) throw std::bad_alloc();
    check(ZSTD_CCtx_setParameter(ctx_.get(), ZSTD_c_compressionLevel, level));
  }

  std::size_t write_some(const std::byte* data, std::size_t size) override {
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size) drain(ZSTD_compressStream2(ctx_.get(), output(), &in, ZSTD_e_continue));
    return size;
  }
  // Ends the zstd frame; after it, compressed_bytes() and digest() describe the payload.
  void finish() {
    ZSTD_inBuffer in{nullptr, 0, 0};
    std::size_t left = 0;
    do {
      left = ZSTD_compressStream2(ctx_.get(), output(), &in, ZSTD_e_end);
      drain(left);
    } while (left != 0);
  }
  void sync() override { target_->sync(); }
  void close() override { target_->close(); }

  std::uint64_t compressed_bytes() const noexcept { return written_; }
  std::uint64_t digest() const noexcept { return XXH3_64bits_digest(state_.get()); }

 private:
  static void check(std::size_t code) {
    if (ZSTD_isError(code)) {
      throw std::runtime_error(std::string("lineage: zstd compression failed: ") + ZSTD_getErrorName(code));
    }
  }
  ZSTD_outBuffer* output() {
    out_buffer_ = ZSTD_outBuffer{out_.get(), out_size_, 0};
    return &out_buffer_;
  }
  // Writes what the last call produced.
  void drain(std::size_t code) {
    check(code);
    if (out_buffer_.pos == 0) return;
    xxh3_update(state_.get(), out_.get(), out_buffer_.pos);
    write_all(*target_, out_.get(), out_buffer_.pos);
    written_ += out_buffer_.pos;
  }

  writable_file* target_;
  std::unique_ptr<ZSTD_CCtx, zstd_cctx_deleter> ctx_;
  std::unique_ptr<std::byte[]> out_;
  std::size_t out_size_;
  ZSTD_outBuffer out_buffer_{};
  xxh3_state_ptr state_;
  std::uint64_t written_ = 0;
};

// Decompressed bytes: a buffer that is not zero-filled (it is written once, by zstd).
struct decompressed {
  std::unique_ptr<std::byte[]> data;
  std::size_t size = 0;
};

// The bytes of the zstd frame `compressed` (already checksummed by the caller). A frame that
// does not decompress, does not end, or has bytes after it is not_a_checkpoint at `path`.
// The buffer starts at 8 times the stored size (pages that are never written cost nothing)
// and doubles as real output needs it, never past max_expansion times the stored size.
inline decompressed zstd_decompress(const std::byte* compressed, std::size_t size, const std::filesystem::path& path) {
  const auto bad = [&](const std::string& why) {
    return checkpoint_error(checkpoint_errc::not_a_checkpoint, path, "compressed payload " + why);
  };
  std::unique_ptr<ZSTD_DCtx, zstd_dctx_deleter> ctx(ZSTD_createDCtx());
  if (!ctx) throw std::bad_alloc();
  const std::uint64_t limit = static_cast<std::uint64_t>(size) * max_expansion + (std::uint64_t{1} << 20);
  std::uint64_t capacity = std::min<std::uint64_t>(limit, static_cast<std::uint64_t>(size) * 8 + (std::uint64_t{1} << 20));
  decompressed out{std::make_unique_for_overwrite<std::byte[]>(static_cast<std::size_t>(capacity)), 0};
  ZSTD_inBuffer in{compressed, size, 0};
  for (std::size_t code = 1; code != 0;) {
    if (out.size == capacity) {
      if (capacity >= limit) throw bad("expands beyond any zstd frame");
      const std::uint64_t grown = std::min<std::uint64_t>(limit, 2 * capacity);
      auto bigger = std::make_unique_for_overwrite<std::byte[]>(static_cast<std::size_t>(grown));
      std::memcpy(bigger.get(), out.data.get(), out.size);
      out.data = std::move(bigger);
      capacity = grown;
    }
    ZSTD_outBuffer o{out.data.get() + out.size, static_cast<std::size_t>(capacity) - out.size, 0};
    code = ZSTD_decompressStream(ctx.get(), &o, &in);
    if (ZSTD_isError(code)) throw bad(std::string("does not decompress: ") + ZSTD_getErrorName(code));
    out.size += o.pos;
    if (code != 0 && in.pos == in.size && o.pos < o.size) throw bad("ends inside its zstd frame");
  }
  if (in.pos != in.size) throw bad("has bytes after its zstd frame");
  return out;
}

}  // namespace storage::detail
}  // namespace lineage
