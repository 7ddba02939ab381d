// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::sample(fraction, seed [, ln::with_replacement]): a random sample, as Spark's sample.
// Without replacement each element is kept with probability `fraction` (in [0, 1]); with
// ln::with_replacement each element appears k times, k drawn from Poisson(fraction) (fraction
// >= 0, the expected number of copies). The size of the result is random, not exactly
// fraction * count (take_sample gives an exact count). Deterministic for a seed and a
// partitioning: partition p draws from a generator seeded with (seed, p) (exec/partition_random.hpp),
// whatever the policy. Narrow and partition-wise: fused into the stage's kernel.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/sink.hpp"
#include "../exec/partition_random.hpp"
#include "../exec/whole_partition.hpp"
#include "../plan/explain_builder.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

// Keeps the elements whose draw u falls in [lower, upper) (one draw per element, so two
// samplers with the same seed and disjoint cells keep disjoint elements: random_split).
template <class Down>
struct bernoulli_cell_sink : forwarding_sink<Down> {
  partition_random random;
  double lower;
  double upper;
  template <class X>
  void operator()(X&& x) {
    const double u = random.uniform();
    if (lower <= u && u < upper) this->down(std::forward<X>(x));
  }
};

template <class In, class Down>
struct poisson_sink : forwarding_sink<Down> {
  partition_random random;
  double mean;
  template <class X>
  void operator()(X&& x) {
    std::size_t k = random.poisson(mean);
    if (k == 0) return;
    for (; k > 1; --k) {
      if constexpr (std::is_lvalue_reference_v<In>) {
        this->down(static_cast<In>(x));  // a reference into the source: no copy needed
      } else {
        this->down(std::remove_cvref_t<In>(std::as_const(x)));  // a copy: the last one may move
      }
      if (sink_stopped(this->down)) return;
    }
    this->down(std::forward<X>(x));
  }
};

}  // namespace detail

// Replace: with replacement (Poisson copies) or not (Bernoulli).
template <bool Replace>
struct sample_op {
  double fraction;
  std::uint64_t seed;

  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "sample";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add("fraction", fraction).add("seed", seed).add("with_replacement", Replace).text(); }
  static constexpr bool partition_wise = true;

  template <class In>
  static constexpr bool check() {
    constexpr bool ok = !Replace || std::is_lvalue_reference_v<In> || std::is_copy_constructible_v<std::remove_cvref_t<In>>;
    static_assert(ok, "ln::sample(fraction, seed, ln::with_replacement): an element may be drawn several times, "
                      "so the element type must be copy-constructible");
    return ok;
  }
  template <class In>
  using reference = In;

  template <class In, class Down>
  auto sink(Down& down, std::size_t partition) const {
    const detail::partition_random random(seed, partition);
    if constexpr (Replace) {
      return detail::poisson_sink<In, Down>{{down}, random, fraction};
    } else {
      return detail::bernoulli_cell_sink<Down>{{down}, random, 0.0, fraction};
    }
  }
  template <class In, class UpProducer, class Ctx>
  auto partition_producer(UpProducer up, const Ctx&) const {
    return detail::indexed_sink_producer<UpProducer, In, sample_op>(std::move(up), *this);
  }

  void explain_into(plan::explain_builder& out) const {
    out.fuse("sample(" + std::to_string(fraction) + (Replace ? ", with_replacement)" : ")"));
  }
};

struct sample_fn {
  auto operator()(double fraction, std::uint64_t seed) const {
    if (!(fraction >= 0.0 && fraction <= 1.0)) {
      throw std::invalid_argument("ln::sample: without replacement, fraction must be in [0, 1]");
    }
    return op_closure<sample_op<false>>{{}, {fraction, seed}};
  }
  auto operator()(double fraction, std::uint64_t seed, with_replacement_t) const {
    if (!(fraction >= 0.0 && std::isfinite(fraction))) {
      throw std::invalid_argument("ln::sample: with replacement, fraction (the expected copies) must be >= 0");
    }
    return op_closure<sample_op<true>>{{}, {fraction, seed}};
  }
};
inline constexpr sample_fn sample{};

}  // namespace lineage
