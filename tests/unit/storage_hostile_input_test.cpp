// Hostile partition files whose decoding must stay bounded (issue 7, items 5 and 6): elements
// that serialize to zero bytes nested in containers (time and memory), and recursive element
// types nested deeper than the reader's stack allows. Every forged file has a valid header,
// trailer, checksum and manifest, so only the decoder's own bounds stand between it and the
// reader. Loads that would crash, hang or exhaust memory without those bounds run in a forked
// child under RLIMIT_AS and alarm(); the parent checks how the child ended.
#include "storage_test_support.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <list>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace storage_test;

namespace hostile {

// An element that serializes to zero bytes.
struct nothing {
  friend bool operator==(const nothing&, const nothing&) = default;
  friend bool operator<(const nothing&, const nothing&) { return false; }
};

// A recursive type through std::vector. Destroyed iteratively: the tests build trees deeper
// than a recursive destructor could unwind on a sanitizer's stack.
struct nested_tree {
  std::vector<nested_tree> kids;

  nested_tree() = default;
  nested_tree(nested_tree&&) noexcept = default;
  nested_tree& operator=(nested_tree&&) noexcept = default;
  ~nested_tree() {
    std::vector<nested_tree> pending = std::move(kids);
    while (!pending.empty()) {
      nested_tree last = std::move(pending.back());
      pending.pop_back();
      for (auto& kid : last.kids) pending.push_back(std::move(kid));
      last.kids.clear();
    }
  }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(kids);
  }
};

// A recursive type through std::unique_ptr (a linked list), destroyed iteratively too.
struct chain {
  std::unique_ptr<chain> next;

  chain() = default;
  chain(chain&&) noexcept = default;
  chain& operator=(chain&&) noexcept = default;
  ~chain() {
    auto rest = std::move(next);
    while (rest) rest = std::move(rest->next);
  }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(next);
  }
};

// Nodes on the path from the root to the deepest leaf (a tree of n nodes in a line).
std::size_t depth_of(const nested_tree& t) {
  std::size_t depth = 1;
  for (const nested_tree* node = &t; !node->kids.empty(); node = &node->kids.front()) ++depth;
  return depth;
}
std::size_t depth_of(const chain& c) {
  std::size_t depth = 1;
  for (const chain* node = &c; node->next; node = node->next.get()) ++depth;
  return depth;
}

nested_tree make_tree(std::size_t depth) {
  nested_tree root;
  nested_tree* node = &root;
  for (std::size_t i = 1; i < depth; ++i) node = &node->kids.emplace_back();
  return root;
}
chain make_chain(std::size_t depth) {
  chain root;
  chain* node = &root;
  for (std::size_t i = 1; i < depth; ++i) {
    node->next = std::make_unique<chain>();
    node = node->next.get();
  }
  return root;
}

// cereal's binary encoding, written out by hand: native-order integers.
class payload_builder {
 public:
  payload_builder& u64(std::uint64_t value) { return raw(&value, sizeof value); }
  payload_builder& u8(std::uint8_t value) { return raw(&value, sizeof value); }
  payload_builder& raw(const void* data, std::size_t size) {
    const auto* p = static_cast<const std::byte*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
    return *this;
  }
  std::vector<std::byte> take() { return std::move(bytes_); }

 private:
  std::vector<std::byte> bytes_;
};

// The encoding of make_tree(depth): each node is its kids' count.
std::vector<std::byte> tree_payload(std::size_t depth) {
  payload_builder b;
  for (std::size_t i = 1; i < depth; ++i) b.u64(1);
  return b.u64(0).take();
}

// The encoding of make_chain(depth): each `next` is a byte 1 (present) or 0 (null).
std::vector<std::byte> chain_payload(std::size_t depth) {
  std::vector<std::byte> bytes(depth, std::byte{1});
  bytes.back() = std::byte{0};
  return bytes;
}

