#pragma once
// Data already materialized as partitions (parallelize, checkpoints, shuffle outputs), and the
// producer that pushes it: each partition is one vector, one partition is one task.
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "sink.hpp"

namespace lineage::detail {

template <class T>
using partitions_of = std::vector<std::vector<T>>;

template <class T>
class partitioned_producer {
 public:
  explicit partitioned_producer(std::shared_ptr<const partitions_of<T>> data) : data_(std::move(data)) {}
  std::size_t partitions() const { return data_->size(); }
  std::optional<std::size_t> size_hint(std::size_t partition) const { return (*data_)[partition].size(); }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    const auto& part = (*data_)[partition];
    push_all(part.begin(), part.end(), sink);
  }

 private:
  std::shared_ptr<const partitions_of<T>> data_;
};

}  // namespace lineage::detail
