// Compile-time claims of the lineage walk (core/walk.hpp) and what it feeds: ln::plan::ops_v
// lists a join's right side (in `inputs`), ln::plan::all_ops_v every operator the plan runs, a
// constexpr visitor works in static_assert, op_traits gives every optional trait a default, and
// a closure chain composed before a source is a flat list. Compiling this file is the test.
#include <lineage/lineage.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace walk_static_test {

namespace ln = lineage;

using pairs = std::vector<std::pair<int, long>>;
using names = std::vector<std::pair<int, std::string>>;
pairs& kv();  // declared only: the pipelines below are types, never built
names& other();

inline constexpr auto identity = [](const auto& x) { return x; };
inline constexpr auto keep = [](const auto&) { return true; };
inline constexpr auto twice = [](int x) { return 2 * x; };
inline constexpr auto to_pair = [](int x) { return std::pair<int, long>(x, x); };
using sum = std::plus<long>;

// ---- ops_v sees a join's right side ----------------------------------------------------------
using join_both_shuffled = decltype(kv() | ln::reduce_by_key(sum{}) | ln::join(kv() | ln::reduce_by_key(sum{})) |
                                    ln::map(identity));
constexpr auto join_ops = ln::plan::ops_v<join_both_shuffled>;
static_assert(join_ops.size() == 3);  // the main line, as before
static_assert(join_ops[0].inputs.empty() && join_ops[2].inputs.empty());
static_assert(join_ops[1].name == "join" && join_ops[1].stage == 5);
static_assert(join_ops[1].inputs.size() == 1);  // the right side's reduce_by_key, in stage 4
static_assert(join_ops[1].inputs[0].name == "reduce_by_key" && join_ops[1].inputs[0].stage == 4 &&
              join_ops[1].inputs[0].kind == ln::plan::op_kind::wide && join_ops[1].inputs[0].level == 1);

// Every operator, in the order the plan runs them: the right side's before the join.
constexpr auto join_all = ln::plan::all_ops_v<join_both_shuffled>;
static_assert(join_all.size() == 4);
static_assert(join_all[0].name == "reduce_by_key" && join_all[0].stage == 2 && join_all[0].level == 0);
static_assert(join_all[1].name == "reduce_by_key" && join_all[1].stage == 4 && join_all[1].level == 1);
static_assert(join_all[2].name == "join" && join_all[2].stage == 5 && join_all[2].level == 0);
static_assert(join_all[3].name == "map" && join_all[3].stage == 5 && join_all[3].level == 0);

// A right side that is a bare source has no operators; its stage is still counted.
using join_plain = decltype(kv() | ln::join(other()));
static_assert(ln::plan::ops_v<join_plain>.size() == 1 && ln::plan::ops_v<join_plain>[0].inputs.empty());
static_assert(ln::plan::ops_v<join_plain>[0].stage == 3 && ln::stage_count_v<join_plain> == 3);

// Nested: a join inside the right side of a join; `level` tells the nesting apart.
using nested = decltype(kv() | ln::left_join(kv() | ln::join(other() | ln::filter(keep) | ln::repartition(2))));
constexpr auto nested_ops = ln::plan::ops_v<nested>;
static_assert(nested_ops.size() == 1 && nested_ops[0].name == "left_join" && nested_ops[0].stage == 6);
static_assert(nested_ops[0].inputs.size() == 3);
static_assert(nested_ops[0].inputs[0].name == "filter" && nested_ops[0].inputs[0].stage == 3 &&
              nested_ops[0].inputs[0].level == 2);
static_assert(nested_ops[0].inputs[1].name == "repartition" && nested_ops[0].inputs[1].stage == 4 &&
              nested_ops[0].inputs[1].level == 2);
static_assert(nested_ops[0].inputs[2].name == "join" && nested_ops[0].inputs[2].stage == 5 &&
              nested_ops[0].inputs[2].level == 1);
static_assert(ln::stage_count_v<nested> == 6);
static_assert(ln::plan::all_ops_v<nested>.size() == 4);

// Lineages without extra inputs: ops_v and all_ops_v agree.
using narrow = decltype(kv() | ln::filter(keep) | ln::map_values([](long v) { return v + 1; }) | ln::persist());
static_assert(ln::plan::all_ops_v<narrow>.size() == ln::plan::ops_v<narrow>.size());
static_assert(ln::plan::ops_v<narrow>[2].name == "persist" && ln::plan::ops_v<narrow>[2].kind == ln::plan::op_kind::marker);

