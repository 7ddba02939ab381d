// SPDX-License-Identifier: Apache-2.0
#pragma once
// How a stream source's offset is written into the offsets log: each offset type has
//   void encode(storage::format::byte_writer&) const;
//   static std::optional<Offset> decode(storage::format::byte_reader&);  // nullopt: does not decode
// These are the helpers they share: plain u64s and bounded strings, nothing cereal-shaped, so
// that a log entry never makes the reader allocate more than its (bounded) size.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../storage/format.hpp"

namespace lineage::stream_detail {

using byte_writer = storage::format::byte_writer;
using byte_reader = storage::format::byte_reader;

inline constexpr std::size_t max_offset_string = 4096;  // a file name

inline void write_strings(byte_writer& w, const std::vector<std::string>& values) {
  w.u64(values.size());
  for (const auto& v : values) w.str(v);
}

inline bool read_strings(byte_reader& r, std::vector<std::string>& out) {
  std::uint64_t n = 0;
  if (!r.u64(n) || n > r.remaining() / 4) return false;  // each string takes at least its u32 length
  out.clear();
  out.reserve(static_cast<std::size_t>(n));
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string s;
    if (!r.str(s, max_offset_string)) return false;
    out.push_back(std::move(s));
  }
  return true;
}

}  // namespace lineage::stream_detail