// A checkpoint of T in dir whose only partition holds `payload` as `records` records, framed
// exactly as the writer frames a partition (header, trailer, checksum, manifest entry, content
// id): a reader finds nothing wrong with the file until it decodes the payload.
template <class T>
void forge_checkpoint(const fs::path& dir, const std::vector<std::byte>& payload, std::uint64_t records) {
  st::manifest m;
  {
    st::checkpoint_writer writer(dir, scratch_options());
    writer.write_partition(0, std::span<const T>());
    m = writer.commit(st::element_type_name<T>(), 7, "", "none");
  }
  auto& entry = m.partitions.at(0);
  const std::uint64_t checksum = XXH3_64bits(payload.data(), payload.size());
  std::vector<std::byte> file;
  const auto header = st::format::encode_partition_header(m.generation, 0);
  const auto trailer = st::format::encode_partition_trailer(records, payload.size(), checksum);
  file.insert(file.end(), header.begin(), header.end());
  file.insert(file.end(), payload.begin(), payload.end());
  file.insert(file.end(), trailer.begin(), trailer.end());
  entry.records = records;
  entry.bytes = file.size();
  entry.checksum = checksum;
  m.content_id = st::format::compute_content_id(m.partitions);
  write_bytes(dir / entry.file, file);
  write_bytes(dir / "MANIFEST", st::format::encode_manifest(m));
  st::verify(dir);  // the framing is valid: only decoding can fail
}

// ---------------------------------------------------------------------------------------------
// Running a load that may crash, hang or allocate without bound in a child process.

enum child_code : int {
  child_loaded = 40,            // the body returned normally
  child_checkpoint_error = 41,  // lineage::checkpoint_error
  child_length_error = 42,      // std::length_error (the writer refusing data)
  child_bad_alloc = 43,         // std::bad_alloc (the memory limit was hit)
  child_other_exception = 44,   // anything else
  child_setup_failed = 45,      // setrlimit failed
};

struct child_result {
  bool exited = false;  // false: killed by a signal
  int code = 0;         // exit code, or the signal's number
  std::string message;  // what() of the exception the body threw, if any
};

std::string describe(const child_result& r) {
  if (!r.exited) {
    const char* name = ::strsignal(r.code);
    return lineage::detail::cat("killed by signal ", r.code, " (", name != nullptr ? name : "?", ")",
                                r.code == SIGALRM ? ": it ran out of time" : "");
  }
  const char* what = "";
  switch (r.code) {
    case child_loaded: what = "returned normally"; break;
    case child_checkpoint_error: what = "threw checkpoint_error"; break;
    case child_length_error: what = "threw std::length_error"; break;
    case child_bad_alloc: what = "threw std::bad_alloc (memory limit)"; break;
    case child_other_exception: what = "threw another exception"; break;
    case child_setup_failed: what = "could not set its limits"; break;
    default: what = "exited with an unexpected code (a sanitizer report?)"; break;
  }
  return lineage::detail::cat("exited with code ", r.code, " (", what, "): ", r.message);
}

