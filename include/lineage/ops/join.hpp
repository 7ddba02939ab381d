#pragma once
// ln::join(other [, ln::partitioner{n, hasher}]): pairs (k, v) and (k, w) of `other` -> (k, (v, w)) for every matching pair (an inner join, as SQL).
// `other` is any lineage or range of pairs with the same key type. Wide: ends the stage; the
// plan runs other's stages too. See exec/hash_join.hpp.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/source.hpp"
#include "../exec/hash_join.hpp"
#include "../exec/shuffle.hpp"
#include "../plan/explain.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {

template <pipeline Other, class Hash = std_hash>
struct join_op {
  Other right;
  partitioner<Hash> part;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "join";

  template <class In>
  static constexpr bool check() {
    if constexpr (!pair_like<In> || !pair_like<reference_t<Other>>) {
      static_assert(detail::always_false<In>, "ln::join(other): both sides must hold pair-like elements (key, value)");
      return false;
    } else if constexpr (!std::is_same_v<detail::key_of_t<In>, detail::key_of_t<reference_t<Other>>>) {
      static_assert(detail::always_false<In>, "ln::join(other): both sides must have the same key type");
      return false;
    } else {
      constexpr bool ok = detail::hashable_key<detail::key_of_t<In>, Hash>;
      static_assert(ok, "ln::join(other): the key type has no std::hash; pass a hasher in ln::partitioner");
      return ok;
    }
  }
  template <class In>
  using reference = const std::pair<detail::key_of_t<In>, std::pair<detail::value_of_t<In>, detail::value_of_t<reference_t<Other>>>>&;

  // The second input: the lineage walk (core/walk.hpp) visits it, so explain, the stage count,
  // the plan, the signature and the content identity cover the right side.
  const Other& other() const noexcept { return right; }

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    auto parts = detail::hash_join<false>(up, right, part, ctx);
    return detail::make_partitioned_producer(std::move(parts));
  }
};

struct join_fn {
  template <source_range R, class Part = partitioner<>>
  auto operator()(R&& other, Part part = {}) const {
    using P = decltype(as_pipeline(std::forward<R>(other)));
    return op_closure<join_op<P, partition_hash_t<Part>>>{{}, {as_pipeline(std::forward<R>(other)), as_partitioner(part)}};
  }
};
inline constexpr join_fn join{};

}  // namespace lineage
