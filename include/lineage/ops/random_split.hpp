// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::random_split(weights, seed): the dataset cut at random into weights.size() datasets
// (Spark's randomSplit), returned as a std::vector of pipelines. Weights are normalized to sum
// to 1; element x goes to split i when its one uniform draw u falls in [c_i, c_{i+1}) of the
// cumulative normalized weights (c_0 = 0, the last bound 1 exactly). Every split draws from
// the same per-partition generators (seed, partition) in the same order, so the splits are
// disjoint and their union is the input, for a seed and a partitioning (exec/partition_random.hpp).
// Lazy as any transformation: each split runs the upstream again when it runs (persist or
// checkpoint the input first if that is costly), and must see it in the same order.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "sample.hpp"

namespace lineage {

// The split keeping the elements whose draw falls in [lower, upper).
struct random_split_op {
  double lower;
  double upper;
  std::uint64_t seed;

  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "random_split";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add("lower", lower).add("upper", upper).add("seed", seed).text(); }
  static constexpr bool partition_wise = true;

  template <class In>
  static constexpr bool check() {
    return true;
  }
  template <class In>
  using reference = In;

  template <class In, class Down>
  auto sink(Down& down, std::size_t partition) const {
    return detail::bernoulli_cell_sink<Down>{{down}, detail::partition_random(seed, partition), lower, upper};
  }
  template <class In, class UpProducer, class Ctx>
  auto partition_producer(UpProducer up, const Ctx&) const {
    return detail::indexed_sink_producer<UpProducer, In, random_split_op>(std::move(up), *this);
  }

  void explain_into(plan::explain_builder& out) const {
    out.fuse("random_split[" + std::to_string(lower) + ", " + std::to_string(upper) + ")");
  }
};

namespace detail {

struct random_split_closure : closure_tag {
  std::vector<double> bounds;  // weights.size() + 1 cumulative bounds, from 0 to 1
  std::uint64_t seed;
  template <pipeline P>
  auto apply(const P& p) const {
    using split = decltype(make_node(p, random_split_op{}));
    std::vector<split> out;
    out.reserve(bounds.size() - 1);
    for (std::size_t i = 0; i + 1 < bounds.size(); ++i) out.push_back(make_node(p, random_split_op{bounds[i], bounds[i + 1], seed}));
    return out;
  }
};

}  // namespace detail

struct random_split_fn {
  detail::random_split_closure operator()(const std::vector<double>& weights, std::uint64_t seed) const {
    if (weights.empty()) throw std::invalid_argument("ln::random_split: at least one weight is needed");
    double total = 0;
    for (const double w : weights) {
      if (!(w >= 0.0) || !std::isfinite(w)) throw std::invalid_argument("ln::random_split: weights must be finite and >= 0");
      total += w;
    }
    if (!(total > 0.0)) throw std::invalid_argument("ln::random_split: the weights must not all be 0");
    std::vector<double> bounds{0.0};
    double running = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      running += weights[i];
      bounds.push_back(i + 1 == weights.size() ? 1.0 : running / total);
    }
    return {{}, std::move(bounds), seed};
  }
};
inline constexpr random_split_fn random_split{};

}  // namespace lineage