// The address space the process holds now (under AddressSanitizer that includes its shadow
// reservations, so the limit below is relative).
std::uint64_t address_space_in_use() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (statm != nullptr) {
    if (std::fscanf(statm, "%lu", &pages) != 1) pages = 0;
    std::fclose(statm);
  }
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Runs body() in a forked child that may grow its address space by at most `memory` bytes and
// is killed after `seconds`. No Catch2 in the child: it reports through its exit code and a pipe.
template <class F>
child_result run_in_child(F&& body, unsigned seconds, std::uint64_t memory) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    // Die of a crash plainly: not through the test framework's handlers, inherited from the parent.
    for (const int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGALRM}) std::signal(sig, SIG_DFL);
    int code = child_setup_failed;
    std::string message;
    const std::uint64_t limit = address_space_in_use() + memory;
    const ::rlimit as{limit, limit};
    if (::setrlimit(RLIMIT_AS, &as) == 0) {
      ::alarm(seconds);
      try {
        body();
        code = child_loaded;
      } catch (const checkpoint_error& e) {
        code = child_checkpoint_error;
        message = e.what();
      } catch (const std::length_error& e) {
        code = child_length_error;
        message = e.what();
      } catch (const std::bad_alloc&) {
        code = child_bad_alloc;
      } catch (const std::exception& e) {
        code = child_other_exception;
        message = e.what();
      } catch (...) {
        code = child_other_exception;
      }
    }
    for (std::size_t done = 0; done < message.size();) {
      const ::ssize_t n = ::write(fds[1], message.data() + done, message.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  child_result result;
  char buffer[4096];
  for (;;) {
    const ::ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.message.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) REQUIRE(errno == EINTR);
  result.exited = WIFEXITED(status);
  result.code = result.exited ? WEXITSTATUS(status) : WTERMSIG(status);
  return result;
}

bool contains(const std::string& text, const std::string& piece) { return text.find(piece) != std::string::npos; }

constexpr unsigned child_seconds = 5;
constexpr std::uint64_t child_memory = std::uint64_t{512} << 20;

}  // namespace hostile

using namespace hostile;

// ---------------------------------------------------------------------------------------------
// Item 5: nested elements that serialize to zero bytes.

// One record: a vector of n inner containers of zero-byte elements, where each inner size prefix
// claims exactly the bytes left after it. Each prefix alone passes the "count <= bytes left"
// check, but together they claim about 4 n^2 elements from 8 n bytes: decoding them is quadratic
// in the file size (128 KB here: about 10^9 elements, gigabytes or many seconds).
TEMPLATE_TEST_CASE("storage hostile input: inner containers of zero-byte elements that each claim every byte left",
                   "[storage][hostile]", std::vector<nothing>, std::set<nothing>, std::multiset<nothing>,
                   std::list<nothing>, std::deque<nothing>, (std::map<nothing, nothing>)) {
  using T = std::vector<TestType>;
  constexpr std::uint64_t n = 16384;
  payload_builder b;
  b.u64(n);
  for (std::uint64_t i = 0; i < n; ++i) b.u64(8 * (n - 1 - i));  // the bytes after this prefix
  const auto payload = b.take();
  REQUIRE(payload.size() == 8 + 8 * n);

  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  forge_checkpoint<T>(dir, payload, 1);
  const auto r = run_in_child([&] { load_checkpoint<T>(dir); }, child_seconds, child_memory);
  INFO("the child " << describe(r));
  REQUIRE(r.exited);
  CHECK(r.code == child_checkpoint_error);
  CHECK(contains(r.message, dir.string()));
}

// Writer and reader agree on the element budget, and it is the documented one: the size
// prefixes of a partition claim at most as many elements in all as the payload has bytes.
// Record: {m inner vectors of k zero-byte elements, a string of L bytes}. Encoded (cereal
// binary): the outer count, m inner counts, the string's length, its L bytes:
//   payload = 8 + 8 m + 8 + L bytes;  size prefixes claim m + m k + L elements in all.
TEST_CASE("storage hostile input: the writer refuses exactly the element counts the reader refuses",
          "[storage][hostile]") {
  using T = std::pair<std::vector<std::vector<nothing>>, std::string>;
  constexpr std::uint64_t m = 4;
  constexpr std::uint64_t L = 40;
  temp_dir tmp;
  std::size_t accepted = 0;
  std::size_t refused = 0;
  for (std::uint64_t k = 0; k <= 40; ++k) {
    CAPTURE(k);
    const T record{std::vector<std::vector<nothing>>(m, std::vector<nothing>(k)), std::string(L, 'x')};
    payload_builder b;
    b.u64(m);
    for (std::uint64_t i = 0; i < m; ++i) b.u64(k);
    b.u64(L).raw(record.second.data(), L);
    const auto payload = b.take();
    const std::uint64_t claimed = m + m * k + L;
    const bool within_budget = claimed <= payload.size();

    const auto dir = tmp / ("k" + std::to_string(k));
    bool written = false;
    try {
      write_checkpoint(dir, partitions<T>{{record}});
      written = true;
    } catch (const std::length_error& e) {
      CHECK(contains(e.what(), "zero bytes"));
    }
    CHECK(written == within_budget);
    if (written) {
      ++accepted;
      const auto m0 = st::read_manifest<T>(dir);
      CHECK(m0.partitions.at(0).bytes - st::format::partition_overhead == payload.size());  // the encoding above
      CHECK(load_checkpoint<T>(dir) == partitions<T>{{record}});
    } else {
      ++refused;
      forge_checkpoint<T>(dir, payload, 1);  // what the writer would have written
      try {
        load_checkpoint<T>(dir);
        FAIL("the reader accepted a payload the writer refuses");
      } catch (const checkpoint_error& e) {
        CHECK(contains(e.what(), "size prefix"));
      }
    }
  }
  CHECK(accepted > 0);  // both sides of the bound were exercised
  CHECK(refused > 0);
}

