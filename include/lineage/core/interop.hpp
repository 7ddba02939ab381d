// SPDX-License-Identifier: Apache-2.0
#pragma once
// Range interop: every pipeline models std::ranges::input_range; iterating runs the plan once,
// sequentially, and walks the materialized elements. Running a plan is exec/'s business: the
// core only declares detail::materialize, which exec/collect.hpp defines (every operator
// header includes an exec/ header that brings it).
#include <cstddef>
#include <iterator>
#include <memory>
#include <vector>

#include "pipeline.hpp"

namespace lineage {

namespace detail {

// Runs the whole plan on the calling thread and returns the elements in order (exec/collect.hpp).
template <pipeline P>
std::vector<element_t<P>> materialize(const P& p);

// The iterator of a pipeline owns the materialized elements; its sentinel is a plain
// default_sentinel, so end() never depends on state that begin() creates.
template <class T>
class buffer_iterator {
 public:
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using iterator_concept = std::input_iterator_tag;

  buffer_iterator() = default;
  explicit buffer_iterator(std::shared_ptr<const std::vector<T>> buffer) : buffer_(std::move(buffer)) {}

  const T& operator*() const { return (*buffer_)[index_]; }
  const T* operator->() const { return &(*buffer_)[index_]; }
  buffer_iterator& operator++() {
    ++index_;
    return *this;
  }
  void operator++(int) { ++index_; }
  friend bool operator==(const buffer_iterator& it, std::default_sentinel_t) {
    return it.index_ == it.buffer_->size();
  }

 private:
  std::shared_ptr<const std::vector<T>> buffer_;
  std::size_t index_ = 0;
};

}  // namespace detail

// CRTP base of every pipeline: range interop. Iterating runs the plan once (sequentially).
template <class Derived>
class pipeline_interface : public pipeline_tag {
 public:
  auto begin() const {
    using T = element_t<Derived>;
    return detail::buffer_iterator<T>(
        std::make_shared<const std::vector<T>>(detail::materialize(static_cast<const Derived&>(*this))));
  }
  std::default_sentinel_t end() const { return {}; }
};

}  // namespace lineage
