// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::repartition(n): the same elements, in the same order, cut into n partitions of (nearly)
// equal size. Wide: ends the stage (the next stage runs n tasks). Elements are routed by
// their global index through the one shuffle (exec/index_routing.hpp).
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/partitioned.hpp"
#include "../exec/index_routing.hpp"
#include "../exec/partitions.hpp"
#include "../plan/explain_builder.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {

struct repartition_op {
  std::size_t partitions;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "repartition";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add("partitions", partitions).text(); }
  template <class In>
  static constexpr bool check() {
    return true;
  }
  template <class In>
  using reference = const std::remove_cvref_t<In>&;

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    return detail::make_partitioned_producer(
        detail::route_by_global_index(detail::compute_partitions(up, ctx), partitions, ctx));
  }

  void explain_into(plan::explain_builder& out) const {
    out.shuffle("repartition(" + std::to_string(partitions) + ")");
  }
};

struct repartition_fn {
  auto operator()(std::size_t partitions) const {
    if (partitions == 0) throw std::invalid_argument("ln::repartition: partitions must be at least 1");
    return op_closure<repartition_op>{{}, {partitions}};
  }
};
inline constexpr repartition_fn repartition{};

}  // namespace lineage
