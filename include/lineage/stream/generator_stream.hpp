// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::generator_stream(fn): fn(std::uint64_t batch) -> std::optional<std::vector<T>> gives the
// batch of that number (nullopt: nothing more now). The user promises the same batch for the
// same number; fn may be called more than once for a number (to see whether it exists, and to
// read it, again on a replay). Offset: the batch number. Source protocol: see batches.hpp.
#include <concepts>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "offset_codec.hpp"
#include "stream.hpp"

namespace lineage {

struct generator_offset {
  std::uint64_t batch = 0;
  void encode(stream_detail::byte_writer& w) const { w.u64(batch); }
  static std::optional<generator_offset> decode(stream_detail::byte_reader& r) {
    generator_offset o;
    if (!r.u64(o.batch)) return std::nullopt;
    return o;
  }
  friend bool operator==(const generator_offset&, const generator_offset&) = default;
};

template <class F, class T>
class generator_source {
 public:
  using element_type = T;
  using offset = generator_offset;
  static constexpr std::string_view kind = "generator_stream";

  explicit generator_source(F fn) : fn_(std::move(fn)) {}

  std::optional<offset> next(const std::optional<offset>& previous) const {
    const std::uint64_t b = previous ? previous->batch + 1 : 0;
    if (!fn_(b)) return std::nullopt;
    return offset{b};
  }
  std::vector<T> read(const offset& o) const {
    auto batch = fn_(o.batch);
    if (!batch) {
      throw std::runtime_error("ln::generator_stream: fn(" + std::to_string(o.batch) +
                               ") gave nullopt for a batch it gave before (it must be replayable)");
    }
    return std::move(*batch);
  }

 private:
  F fn_;
};

struct generator_stream_fn {
  template <class F>
    requires std::invocable<const F&, std::uint64_t>
  auto operator()(F fn) const {
    using R = std::remove_cvref_t<std::invoke_result_t<const F&, std::uint64_t>>;
    static_assert(requires(R r) {
      typename R::value_type;
      { *r } -> std::convertible_to<const std::vector<typename R::value_type::value_type>&>;
    }, "ln::generator_stream(fn): fn(std::uint64_t) must return std::optional<std::vector<T>>");
    using T = typename R::value_type::value_type;
    return stream<generator_source<F, T>>(generator_source<F, T>(std::move(fn)));
  }
};
inline constexpr generator_stream_fn generator_stream{};

}  // namespace lineage
