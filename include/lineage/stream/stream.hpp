// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::stream<Source, Steps...>: a stream source and the per-batch lineage piped after it.
//
// `src | ln::map(f) | ln::filter(p) | ln::update_state_by_key(g) | ln::map(h)` keeps its
// operators as Steps: runs of ordinary adaptors as one ln::closure_chain (applied to each batch
// as to a fresh source, so they fuse exactly as in batch mode), and each stateful operator
// (update_state_by_key, window, ...) as a step of its own. An output operation
// (ln::foreach_batch, ln::write_batches) ends the stream and makes a query (query.hpp).
//
// A stateful operator type Op derives from ln::stream_stateful_tag and provides
//   static constexpr std::string_view name;
//   template <class InRef> using output_reference = ...;   // what its output dataset pushes
//   template <class InRef> std::string describe() const;   // its line in the stream signature
//   template <class InRef> using state = ...;              // its state at run time, made from
//       (const Op&) and providing
//         template <pipeline P, class Ctx>
//         std::optional<checkpointed<Out>> step(const P& batch, std::uint64_t b, const Ctx&);
//             (nullopt: no output after this batch, e.g. between window slides)
//         void save(const std::filesystem::path& dir, const checkpoint_options&, const Ctx&) const;
//         void load(const std::filesystem::path& dir, const checkpoint_options&, const Ctx&);
//             (throws checkpoint_error; the options are the save's: version, file system)
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/pipeline.hpp"

namespace lineage {

struct stream_stateful_tag {};
struct stream_output_tag {};

template <class Op>
concept stream_stateful_op = std::is_base_of_v<stream_stateful_tag, std::remove_cvref_t<Op>>;
template <class O>
concept stream_output = std::is_base_of_v<stream_output_tag, std::remove_cvref_t<O>>;

template <class Source, class... Steps>
class stream {
 public:
  using source_type = Source;
  using steps_type = std::tuple<Steps...>;
  static constexpr std::size_t step_count = sizeof...(Steps);

  explicit stream(Source source, std::tuple<Steps...> steps = {})
      : source_(std::move(source)), steps_(std::move(steps)) {}

  const Source& source() const noexcept { return source_; }
  const steps_type& steps() const noexcept { return steps_; }

 private:
  Source source_;
  steps_type steps_;
};

namespace stream_detail {

template <class T>
struct is_closure_chain : std::false_type {};
template <class... Cs>
struct is_closure_chain<closure_chain<Cs...>> : std::true_type {};

template <class Source, class... Steps, class Step>
auto append_step(const stream<Source, Steps...>& s, Step step) {
  return stream<Source, Steps..., Step>(s.source(), std::tuple_cat(s.steps(), std::tuple<Step>(std::move(step))));
}

}  // namespace stream_detail

// stream | adaptor: joins the last run of adaptors, so that they fuse into one per-batch lineage.
template <class Source, class... Steps, closure C>
auto operator|(const stream<Source, Steps...>& s, const C& c) {
  if constexpr (sizeof...(Steps) > 0) {
    using Last = std::tuple_element_t<sizeof...(Steps) - 1, std::tuple<Steps...>>;
    if constexpr (stream_detail::is_closure_chain<Last>::value) {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        auto joined = detail::concat_chains(std::get<sizeof...(Steps) - 1>(s.steps()), detail::as_chain(c));
        using New = std::tuple<std::tuple_element_t<I, std::tuple<Steps...>>..., decltype(joined)>;
        return std::apply([&](const auto&... kept) {
          return stream<Source, std::tuple_element_t<I, std::tuple<Steps...>>..., decltype(joined)>(
              s.source(), New(kept..., std::move(joined)));
        }, std::tuple<const std::tuple_element_t<I, std::tuple<Steps...>>&...>(std::get<I>(s.steps())...));
      }(std::make_index_sequence<sizeof...(Steps) - 1>{});
    } else {
      return stream_detail::append_step(s, detail::as_chain(c));
    }
  } else {
    return stream_detail::append_step(s, detail::as_chain(c));
  }
}

// stream | stateful operator.
template <class Source, class... Steps, stream_stateful_op Op>
auto operator|(const stream<Source, Steps...>& s, const Op& op) {
  return stream_detail::append_step(s, op);
}

}  // namespace lineage
