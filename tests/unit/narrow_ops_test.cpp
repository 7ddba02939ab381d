// Narrow transformations (map, filter, flat_map, map_values, keys, values) against hand-written
// loops, on every kind of source and with every execution policy; fusion (each user function
// called once per element, in one pass); composed closures; both call forms.
#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <range/v3/view/iota.hpp>

#include "test_support.hpp"

namespace {

namespace ln = lineage;
using namespace lineage_test;

// Applies `op` (a closure) to every kind of source of `data` and checks that collecting with
// every policy gives `expected`, with the element type U.
template <class T, class Closure, class U>
void check_narrow(const std::vector<T>& data, const Closure& op, const std::vector<U>& expected) {
  with_sources(data, [&](const std::string& source, auto&& src) {
    const auto p = std::forward<decltype(src)>(src) | op;
    static_assert(std::is_same_v<ln::element_t<decltype(p)>, U>);
    with_policies([&](const std::string& policy, auto pol) {
      INFO("source: " << source << ", policy: " << policy << ", size: " << data.size());
      CHECK(mismatch(p | ln::collect(pol), expected) == "");
    });
  });
}

std::vector<std::pair<int, int>> random_pairs(std::size_t n, std::uint32_t seed) {
  std::vector<std::pair<int, int>> out;
  for (int x : random_ints(n, seed)) out.emplace_back(mod(x, 10), x);
  return out;
}

// The user functions of the tests below, as named types so that their results are known.
constexpr auto triple_minus_7 = [](int x) { return static_cast<long long>(x) * 3 - 7; };
constexpr auto multiple_of_3 = [](int x) { return mod(x, 3) == 0; };
// 0 to 3 consecutive ints starting at x, in a vector returned by value.
constexpr auto run_vector = [](int x) {
  std::vector<int> out;
  for (int j = 0; j < mod(x, 4); ++j) out.push_back(x + j);
  return out;
};
constexpr auto run_std_view = [](int x) { return std::views::iota(x, x + mod(x, 5)); };
constexpr auto run_range_v3 = [](int x) { return ranges::views::iota(x, x + mod(x, 3)); };

}  // namespace

TEST_CASE("map matches a hand-written loop", "[narrow][map][par]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 101u + static_cast<std::uint32_t>(n));
    std::vector<long long> expected;
    for (int x : data) expected.push_back(triple_minus_7(x));
    check_narrow(data, ln::map(triple_minus_7), expected);
  }
}

TEST_CASE("map may change the element type", "[narrow][map][par]") {
  const auto data = random_ints(10'000, 5);
  std::vector<std::string> expected;
  for (int x : data) expected.push_back("#" + std::to_string(x));
  check_narrow(data, ln::map([](int x) { return "#" + std::to_string(x); }), expected);
}

TEST_CASE("filter matches a hand-written loop and keeps the order", "[narrow][filter][par]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 202u + static_cast<std::uint32_t>(n));
    std::vector<int> expected;
    for (int x : data) {
      if (multiple_of_3(x)) expected.push_back(x);
    }
    check_narrow(data, ln::filter(multiple_of_3), expected);
  }
}

TEST_CASE("filter keeping everything or nothing", "[narrow][filter][par]") {
  const auto data = random_ints(10'000, 9);
  check_narrow(data, ln::filter([](int) { return true; }), data);
  check_narrow(data, ln::filter([](int) { return false; }), std::vector<int>{});
}

TEST_CASE("flat_map of a function returning a std::vector", "[narrow][flat_map][par]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 303u + static_cast<std::uint32_t>(n));
    std::vector<int> expected;
    for (int x : data) {
      for (int y : run_vector(x)) expected.push_back(y);
    }
    check_narrow(data, ln::flat_map(run_vector), expected);
  }
}

TEST_CASE("flat_map of a function returning a std view", "[narrow][flat_map][par]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 404u + static_cast<std::uint32_t>(n));
    std::vector<int> expected;
    for (int x : data) {
      for (int y = x; y < x + mod(x, 5); ++y) expected.push_back(y);
    }
    check_narrow(data, ln::flat_map(run_std_view), expected);
  }
}

