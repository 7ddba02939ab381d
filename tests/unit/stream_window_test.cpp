// Streams, step 3: window, reduce_by_key_and_window (plain and incremental), their state on
// resume. Oracle: the batches windowed by hand.
#include "stream_test_support.hpp"

#include <set>

using namespace stream_test;

namespace {

using kv = std::pair<int, long>;

// The batches in the window that ends with batch b, oldest first.
template <class T>
std::vector<const std::vector<T>*> window_of(const std::vector<std::vector<T>>& input, std::size_t b,
                                             std::size_t length) {
  std::vector<const std::vector<T>*> out;
  for (std::size_t i = b + 1 >= length ? b + 1 - length : 0; i <= b; ++i) out.push_back(&input[i]);
  return out;
}

// Per key: the sum over the window; keys with a value in it only.
std::vector<kv> windowed_sums(const std::vector<std::vector<kv>>& input, std::size_t b, std::size_t length) {
  std::map<int, long> m;
  for (const auto* batch : window_of(input, b, length)) {
    for (const auto& [k, v] : *batch) m[k] += v;
  }
  return {m.begin(), m.end()};
}

std::set<std::uint64_t> emitting(std::size_t batches, std::size_t slide) {
  std::set<std::uint64_t> out;
  for (std::size_t b = 0; b < batches; ++b) {
    if ((b + 1) % slide == 0) out.insert(b);
  }
  return out;
}

template <class T>
std::set<std::uint64_t> keys_of(const std::map<std::uint64_t, T>& m) {
  std::set<std::uint64_t> out;
  for (const auto& [b, v] : m) out.insert(b);
  return out;
}

template <class Policy>
void check_window(const Policy& policy) {
  for (auto [length, slide] : {std::pair<std::size_t, std::size_t>{1, 1}, {3, 1}, {3, 2}, {4, 4}, {2, 3}}) {
    INFO("length " << length << ", slide " << slide);
    const auto input = random_batches(11, 12, static_cast<std::uint32_t>(length * 10 + slide));
    recorder<int> seen;
    scratch_dir dir;
    const auto q = ln::batches(input) | ln::window(length, slide) | ln::foreach_batch(seen);
    const auto r = q.run(dir / "s", scratch_options(), policy);
    CHECK(r.batches_run == input.size());  // every batch committed, output or not
    CHECK(keys_of(seen.d->seen) == emitting(input.size(), slide));
    for (const auto b : emitting(input.size(), slide)) {
      std::vector<int> expected;
      for (const auto* batch : window_of(input, b, length)) expected.insert(expected.end(), batch->begin(), batch->end());
      CHECK(seen.d->seen.at(b) == expected);
    }
  }
}

template <class Policy, class Make>
void check_reduce_window(const Policy& policy, Make make) {
  for (auto [length, slide] : {std::pair<std::size_t, std::size_t>{1, 1}, {3, 1}, {4, 2}, {2, 3}}) {
    for (int keys : {1, 7, 400}) {
      INFO("length " << length << ", slide " << slide << ", keys " << keys);
      const auto input = random_pair_batches(13, 40, keys, static_cast<std::uint32_t>(keys + length * 3 + slide));
      recorder<kv> seen;
      scratch_dir dir;
      const auto q = ln::batches(input) | make(length, slide) | ln::foreach_batch(seen);
      q.run(dir / "s", scratch_options(), policy);
      CHECK(keys_of(seen.d->seen) == emitting(input.size(), slide));
      for (const auto b : emitting(input.size(), slide)) {
        INFO("batch " << b);
        CHECK(sorted(seen.d->seen.at(b)) == windowed_sums(input, b, length));
      }
    }
  }
}

auto plain_sum = [](std::size_t length, std::size_t slide) {
  return ln::reduce_by_key_and_window(std::plus<long>{}, length, slide);
};
auto incremental_sum = [](std::size_t length, std::size_t slide) {
  return ln::reduce_by_key_and_window(std::plus<long>{}, std::minus<long>{}, length, slide);
};

}  // namespace

TEST_CASE("window(length, slide) against the batches windowed by hand", "[stream]") { check_window(ln::seq); }

TEST_CASE("window under ln::par", "[stream][par]") { check_window(ln::par(3)); }

TEST_CASE("reduce_by_key_and_window(op, length, slide) against the oracle", "[stream]") {
  check_reduce_window(ln::seq, plain_sum);
}

TEST_CASE("reduce_by_key_and_window(op, inverse_op, length, slide) against the oracle", "[stream]") {
  check_reduce_window(ln::seq, incremental_sum);
}

TEST_CASE("reduce_by_key_and_window, both forms, under ln::par", "[stream][par]") {
  check_reduce_window(ln::par(3), plain_sum);
  check_reduce_window(ln::par(3), incremental_sum);
}

TEST_CASE("incremental window: a key whose values sum to zero stays, a key with no value left goes", "[stream]") {
  const std::vector<std::vector<kv>> input = {{{1, 5}, {2, 3}}, {{1, -5}}, {}, {}};
  recorder<kv> seen;
  scratch_dir dir;
  (ln::batches(input) | incremental_sum(2, 1) | ln::foreach_batch(seen)).run(dir / "s", scratch_options());
  CHECK(sorted(seen.d->seen.at(1)) == std::vector<kv>{{1, 0}, {2, 3}});
  CHECK(sorted(seen.d->seen.at(2)) == std::vector<kv>{{1, -5}});
  CHECK(seen.d->seen.at(3).empty());
}

namespace {

template <class Build>
void check_window_resume(Build build) {
  const auto all = random_pair_batches(17, 30, 9, 123);
  const std::size_t length = 4, slide = 2;
  scratch_dir dir;
  const auto s = dir / "s";
  const auto out = dir / "out";
  auto opts = scratch_options();
  opts.state_every = 3;
  opts.max_batches = 5;
  std::uint64_t replayed = 0;
  for (int run = 0; run < 6; ++run) {
    replayed += (build(ln::batches(all), length, slide) | ln::write_batches(out)).run(s, opts).batches_replayed;
  }
  CHECK(replayed > 0);
  for (std::size_t b = 0; b < all.size(); ++b) {
    INFO("batch " << b);
    if ((b + 1) % slide == 0) {
      CHECK(sorted(recovered_batch<kv>(out, b)) == windowed_sums(all, b, length));
    } else {
      CHECK_FALSE(fs::exists(ln::batch_output_path(out, b)));
    }
  }
}

}  // namespace

TEST_CASE("windowed operators resume from their state checkpoints", "[stream]") {
  SECTION("plain") {
    check_window_resume([](const auto& s, std::size_t length, std::size_t slide) { return s | plain_sum(length, slide); });
  }
  SECTION("incremental") {
    check_window_resume(
        [](const auto& s, std::size_t length, std::size_t slide) { return s | incremental_sum(length, slide); });
  }
  SECTION("window, then reduce_by_key per window") {
    check_window_resume([](const auto& s, std::size_t length, std::size_t slide) {
      return s | ln::window(length, slide) | ln::reduce_by_key(std::plus<long>{});
    });
  }
}
