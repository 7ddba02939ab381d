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

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include "../core/pipeline.hpp"
#include "../core/type_name.hpp"
#include "plan.hpp"

namespace lineage::plan {

// `source_identity` is 0 when the options say not to identify the source.
template <pipeline P, class SourceElement>
std::uint64_t lineage_signature(std::string_view version, std::uint64_t source_identity) {
  std::string text = "lineage-signature/1\nsource ";
  text += lineage::detail::portable_type_name<SourceElement>();
  text += "\nops";
  for (const auto& op : ops_v<P>) {
    text += ' ';
    text += op.name;
  }
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
