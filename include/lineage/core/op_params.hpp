// SPDX-License-Identifier: Apache-2.0
#pragma once
// An operator's value parameters (a sample's fraction and seed, a partition count, a fold's
// zero), as text for the lineage signature (plan/signature.hpp) and the steps a checkpoint's
// manifest records (plan/lineage_description.hpp): two lineages that differ only in a number
// must not share a checkpoint.
//
// An operator (or a function object it holds, e.g. fold_by_key's create) opts in with
//     std::string signature_params() const { return ln::param_list().add("fraction", f).text(); }
// Function objects themselves are not covered: their code is invisible to a type or a value
// (the version tag of ln::checkpoint_options says "the code changed").
//
// Values are printed exactly (floating point in the shortest form that reads back the same);
// ranges, pairs, tuples and optionals member by member; any other type as "<unprinted>", so
// such a value (a user struct as fold's zero) is not covered. A long text is replaced by its
// XXH3 hash so that a manifest's bounded step names stay exact.
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include "../partitioner.hpp"
#include "type_name.hpp"

namespace lineage {

namespace detail {

template <class T>
concept has_signature_params = requires(const T& x) {
  { x.signature_params() } -> std::convertible_to<std::string>;
};

template <class T>
concept tuple_like_value = requires { std::tuple_size<T>::value; };

template <class T>
void append_param(std::string& out, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    out += value ? "true" : "false";
  } else if constexpr (std::is_arithmetic_v<T>) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest exact form
    out.append(buffer, ec == std::errc{} ? end : buffer);
  } else if constexpr (std::is_enum_v<T>) {
    append_param(out, static_cast<std::underlying_type_t<T>>(value));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    const std::string_view text = value;
    out += std::to_string(text.size()) + ':';  // length-prefixed: no string can forge what follows
    out += text;
  } else if constexpr (has_signature_params<T>) {
    out += '(' + std::string(value.signature_params()) + ')';
  } else if constexpr (requires { typename T::hasher_type; value.partitions; }) {  // ln::partitioner
    append_param(out, value.partitions);
    if constexpr (!std::is_same_v<typename T::hasher_type, std_hash>) {
      out += " by " + portable_type_name<typename T::hasher_type>();
    }
  } else if constexpr (requires { value.has_value(); *value; }) {  // std::optional
    if (value.has_value()) {
      append_param(out, *value);
    } else {
      out += "none";
    }
  } else if constexpr (std::ranges::input_range<const T>) {
    out += '[';
    bool first = true;
    for (const auto& x : value) {
      if (!first) out += ", ";
      first = false;
      append_param(out, x);
    }
    out += ']';
  } else if constexpr (tuple_like_value<T>) {
    out += '(';
    std::apply(
        [&](const auto&... member) {
          bool first = true;
          ((out += first ? "" : ", ", first = false, append_param(out, member)), ...);
        },
        value);
    out += ')';
  } else {
    out += "<unprinted>";
  }
}

}  // namespace detail

// "name value, name value": the text of an operator's parameters.
class param_list {
 public:
  template <class T>
  param_list& add(std::string_view name, const T& value) {
    if (!text_.empty()) text_ += ", ";
    text_ += name;
    text_ += ' ';
    detail::append_param(text_, value);
    return *this;
  }

  // A by-key operator's partitioner: "partitions n" (and " by <hasher type>" for a user's
  // hasher); nothing for the default one (as many partitions as the upstream has, std::hash),
  // so that the signature of a lineage naming no partitioner is what it was before parameters
  // counted (its checkpoints stay valid).
  template <class Hash>
  param_list& add_partitioner(const partitioner<Hash>& part) {
    if (part.partitions == 0 && std::is_same_v<Hash, std_hash>) return *this;
    return add("partitions", part);
  }
  // A partition count where 0 means "as many as the upstream has" (the default): nothing for 0.
  param_list& add_partition_count(std::size_t partitions) {
    if (partitions == 0) return *this;
    return add("partitions", partitions);
  }

  // At most max_text bytes: a longer text becomes "#<XXH3 of it>" (still exact for the
  // signature, short enough for a manifest's step name).
  std::string text() const {
    if (text_.size() <= max_text) return text_;
    const std::uint64_t h = XXH3_64bits(text_.data(), text_.size());
    char buffer[17];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, h, 16);
    return "#" + std::string(buffer, ec == std::errc{} ? end : buffer);
  }

  static constexpr std::size_t max_text = 160;

 private:
  std::string text_;
};

// The parameters of an operator (or any value that declares them), "" if it declares none.
template <class T>
std::string op_params_of(const T& x) {
  if constexpr (detail::has_signature_params<T>) {
    return x.signature_params();
  } else {
    return {};
  }
}

}  // namespace lineage
