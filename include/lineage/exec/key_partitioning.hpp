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

#include "../core/pipeline.hpp"

namespace lineage::detail {

inline std::string key_partitioner_name(std::size_t partitions) { return "hash:" + std::to_string(partitions); }

template <pipeline P>
bool key_partitioned(const P& p) {
  if constexpr (requires { p.upstream(); }) {
    using op = std::remove_cvref_t<decltype(p.op())>;
    if constexpr (requires { op::partitions_by_key; }) {
      return op::partitions_by_key;
    } else if constexpr (requires { op::preserves_partitioning; }) {
      return key_partitioned(p.upstream());
    } else {
      return false;
    }
  } else if constexpr (requires { p.partitioner(); }) {
    return std::string_view(p.partitioner()).starts_with("hash:");
  } else {
    return false;
  }
}

}  // namespace lineage::detail