// ---------------------------------------------------------------------------------------------
// Item 6: recursive element types nested deeper than a stack can take.

TEST_CASE("storage hostile input: a forged tree nested 300000 levels deep", "[storage][hostile]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  forge_checkpoint<nested_tree>(dir, tree_payload(300000), 1);  // 2.4 MB
  const auto r = run_in_child([&] { load_checkpoint<nested_tree>(dir); }, child_seconds, child_memory);
  INFO("the child " << describe(r));
  REQUIRE(r.exited);
  CHECK(r.code == child_checkpoint_error);
  CHECK(contains(r.message, "nested"));
}

TEST_CASE("storage hostile input: a forged linked list (std::unique_ptr) of 2000000 nodes", "[storage][hostile]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  forge_checkpoint<chain>(dir, chain_payload(2000000), 1);  // 2 MB
  const auto r = run_in_child([&] { load_checkpoint<chain>(dir); }, child_seconds, child_memory);
  INFO("the child " << describe(r));
  REQUIRE(r.exited);
  CHECK(r.code == child_checkpoint_error);
  CHECK(contains(r.message, "nested"));
}

namespace {

// The deepest value of a recursive type the writer accepts, and agreement with the reader at
// that bound: T of that depth writes and loads back (also on a std::jthread, whose stack is
// the default thread stack), one level more is refused by the writer (std::length_error) and,
// forged, by the reader (checkpoint_error). `payload(depth)` is the encoding of make(depth).
template <class T, class Make, class Payload>
std::size_t check_depth_bound(Make make, Payload payload, std::size_t far_too_deep) {
  temp_dir tmp;
  // Far too deep: the writer refuses (before the bound, it overflowed its stack).
  const auto refused = run_in_child(
      [&] {
        std::vector<T> records;
        records.push_back(make(far_too_deep));
        st::checkpoint_writer writer(tmp / "far", scratch_options());
        writer.write_partition(0, std::span<const T>(records));
      },
      child_seconds, child_memory);
  INFO("writing a value " << far_too_deep << " levels deep: the child " << describe(refused));
  REQUIRE(refused.exited);
  REQUIRE(refused.code == child_length_error);
  CHECK(contains(refused.message, "nested"));

  const auto writes = [&](std::size_t depth) {
    std::vector<T> records;
    records.push_back(make(depth));
    const auto dir = tmp / ("d" + std::to_string(depth));
    try {
      st::checkpoint_writer writer(dir, scratch_options());
      writer.write_partition(0, std::span<const T>(records));
      writer.commit(st::element_type_name<T>(), 7, "", "none");
      return true;
    } catch (const std::length_error& e) {
      CHECK(contains(e.what(), "nested"));
      return false;
    }
  };
  std::size_t lo = 1;  // written
  std::size_t hi = far_too_deep;  // refused
  REQUIRE(writes(lo));
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    (writes(mid) ? lo : hi) = mid;
  }
  const std::size_t deepest = lo;
  CAPTURE(deepest);

