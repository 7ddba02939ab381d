// Range interop (range-for, std and range-v3 algorithms, std views over a pipeline), pipelines
// as values (sharing, borrowing, repeated actions) and ln::explain.
#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <forward_list>
#include <iterator>
#include <list>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <ranges>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <range/v3/algorithm/count_if.hpp>
#include <range/v3/numeric/accumulate.hpp>
#include <range/v3/view/iota.hpp>
#include <range/v3/view/transform.hpp>

#include "test_support.hpp"

namespace {

namespace ln = lineage;
using namespace lineage_test;

constexpr auto square = [](int x) { return static_cast<long long>(x) * x; };
constexpr auto odd = [](long long x) { return x % 2 != 0; };
constexpr auto big = [](long long x) { return x > 250'000; };

std::vector<long long> oracle(const std::vector<int>& data) {
  std::vector<long long> out;
  for (int x : data) {
    if (odd(square(x))) out.push_back(square(x));
  }
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("a pipeline is an input range: range-for walks its elements in order", "[interop]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 31u + static_cast<std::uint32_t>(n));
    const auto expected = oracle(data);
    with_sources(data, [&](const std::string& source, auto&& src) {
      INFO("source: " << source << ", size: " << n);
      const auto p = std::forward<decltype(src)>(src) | ln::map(square) | ln::filter(odd);
      std::vector<long long> seen;
      for (auto&& x : p) seen.push_back(x);
      CHECK(mismatch(seen, expected) == "");
      // Iterating twice runs the plan twice, with the same result.
      seen.clear();
      for (const long long& x : p) seen.push_back(x);
      CHECK(mismatch(seen, expected) == "");
    });
  }
  // A temporary pipeline in a range-for.
  const auto data = random_ints(100, 32);
  std::vector<long long> seen;
  for (long long x : data | ln::map(square) | ln::filter(odd)) seen.push_back(x);
  CHECK(mismatch(seen, oracle(data)) == "");
}

TEST_CASE("std algorithms on a pipeline", "[interop]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 33u + static_cast<std::uint32_t>(n));
    const auto expected = oracle(data);
    INFO("size: " << n);
    const auto p = data | ln::map(square) | ln::filter(odd);
    CHECK(std::ranges::count_if(p, big) == std::count_if(expected.begin(), expected.end(), big));
    CHECK(std::ranges::distance(p) == static_cast<std::ptrdiff_t>(expected.size()));
    CHECK(std::ranges::distance(std::ranges::begin(p), std::ranges::end(p)) == static_cast<std::ptrdiff_t>(expected.size()));
    CHECK((std::ranges::find_if(p, big) == std::ranges::end(p)) == (std::ranges::find_if(expected, big) == expected.end()));
    std::vector<long long> copied;
    std::ranges::copy(p, std::back_inserter(copied));
    CHECK(mismatch(copied, expected) == "");
    const auto parts = ln::parallelize(data, 7) | ln::map(square);
    CHECK(std::ranges::count_if(parts, odd) == std::ranges::count_if(data, [](int x) { return x % 2 != 0; }));
  }
}

TEST_CASE("range-v3 algorithms on a pipeline", "[interop]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 34u + static_cast<std::uint32_t>(n));
    const auto expected = oracle(data);
    INFO("size: " << n);
    const auto p = data | ln::map(square) | ln::filter(odd);
    CHECK(ranges::accumulate(p, 0LL) == std::accumulate(expected.begin(), expected.end(), 0LL));
    CHECK(ranges::count_if(p, big) == std::count_if(expected.begin(), expected.end(), big));
    const auto q = ranges::views::iota(0, static_cast<int>(n)) | ln::map([&](int i) { return data[static_cast<std::size_t>(i)]; });
    CHECK(ranges::accumulate(q, 0LL) == std::accumulate(data.begin(), data.end(), 0LL));
  }
}

