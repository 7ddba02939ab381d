// SPDX-License-Identifier: Apache-2.0
#pragma once
// Whether a pipeline's output is already partitioned by key (Spark keeps an RDD's partitioner):
// partition i holds exactly the keys k with mix(std::hash<K>(k)) % n == i, n the partition
// count. By-key operators with the default hasher produce such output; filter and map_values
// keep it; a checkpoint records it in its manifest ("hash:<n>") and the checkpointed data
// recovered from it keeps it. A by-key operator whose input is partitioned this way, into the
// partition count it would shuffle to, combines each partition in place: no shuffle.
#include <cstddef>
#include <string>
#include <string_view>

#include "../core/op_traits.hpp"
#include "../core/pipeline.hpp"
#include "../core/walk.hpp"

namespace lineage::detail {

inline std::string key_partitioner_name(std::size_t partitions) { return "hash:" + std::to_string(partitions); }

// A visitor of the lineage walk (core/walk.hpp) along the main line: the source may be
// partitioned by key (a checkpoint that recorded it), an operator partitions by key, keeps the
// partitioning of its input, or loses it (op_traits.hpp). Extra inputs do not matter.
struct key_partitioning_visitor : lineage_visitor {
  bool partitioned = false;
  template <class S>
  void source(const S& s, walk_step step) {
    if (step.level != 0) return;
    if constexpr (requires { s.partitioner(); }) {
      partitioned = std::string_view(s.partitioner()).starts_with("hash:");
    } else {
      partitioned = false;
    }
  }
  template <class O>
  void op(const O&, walk_step step) {
    using Op = walked_t<O>;
    if (step.level != 0) return;
    if constexpr (op_traits<Op>::partitions_by_key) {
      partitioned = true;
    } else if constexpr (!op_traits<Op>::preserves_partitioning) {
      partitioned = false;
    }
  }
};

template <pipeline P>
bool key_partitioned(const P& p) {
  key_partitioning_visitor v;
  visit_lineage(p, v);
  return v.partitioned;
}

}  // namespace lineage::detail
