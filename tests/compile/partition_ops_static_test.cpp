// Issue 10, partition-at-a-time operations: element types, fusion into one stage (they are
// narrow), and their place in the compile-time plan.
#include <lineage/lineage.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace ln = lineage;

namespace {

using v_int = std::vector<int>&;
inline constexpr auto sizes_of = [](std::span<const int> part) { return std::vector<std::size_t>{part.size()}; };
inline constexpr auto tagged = [](std::size_t i, std::span<const int> part) {
  return std::vector<std::pair<std::size_t, int>>(part.size(), {i, 0});
};
inline constexpr auto view_of = [](std::span<const int> part) { return part; };

using mp = decltype(std::declval<v_int>() | ln::map([](int x) { return x; }) | ln::map_partitions(sizes_of) |
                    ln::filter([](std::size_t) { return true; }));
static_assert(std::is_same_v<ln::element_t<mp>, std::size_t>);
static_assert(ln::stage_count_v<mp> == 1);  // map, map_partitions and filter fuse into one kernel
static_assert(ln::plan::ops_v<mp>[1].name == "map_partitions" && ln::plan::ops_v<mp>[1].stage == 1);
static_assert(ln::plan::ops_v<mp>[1].kind == ln::plan::op_kind::narrow);
// A container returned by value is moved from; a view of the span is read in place.
static_assert(std::is_same_v<ln::reference_t<mp>, std::size_t&&>);
static_assert(std::is_same_v<ln::reference_t<decltype(std::declval<v_int>() | ln::map_partitions(view_of))>, const int&>);

using mpi = decltype(std::declval<v_int>() | ln::map_partitions_with_index(tagged));
static_assert(std::is_same_v<ln::element_t<mpi>, std::pair<std::size_t, int>>);

using zipped = decltype(std::declval<v_int>() | ln::zip_with_index);
static_assert(std::is_same_v<zipped, decltype(std::declval<v_int>() | ln::zip_with_index())>);
static_assert(std::is_same_v<ln::element_t<zipped>, std::pair<int, std::size_t>>);
static_assert(ln::stage_count_v<zipped> == 1);

static_assert(ln::stage_count_v<decltype(std::declval<v_int>() | ln::coalesce(2) | ln::sample(0.5, 1))> == 1);
static_assert(ln::plan::ops_v<decltype(std::declval<v_int>() | ln::coalesce(2))>[0].name == "coalesce");
static_assert(ln::lineage_depth_v<decltype(std::declval<v_int>() | ln::coalesce(2) | ln::sample(0.5, 1))> == 2);

using splits = decltype(std::declval<v_int>() | ln::random_split({1.0, 1.0}, 1));
static_assert(std::is_same_v<ln::element_t<typename splits::value_type>, int>);
static_assert(ln::plan::ops_v<typename splits::value_type>[0].name == "random_split");

// Actions' results.
static_assert(std::is_same_v<decltype(std::declval<v_int>() | ln::take_sample(3, 1)), std::vector<int>>);
static_assert(std::is_same_v<decltype(std::declval<v_int>() | ln::take_sample(3, 1, ln::with_replacement, ln::par)),
                             std::vector<int>>);
static_assert(std::is_void_v<decltype(std::declval<v_int>() | ln::foreach_partition([](std::span<const int>) {}))>);
static_assert(std::is_void_v<decltype(std::declval<v_int>() | ln::save_as_text_file("dir"))>);

// An accumulator is a cheap handle: copies share the value.
static_assert(std::is_copy_constructible_v<ln::accumulator<long>>);
static_assert(sizeof(ln::accumulator<long>) == sizeof(std::shared_ptr<int>));

}  // namespace