TEST_CASE("a pipeline piped into std views", "[interop]") {
  const auto data = random_ints(10'000, 35);
  const auto expected = oracle(data);
  const auto p = data | ln::map(square) | ln::filter(odd);
  std::vector<long long> seen;
  for (long long x : p | std::views::filter(big)) seen.push_back(x);
  std::vector<long long> want;
  std::ranges::copy_if(expected, std::back_inserter(want), big);
  CHECK(mismatch(seen, want) == "");

  seen.clear();
  for (long long x : p | std::views::transform([](long long x) { return -x; }) | std::views::take(10)) seen.push_back(x);
  want.clear();
  for (std::size_t i = 0; i < std::min<std::size_t>(10, expected.size()); ++i) want.push_back(-expected[i]);
  CHECK(mismatch(seen, want) == "");

  // ... and a std view built on a pipeline is a source of a new lineage.
  auto big_ones = p | std::views::filter(big);  // not const: a filter_view caches begin()
  CHECK((big_ones | ln::count()) == static_cast<std::size_t>(std::ranges::count_if(expected, big)));
  CHECK(mismatch(big_ones | ln::map([](long long x) { return x / 2; }) | ln::take(3), [&] {
          std::vector<long long> out;
          for (long long x : expected) {
            if (big(x) && out.size() < 3) out.push_back(x / 2);
          }
          return out;
        }()) == "");
}

TEST_CASE("sources that are not random-access or not sized", "[interop][sources][par]") {
  // DESIGN.md: any viewable range starts a lineage. Only random-access sized ones are split
  // under ln::par; the others run as one partition, with every policy.
  const auto data = random_ints(10'000, 38);
  const auto expected = oracle(data);
  std::list<int> list(data.begin(), data.end());
  std::set<int> set(data.begin(), data.end());
  std::vector<long long> from_set;
  for (int x : set) {
    if (odd(square(x))) from_set.push_back(square(x));
  }
  with_policies([&](const std::string& policy, auto pol) {
    INFO("policy: " << policy);
    CHECK(mismatch(list | ln::map(square) | ln::filter(odd) | ln::collect(pol), expected) == "");
    CHECK(mismatch(std::forward_list<int>(data.begin(), data.end()) | ln::map(square) | ln::filter(odd) | ln::collect(pol),
                   expected) == "");
    CHECK(mismatch(set | ln::map(square) | ln::filter(odd) | ln::collect(pol), from_set) == "");
    // A std filter view (bidirectional, not sized; not const-iterable), as lvalue and rvalue.
    auto odd_ones = data | std::views::filter([](int x) { return x % 2 != 0; });
    CHECK(mismatch(odd_ones | ln::map(square) | ln::collect(pol), expected) == "");
    CHECK(mismatch(data | std::views::filter([](int x) { return x % 2 != 0; }) | ln::map(square) | ln::take(5, pol),
                   std::vector<long long>(expected.begin(), expected.begin() + std::min<std::ptrdiff_t>(5, std::ssize(expected)))) == "");
    // An input-only view with move-only iterators, read once.
    std::ostringstream text;
    for (int x : data) text << x << ' ';
    std::istringstream in(text.str());
    CHECK(mismatch(std::views::istream<int>(in) | ln::map(square) | ln::filter(odd) | ln::collect(pol), expected) == "");
    // A std::map: its pairs' keys are const.
    std::map<std::string, int> counts;
    for (int x : data) ++counts[std::to_string(mod(x, 100))];
    std::vector<std::pair<std::string, long long>> scaled;
    for (const auto& [k, n] : counts) scaled.emplace_back(k, n * 10LL);
    CHECK(mismatch(counts | ln::map_values([](int n) { return n * 10LL; }) | ln::collect(pol), scaled) == "");
    CHECK((counts | ln::values() | ln::sum(pol)) == static_cast<int>(data.size()));
  });
}

TEST_CASE("parallelize of ranges that are not sized", "[interop][sources][par]") {
  // Neither sized nor common (the end is a sentinel of another type): parallelize must count
  // the elements by reading them once.
  const auto data = random_ints(10'000, 39);
  std::ostringstream text;
  for (int x : data) text << x << ' ';
  std::istringstream in(text.str());
  const auto from_stream = ln::parallelize(std::views::istream<int>(in), 7);
  CHECK(from_stream.partitions() == 7);
  const auto below = ln::parallelize(std::views::iota(0) | std::views::take_while([](int x) { return x < 1000; }), 3);
  with_policies([&](const std::string& policy, auto pol) {
    INFO("policy: " << policy);
    CHECK(mismatch(from_stream | ln::collect(pol), data) == "");
    CHECK((below | ln::sum(pol)) == 999 * 1000 / 2);
  });
}

TEST_CASE("a pipeline over a move-only std view is still a copyable value", "[values][sources][par]") {
  // `std::vector{...} | std::views::filter(p)` is a filter_view over an owning_view: a view
  // that owns the vector and is move-only. A pipeline is a value (DESIGN.md: cheap to copy,
  // actions work on lvalue pipelines), so the source must not make it move-only.
  const auto data = random_ints(10'000, 40);
  auto p = std::vector<int>(data) | std::views::filter([](int x) { return x % 2 != 0; }) | ln::map(square);
  CHECK(std::is_copy_constructible_v<decltype(p)>);
  [&](auto& pipeline) {  // a template, so that the copies are only compiled when possible
    using P = std::remove_cvref_t<decltype(pipeline)>;
    if constexpr (std::is_copy_constructible_v<P>) {
      const P q = pipeline;
      const auto expected = oracle(data);
      for (int run = 0; run < 2; ++run) {
        CHECK(mismatch(pipeline | ln::collect(), expected) == "");
        CHECK(mismatch(q | ln::collect(ln::par), expected) == "");
        CHECK((q | ln::count()) == expected.size());
      }
    }
  }(p);
  // Moving it is always possible.
  CHECK((std::move(p) | ln::count()) == oracle(data).size());
}


TEST_CASE("copying a pipeline does not copy its data", "[values][par]") {
  const auto data = random_ints(10'000, 36);
  std::vector<tracked> elements;
  for (int x : data) elements.emplace_back(x);
  const long long total = std::accumulate(data.begin(), data.end(), 0LL);

  tracked::copies = 0;
  // An rvalue container is moved into the pipeline, never copied.
  const auto p = std::move(elements) | ln::map([](const tracked& t) { return static_cast<long long>(t.value); });
  CHECK(tracked::copies == 0);
  const auto q = p;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the test
  auto r = q;
  const auto s = std::move(r);
  CHECK(tracked::copies == 0);
  with_policies([&](const std::string& policy, auto pol) {
    INFO("policy: " << policy);
    CHECK((p | ln::sum(pol)) == total);
    CHECK((q | ln::sum(pol)) == total);
    CHECK((s | ln::count(pol)) == data.size());
  });
  CHECK(tracked::copies == 0);

  // The same for parallelize (which moves the elements of an rvalue container into partitions).
  std::vector<tracked> more;
  for (int x : data) more.emplace_back(x);
  tracked::copies = 0;
  const auto parts = ln::parallelize(std::move(more), 7);
  const auto parts_copy = parts;
  const auto mapped = parts_copy | ln::map([](const tracked& t) { return static_cast<long long>(t.value); });
  const auto mapped_copy = mapped;
  CHECK((mapped_copy | ln::sum(ln::par)) == total);
  CHECK((mapped | ln::sum()) == total);
  CHECK(tracked::copies == 0);
}

TEST_CASE("actions on an lvalue pipeline can run repeatedly", "[values][par]") {
  // Owned strings that a by-value map parameter could be moved from, if a run consumed them.
  const auto data = random_ints(10'000, 37);
  std::vector<std::string> words;
  for (int x : data) words.push_back("w" + std::to_string(x));
  std::vector<std::string> expected;
  for (const auto& w : words) expected.push_back(w + "!");

  const auto p = std::vector<std::string>(words) | ln::map([](std::string w) { return w + "!"; });
  const auto from_parts = ln::parallelize(std::vector<std::string>(words), 7) | ln::map([](std::string w) { return w + "!"; });
  const auto flat = std::vector<int>(data) | ln::flat_map([](int x) {
                      return std::vector<std::string>{"w" + std::to_string(x)};
                    }) |
                    ln::map([](std::string w) { return w + "!"; });
  for (int run = 0; run < 3; ++run) {
    INFO("run " << run);
    with_policies([&](const std::string& policy, auto pol) {
      INFO("policy: " << policy);
      CHECK(mismatch(p | ln::collect(pol), expected) == "");
      CHECK(mismatch(from_parts | ln::collect(pol), expected) == "");
      CHECK(mismatch(flat | ln::collect(pol), expected) == "");
      CHECK((p | ln::first(pol)) == std::optional<std::string>(expected.front()));
    });
  }
}

TEST_CASE("an lvalue source is borrowed: the pipeline sees later changes", "[values]") {
  std::vector<int> v = {1, 2, 3};
  const auto p = v | ln::map([](int x) { return x * 10; });
  CHECK(mismatch(p | ln::collect(), std::vector<int>{10, 20, 30}) == "");
  v[0] = 7;
  v.push_back(4);  // may reallocate: the pipeline refers to the vector, not to its buffer
  CHECK(mismatch(p | ln::collect(), std::vector<int>{70, 20, 30, 40}) == "");
  CHECK((p | ln::sum()) == 160);
  v.clear();
  CHECK((p | ln::count()) == 0);

  // A const lvalue too, and the two-argument call form.
  std::vector<int> w = {5};
  const std::vector<int>& cw = w;
  const auto q = ln::filter(cw, [](int x) { return x > 0; });
  w.push_back(-1);
  w.push_back(6);
  CHECK(mismatch(q | ln::collect(), std::vector<int>{5, 6}) == "");
}

TEST_CASE("an rvalue source is owned: the pipeline outlives the expression that made it", "[values][par]") {
  const auto make = [](int n) {
    std::vector<int> local(static_cast<std::size_t>(n));
    std::iota(local.begin(), local.end(), 1);
    return std::move(local) | ln::map([](int x) { return x * 2; });
  };
  const auto p = make(100);  // `local` is gone; AddressSanitizer would catch a dangling borrow
  CHECK((p | ln::sum()) == 100 * 101);
  CHECK((p | ln::count(ln::par)) == 100);

  // An rvalue std view is kept by value (an lvalue one, like any lvalue, would be borrowed).
  const auto view_pipeline = [] {
    auto view = std::views::iota(0, 1000) | std::views::transform([](int x) { return x + 1; });
    return std::move(view) | ln::filter([](int x) { return x % 2 == 0; });
  }();
  CHECK((view_pipeline | ln::sum()) == 250'500);

  // A range-v3 view rvalue is owned too.
  const auto rv3 = [] { return ranges::views::iota(1, 11) | ln::map([](int x) { return x * x; }); }();
  CHECK((rv3 | ln::sum()) == 385);

  // Copies outlive the original.
  std::optional<std::remove_cvref_t<decltype(p)>> copy;
  {
    const auto original = make(10);
    copy.emplace(original);
  }
  CHECK((*copy | ln::collect()) == std::vector<int>{2, 4, 6, 8, 10, 12, 14, 16, 18, 20});
}

TEST_CASE("ln::explain shows one stage with the fused operators", "[explain]") {
  std::vector<long> v = {1, 2, 3};
  const auto p = v | ln::map([](long x) { return x + 1; }) | ln::filter([](long x) { return x > 1; }) |
                 ln::flat_map([](long x) { return std::vector<long>(2, x); });
  using P = decltype(p);
  // Built from the operators' names as the plan reports them...
  std::string expected = "stage 1: range<long>";
  for (const auto& op : ln::plan::ops_v<P>) expected += " -> " + std::string(op.name);
  expected += "\n";
  CHECK(ln::explain(p) == expected);
  // ... and spelled out.
  CHECK(ln::explain(p) == "stage 1: range<long> -> map -> filter -> flat_map\n");
  const auto stage_lines = lines(ln::explain(p));
  REQUIRE(stage_lines.size() == ln::stage_count_v<P>);
  CHECK(stage_lines.front().starts_with("stage 1: "));

  // Other sources, and a chain built from a composed closure.
  const auto clean = ln::map([](const std::pair<std::string, int>& kv) { return kv; }) | ln::values() |
                     ln::map([](int x) { return x * 2; });
  const std::vector<std::pair<std::string, int>> kv = {{"a", 1}};
  const auto kv_lines = lines(ln::explain(kv | clean));
  REQUIRE(kv_lines.size() == 1);
  CHECK(kv_lines[0].starts_with("stage 1: range<std::pair<"));
  CHECK(kv_lines[0].ends_with("> -> map -> values -> map"));
  const auto parts = ln::parallelize(kv, 3) | ln::map_values([](int x) { return x; }) | ln::keys() |
                     ln::filter([](const std::string& s) { return !s.empty(); });
  const auto part_lines = lines(ln::explain(parts));
  REQUIRE(part_lines.size() == 1);
  CHECK(part_lines[0].starts_with("stage 1: parallelize<std::pair<"));
  CHECK(part_lines[0].ends_with(">[3 partitions] -> map_values -> keys -> filter"));
  // A source alone is a stage without operators.
  CHECK(ln::explain(ln::parallelize(std::vector<int>{1, 2}, 2)) == "stage 1: parallelize<int>[2 partitions]\n");
  CHECK(ln::explain(ln::parallelize(std::vector<int>{1, 2}, 1)) == "stage 1: parallelize<int>[1 partition]\n");
}
