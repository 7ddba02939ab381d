// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every pipeline is: an immutable value whose type is its lineage.
//
// A pipeline type P provides
//   using reference = ...;                          // what its kernel pushes for each element
//   static constexpr std::size_t depth, stages;     // transformations since the source; kernels
//   template <class Ctx> producer(const Ctx&) const; // the runnable form on backend Ctx, see below
// and a source (any pipeline but node<Op, Up>) also, with stages == 1,
//   void explain_into(plan::explain_builder&) const;  // its line in ln::explain
// node<Op, Up> gets its stage count and its explain text from the lineage walk (core/walk.hpp).
// A producer is what a plan lowers to at run time:
//   std::size_t partitions() const;
//   std::optional<std::size_t> size_hint(std::size_t partition) const;  // element count, if known
//   template <class Sink> void run(std::size_t partition, Sink& sink) const;
// and pushes the elements of one partition into `sink` (see core/sink.hpp).
#include <cstddef>
#include <type_traits>
#include <utility>

namespace lineage {

struct pipeline_tag {};
struct closure_tag {};

// A closure is what stands right of `|`: a transformation (`ln::map(f)`) or an action.
template <class C>
concept closure = std::is_base_of_v<closure_tag, std::remove_cvref_t<C>>;

template <class P>
concept pipeline = std::is_base_of_v<pipeline_tag, std::remove_cvref_t<P>>;

// What a pipeline expression becomes after a static_assert rejected it: it absorbs every
// further `|` and converts to anything, so the user sees the one message that names the
// problem instead of a cascade of follow-up errors.
struct invalid_pipeline {
  template <class C>
  friend invalid_pipeline operator|(invalid_pipeline, const C&) {
    return {};
  }
  template <class T>
  operator T() const;  // never defined: only ever reached in code that does not compile
};

// An adaptor or action whose arguments all have defaults is usable without parentheses:
// `p | ln::count` is `p | ln::count()`, as range-v3's `views::keys`. Fn derives from
// usable_bare<Fn>.
template <class Fn>
struct usable_bare : closure_tag {
  template <pipeline P>
  auto apply(P&& p) const {
    return static_cast<const Fn&>(*this)().apply(std::forward<P>(p));
  }
};

template <pipeline P>
using reference_t = typename std::remove_cvref_t<P>::reference;

// The element type of a pipeline (ln::element_t<P>).
template <pipeline P>
using element_t = std::remove_cvref_t<reference_t<P>>;

// Transformations since the source or the last checkpoint (0 for a source or checkpointed<T>).
template <pipeline P>
inline constexpr std::size_t lineage_depth_v = std::remove_cvref_t<P>::depth;

// Number of fused kernels (stages) the plan runs: narrow operators share one, wide ones add one.
template <pipeline P>
inline constexpr std::size_t stage_count_v = std::remove_cvref_t<P>::stages;

}  // namespace lineage