TEST_CASE("flat_map of a function returning a range-v3 view", "[narrow][flat_map][par]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 505u + static_cast<std::uint32_t>(n));
    std::vector<int> expected;
    for (int x : data) {
      for (int y = x; y < x + mod(x, 3); ++y) expected.push_back(y);
    }
    check_narrow(data, ln::flat_map(run_range_v3), expected);
  }
}

TEST_CASE("flat_map of a function returning a vector of strings", "[narrow][flat_map][par]") {
  const auto data = random_ints(10'000, 6);
  std::vector<std::string> expected;
  for (int x : data) {
    for (int j = 0; j < mod(x, 3); ++j) expected.push_back(std::to_string(x) + ":" + std::to_string(j));
  }
  check_narrow(data, ln::flat_map([](int x) {
                 std::vector<std::string> out;
                 for (int j = 0; j < mod(x, 3); ++j) out.push_back(std::to_string(x) + ":" + std::to_string(j));
                 return out;
               }),
               expected);
}

TEST_CASE("flat_map of a function returning a reference to a container does not move from it",
          "[narrow][flat_map][par]") {
  // Not const: the elements could be moved from, and must not be (they are not f's to give).
  std::vector<std::vector<std::string>> table = {{}, {"one"}, {"two", "deux"}, {"three", "drei", "trois"}};
  const auto lookup = [&table](int x) -> std::vector<std::string>& { return table[static_cast<std::size_t>(mod(x, 4))]; };
  const auto data = random_ints(10'000, 7);
  std::vector<std::string> expected;
  for (int x : data) {
    for (const auto& s : lookup(x)) expected.push_back(s);
  }
  // Every run (3 policies x 8 sources) reads the same table: moving from it would empty it.
  check_narrow(data, ln::flat_map(lookup), expected);
  CHECK(table[3] == std::vector<std::string>{"three", "drei", "trois"});
}

TEST_CASE("map_values matches a hand-written loop", "[narrow][map_values][par]") {
  for (std::size_t n : sizes) {
    const auto data = random_pairs(n, 606u + static_cast<std::uint32_t>(n));
    std::vector<std::pair<int, double>> expected;
    for (const auto& [k, v] : data) expected.emplace_back(k, v * 0.5);
    check_narrow(data, ln::map_values([](int v) { return v * 0.5; }), expected);
  }
}

TEST_CASE("keys and values match hand-written loops", "[narrow][keys][values][par]") {
  for (std::size_t n : sizes) {
    const auto data = random_pairs(n, 707u + static_cast<std::uint32_t>(n));
    std::vector<int> keys;
    std::vector<int> values;
    for (const auto& [k, v] : data) {
      keys.push_back(k);
      values.push_back(v);
    }
    check_narrow(data, ln::keys(), keys);
    check_narrow(data, ln::values(), values);
  }
}

TEST_CASE("pair operators on pairs produced inside the kernel", "[narrow][keys][values][map_values][par]") {
  // The pairs are prvalues made by the map: keys()/values() see rvalues, map_values moves.
  const auto data = random_ints(10'000, 8);
  const auto to_pair = [](int x) { return std::pair<std::string, int>(std::to_string(mod(x, 50)), x); };
  std::vector<std::string> keys;
  std::vector<int> values;
  std::vector<std::pair<std::string, std::string>> mapped;
  for (int x : data) {
    keys.push_back(std::to_string(mod(x, 50)));
    values.push_back(x);
    mapped.emplace_back(std::to_string(mod(x, 50)), std::string(static_cast<std::size_t>(mod(x, 4)), 'v'));
  }
  check_narrow(data, ln::map(to_pair) | ln::keys(), keys);
  check_narrow(data, ln::map(to_pair) | ln::values(), values);
  check_narrow(data,
               ln::map(to_pair) |
                   ln::map_values([](int v) { return std::string(static_cast<std::size_t>(mod(v, 4)), 'v'); }),
               mapped);
}

TEST_CASE("a long fused chain of every narrow operator", "[narrow][par]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 808u + static_cast<std::uint32_t>(n));
    std::vector<std::pair<int, long long>> expected;
    for (int x : data) {
      if (!multiple_of_3(x)) continue;
      for (int y : run_vector(x)) expected.emplace_back(mod(y, 7), triple_minus_7(y));
    }
    check_narrow(data,
                 ln::filter(multiple_of_3) | ln::flat_map(run_vector) |
                     ln::map([](int y) { return std::pair<int, int>(mod(y, 7), y); }) |
                     ln::map_values(triple_minus_7) | ln::map([](const std::pair<int, long long>& kv) { return kv; }) |
                     ln::filter([](const std::pair<int, long long>&) { return true; }),
                 expected);
  }
}

TEST_CASE("a fused chain calls each user function once per element it sees", "[narrow][fusion][par]") {
  const auto m1 = [](int x) { return x * 2 + 1; };
  const auto keep = [](int x) { return mod(x, 3) != 0; };
  const auto m2 = [](int x) { return static_cast<long long>(x) * 5; };
  const auto fm = [](long long x) {
    std::vector<long long> out;
    for (long long j = 0; j < (x % 4 + 4) % 4; ++j) out.push_back(x + j);
    return out;
  };
  const auto m3 = [](long long y) { return y - 1; };

  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 909u + static_cast<std::uint32_t>(n));
    // The oracle: the same chain as a loop, counting the elements reaching each stage.
    std::size_t reach_m2 = 0;
    std::size_t reach_m3 = 0;
    std::vector<long long> expected;
    for (int x : data) {
      const int a = m1(x);
      if (!keep(a)) continue;
      ++reach_m2;
      for (long long y : fm(m2(a))) {
        ++reach_m3;
        expected.push_back(m3(y));
      }
    }

    with_sources(data, [&](const std::string& source, auto&& src) {
      std::atomic<std::size_t> c1{0}, ck{0}, c2{0}, cf{0}, c3{0};
      const auto p = std::forward<decltype(src)>(src) | ln::map(count_calls(c1, m1)) |
                     ln::filter(count_calls(ck, keep)) | ln::map(count_calls(c2, m2)) |
                     ln::flat_map(count_calls(cf, fm)) | ln::map(count_calls(c3, m3));
      CHECK(c1 + ck + c2 + cf + c3 == 0);  // building the pipeline runs nothing
      with_policies([&](const std::string& policy, auto pol) {
        INFO("source: " << source << ", policy: " << policy << ", size: " << n);
        c1 = ck = c2 = cf = c3 = 0;
        CHECK(mismatch(p | ln::collect(pol), expected) == "");
        CHECK(c1 == n);
        CHECK(ck == n);
        CHECK(c2 == reach_m2);
        CHECK(cf == reach_m2);
        CHECK(c3 == reach_m3);
        c1 = ck = c2 = cf = c3 = 0;
        CHECK((p | ln::count(pol)) == expected.size());
        CHECK(c1 == n);
        CHECK(c3 == reach_m3);
      });
    });
  }
}

