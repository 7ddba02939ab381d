// SPDX-License-Identifier: Apache-2.0
#pragma once
// Types along a stream's per-batch lineage, from the source's element type to the output's:
// step_input_ref_t<Stream, I> is what step I receives (a reference type, as reference_t of a
// pipeline), stream_output_ref_t<Stream> what the output operation receives.
#include <cstddef>
#include <tuple>
#include <type_traits>

#include "../core/closure.hpp"
#include "../core/pipeline.hpp"
#include "stream.hpp"

namespace lineage::stream_detail {

// Each batch becomes a source pushing `const T&` (a shared std::vector<T>, core/source.hpp).
template <class Source>
using batch_ref_t = const typename Source::element_type&;

template <class Step, class InRef>
struct step_output {
  using type = reference_t<lineage_of_t<Step, InRef>>;
};
template <stream_stateful_op Step, class InRef>
struct step_output<Step, InRef> {
  using type = typename Step::template output_reference<InRef>;
};

template <class InRef, class Steps, std::size_t I>
struct ref_at {
  using type = typename step_output<std::tuple_element_t<I - 1, Steps>,
                                    typename ref_at<InRef, Steps, I - 1>::type>::type;
};
template <class InRef, class Steps>
struct ref_at<InRef, Steps, 0> {
  using type = InRef;
};

template <class Stream, std::size_t I>
using step_input_ref_t =
    typename ref_at<batch_ref_t<typename Stream::source_type>, typename Stream::steps_type, I>::type;

template <class Stream>
using stream_output_ref_t = step_input_ref_t<Stream, Stream::step_count>;

template <class Stream>
using stream_output_t = std::remove_cvref_t<stream_output_ref_t<Stream>>;

}  // namespace lineage::stream_detail
