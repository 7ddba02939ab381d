// SPDX-License-Identifier: Apache-2.0
#pragma once
// The stream signature (README "Streams"): the source kind and element type, every operator in
// order with the element type it makes (a stateful operator with its parameters), and the
// user's version tag; not the policy, the source's options or the output directory. Kept as
// text in `<stream dir>/signature`, so that a restart with another one can say which line
// differs.
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "../core/op_params.hpp"
#include "../core/type_name.hpp"
#include "../plan/plan.hpp"
#include "step_types.hpp"
#include "stream.hpp"

namespace lineage::stream_detail {

// Lines of a run of adaptors: one per adaptor, "<name> -> <element type>", the name followed
// by the operator's value parameters if it has any, "sample(fraction 0.1, ...)"
// (core/op_params.hpp), as in a checkpoint's signature.
template <class Chain, class InRef, std::size_t... I>
void describe_chain(const Chain& chain, std::string& out, std::size_t& op_index, std::index_sequence<I...>) {
  (
      [&] {
        using Prefix = decltype(std::declval<const Chain&>().template slice<0, I + 1>());
        using P = lineage_of_t<Prefix, InRef>;
        std::string name = "adaptor";
        if constexpr (plan::ops_v<P>.size() > 0) name = std::string(plan::ops_v<P>.back().name);
        if constexpr (requires { chain.template get<I>().op; }) {
          if (const std::string params = op_params_of(chain.template get<I>().op); !params.empty()) {
            name += '(' + params + ')';
          }
        }
        out += "op " + std::to_string(op_index++) + ": " + name + " -> " +
               lineage::detail::portable_type_name<element_t<P>>() + '\n';
      }(),
      ...);
}

template <class Stream, std::size_t... I>
std::string describe_steps(const Stream& s, std::index_sequence<I...>) {
  std::string out;
  std::size_t op_index = 0;
  (
      [&] {
        using Step = std::tuple_element_t<I, typename Stream::steps_type>;
        using InRef = step_input_ref_t<Stream, I>;
        if constexpr (stream_stateful_op<Step>) {
          out += "op " + std::to_string(op_index++) + ": " +
                 std::get<I>(s.steps()).template describe<InRef>() + '\n';
        } else {
          describe_chain<Step, InRef>(std::get<I>(s.steps()), out, op_index, std::make_index_sequence<Step::size>{});
        }
      }(),
      ...);
  (void)op_index;  // a stream without operators
  return out;
}

template <class Stream>
std::string stream_signature(const Stream& s, std::string_view version) {
  using Source = typename Stream::source_type;
  std::string out = "lineage-stream-signature/1\n";
  out += "source: " + std::string(Source::kind) + '<' +
         lineage::detail::portable_type_name<typename Source::element_type>() + ">\n";
  out += describe_steps(s, std::make_index_sequence<Stream::step_count>{});
  out += "version: \"" + std::string(version) + "\"\n";
  return out;
}

// The first line where two signatures differ, for the error message; empty if they are equal.
inline std::string signature_difference(std::string_view stored, std::string_view current) {
  auto next_line = [](std::string_view& text) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    return line;
  };
  while (!stored.empty() || !current.empty()) {
    const auto a = next_line(stored);
    const auto b = next_line(current);
    if (a != b) {
      return "the stream directory was made by '" + std::string(a.empty() ? "(nothing)" : a) +
             "', this query has '" + std::string(b.empty() ? "(nothing)" : b) + '\'';
    }
  }
  return {};
}

}  // namespace lineage::stream_detail
