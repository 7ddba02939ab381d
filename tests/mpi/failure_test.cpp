// An exception on one rank inside a world call is thrown on every rank (mpi/failure.hpp): the
// failing rank gets its own exception, the others ln::mpi::remote_error naming that rank; no
// rank hangs, and the world works again afterwards.
#include <lineage/mpi.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;

struct boom : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs action() on every rank; checks that every rank threw, as described above, that the
// first failing rank is `culprit`.
template <class Action>
void check_fails_everywhere(std::size_t culprit, const Action& action) {
  const auto backend = make_backend(ln::mpi::world);
  INFO("rank " << backend.rank() << ", culprit " << culprit);
  bool threw = false;
  try {
    action();
  } catch (const boom& e) {
    threw = true;
    CHECK(backend.rank() == culprit);
    CHECK(std::string(e.what()) == "boom on " + std::to_string(culprit));
  } catch (const ln::mpi::remote_error& e) {
    threw = true;
    CHECK(backend.rank() != culprit);
    CHECK(e.rank() == culprit);
    CHECK(std::string(e.what()).find("boom on " + std::to_string(culprit)) != std::string::npos);
  }
  CHECK(threw);
}

}  // namespace

TEST_CASE("failure: an exception on one rank is thrown on every rank", "[mpi]") {
  const auto backend = make_backend(ln::mpi::world);
  const std::size_t ranks = backend.size();
  const std::size_t culprit = ranks - 1;  // owns partition ranks - 1 of parallelize(v, ranks)
  std::vector<int> data(1000);
  std::iota(data.begin(), data.end(), 0);
  const int bad = static_cast<int>(data.size() * culprit / ranks);  // the first element of its partition
  const auto fail_on_bad = [bad, culprit](int x) {
    if (x == bad) throw boom("boom on " + std::to_string(culprit));
    return x;
  };
  for (const auto& policy : {ln::mpi::world, ln::mpi::world(2)}) {
    // In a narrow stage before an action (collect), before a shuffle (reduce_by_key), in a
    // reduce function on the read side of a shuffle, and in a local checkpoint.
    check_fails_everywhere(culprit, [&] { return ln::parallelize(data, ranks) | ln::map(fail_on_bad) | ln::collect(policy); });
    check_fails_everywhere(culprit, [&] {
      return ln::parallelize(data, ranks) | ln::map(fail_on_bad) | ln::map([](int x) { return std::pair{x % 7, x}; }) |
             ln::reduce_by_key(std::plus<>()) | ln::count(policy);
    });
    check_fails_everywhere(culprit, [&] {
      return ln::parallelize(data, ranks) | ln::map([](int x) { return std::pair{0, x}; }) |
             ln::reduce_by_key(
                 [culprit, me = backend.rank()](int a, int b) {
                   if (me == culprit) throw boom("boom on " + std::to_string(culprit));
                   return a + b;
                 },
                 ln::partitioner{ranks}) |
             ln::collect(policy);
    });
    check_fails_everywhere(culprit, [&] {
      return (ln::parallelize(data, ranks) | ln::map(fail_on_bad) | ln::local_checkpoint(policy)).size();
    });
    // The world is usable afterwards.
    CHECK((ln::parallelize(data, ranks) | ln::sum(policy)) == std::accumulate(data.begin(), data.end(), 0));
  }
}
