// Spark habits that just work (issue 10 item 4): a plain partition count, ln::partitioner{n}
// with a runtime int, argument-less actions and adaptors without parentheses, flat_map of a
// std::optional; and composite keys hashed by default (item 2).
#include <lineage/lineage.hpp>

#include <functional>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ln = lineage;

namespace {

using kv = std::pair<int, int>;
using pk = std::pair<std::pair<int, int>, int>;
using tk = std::pair<std::tuple<int, std::string, long>, double>;

[[maybe_unused]] void runtime_int_partitioner(int n) {
  ln::partitioner p{n};
  (void)p;
  ln::partitioner q{n, ln::default_hash<int>{}};
  (void)q;
}

using plain_count = decltype(std::declval<std::vector<kv>&>() | ln::reduce_by_key(std::plus<int>{}, 10));
using explicit_count =
    decltype(std::declval<std::vector<kv>&>() | ln::reduce_by_key(std::plus<int>{}, ln::partitioner{10}));
static_assert(std::is_same_v<plain_count, explicit_count>);
static_assert(std::is_same_v<decltype(std::declval<std::vector<kv>&>() | ln::group_by_key(10)),
                             decltype(std::declval<std::vector<kv>&>() | ln::group_by_key(ln::partitioner{10}))>);
static_assert(std::is_same_v<decltype(std::declval<std::vector<int>&>() | ln::distinct(2)),
                             decltype(std::declval<std::vector<int>&>() | ln::distinct(ln::partitioner{2}))>);

// Without parentheses.
static_assert(std::is_same_v<decltype(std::declval<std::vector<int>&>() | ln::count), std::size_t>);
static_assert(std::is_same_v<decltype(std::declval<std::vector<int>&>() | ln::collect), std::vector<int>>);
static_assert(std::is_same_v<decltype(std::declval<std::vector<kv>&>() | ln::keys | ln::sum), int>);
static_assert(std::is_same_v<decltype(std::declval<std::vector<kv>&>() | ln::count_by_key),
                             std::unordered_map<int, std::size_t>>);

// flat_map of an optional: its value, if any.
constexpr auto odd = [](int x) { return x % 2 != 0 ? std::optional<int>(x) : std::nullopt; };
static_assert(std::is_same_v<ln::element_t<decltype(std::declval<std::vector<int>&>() | ln::flat_map(odd))>, int>);

// Composite keys.
static_assert(ln::detail::hashable_key<std::pair<int, int>, ln::std_hash>);
static_assert(ln::detail::hashable_key<std::tuple<int, std::string, long>, ln::std_hash>);
static_assert(!ln::detail::hashable_key<std::pair<int, std::vector<int>>, ln::std_hash>);
static_assert(std::is_same_v<ln::element_t<decltype(std::declval<std::vector<pk>&>() | ln::reduce_by_key(std::plus<int>{}))>,
                             std::pair<std::pair<int, int>, int>>);
static_assert(std::is_same_v<ln::element_t<decltype(std::declval<std::vector<tk>&>() | ln::group_by_key)>,
                             std::pair<std::tuple<int, std::string, long>, std::vector<double>>>);

}  // namespace