TEST_CASE("a fused chain runs in one pass: the calls interleave element by element", "[narrow][fusion]") {
  // With ln::seq the kernel pushes each element through the whole chain before reading the
  // next one: the call log equals the oracle's, stage by stage per element. A stage-by-stage
  // evaluation (intermediate containers) would log all of the map calls first.
  const auto data = random_ints(200, 11);
  std::vector<std::string> log;
  std::vector<std::string> expected_log;
  const auto m = [&log](int x) {
    log.push_back("m" + std::to_string(x));
    return x + 1;
  };
  const auto f = [&log](int x) {
    log.push_back("f" + std::to_string(x));
    return mod(x, 2) == 0;
  };
  const auto fm = [&log](int x) {
    log.push_back("fm" + std::to_string(x));
    return std::vector<int>{x, -x};
  };
  const auto sink = [&log](int x) { log.push_back("s" + std::to_string(x)); };
  for (int x : data) {
    expected_log.push_back("m" + std::to_string(x));
    const int a = x + 1;
    expected_log.push_back("f" + std::to_string(a));
    if (mod(a, 2) != 0) continue;
    expected_log.push_back("fm" + std::to_string(a));
    expected_log.push_back("s" + std::to_string(a));
    expected_log.push_back("s" + std::to_string(-a));
  }
  data | ln::map(m) | ln::filter(f) | ln::flat_map(fm) | ln::for_each(sink);
  CHECK(mismatch(log, expected_log) == "");
}