// ---- a constexpr visitor: the walk over a type is a constant expression ----------------------
struct wide_counter : ln::lineage_visitor {
  std::size_t wide = 0;
  std::size_t sources = 0;
  template <class S>
  constexpr void source(const S&, ln::walk_step) {
    ++sources;
  }
  template <class O>
  constexpr void op(const O&, ln::walk_step) {
    if (ln::op_traits<ln::walked_t<O>>::kind == ln::plan::op_kind::wide) ++wide;
  }
};
template <class P>
constexpr wide_counter count_wide() {
  wide_counter c;
  ln::visit_lineage<P>(c);
  return c;
}
static_assert(count_wide<join_both_shuffled>().wide == 3 && count_wide<join_both_shuffled>().sources == 2);
static_assert(count_wide<nested>().wide == 3 && count_wide<nested>().sources == 3);
// Stages = sources + wide operators (no operator here declares extra_stages).
static_assert(ln::visit_lineage<nested>(ln::lineage_visitor{}) == 3 + 3);
static_assert(std::is_same_v<ln::walked_t<ln::type_only<int>>, int> && std::is_same_v<ln::walked_t<const int&>, int>);

// ---- op_traits: declared traits, and the defaults of those not declared -----------------------
template <class P>
using last_op_t = std::remove_cvref_t<decltype(std::declval<const P&>().op())>;
using map_t = last_op_t<decltype(kv() | ln::map(identity))>;
using filter_t = last_op_t<decltype(kv() | ln::filter(keep))>;
using reduce_t = last_op_t<decltype(kv() | ln::reduce_by_key(sum{}))>;
using join_t = last_op_t<join_plain>;
static_assert(ln::op_traits<map_t>::one_to_one && !ln::op_traits<map_t>::preserves_partitioning);
static_assert(!ln::op_traits<filter_t>::one_to_one && ln::op_traits<filter_t>::preserves_partitioning);
static_assert(ln::op_traits<reduce_t>::partitions_by_key && ln::op_traits<reduce_t>::extra_stages == 0);
static_assert(!ln::op_traits<join_t>::partitions_by_key && ln::op_traits<join_t>::extra_stages == 0);
static_assert(ln::op_traits<join_t>::own_stages == 1 && ln::op_traits<filter_t>::own_stages == 0);
static_assert(std::is_same_v<ln::op_inputs_t<join_t>, std::tuple<std::remove_cvref_t<decltype(ln::as_pipeline(other()))>>>);
static_assert(std::is_same_v<ln::op_inputs_t<map_t>, std::tuple<>>);

// ---- a closure chain is a flat list, whatever the grouping -----------------------------------
using m_c = decltype(ln::map(twice));
using p_c = decltype(ln::map(to_pair));
using r_c = decltype(ln::reduce_by_key(sum{}));
using left_grouped = decltype((ln::map(twice) | ln::map(to_pair)) | ln::reduce_by_key(sum{}));
using right_grouped = decltype(ln::map(twice) | (ln::map(to_pair) | ln::reduce_by_key(sum{})));
static_assert(std::is_same_v<left_grouped, ln::closure_chain<m_c, p_c, r_c>>);
static_assert(std::is_same_v<left_grouped, right_grouped>);
static_assert(left_grouped::size == 3);
static_assert(std::is_same_v<left_grouped::closure_types, std::tuple<m_c, p_c, r_c>>);
static_assert(std::is_same_v<typename std::tuple_element_t<2, left_grouped::closure_types>::op_type, reduce_t>);
static_assert(ln::closure<left_grouped>);
// Parts of it are chains too.
static_assert(std::is_same_v<decltype(std::declval<const left_grouped&>().slice<0, 2>()), ln::closure_chain<m_c, p_c>>);
static_assert(std::is_same_v<decltype(std::declval<const left_grouped&>().slice<2>()), ln::closure_chain<r_c>>);
static_assert(std::is_same_v<decltype(std::declval<const left_grouped&>().slice<1, 1>()), ln::closure_chain<>>);
// Where to split it: the first wide operator (a stream runner looks for a stateful one).
template <class C>
struct is_wide_closure : std::false_type {};
template <class Op>
struct is_wide_closure<ln::op_closure<Op>> : std::bool_constant<Op::kind == ln::plan::op_kind::wide> {};
static_assert(left_grouped::find_first<is_wide_closure> == 2);
static_assert(ln::closure_chain<m_c, p_c>::find_first<is_wide_closure> == 2);  // none: size
// The pipeline a chain makes from a source of a given element, and its plan.
using from_ints = ln::lineage_of_t<left_grouped, const int&>;
static_assert(std::is_same_v<ln::element_t<from_ints>, std::pair<int, long>>);
static_assert(ln::stage_count_v<from_ints> == 2 && ln::lineage_depth_v<from_ints> == 3);
static_assert(ln::plan::ops_v<from_ints>[2].name == "reduce_by_key" && ln::plan::ops_v<from_ints>[2].stage == 2);
static_assert(std::is_same_v<ln::plan::op_info, std::remove_cvref_t<decltype(ln::plan::ops_v<from_ints>[0])>>);
// Applied to a range, a chain gives what the closures piped one by one give.
static_assert(std::is_same_v<decltype(std::declval<std::vector<int>&>() | std::declval<left_grouped>()),
                             decltype(std::declval<std::vector<int>&>() | ln::map(twice) | ln::map(to_pair) |
                                      ln::reduce_by_key(sum{}))>);

}  // namespace walk_static_test
