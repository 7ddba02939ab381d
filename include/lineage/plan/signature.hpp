// SPDX-License-Identifier: Apache-2.0
#pragma once
// The lineage signature that decides a checkpoint's get-or-create: a hash of what the type and
// the options can tell about how the data was made.
//
// It covers the operator kinds in order, the source's and the result's element types, the
// user's version tag and the identity of the source's content, and, when the pipeline is
// walked as a value (lineage_signature(p, ...), what ln::checkpoint uses), each operator's value
// parameters: a sample's fraction and seed, a partition count (core/op_params.hpp). It cannot
// see the body of a function: change what a lambda computes and the signature stays the same.
// The `version` tag of ln::checkpoint_options is how a program says "the code changed".
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include "../core/op_params.hpp"
#include "../core/op_traits.hpp"
#include "../core/pipeline.hpp"
#include "../core/type_name.hpp"
#include "../core/walk.hpp"
#include "op_kind.hpp"
#include "plan.hpp"

namespace lineage::plan {

namespace detail {

// The lineage's text for the signature, by the lineage walk (core/walk.hpp), from types alone:
// the main line's source element type and " op op ..." (markers such as persist left out: they
// do not change the data); an operator with an extra input (a join's right side) is followed by
// that input's lineage in braces, " { source <type> ops ... }", so the ops on both sides count.
// In a walk over values an operator with parameters is " name(params)"; an operator without
// any is written as in a walk over types, so signatures made before parameters counted stay.
struct signature_frame {
  std::string source;  // the source's element type
  std::string ops;
  std::string inputs;  // the next operator's extra inputs, ready to append
};

struct signature_visitor : input_frames_visitor<signature_visitor, signature_frame> {

  template <class S>
  void source(const S&, walk_step) {
    frames.back().source = lineage::detail::portable_type_name<element_t<walked_t<S>>>();
  }
  template <class O>
  void op(const O& o, walk_step) {
    using Op = walked_t<O>;
    auto& f = frames.back();
    if constexpr (op_traits<Op>::kind != op_kind::marker) {
      f.ops += ' ';
      f.ops += op_traits<Op>::name;
      if constexpr (std::is_same_v<std::remove_cvref_t<O>, Op>) {  // a value: its parameters count
        if (const std::string params = op_params_of(o); !params.empty()) f.ops += '(' + params + ')';
      }
      f.ops += f.inputs;
    }
    f.inputs.clear();
  }
  void fold_input(signature_frame& parent, signature_frame&& in) {
    parent.inputs += " { source " + in.source + " ops" + in.ops + " }";
  }
};

inline std::uint64_t hash_signature(std::string_view source, std::string_view ops, std::string_view element,
                             std::string_view version, std::uint64_t source_identity) {
  std::string text = "lineage-signature/2\nsource ";
  text += source;
  text += "\nops";
  text += ops;
  text += "\nelement ";
  text += element;
  text += "\nversion ";
  text += std::to_string(version.size()) + ':';  // length-prefixed: no tag can forge the lines after it
  text += version;
  text += "\nidentity ";
  text += std::to_string(source_identity);
  return XXH3_64bits(text.data(), text.size());
}

}  // namespace detail

// `source_identity` is 0 when the options say not to identify the source. SourceElement is the
// element type of the lineage's source (the other overload finds it).
template <pipeline P, class SourceElement>
std::uint64_t lineage_signature(std::string_view version, std::uint64_t source_identity) {
  detail::signature_visitor v;
  visit_lineage<P>(v);
  return detail::hash_signature(lineage::detail::portable_type_name<SourceElement>(), v.frames.front().ops,
                                   lineage::detail::portable_type_name<element_t<P>>(), version, source_identity);
}

template <pipeline P>
std::uint64_t lineage_signature(std::string_view version, std::uint64_t source_identity) {
  detail::signature_visitor v;
  visit_lineage<P>(v);
  return detail::hash_signature(v.frames.front().source, v.frames.front().ops,
                                   lineage::detail::portable_type_name<element_t<P>>(), version, source_identity);
}

// The signature of the pipeline value p: as lineage_signature<P>, with the operators'
// parameters (what ln::checkpoint uses).
template <pipeline P>
std::uint64_t lineage_signature(const P& p, std::string_view version, std::uint64_t source_identity) {
  detail::signature_visitor v;
  visit_lineage(p, v);
  return detail::hash_signature(v.frames.front().source, v.frames.front().ops,
                                   lineage::detail::portable_type_name<element_t<P>>(), version, source_identity);
}

}  // namespace lineage::plan