TEST_CASE("building a pipeline calls no user function", "[narrow][fusion]") {
  std::atomic<std::size_t> calls{0};
  const std::vector<int> v = random_ints(1000, 12);
  const auto p = v | ln::map(count_calls(calls, [](int x) { return x; })) |
                 ln::filter(count_calls(calls, [](int) { return true; })) |
                 ln::flat_map(count_calls(calls, [](int x) { return std::vector<int>{x}; }));
  const auto q = p;
  CHECK(calls == 0);
  CHECK((q | ln::count()) == v.size());
  CHECK(calls == 3 * v.size());
}

TEST_CASE("move-only elements flow through a fused chain", "[narrow][par]") {
  const auto data = random_ints(10'000, 13);
  with_policies([&](const std::string& policy, auto pol) {
    INFO("policy: " << policy);
    const auto got = data | ln::map([](int x) { return std::make_unique<int>(x); }) |
                     ln::filter([](const std::unique_ptr<int>& p) { return *p % 2 == 0; }) |
                     ln::map([](std::unique_ptr<int> p) { return std::make_unique<long long>(*p * 2LL); }) |
                     ln::collect(pol);
    std::vector<long long> expected;
    for (int x : data) {
      if (x % 2 == 0) expected.push_back(x * 2LL);
    }
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(*got[i] == expected[i]);
  });
}

TEST_CASE("elements of a container returned by flat_map are moved, not copied", "[narrow][flat_map][par]") {
  const auto data = random_ints(10'000, 14);
  with_policies([&](const std::string& policy, auto pol) {
    INFO("policy: " << policy);
    tracked::copies = 0;
    const auto got = data | ln::flat_map([](int x) {
                       std::vector<tracked> out;
                       for (int j = 0; j < mod(x, 3); ++j) out.emplace_back(x + j);
                       return out;
                     }) |
                     ln::map([](tracked t) { return t; }) | ln::filter([](const tracked& t) { return t.value != 0; }) |
                     ln::collect(pol);
    CHECK(tracked::copies == 0);
    std::vector<int> expected;
    for (int x : data) {
      for (int j = 0; j < mod(x, 3); ++j) {
        if (x + j != 0) expected.push_back(x + j);
      }
    }
    std::vector<int> values;
    for (const auto& t : got) values.push_back(t.value);
    CHECK(mismatch(values, expected) == "");
  });
}

TEST_CASE("closures compose without a source", "[narrow][closure][par]") {
  const auto data = random_ints(10'000, 15);
  const auto clean = ln::map(triple_minus_7) | ln::filter([](long long x) { return x % 4 != 0; });
  const auto more = clean | ln::flat_map([](long long x) { return std::vector<long long>{x, x + 1}; });
  const auto total = clean | ln::sum();
  std::vector<long long> cleaned;
  std::vector<long long> expanded;
  long long sum = 0;
  for (int x : data) {
    const long long y = triple_minus_7(x);
    if (y % 4 == 0) continue;
    cleaned.push_back(y);
    expanded.push_back(y);
    expanded.push_back(y + 1);
    sum += y;
  }
  check_narrow(data, clean, cleaned);
  check_narrow(data, more, expanded);

  std::vector<int> v = data;
  CHECK(mismatch(v | clean | ln::collect(), cleaned) == "");
  CHECK((v | total) == sum);
  CHECK((std::vector<int>(data) | total) == sum);
  CHECK(mismatch(ln::parallelize(data, 5) | clean | ln::collect(ln::par), cleaned) == "");

  // Composition is associative: (a | b) | c and a | (b | c) give the same pipeline.
  const auto a = ln::map([](int x) { return x + 1; });
  const auto b = ln::filter([](int x) { return x % 2 == 0; });
  const auto c = ln::map([](int x) { return x / 2; });
  std::vector<int> abc;
  for (int x : data) {
    if ((x + 1) % 2 == 0) abc.push_back((x + 1) / 2);
  }
  CHECK(mismatch(v | ((a | b) | c) | ln::collect(), abc) == "");
  CHECK(mismatch(v | (a | (b | c)) | ln::collect(), abc) == "");
  CHECK(mismatch(v | a | (b | c) | ln::collect(ln::par), abc) == "");
}

TEST_CASE("member pointers as user functions (std::invoke)", "[narrow][projection][par]") {
  struct item {
    int id;
    bool active;
    std::vector<int> parts;
  };
  std::vector<item> items;
  for (int x : random_ints(1000, 18)) items.push_back({x, x % 3 == 0, std::vector<int>(static_cast<std::size_t>(mod(x, 3)), x)});
  std::vector<int> ids;
  std::vector<int> parts;
  for (const auto& it : items) {
    if (!it.active) continue;
    ids.push_back(it.id);
    for (int y : it.parts) parts.push_back(y);
  }
  CHECK(mismatch(items | ln::filter(&item::active) | ln::map(&item::id) | ln::collect(), ids) == "");
  CHECK(mismatch(items | ln::filter(&item::active) | ln::flat_map(&item::parts) | ln::collect(ln::par), parts) == "");
  // On prvalue elements too (the member of a temporary, read within the fused kernel).
  CHECK(mismatch(items | ln::map([](const item& it) { return it; }) | ln::filter(&item::active) | ln::map(&item::id) |
                     ln::collect(),
                 ids) == "");
  CHECK(mismatch(items | ln::map([](const item& it) { return it; }) | ln::filter(&item::active) |
                     ln::flat_map(&item::parts) | ln::collect(),
                 parts) == "");
}

TEST_CASE("both call forms: ln::op(range, f) equals range | ln::op(f)", "[narrow][call_forms]") {
  const auto data = random_ints(1000, 16);
  const auto pairs = random_pairs(1000, 17);
  std::vector<long long> mapped;
  std::vector<int> filtered;
  std::vector<int> flat;
  std::vector<std::pair<int, double>> mapped_values;
  std::vector<int> keys;
  std::vector<int> values;
  for (int x : data) {
    mapped.push_back(triple_minus_7(x));
    if (multiple_of_3(x)) filtered.push_back(x);
    for (int y : run_vector(x)) flat.push_back(y);
  }
  for (const auto& [k, v] : pairs) {
    mapped_values.emplace_back(k, v * 0.5);
    keys.push_back(k);
    values.push_back(v);
  }
  const auto half = [](int v) { return v * 0.5; };

  CHECK(mismatch(ln::map(data, triple_minus_7) | ln::collect(), mapped) == "");
  CHECK(mismatch(ln::filter(data, multiple_of_3) | ln::collect(), filtered) == "");
  CHECK(mismatch(ln::flat_map(data, run_vector) | ln::collect(), flat) == "");
  CHECK(mismatch(ln::map_values(pairs, half) | ln::collect(), mapped_values) == "");
  CHECK(mismatch(ln::keys(pairs) | ln::collect(), keys) == "");
  CHECK(mismatch(ln::values(pairs) | ln::collect(), values) == "");
  // rvalue sources, pipelines and views as the first argument
  CHECK(mismatch(ln::map(std::vector<int>(data), triple_minus_7) | ln::collect(), mapped) == "");
  CHECK(mismatch(ln::filter(ln::map(data, [](int x) { return x; }), multiple_of_3) | ln::collect(), filtered) == "");
  CHECK(mismatch(ln::keys(ln::parallelize(pairs, 3)) | ln::collect(), keys) == "");
  CHECK(mismatch(ln::values(std::views::all(pairs)) | ln::collect(), values) == "");
}
