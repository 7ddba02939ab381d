// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::batches(range_of_ranges): in-memory micro-batches (Spark's queueStream); batch i of the
// source is the i-th inner range. Offset: that index. The ranges are copied into the source
// (shared by copies of the stream), so a query is a self-contained value.
//
// The stream source protocol (what query.run needs from a source), shared by every source:
//   using element_type = T;  using offset = O;  (O: see offset_codec.hpp)
//   static constexpr std::string_view kind;          // in the stream signature
//   std::optional<O> next(const std::optional<O>& previous) const;
//       what the batch after the one that read `previous` reads (nullopt: nothing new now);
//       or a cursor over the whole history instead (cursor.hpp);
//   std::vector<T> read(const O&) const;             // replayable: the same batch every time
#include <cstdint>
#include <memory>
#include <optional>
#include <ranges>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "offset_codec.hpp"
#include "stream.hpp"

namespace lineage {

struct batch_index_offset {
  std::uint64_t index = 0;
  void encode(stream_detail::byte_writer& w) const { w.u64(index); }
  static std::optional<batch_index_offset> decode(stream_detail::byte_reader& r) {
    batch_index_offset o;
    if (!r.u64(o.index)) return std::nullopt;
    return o;
  }
  friend bool operator==(const batch_index_offset&, const batch_index_offset&) = default;
};

template <class T>
class batches_source {
 public:
  using element_type = T;
  using offset = batch_index_offset;
  static constexpr std::string_view kind = "batches";

  explicit batches_source(std::vector<std::vector<T>> all)
      : all_(std::make_shared<const std::vector<std::vector<T>>>(std::move(all))) {}

  std::optional<offset> next(const std::optional<offset>& previous) const {
    const std::uint64_t i = previous ? previous->index + 1 : 0;
    if (i >= all_->size()) return std::nullopt;
    return offset{i};
  }
  std::vector<T> read(const offset& o) const {
    if (o.index >= all_->size()) {
      throw std::out_of_range("ln::batches: the offsets log names batch " + std::to_string(o.index) +
                              " of the source, which has only " + std::to_string(all_->size()));
    }
    return (*all_)[static_cast<std::size_t>(o.index)];
  }

 private:
  std::shared_ptr<const std::vector<std::vector<T>>> all_;
};

struct batches_fn {
  template <std::ranges::input_range R>
    requires std::ranges::input_range<std::ranges::range_reference_t<R>>
  auto operator()(R&& range_of_ranges) const {
    using Inner = std::ranges::range_reference_t<R>;
    using T = std::ranges::range_value_t<std::remove_reference_t<Inner>>;
    std::vector<std::vector<T>> all;
    for (auto&& inner : range_of_ranges) {
      std::vector<T> batch;
      for (auto&& x : inner) batch.push_back(static_cast<T>(x));
      all.push_back(std::move(batch));
    }
    return stream<batches_source<T>>(batches_source<T>(std::move(all)));
  }
};
inline constexpr batches_fn batches{};

}  // namespace lineage
