// Compile-time claims of the core DSL: element types of every operator, lineage depth, stage
// count, the plan's operator list, range concepts, action result types, and what does not
// type-check. Compiling this file is the test (static_assert only; nothing runs).
#include <lineage/lineage.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <ranges>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <range/v3/view/iota.hpp>

namespace {

namespace ln = lineage;

// The type of `l | c` (a pipeline or an action's result).
template <class L, class C>
using piped_t = decltype(std::declval<L>() | std::declval<C>());

// Whether `l | c` is an expression at all (not whether it would pass the operators' checks:
// those are static_asserts, see tests/compile/fail/).
template <class L, class C>
concept pipeable = requires(L&& l, C&& c) { std::forward<L>(l) | std::forward<C>(c); };

using ints = std::vector<int>&;
using kv = std::pair<std::string, int>;
using kvs = std::vector<kv>&;

constexpr auto twice = [](int x) { return 2 * x; };
constexpr auto to_long = [](int x) { return static_cast<long>(x); };
constexpr auto to_string = [](int x) { return std::to_string(x); };
constexpr auto is_even = [](int x) { return x % 2 == 0; };
constexpr auto as_int = [](int x) { return x; };  // returns int, convertible to bool
constexpr auto words = [](int x) { return std::vector<std::string>(static_cast<std::size_t>(x), "w"); };
constexpr auto std_iota = [](int x) { return std::views::iota(0, x); };
constexpr auto v3_iota = [](int x) { return ranges::views::iota(0, x); };
constexpr auto key_ref = [](const kv& p) -> const std::string& { return p.first; };
constexpr auto half = [](int v) { return v * 0.5; };
constexpr auto plus = [](int a, int b) { return a + b; };
constexpr auto plus_ll = [](long long a, int b) { return a + b; };
constexpr auto ignore = [](int) {};

using M = piped_t<ints, decltype(ln::map(twice))>;
using MF = piped_t<M, decltype(ln::filter(is_even))>;
using MFM = piped_t<MF, decltype(ln::map(to_string))>;
using KVS = piped_t<kvs, decltype(ln::map([](const kv& p) { return p; }))>;  // prvalue pairs

// ---- element types --------------------------------------------------------------------------
// Sources.
static_assert(std::is_same_v<ln::element_t<piped_t<ints, decltype(ln::filter(is_even))>>, int>);
static_assert(std::is_same_v<ln::reference_t<piped_t<ints, decltype(ln::filter(is_even))>>, const int&>);
static_assert(std::is_same_v<ln::element_t<decltype(ln::parallelize(std::declval<std::vector<std::string>>(), 2))>, std::string>);
static_assert(std::is_same_v<ln::element_t<piped_t<decltype(std::views::iota(0L, 5L)), decltype(ln::map(to_string))>>, std::string>);
// map: f's result; a reference result stays a reference, the element is the value type.
static_assert(std::is_same_v<ln::element_t<M>, int>);
static_assert(std::is_same_v<ln::element_t<piped_t<ints, decltype(ln::map(to_long))>>, long>);
static_assert(std::is_same_v<ln::element_t<MFM>, std::string>);
static_assert(std::is_same_v<ln::reference_t<piped_t<kvs, decltype(ln::map(key_ref))>>, const std::string&>);
static_assert(std::is_same_v<ln::element_t<piped_t<kvs, decltype(ln::map(key_ref))>>, std::string>);
// filter: unchanged.
static_assert(std::is_same_v<ln::element_t<MF>, int>);
static_assert(std::is_same_v<ln::reference_t<MF>, ln::reference_t<M>>);
// flat_map: the range's elements; those of a container returned by value are moved on.
static_assert(std::is_same_v<ln::element_t<piped_t<ints, decltype(ln::flat_map(words))>>, std::string>);
static_assert(std::is_same_v<ln::reference_t<piped_t<ints, decltype(ln::flat_map(words))>>, std::string&&>);
static_assert(std::is_same_v<ln::element_t<piped_t<ints, decltype(ln::flat_map(std_iota))>>, int>);
static_assert(std::is_same_v<ln::element_t<piped_t<ints, decltype(ln::flat_map(v3_iota))>>, int>);
// map_values: pair<K, U>; keys: K; values: V.
static_assert(std::is_same_v<ln::element_t<piped_t<kvs, decltype(ln::map_values(half))>>, std::pair<std::string, double>>);
static_assert(std::is_same_v<ln::element_t<piped_t<KVS, decltype(ln::map_values(half))>>, std::pair<std::string, double>>);
static_assert(std::is_same_v<ln::element_t<piped_t<kvs, decltype(ln::keys())>>, std::string>);
static_assert(std::is_same_v<ln::element_t<piped_t<kvs, decltype(ln::values())>>, int>);
static_assert(std::is_same_v<ln::element_t<piped_t<KVS, decltype(ln::keys())>>, std::string>);
static_assert(std::is_same_v<ln::reference_t<piped_t<KVS, decltype(ln::keys())>>, std::string&&>);
static_assert(std::is_same_v<ln::element_t<piped_t<std::vector<std::tuple<int, char>>&, decltype(ln::values())>>, char>);
static_assert(std::is_same_v<ln::element_t<piped_t<std::vector<std::array<long, 2>>&, decltype(ln::keys())>>, long>);

// ---- lineage depth and stages -----------------------------------------------------------------
static_assert(ln::lineage_depth_v<decltype(ln::parallelize(std::declval<std::vector<int>>(), 2))> == 0);
static_assert(ln::lineage_depth_v<M> == 1);
static_assert(ln::lineage_depth_v<MF> == 2);
static_assert(ln::lineage_depth_v<MFM> == 3);
static_assert(ln::lineage_depth_v<const MFM&> == 3);
using composed = decltype(ln::map(twice) | ln::filter(is_even) | ln::flat_map(std_iota) | ln::keys());
using P5 = piped_t<KVS, decltype(ln::values() | ln::filter(is_even) | ln::flat_map(std_iota) | ln::map(to_string))>;
static_assert(ln::lineage_depth_v<P5> == 5);
// A chain of narrow operators is one fused kernel.
static_assert(ln::stage_count_v<decltype(ln::parallelize(std::declval<std::vector<int>>(), 2))> == 1);
static_assert(ln::stage_count_v<M> == 1);
static_assert(ln::stage_count_v<MFM> == 1);
static_assert(ln::stage_count_v<P5> == 1);

// ---- the plan -------------------------------------------------------------------------------
static_assert(ln::plan::ops_v<MFM>.size() == 3);
static_assert(ln::plan::ops_v<MFM>[0].name == "map" && ln::plan::ops_v<MFM>[0].stage == 1);
static_assert(ln::plan::ops_v<MFM>[1].name == "filter" && ln::plan::ops_v<MFM>[1].stage == 1);
static_assert(ln::plan::ops_v<MFM>[2].name == "map" && ln::plan::ops_v<MFM>[2].stage == 1);
static_assert(ln::plan::ops_v<P5>.size() == ln::lineage_depth_v<P5>);
static_assert(ln::plan::ops_v<P5>[0].name == "map" && ln::plan::ops_v<P5>[1].name == "values" &&
              ln::plan::ops_v<P5>[2].name == "filter" && ln::plan::ops_v<P5>[3].name == "flat_map" &&
              ln::plan::ops_v<P5>[4].name == "map");
static_assert([] {
  for (const auto& op : ln::plan::ops_v<P5>) {
    if (op.stage != 1 || op.kind != ln::plan::op_kind::narrow) return false;
  }
  return true;
}());
static_assert(ln::plan::ops_v<piped_t<kvs, decltype(ln::map_values(half) | ln::keys())>>[0].name == "map_values");
static_assert(ln::plan::ops_v<piped_t<kvs, decltype(ln::map_values(half) | ln::keys())>>[1].name == "keys");
static_assert(ln::plan::ops_v<decltype(ln::parallelize(std::declval<std::vector<int>>(), 2))>.empty());

// ---- range interop --------------------------------------------------------------------------
static_assert(std::ranges::input_range<M>);
static_assert(std::ranges::input_range<const MFM>);
static_assert(std::ranges::input_range<P5>);
static_assert(std::ranges::input_range<decltype(ln::parallelize(std::declval<std::vector<int>>(), 2))>);
static_assert(std::is_same_v<std::ranges::range_value_t<MFM>, std::string>);
static_assert(std::is_same_v<std::ranges::range_value_t<P5>, ln::element_t<P5>>);
static_assert(std::same_as<std::ranges::sentinel_t<MFM>, std::default_sentinel_t>);

// ---- pipelines, closures, and what may stand on each side of | ----------------------------------
static_assert(ln::pipeline<M> && ln::pipeline<const P5&>);
static_assert(!ln::pipeline<std::vector<int>> && !ln::pipeline<decltype(ln::map(twice))>);
static_assert(ln::closure<decltype(ln::map(twice))> && ln::closure<composed> && ln::closure<decltype(ln::sum())>);
static_assert(!ln::closure<M> && !ln::closure<decltype(twice)>);
static_assert(pipeable<ints, decltype(ln::map(twice))>);
static_assert(pipeable<decltype(ln::map(twice)), decltype(ln::filter(is_even))>);  // composition
static_assert(pipeable<const M&, decltype(ln::sum(ln::par))>);
static_assert(!pipeable<int, decltype(ln::map(twice))>);          // not a range
static_assert(!pipeable<int, decltype(ln::collect())>);
static_assert(!pipeable<ints, decltype(twice)>);                 // not a closure
static_assert(!pipeable<ints, std::vector<int>&>);
// The call forms: a range (or pipeline) first, never something else.
static_assert(std::invocable<decltype(ln::map), ints, decltype(twice)>);
static_assert(std::invocable<decltype(ln::map), decltype(twice)>);
static_assert(!std::invocable<decltype(ln::map), int, decltype(twice)>);
static_assert(!std::invocable<decltype(ln::filter), int, decltype(is_even)>);
static_assert(!std::invocable<decltype(ln::keys), int>);
static_assert(std::invocable<decltype(ln::keys), kvs>);
static_assert(!std::invocable<decltype(ln::map)>);
static_assert(!std::invocable<decltype(ln::parallelize), int, std::size_t>);
// Actions take an execution policy, nothing else.
static_assert(std::invocable<decltype(ln::collect), ln::seq_t> && std::invocable<decltype(ln::collect), ln::par_t>);
static_assert(!std::invocable<decltype(ln::collect), int>);
static_assert(!std::invocable<decltype(ln::sum), ln::seq_t, ln::par_t>);
static_assert(!std::invocable<decltype(ln::count), const char*>);
static_assert(std::invocable<decltype(ln::take), std::size_t, ln::par_t>);
static_assert(!std::invocable<decltype(ln::take), std::size_t, int>);
static_assert(!std::invocable<decltype(ln::take), std::vector<int>&>);
static_assert(std::is_same_v<decltype(ln::par(3)), ln::par_t>);

// ---- what actions return --------------------------------------------------------------------
static_assert(std::is_same_v<piped_t<const MF&, decltype(ln::collect())>, std::vector<int>>);
static_assert(std::is_same_v<piped_t<const MF&, decltype(ln::collect(ln::par))>, std::vector<int>>);
static_assert(std::is_same_v<piped_t<const MFM&, decltype(ln::collect())>, std::vector<std::string>>);
static_assert(std::is_same_v<piped_t<const MF&, decltype(ln::count())>, std::size_t>);
static_assert(std::is_same_v<piped_t<const MF&, decltype(ln::reduce(plus))>, std::optional<int>>);
static_assert(std::is_same_v<piped_t<const MF&, decltype(ln::reduce(plus, ln::par(2)))>, std::optional<int>>);
static_assert(std::is_same_v<piped_t<const MF&, decltype(ln::fold(0LL, plus_ll))>, long long>);
static_assert(std::is_same_v<piped_t<const MF&, decltype(ln::sum())>, int>);
static_assert(std::is_same_v<piped_t<const MFM&, decltype(ln::sum())>, std::string>);
static_assert(std::is_same_v<piped_t<const MF&, decltype(ln::for_each(ignore))>, void>);
static_assert(std::is_same_v<piped_t<const MF&, decltype(ln::take(3))>, std::vector<int>>);
static_assert(std::is_same_v<piped_t<const MFM&, decltype(ln::first(ln::par))>, std::optional<std::string>>);
static_assert(std::is_same_v<piped_t<ints, decltype(ln::filter(as_int) | ln::count())>, std::size_t>);

}  // namespace
