#pragma once
// The lineage signature that decides a checkpoint's get-or-create: a hash of what the type and
// the options can tell about how the data was made.
//
// It covers the operator kinds in order, the source's and the result's element types, the
// user's version tag and the identity of the source's content. It cannot see the body of a
// function: change what a lambda computes and the signature stays the same. The `version` tag
// of ln::checkpoint_options is how a program says "the code changed".
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include "../core/pipeline.hpp"
#include "../core/type_name.hpp"
#include "plan.hpp"

namespace lineage::plan {

namespace detail {

// The element type a lineage starts from.
template <class P>
struct source_element {
  using type = element_t<P>;
};
template <class Op, class Up>
struct source_element<node<Op, Up>> : source_element<Up> {};

// " op op ..." for a lineage; an operator with a second input (join) adds that input's lineage
// in braces, so that the ops on both sides are covered.
template <class P>
struct lineage_ops {
  static void append(std::string&) {}
};
template <class Op, class Up>
struct lineage_ops<node<Op, Up>> {
  static void append(std::string& text) {
    lineage_ops<Up>::append(text);
    if constexpr (Op::kind == op_kind::marker) return;  // persist & co. do not change the data
    text += ' ';
    text += Op::name;
    if constexpr (requires(const Op& op) { op.other(); }) {
      using Other = std::remove_cvref_t<decltype(std::declval<const Op&>().other())>;
      text += " { source ";
      text += lineage::detail::portable_type_name<typename source_element<Other>::type>();
      text += " ops";
      lineage_ops<Other>::append(text);
      text += " }";
    }
  }
};

}  // namespace detail

// `source_identity` is 0 when the options say not to identify the source.
template <pipeline P, class SourceElement>
std::uint64_t lineage_signature(std::string_view version, std::uint64_t source_identity) {
  std::string text = "lineage-signature/2\nsource ";
  text += lineage::detail::portable_type_name<SourceElement>();
  text += "\nops";
  detail::lineage_ops<std::remove_cvref_t<P>>::append(text);
  text += "\nelement ";
  text += lineage::detail::portable_type_name<element_t<P>>();
  text += "\nversion ";
  text += std::to_string(version.size()) + ':';  // length-prefixed: no tag can forge the lines after it
  text += version;
  text += "\nidentity ";
  text += std::to_string(source_identity);
  return XXH3_64bits(text.data(), text.size());
}

}  // namespace lineage::plan
