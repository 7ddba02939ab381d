// Writes the fuzzing seed corpus: for each element type of fuzz_reader.hpp, real checkpoints
// (two partitions) in both input modes. Run from the repository root to refresh the corpus:
//   g++ -std=c++20 -Iinclude tests/fuzz/make_corpus.cpp -o /tmp/make_corpus && /tmp/make_corpus tests/fuzz/corpus
#include "fuzz_reader.hpp"

#include <cstdio>
#include <fstream>
#include <string>
#include <type_traits>
#include <vector>

namespace {

namespace st = lineage::storage;
using namespace lineage_fuzz;

template <class T>
struct samples;
template <>
struct samples<int> {
  static std::vector<int> make(int k) { return {k, -k, 1 << 20, 0}; }
};
template <>
struct samples<double> {
  static std::vector<double> make(int k) { return {k * 0.5, -1e300, 3.25}; }
};
template <>
struct samples<std::string> {
  static std::vector<std::string> make(int k) { return {"", "a", std::string(static_cast<std::size_t>(k * 3), 'x')}; }
};
template <>
struct samples<std::pair<int, std::string>> {
  static std::vector<std::pair<int, std::string>> make(int k) { return {{k, "one"}, {-k, ""}}; }
};
template <>
struct samples<std::vector<std::uint16_t>> {
  static std::vector<std::vector<std::uint16_t>> make(int k) {
    return {{}, {1, 2, 3}, std::vector<std::uint16_t>(static_cast<std::size_t>(k), 7)};
  }
};
template <>
struct samples<std::map<std::string, std::vector<double>>> {
  static std::vector<std::map<std::string, std::vector<double>>> make(int k) {
    return {{}, {{"a", {1.0}}, {"bb", {}}}, {{std::to_string(k), {2.0, 3.0}}}};
  }
};
template <>
struct samples<std::tuple<std::optional<int>, std::variant<int, std::string, double>, bool>> {
  using T = std::tuple<std::optional<int>, std::variant<int, std::string, double>, bool>;
  static std::vector<T> make(int k) { return {{k, 1, true}, {std::nullopt, std::string("s"), false}, {2, 2.5, true}}; }
};
template <>
struct samples<versioned_record> {
  static std::vector<versioned_record> make(int k) {
    return {{k, "n", {{1, true}}, 0.5}, {2, "", {}, std::nullopt}};
  }
};
template <>
struct samples<std::vector<std::vector<std::string>>> {
  static std::vector<std::vector<std::vector<std::string>>> make(int k) {
    return {{}, {{"a", "b"}, {}}, {{std::to_string(k)}}};
  }
};
template <>
struct samples<std::unordered_map<int, std::set<std::string>>> {
  static std::vector<std::unordered_map<int, std::set<std::string>>> make(int k) {
    return {{}, {{k, {"x", "y"}}}};
  }
};
template <>
struct samples<std::deque<char>> {
  static std::vector<std::deque<char>> make(int k) { return {{}, {'a', static_cast<char>(k)}}; }
};
template <>
struct samples<std::vector<std::vector<std::vector<std::int32_t>>>> {
  static std::vector<std::vector<std::vector<std::vector<std::int32_t>>>> make(int k) {
    return {{}, {{}, {{}}}, {{{k, 2, 3}, {}}, {{-k}}}};
  }
};
// Recursive types: a small one (k = 1) and one deep in a line (k = 2), within the nesting bound.
template <>
struct samples<tree> {
  static std::vector<tree> make(int k) {
    tree bushy{k, {{1, {}}, {2, {{3, {}}}}}};
    tree deep{0, {}};
    tree* node = &deep;
    for (int i = 1; i < (k == 1 ? 3 : 500); ++i) node = &node->kids.emplace_back(tree{i, {}});
    std::vector<tree> out;
    out.push_back(std::move(bushy));
    out.push_back(std::move(deep));
    return out;
  }
};
template <>
struct samples<list> {
  static std::vector<list> make(int k) {
    std::vector<list> out(2);
    out[0].value = "one";
    list* node = &out[1];
    for (int i = 1; i < (k == 1 ? 3 : 300); ++i) {
      node->value = std::to_string(i);
      node->next = std::make_unique<list>();
      node = node->next.get();
    }
    return out;
  }
};
template <>
struct samples<map_tree> {
  static std::vector<map_tree> make(int k) {
    map_tree wide;
    wide.kids["a"].kids["b"];
    wide.kids["c"];
    map_tree deep;
    map_tree* node = &deep;
    for (int i = 1; i < (k == 1 ? 3 : 200); ++i) node = &node->kids[std::to_string(i)];
    return {map_tree{}, wide, deep};
  }
};
template <>
struct samples<std::set<std::pair<int, std::string>>> {
  static std::vector<std::set<std::pair<int, std::string>>> make(int k) {
    return {{}, {{k, "a"}, {k, "b"}, {-k, ""}}};
  }
};
template <>
struct samples<std::multimap<std::string, std::multiset<int>>> {
  static std::vector<std::multimap<std::string, std::multiset<int>>> make(int k) {
    return {{}, {{"a", {1, 1, k}}, {"a", {}}, {"b", {2}}}};
  }
};
// Zero-byte elements: as many as the bytes around them allow (the writer refuses more).
template <>
struct samples<std::vector<std::vector<empty>>> {
  static std::vector<std::vector<std::vector<empty>>> make(int k) {
    return {{}, {{}, std::vector<empty>(static_cast<std::size_t>(k))}, {std::vector<empty>(3), {}, {}}};
  }
};
template <>
struct samples<std::vector<std::set<empty>>> {
  static std::vector<std::vector<std::set<empty>>> make(int k) {
    return {std::vector<std::set<empty>>(static_cast<std::size_t>(k), std::set<empty>{empty{}}), {{empty{}}, {}}, {}};
  }
};
template <>
struct samples<std::pair<std::vector<std::map<empty, std::list<empty>>>, std::string>> {
  using T = std::pair<std::vector<std::map<empty, std::list<empty>>>, std::string>;
  static std::vector<T> make(int k) {
    return {{{}, ""}, {{{}, {{empty{}, std::list<empty>(static_cast<std::size_t>(2 * k))}}}, std::string(32, 's')}};
  }
};

void append_u32(std::vector<std::byte>& out, std::uint32_t n) {
  const auto* p = reinterpret_cast<const std::byte*>(&n);
  out.insert(out.end(), p, p + 4);
}

void save(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

template <std::size_t I>
void seeds_for(const std::string& out_dir) {
  using T = std::tuple_element_t<I, type_list>;
  for (int k = 1; k <= 2; ++k) {
    st::testing::memory_file_system fs;
    fs.put_directory(checkpoint_dir());
    lineage::checkpoint_options options;
    st::manifest m;
    {
      st::checkpoint_writer writer(checkpoint_dir(), options, fs);
      writer.write_partition(0, samples<T>::make(k));
      writer.write_partition(1, samples<T>::make(k + 5));
      // The fields of the current manifest version (format.hpp): metadata (2), provenance (3).
      st::provenance from{"stage 1: parallelize -> map", 7,
                          {{"source", "source", "", st::element_type_name<T>(), 0},
                           {"narrow", "map", st::element_type_name<T>(), st::element_type_name<T>(), 0}}};
      m = writer.commit(st::element_type_name<T>(), 42, "v", "none", {{"iteration", std::to_string(k)}},
                        std::move(from));
    }
    std::vector<std::byte> files{std::byte(I << 1)};
    const auto manifest = *fs.get(checkpoint_dir() / "MANIFEST");
    append_u32(files, static_cast<std::uint32_t>(manifest.size()));
    files.insert(files.end(), manifest.begin(), manifest.end());
    for (const auto& p : m.partitions) {
      const auto part = *fs.get(checkpoint_dir() / p.file);
      append_u32(files, static_cast<std::uint32_t>(part.size()));
      files.insert(files.end(), part.begin(), part.end());
    }
    // The manifest version in the name: seeds of older versions stay in the corpus.
    const std::string stem = out_dir + "/type" + std::to_string(I) + "-" + std::to_string(k);
    save(stem + "-m" + std::to_string(st::manifest_format_version) + "-files", files);

    const auto part = *fs.get(checkpoint_dir() / m.partitions[0].file);
    std::vector<std::byte> payload{std::byte((I << 1) | 1)};
    const auto records = static_cast<std::uint16_t>(m.partitions[0].records);
    const auto* r = reinterpret_cast<const std::byte*>(&records);
    payload.insert(payload.end(), r, r + 2);
    payload.insert(payload.end(), part.begin() + st::format::partition_header_size,
                   part.end() - st::format::partition_trailer_size);
    save(stem + "-payload", payload);
  }
}

template <std::size_t... I>
void all_seeds(const std::string& out_dir, std::index_sequence<I...>) {
  (seeds_for<I>(out_dir), ...);
}

// The index of T in type_list.
template <class T, std::size_t I = 0>
constexpr std::size_t index_of() {
  static_assert(I < type_count, "not an element type of type_list");
  if constexpr (I + 1 >= type_count || std::is_same_v<std::tuple_element_t<I, type_list>, T>) {
    return I;
  } else {
    return index_of<T, I + 1>();
  }
}

// Repeat-mode seeds (see fuzz_reader.hpp): long regular payloads that load, deep lines within the
// nesting bound and many empty containers; mutated, their counts go past the reader's bounds.
class bytes_builder {
 public:
  template <class I>
  bytes_builder& put(I value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    out_.insert(out_.end(), p, p + sizeof value);
    return *this;
  }
  std::vector<std::byte> take() { return std::move(out_); }

 private:
  std::vector<std::byte> out_;
};

template <class T>
void repeat_seed(const std::string& out_dir, const std::string& name, std::uint16_t records, std::uint32_t repetitions,
                 std::uint32_t zeros, const std::vector<std::byte>& head, const std::vector<std::byte>& pattern) {
  constexpr std::size_t type = index_of<T>();
  static_assert(std::is_same_v<std::tuple_element_t<type, type_list>, T>);
  bytes_builder b;
  b.put(selector_of(type, mode::repeat)).put(records).put(repetitions).put(zeros);
  b.put(static_cast<std::uint8_t>(head.size()));
  auto bytes = b.take();
  bytes.insert(bytes.end(), head.begin(), head.end());
  bytes.insert(bytes.end(), pattern.begin(), pattern.end());
  save(out_dir + "/type" + std::to_string(type) + "-repeat-" + name, bytes);
}

void repeat_seeds(const std::string& out_dir) {
  // A line of 1000 tree nodes: {value 0, 1 kid} x 999, then {0, no kids}.
  repeat_seed<tree>(out_dir, "line", 1, 999, 12, {}, bytes_builder().put(std::int32_t{0}).put(std::uint64_t{1}).take());
  // A list of 400 nodes: {"", next} x 399, then {"", null}.
  repeat_seed<list>(out_dir, "line", 1, 399, 9, {}, bytes_builder().put(std::uint64_t{0}).put(std::uint8_t{1}).take());
  // 500 nested maps: {1 item, key ""} x 499, then an empty map.
  repeat_seed<map_tree>(out_dir, "line", 1, 499, 8, {},
                        bytes_builder().put(std::uint64_t{1}).put(std::uint64_t{0}).take());
  // 1000 empty inner containers.
  const auto thousand = bytes_builder().put(std::uint64_t{1000}).take();
  const auto zero = bytes_builder().put(std::uint64_t{0}).take();
  repeat_seed<std::vector<std::vector<empty>>>(out_dir, "wide", 1, 1000, 0, thousand, zero);
  repeat_seed<std::vector<std::set<empty>>>(out_dir, "wide", 1, 1000, 0, thousand, zero);
  // 1000 records (empty strings).
  repeat_seed<std::string>(out_dir, "records", 1000, 1000, 0, {}, zero);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus <out dir>\n");
    return 2;
  }
  all_seeds(argv[1], std::make_index_sequence<type_count>{});
  repeat_seeds(argv[1]);
  return 0;
}
