// ln::par specifics and the thread pool: partitions run concurrently and are merged in order,
// user functions see every element once, exceptions cross threads, nested parallelism does
// not deadlock, one pipeline may run from several threads. Every case is [par]: the
// ThreadSanitizer build runs exactly these.
#include <catch2/catch.hpp>
#include <lineage/exec/thread_pool.hpp>
#include <lineage/lineage.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

namespace ln = lineage;
using namespace lineage_test;

// Spins until `flag` is set or `limit` passed; true if it was set.
bool wait_for(const std::atomic<bool>& flag, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!flag.load()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace

TEST_CASE("thread_pool runs every task exactly once", "[par][thread_pool]") {
  for (std::size_t threads : {1, 2, 3, 8}) {
    ln::thread_pool pool(threads);
    CHECK(pool.size() == threads);
    for (std::size_t n : {0, 1, 2, 3, 100, 10'000}) {
      INFO("threads: " << threads << ", tasks: " << n);
      std::vector<std::atomic<int>> runs(n);
      pool.run(n, [&](std::size_t i) { runs[i].fetch_add(1); });
      CHECK(std::all_of(runs.begin(), runs.end(), [](const std::atomic<int>& r) { return r.load() == 1; }));
    }
  }
  ln::thread_pool zero(0);  // at least one thread: the caller
  CHECK(zero.size() == 1);
  std::atomic<int> sum{0};
  zero.run(10, [&](std::size_t i) { sum += static_cast<int>(i); });
  CHECK(sum == 45);
}

TEST_CASE("thread_pool runs tasks concurrently", "[par][thread_pool]") {
  // Task 0 waits for task 1 to start and task 1 for task 0: only two threads running at once
  // can finish (a pool running tasks one after another would time out).
  ln::thread_pool pool(2);
  std::atomic<bool> started0{false};
  std::atomic<bool> started1{false};
  std::atomic<int> met{0};
  pool.run(2, [&](std::size_t i) {
    auto& mine = i == 0 ? started0 : started1;
    auto& other = i == 0 ? started1 : started0;
    mine = true;
    if (wait_for(other)) ++met;
  });
  CHECK(met == 2);
}

TEST_CASE("thread_pool rethrows a task's exception after every task ran", "[par][thread_pool]") {
  ln::thread_pool pool(3);
  for (int round = 0; round < 3; ++round) {
    std::vector<std::atomic<int>> runs(1000);
    CHECK_THROWS_AS(pool.run(runs.size(),
                             [&](std::size_t i) {
                               runs[i].fetch_add(1);
                               if (i % 97 == 13) throw std::runtime_error("task " + std::to_string(i));
                             }),
                    std::runtime_error);
    CHECK(std::all_of(runs.begin(), runs.end(), [](const std::atomic<int>& r) { return r.load() == 1; }));
  }
  // A single failing task: its own message comes out.
  CHECK_THROWS_WITH(pool.run(50,
                             [](std::size_t i) {
                               if (i == 42) throw std::logic_error("only 42");
                             }),
                    "only 42");
  // The pool still works afterwards.
  std::atomic<std::size_t> count{0};
  pool.run(500, [&](std::size_t) { ++count; });
  CHECK(count == 500);
}

TEST_CASE("thread_pool: a task may run a nested job without deadlock", "[par][thread_pool]") {
  for (std::size_t threads : {1, 2, 3}) {
    INFO("threads: " << threads);
    ln::thread_pool pool(threads);
    std::vector<std::atomic<int>> runs(8 * 8 * 8);
    pool.run(8, [&](std::size_t i) {
      pool.run(8, [&](std::size_t j) {
        pool.run(8, [&](std::size_t k) { runs[(i * 8 + j) * 8 + k].fetch_add(1); });
      });
    });
    CHECK(std::all_of(runs.begin(), runs.end(), [](const std::atomic<int>& r) { return r.load() == 1; }));
    // Nested jobs while another thread also submits to the same pool.
    std::atomic<int> total{0};
    std::thread other([&] { pool.run(100, [&](std::size_t) { pool.run(3, [&](std::size_t) { ++total; }); }); });
    pool.run(100, [&](std::size_t) { pool.run(2, [&](std::size_t) { ++total; }); });
    other.join();
    CHECK(total == 500);
  }
}

TEST_CASE("ln::par: one shared pool, capped at 4 threads per hardware thread and at least 8", "[par][thread_pool]") {
  const std::size_t hardware = std::max(std::thread::hardware_concurrency(), 1u);
  CHECK(ln::max_par_threads() == std::max<std::size_t>(4 * hardware, 8));
  CHECK(&ln::shared_thread_pool() == &ln::shared_thread_pool());
  CHECK(ln::shared_thread_pool().size() == ln::max_par_threads());
  CHECK(ln::shared_thread_pool().started() < ln::max_par_threads());
}

TEST_CASE("thread_pool starts threads when a job needs them, at most size - 1", "[par][thread_pool]") {
  ln::thread_pool pool(5);
  CHECK(pool.started() == 0);
  std::atomic<int> count{0};
  pool.run(100, [&](std::size_t) { ++count; }, 1);  // limit 1: the caller alone
  CHECK(pool.started() == 0);
  pool.run(2, [&](std::size_t) { ++count; });  // two tasks: one pool thread and the caller
  CHECK(pool.started() == 1);
  pool.run(100, [&](std::size_t) { ++count; }, 3);
  CHECK(pool.started() == 2);
  pool.run(100, [&](std::size_t) { ++count; });
  CHECK(pool.started() == 4);
  CHECK(count == 302);
}

TEST_CASE("thread_pool::run(n, task, limit) runs at most `limit` tasks at once", "[par][thread_pool]") {
  ln::thread_pool pool(6);
  for (std::size_t limit : {1, 2, 3, 6, 100}) {
    INFO("limit: " << limit);
    std::atomic<std::size_t> running{0};
    std::atomic<std::size_t> most{0};
    pool.run(
        60,
        [&](std::size_t) {
          const std::size_t now = running.fetch_add(1) + 1;
          std::size_t seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          running.fetch_sub(1);
        },
        limit);
    CHECK(most.load() <= std::min<std::size_t>(limit, 6));
    CHECK(most.load() >= 1);
  }
}

TEST_CASE("ln::par splits a large vector and merges the partitions in order", "[par]") {
  // Results that depend on the order (collect, take, the first element, a string fold would
  // not compile) equal the sequential ones; counts show every element was seen once.
  for (std::size_t n : {10'000, 100'003}) {
    const auto data = random_ints(n, 41u + static_cast<std::uint32_t>(n));
    std::vector<std::atomic<int>> seen(n);
    const auto p = std::views::iota(std::size_t{0}, n) | ln::map([&](std::size_t i) {
                     seen[i].fetch_add(1);
                     return data[i];
                   });
    with_policies([&](const std::string& policy, auto pol) {
      INFO("policy: " << policy << ", size: " << n);
      for (auto& s : seen) s = 0;
      CHECK(mismatch(p | ln::collect(pol), data) == "");
      CHECK(std::all_of(seen.begin(), seen.end(), [](const std::atomic<int>& s) { return s.load() == 1; }));
    });
  }
}

TEST_CASE("ln::par calls user functions from several threads", "[par]") {
  // With ln::par(2) on a source of two partitions, partition 0's first element waits for
  // partition 1's: only a concurrent run finishes (ln::seq would wait forever, so it isn't run).
  std::vector<int> data(10'000);
  std::iota(data.begin(), data.end(), 0);
  std::atomic<bool> first_half{false};
  std::atomic<bool> second_half{false};
  std::atomic<int> met{0};
  const auto total = ln::parallelize(data, 2) | ln::map([&](int x) {
                       if (x == 0) {
                         first_half = true;
                         if (wait_for(second_half)) ++met;
                       } else if (x == 5'000) {
                         second_half = true;
                         if (wait_for(first_half)) ++met;
                       }
                       return static_cast<long long>(x);
                     }) |
                     ln::sum(ln::par(2));
  CHECK(total == std::accumulate(data.begin(), data.end(), 0LL));
  CHECK(met == 2);
}

TEST_CASE("ln::par splits a random-access source into partitions that run concurrently", "[par]") {
  // The first element waits until an element of the second half is being read: only a run
  // that splits the source and runs the parts on two threads at once gets there (one thread
  // walking the source in order would time out).
  constexpr int n = 10'000;
  std::vector<int> data(n);
  std::iota(data.begin(), data.end(), 0);
  for (const auto pol : {ln::par(2), ln::par(3)}) {
    INFO("threads: " << pol.threads);
    std::atomic<bool> second_half{false};
    std::atomic<int> met{0};
    const auto wait_at_0 = [&](int x) {
      if (x >= n / 2) second_half = true;
      if (x == 0 && wait_for(second_half)) ++met;
      return static_cast<long long>(x);
    };
    CHECK((data | ln::map(wait_at_0) | ln::sum(pol)) == n * (n - 1LL) / 2);
    CHECK(met == 1);
    second_half = false;
    CHECK((std::views::iota(0, n) | ln::map(wait_at_0) | ln::sum(pol)) == n * (n - 1LL) / 2);
    CHECK(met == 2);
  }
}

TEST_CASE("ln::par: for_each sees every element exactly once", "[par]") {
  const auto data = random_ints(100'003, 42);
  std::vector<std::atomic<int>> seen(data.size());
  std::atomic<long long> total{0};
  std::views::iota(std::size_t{0}, data.size()) | ln::filter([](std::size_t i) { return i % 3 != 1; }) |
      ln::for_each(
          [&](std::size_t i) {
            seen[i].fetch_add(1);
            total += data[i];
          },
          ln::par(3));
  long long expected = 0;
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (seen[i].load() != (i % 3 != 1 ? 1 : 0)) ++wrong;
    if (i % 3 != 1) expected += data[i];
  }
  CHECK(wrong == 0);
  CHECK(total == expected);
}

TEST_CASE("ln::par: take and first give the sequential answer and stop early", "[par][take]") {
  constexpr std::size_t big = 100'003;
  const auto data = random_ints(big, 43);
  const auto keep = [](int x) { return x > 990; };
  std::vector<int> expected;
  for (int x : data) {
    if (keep(x)) expected.push_back(x);
  }
  REQUIRE(expected.size() > 20);
  std::atomic<std::size_t> calls{0};
  const auto p = data | ln::map(count_calls(calls, [](int x) { return x; })) | ln::filter(keep);
  for (const auto pol : {ln::par, ln::par(3)}) {
    INFO("threads: " << pol.threads);
    calls = 0;
    CHECK(mismatch(p | ln::take(20, pol), std::vector<int>(expected.begin(), expected.begin() + 20)) == "");
    // Every partition stops after 20 kept elements: far fewer reads than the input.
    CHECK(calls < big / 2);
    calls = 0;
    CHECK((p | ln::first(pol)) == std::optional<int>(expected.front()));
    CHECK(calls < big / 2);
  }
  // Many small partitions.
  CHECK(mismatch(ln::parallelize(data, 64) | ln::filter(keep) | ln::take(20, ln::par),
                 std::vector<int>(expected.begin(), expected.begin() + 20)) == "");
}

TEST_CASE("ln::par: an exception thrown by a user function propagates out of the action", "[par][exceptions]") {
  auto data = random_ints(100'003, 44);
  data[77'777] = 5000;  // the only such element
  const auto throwing = [](int x) {
    if (x == 5000) throw std::runtime_error("bad element");
    return x;
  };
  for (const auto pol : {ln::par, ln::par(3)}) {
    INFO("threads: " << pol.threads);
    CHECK_THROWS_WITH(data | ln::map(throwing) | ln::collect(pol), "bad element");
    CHECK_THROWS_WITH(data | ln::filter([&](int x) { return throwing(x) > 0; }) | ln::count(pol), "bad element");
    CHECK_THROWS_WITH(data | ln::flat_map([&](int x) { return std::vector<int>{throwing(x)}; }) | ln::sum(pol), "bad element");
    CHECK_THROWS_WITH(data | ln::reduce([&](int a, int x) { return a + throwing(x); }, pol), "bad element");
    CHECK_THROWS_WITH(data | ln::fold(0LL, [&](long long a, long long x) { return a + throwing(static_cast<int>(x)); }, pol),
                      "bad element");
    CHECK_THROWS_WITH(data | ln::for_each([&](int x) { (void)throwing(x); }, pol), "bad element");
    CHECK_THROWS_WITH(ln::parallelize(data, 64) | ln::map(throwing) | ln::collect(pol), "bad element");
    CHECK_THROWS_WITH(std::views::iota(0, 100'003) | ln::map([&](int i) { return throwing(data[static_cast<std::size_t>(i)]); }) |
                          ln::take(100'000, pol),
                      "bad element");
    // The pool is still usable afterwards.
    CHECK((data | ln::filter([](int x) { return x != 5000; }) | ln::count(pol)) == data.size() - 1);
  }
}

TEST_CASE("ln::par: an action inside a parallel for_each (nested parallelism)", "[par]") {
  const auto data = random_ints(20'000, 45);
  const long long inner_total = std::accumulate(data.begin(), data.end(), 0LL);
  std::atomic<long long> total{0};
  std::atomic<int> runs{0};
  ln::parallelize(std::vector<int>{1, 2, 3, 4, 5, 6}, 6) | ln::for_each(
                                                                [&](int k) {
                                                                  total += k * (data | ln::map([](int x) {
                                                                                  return static_cast<long long>(x);
                                                                                }) |
                                                                                ln::sum(ln::par));
                                                                  ++runs;
                                                                },
                                                                ln::par);
  CHECK(runs == 6);
  CHECK(total == 21 * inner_total);
}

TEST_CASE("one pipeline runs from several threads at once", "[par]") {
  const auto data = random_ints(50'000, 46);
  std::vector<long long> expected;
  for (int x : data) {
    if (x % 2 == 0) expected.push_back(x * 3LL);
  }
  const long long expected_total = std::accumulate(expected.begin(), expected.end(), 0LL);
  std::atomic<std::size_t> calls{0};
  const auto p = data | ln::filter([](int x) { return x % 2 == 0; }) |
                 ln::map(count_calls(calls, [](int x) { return x * 3LL; }));
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const bool ok = t % 2 == 0 ? (p | ln::collect(ln::par)) == expected : (p | ln::sum(ln::par(3))) == expected_total;
      if (ok) ++good;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(good == 4);
  CHECK(calls == 4 * expected.size());
}