  // The deepest accepted value loads back, on this thread and on a std::jthread.
  const auto dir = tmp / ("d" + std::to_string(deepest));
  const auto loaded = run_in_child(
      [&] {
        if (depth_of(load_checkpoint<T>(dir).at(0).at(0)) != deepest) throw std::runtime_error("wrong depth");
        std::exception_ptr failure;
        std::size_t depth = 0;
        std::jthread worker([&] {
          try {
            depth = depth_of(load_checkpoint<T>(dir).at(0).at(0));
          } catch (...) {
            failure = std::current_exception();
          }
        });
        worker.join();
        if (failure) std::rethrow_exception(failure);
        if (depth != deepest) throw std::runtime_error("wrong depth on the thread");
      },
      child_seconds, child_memory);
  INFO("loading the deepest accepted value: the child " << describe(loaded));
  CHECK(loaded.exited);
  CHECK(loaded.code == child_loaded);

  // One level more: forged, the reader refuses it.
  const auto forged = tmp / "forged";
  forge_checkpoint<T>(forged, payload(deepest + 1), 1);
  try {
    load_checkpoint<T>(forged);
    FAIL("the reader accepted a value the writer refuses");
  } catch (const checkpoint_error& e) {
    CHECK(contains(e.what(), "nested"));
  }
  // And the deepest accepted value, forged by hand, is the writer's file.
  forge_checkpoint<T>(forged, payload(deepest), 1);
  CHECK(depth_of(load_checkpoint<T>(forged).at(0).at(0)) == deepest);
  return deepest;
}

}  // namespace

// The documented guarantees (archive.hpp, max_nesting_depth): a tree through std::vector may be
// at least 1000 levels deep, a list through std::unique_ptr at least 400 nodes long.
TEST_CASE("storage hostile input: writer and reader agree on the nesting bound (std::vector tree)",
          "[storage][hostile]") {
  const auto deepest = check_depth_bound<nested_tree>(make_tree, tree_payload, 100000);
  CHECK(deepest >= 1000);
}

TEST_CASE("storage hostile input: writer and reader agree on the nesting bound (std::unique_ptr list)",
          "[storage][hostile]") {
  const auto deepest = check_depth_bound<chain>(make_chain, chain_payload, 100000);
  CHECK(deepest >= 400);
}

// ---------------------------------------------------------------------------------------------
// Item 10: lineage does not check enum values on load (it cannot list enumerators); archive.hpp
// documents how a type checks its own. This runs the documented pattern.

namespace {

enum class color : std::uint8_t { red, green, blue };

struct paint {
  color c = color::red;

  template <class Archive>
  void serialize(Archive& ar) {
    auto raw = static_cast<std::underlying_type_t<color>>(c);
    ar(raw);
    if constexpr (Archive::is_loading::value) {
      if (raw > static_cast<std::underlying_type_t<color>>(color::blue)) throw st::decode_error("not a color");
      c = static_cast<color>(raw);
    }
  }
  friend bool operator==(const paint&, const paint&) = default;
};

}  // namespace

TEST_CASE("storage hostile input: an enum checked on load as archive.hpp documents", "[storage][hostile]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const partitions<paint> content{{{color::blue}, {color::red}, {color::green}}};
  write_checkpoint(dir, content);
  CHECK(load_checkpoint<paint>(dir) == content);
  forge_checkpoint<paint>(dir, {std::byte{1}, std::byte{7}}, 2);
  try {
    load_checkpoint<paint>(dir);
    FAIL("an out-of-range enum value loaded");
  } catch (const checkpoint_error& e) {
    CHECK(contains(e.what(), "not a color"));
  }
}
