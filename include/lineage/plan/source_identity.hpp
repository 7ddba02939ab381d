// SPDX-License-Identifier: Apache-2.0
#pragma once
// The content identity of an in-memory range source, one input of the lineage signature
// (signature.hpp): storage::content_hash of its elements, mixed with their number.
//
// content_hash alone cannot tell 3 elements from 5 when they serialize to zero bytes (an
// empty struct with an empty serialize): both hash the empty encoding. It must stay equal to
// the checksum of a partition holding the same records (storage/format.hpp), so the count is
// mixed in here, where the identity is formed, rather than there.
#include <cstdint>
#include <ranges>
#include <type_traits>
#include <utility>

#include "../storage/archive.hpp"

namespace lineage::plan {

template <std::ranges::forward_range R>
std::uint64_t range_identity(const R& range) {
  std::uint64_t count = 0;
  std::uint64_t hash = 0;
  if constexpr (std::ranges::sized_range<const R>) {
    count = static_cast<std::uint64_t>(std::ranges::size(range));
    hash = storage::content_hash(range);
  } else {
    // Counted during the hashing pass: no second walk over the range (a user's view would
    // call its functions again). Elements pass through by reference when the range gives
    // references, else as values of the element type (so that content_hash sees the same type).
    using reference = std::ranges::range_reference_t<const R>;
    using element =
        std::conditional_t<std::is_lvalue_reference_v<reference>, reference, std::ranges::range_value_t<const R>>;
    const auto counted = std::views::transform(std::ranges::ref_view(range), [&count](reference x) -> element {
      ++count;
      if constexpr (std::is_lvalue_reference_v<reference>) {
        return x;
      } else if constexpr (std::is_reference_v<reference>) {
        return static_cast<element>(x);  // an rvalue reference into the range: copy, never move
      } else {
        return static_cast<element>(std::move(x));
      }
    });
    hash = storage::content_hash(counted);
  }
  const std::uint64_t parts[2] = {hash, count};
  return XXH3_64bits(parts, sizeof parts);
}

}  // namespace lineage::plan
