// SPDX-License-Identifier: Apache-2.0
#pragma once
// lineage's cereal archive pair.
//
// hashing_output_archive: cereal binary encoding (native byte order, like cereal's
//   BinaryOutputArchive) written through a buffer that feeds XXH3 and, optionally, a file.
//   Small values are batched in the buffer; a large block (a contiguous arithmetic vector's
//   BinaryData) is hashed and written straight from the caller's memory, never copied.
// bounded_input_archive: decodes that encoding from memory and trusts nothing: every read is
//   checked against the bytes left, every size prefix (cereal SizeTag) is checked *before*
//   cereal allocates for it, a bool must be 0 or 1, values nest at most max_nesting_depth
//   levels. Failures throw lineage::storage::decode_error.
//
// Decoding bounds. For a payload of L bytes, the reader requires (and the writer, through what
// hashing_output_archive records, refuses data that breaks them, so that all it writes reads
// back):
//   - each size prefix counts at most the bytes left after it, and all the size prefixes of the
//     payload count at most L elements in all. So the elements a reader creates, and its time,
//     are linear in L (times a constant of the type), even for elements that serialize to zero
//     bytes in nested containers (vector<vector<empty>>, vector<set<empty>>): there each inner
//     prefix alone may claim every byte left, which would add up to ~L^2/16 elements.
//   - values nest at most max_nesting_depth levels: a recursive type (a tree through
//     std::vector, a list through std::unique_ptr) forged deeper would overflow the stack.
//
// Also here: the serializable<T> concept, element_type_name<T>() (the element-type fingerprint
// stored in manifests, customizable through type_fingerprint<T>), and content_hash(range).
// XXH3 from Debian's libxxhash-dev, header-only (XXH_INLINE_ALL). On x86-64 builds without
// -mavx2, the AVX2 kernels are compiled too (function target attributes) and chosen at run time
// when the CPU has AVX2: 2-4x the SSE2 speed (see detail::xxh3 below).
#if defined(__x86_64__) && !defined(__AVX2__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(XXH_IMPLEM_13a8737387) && !defined(LINEAGE_NO_XXH3_DISPATCH)
#  include <immintrin.h>
#  define XXH_DISPATCH_AVX2 1
#  define XXH_TARGET_AVX2 __attribute__((__target__("avx2")))
#  define LINEAGE_XXH3_TRY_AVX2 1
// The AVX2 kernels load the accumulators with aligned 32-byte loads, and xxhash puts them on
// the stack aligned for the kernels it was compiled for (16 bytes for SSE2): unaligned, those
// loads fault (g++ -O0 emits them as such).
#  ifndef XXH_ACC_ALIGN
#    define XXH_ACC_ALIGN 32
#  endif
#endif
#define XXH_INLINE_ALL
#include <xxhash.h>
// The dispatch uses xxhash's internal kernels, whose signatures are those of 0.8.1 (Debian 12).
#if defined(LINEAGE_XXH3_TRY_AVX2) && XXH_VERSION_NUMBER == 801 && XXH_ACC_ALIGN >= 32
#  define LINEAGE_XXH3_AVX2 1
#endif

#include <lineage/core/type_name.hpp>
#include <lineage/storage/file_system.hpp>

#include <cereal/cereal.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/bitset.hpp>
#include <cereal/types/chrono.hpp>
#include <cereal/types/complex.hpp>
#include <cereal/types/deque.hpp>
#include <cereal/types/forward_list.hpp>
#include <cereal/types/list.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/unordered_set.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/valarray.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <forward_list>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <ranges>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <valarray>
#include <variant>
#include <vector>

namespace lineage::storage {

// Thrown by bounded_input_archive when the bytes do not decode (the checkpoint reader turns it
// into checkpoint_error{type_mismatch}).
class decode_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How deeply values may nest in a record, counted in the values cereal processes on the way
// from the record down (through cereal's prologue/epilogue hooks, below): the record, each
// member, container, element, pair, tuple, optional, variant and smart pointer, and the wrappers
// cereal puts around some of them (a smart pointer's wrapper, name-value pairs, map items).
// Leaves (numbers, enums, strings) are not counted: they hold no other values. Each level is a
// few stack frames of cereal's recursion. With 2048 levels:
//   struct tree { std::vector<tree> kids; }       a tree 1024 nodes deep (2 levels a node)
//   struct node { std::map<int, node> kids; }     512 nodes deep (4 levels a node)
//   struct list { std::unique_ptr<list> next; }   a list of 409 nodes (5 levels a node)
// The thread stack that loading such a value at the bound needs, for these three types
// (measured): at most 112 KB with g++ -O2 or clang++-16 -O2, 456 KB with g++ -O0, 552 KB with
// clang++-16 -O1 ASan+UBSan, 1.25 MB with clang++-16 -O0 ASan (saving needs about as much).
// That leaves room on a main thread or a std::jthread (glibc gives a thread RLIMIT_STACK,
// 8 MB by default, 2 MB when it is unlimited). A serialize function with large locals adds its
// own frames. Deeper values are refused: the writer (and content_hash) throw std::length_error,
// as they could not be read back; the reader throws decode_error (checkpoint_error).
inline constexpr std::size_t max_nesting_depth = 2048;

namespace detail {

#if defined(LINEAGE_XXH3_AVX2)
inline bool cpu_has_avx2() noexcept {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
}

__attribute__((__target__("avx2"))) inline XXH64_hash_t xxh3_avx2(const void* data, std::size_t size) noexcept {
  if (size <= XXH3_MIDSIZE_MAX) return XXH3_64bits(data, size);
  return XXH3_hashLong_64b_internal(data, size, XXH3_kSecret, sizeof(XXH3_kSecret), XXH3_accumulate_512_avx2,
                                    XXH3_scrambleAcc_avx2);
}

__attribute__((__target__("avx2"))) inline void xxh3_update_avx2(XXH3_state_t* state, const void* data,
                                                                  std::size_t size) noexcept {
  XXH3_update(state, static_cast<const xxh_u8*>(data), size, XXH3_accumulate_512_avx2, XXH3_scrambleAcc_avx2);
}
#endif

// XXH3-64 of a block, and streaming updates: the same values whichever kernel runs.
inline std::uint64_t xxh3(const void* data, std::size_t size) noexcept {
#if defined(LINEAGE_XXH3_AVX2)
  if (cpu_has_avx2()) return xxh3_avx2(data, size);
#endif
  return XXH3_64bits(data, size);
}

inline void xxh3_update(XXH3_state_t* state, const void* data, std::size_t size) noexcept {
#if defined(LINEAGE_XXH3_AVX2)
  if (cpu_has_avx2()) {
    xxh3_update_avx2(state, data, size);
    return;
  }
#endif
  XXH3_64bits_update(state, data, size);
}

struct xxh3_state_deleter {
  void operator()(XXH3_state_t* state) const noexcept { XXH3_freeState(state); }
};
using xxh3_state_ptr = std::unique_ptr<XXH3_state_t, xxh3_state_deleter>;

inline xxh3_state_ptr make_xxh3_state() {
  xxh3_state_ptr state(XXH3_createState());
  if (!state) throw std::bad_alloc();
  XXH3_64bits_reset(state.get());
  return state;
}

// Records of these types are stored as their raw bytes (cereal's encoding of an arithmetic value
// is its object representation), so a contiguous run of them is one block. bool is excluded:
// its load must reject bytes other than 0 and 1.
template <class T>
inline constexpr bool raw_block_v = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

}  // namespace detail

class hashing_output_archive
    : public cereal::OutputArchive<hashing_output_archive, cereal::AllowEmptyClassElision> {
 public:
  static constexpr std::size_t buffer_size = std::size_t{256} << 10;
  static constexpr std::size_t direct_chunk = std::size_t{1} << 20;

  // file == nullptr: hash only (content_hash).
  explicit hashing_output_archive(writable_file* file = nullptr)
      : cereal::OutputArchive<hashing_output_archive, cereal::AllowEmptyClassElision>(this),
        file_(file),
        state_(detail::make_xxh3_state()),
        buffer_(new std::byte[buffer_size]) {}

  hashing_output_archive(const hashing_output_archive&) = delete;
  hashing_output_archive& operator=(const hashing_output_archive&) = delete;

  // Appends payload bytes (hashed and written).
  void save_bytes(const void* data, std::size_t size) {
    if (size <= buffer_size - used_) {
      if (size != 0) std::memcpy(buffer_.get() + used_, data, size);
      used_ += size;
      return;
    }
    save_large(static_cast<const std::byte*>(data), size);
  }

  // Appends framing bytes: written to the file but not part of the payload nor of its hash.
  void write_unhashed(const void* data, std::size_t size) {
    hash_pending();
    if (size > buffer_size - used_) flush();
    if (size > buffer_size) {
      if (file_ != nullptr) detail::write_all(*file_, static_cast<const std::byte*>(data), size);
      return;
    }
    std::memcpy(buffer_.get() + used_, data, size);
    used_ += size;
    hashed_upto_ = used_;
    unhashed_ += size;
  }

  // A container of `count` elements starts here: a reader will require count <= bytes left, and
  // the sum of all the counts <= the payload's length.
  void note_size_claim(std::uint64_t count) noexcept {
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t at = payload_size();
    max_claim_ = std::max(max_claim_, count > max - at ? max : at + count);
    claimed_ = count > max - claimed_ ? max : claimed_ + count;
  }

  // The shortest payload a reader accepts these size prefixes in: at least the furthest offset
  // a prefix claimed (its offset + its count), and at least the sum of all the counts. The
  // writer refuses a partition whose payload is shorter.
  std::uint64_t max_claim() const noexcept { return std::max(max_claim_, claimed_); }

  // cereal starts (enter_value) and ends (leave_value) processing a value; see max_nesting_depth.
  // The archive cannot be used after enter_value throws.
  void enter_value() {
    if (++depth_ > max_nesting_depth) [[unlikely]] throw_too_deep();
  }
  void leave_value() noexcept { --depth_; }

  // Payload bytes saved so far (framing excluded).
  std::uint64_t payload_size() const noexcept { return total_ + used_ - unhashed_; }

  // XXH3 of the payload saved so far (the pending bytes are hashed, not yet written).
  std::uint64_t digest() {
    hash_pending();
    return XXH3_64bits_digest(state_.get());
  }

  // Hashes and writes everything buffered.
  void flush() {
    hash_pending();
    if (used_ != 0 && file_ != nullptr) detail::write_all(*file_, buffer_.get(), used_);
    total_ += used_;
    total_ -= unhashed_;
    used_ = 0;
    hashed_upto_ = 0;
    unhashed_ = 0;
  }

 private:
  [[noreturn, gnu::cold, gnu::noinline]] static void throw_too_deep() {
    throw std::length_error(lineage::detail::cat(
        "lineage: cannot checkpoint a value nested more than ", max_nesting_depth,
        " levels deep (lineage::storage::max_nesting_depth): a reader refuses deeper values, which "
        "could overflow its stack"));
  }

  void hash_pending() {
    if (used_ > hashed_upto_) {
      detail::xxh3_update(state_.get(), buffer_.get() + hashed_upto_, used_ - hashed_upto_);
      hashed_upto_ = used_;
    }
  }

  void save_large(const std::byte* data, std::size_t size) {
    if (size < buffer_size) {  // fill up, flush, keep the rest
      const std::size_t head = buffer_size - used_;
      std::memcpy(buffer_.get() + used_, data, head);
      used_ += head;
      flush();
      std::memcpy(buffer_.get(), data + head, size - head);
      used_ = size - head;
      return;
    }
    flush();
    while (size > 0) {  // straight from the caller's memory, chunk by chunk (hash while cached)
      const std::size_t chunk = std::min(size, direct_chunk);
      detail::xxh3_update(state_.get(), data, chunk);
      if (file_ != nullptr) detail::write_all(*file_, data, chunk);
      total_ += chunk;
      data += chunk;
      size -= chunk;
    }
  }

  writable_file* file_;
  detail::xxh3_state_ptr state_;
  std::unique_ptr<std::byte[]> buffer_;
  std::size_t used_ = 0;         // bytes in buffer_
  std::size_t hashed_upto_ = 0;  // buffer_[0, hashed_upto_) is hashed or framing
  std::size_t unhashed_ = 0;     // framing bytes in buffer_
  std::uint64_t total_ = 0;      // payload bytes flushed
  std::uint64_t max_claim_ = 0;  // the furthest offset + count of a size prefix
  std::uint64_t claimed_ = 0;    // the sum of the size prefixes' counts
  std::size_t depth_ = 0;        // values being processed (nested)
};

class bounded_input_archive
    : public cereal::InputArchive<bounded_input_archive, cereal::AllowEmptyClassElision> {
 public:
  bounded_input_archive(const std::byte* data, std::size_t size) noexcept
      : cereal::InputArchive<bounded_input_archive, cereal::AllowEmptyClassElision>(this),
        cursor_(data),
        end_(data + size),
        size_(size),
        budget_(size) {}

  bounded_input_archive(const bounded_input_archive&) = delete;
  bounded_input_archive& operator=(const bounded_input_archive&) = delete;

  std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - cursor_); }

  void load_bytes(void* out, std::size_t size) {
    if (size > remaining()) {
      throw decode_error(lineage::detail::cat("a value of ", size, " bytes runs past the end (", remaining(),
                                              " bytes left)"));
    }
    if (size != 0) std::memcpy(out, cursor_, size);
    cursor_ += size;
  }

  // A size prefix, rejected before anything is allocated for it if it claims more elements than
  // the bytes left, or than the element budget left: all the prefixes of a payload may claim as
  // many elements in all as it has bytes (the writer guarantees both; see the top of this file).
  std::uint64_t load_size_tag() {
    std::uint64_t count = 0;
    load_bytes(&count, sizeof count);
    if (count > remaining()) {
      throw decode_error(lineage::detail::cat("size prefix ", count, " exceeds the ", remaining(), " bytes left"));
    }
    if (count > budget_) {
      throw decode_error(lineage::detail::cat("size prefix ", count, " exceeds the element budget left (", budget_,
                                              "): the size prefixes claim more elements in all than the payload's ",
                                              size_, " bytes"));
    }
    budget_ -= count;
    return count;
  }

  // cereal starts (enter_value) and ends (leave_value) decoding a value; see max_nesting_depth.
  void enter_value() {
    if (++depth_ > max_nesting_depth) [[unlikely]] throw_too_deep();
  }
  void leave_value() noexcept { --depth_; }

 private:
  [[noreturn, gnu::cold, gnu::noinline]] static void throw_too_deep() {
    throw decode_error(lineage::detail::cat("values nested more than ", max_nesting_depth,
                                            " levels deep (lineage::storage::max_nesting_depth)"));
  }

  const std::byte* cursor_;
  const std::byte* end_;
  std::size_t size_;       // the payload's length
  std::uint64_t budget_;   // elements the size prefixes may still claim
  std::size_t depth_ = 0;  // values being decoded (nested)
};

// cereal's hooks for the two archives (found by argument-dependent lookup).

// cereal calls prologue before and epilogue after processing each value (unqualified, from
// namespace cereal); these are more specialized than cereal's catch-all templates (any archive,
// any type), so they are chosen. They count the nesting depth (max_nesting_depth) of the values
// that can hold others: leaves (numbers, enums, strings, size prefixes, binary blocks) cannot
// recurse, and are not counted (which keeps the count off most of the hot path). A type
// that declared its own archive-generic prologue(Archive&, const T&) or epilogue would make the
// call ambiguous for these archives; cereal declares such hooks only for its own archives.
namespace detail {

template <class T>
struct leaf_value : std::bool_constant<std::is_arithmetic_v<T> || std::is_enum_v<T>> {};
template <class C, class Tr, class A>
struct leaf_value<std::basic_string<C, Tr, A>> : std::true_type {};
template <class T>
struct leaf_value<cereal::SizeTag<T>> : std::true_type {};
template <class T>
struct leaf_value<cereal::BinaryData<T>> : std::true_type {};

template <class T>
inline constexpr bool leaf_value_v = leaf_value<std::remove_cvref_t<T>>::value;

}  // namespace detail

template <class T>
void prologue(hashing_output_archive& ar, const T&) {
  if constexpr (!detail::leaf_value_v<T>) ar.enter_value();
}

template <class T>
void epilogue(hashing_output_archive& ar, const T&) noexcept {
  if constexpr (!detail::leaf_value_v<T>) ar.leave_value();
}

// Always inlined: cereal passes values not loaded yet (uninitialized), and g++ warns
// (-Wmaybe-uninitialized) when it cannot see that the reference is not read.
template <class T>
[[gnu::always_inline]] inline void prologue(bounded_input_archive& ar, const T&) {
  if constexpr (!detail::leaf_value_v<T>) ar.enter_value();
}

template <class T>
void epilogue(bounded_input_archive& ar, const T&) noexcept {
  if constexpr (!detail::leaf_value_v<T>) ar.leave_value();
}

template <class T>
  requires std::is_arithmetic_v<T>
void CEREAL_SAVE_FUNCTION_NAME(hashing_output_archive& ar, const T& value) {
  ar.save_bytes(std::addressof(value), sizeof(T));
}

template <class T>
  requires std::is_arithmetic_v<T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_input_archive& ar, T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    unsigned char byte = 0;
    ar.load_bytes(&byte, 1);
    if (byte > 1) throw decode_error(lineage::detail::cat("a bool holds ", byte));
    value = byte != 0;
  } else {
    ar.load_bytes(std::addressof(value), sizeof(T));
  }
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(hashing_output_archive& ar, const cereal::NameValuePair<T>& nvp) {
  ar(nvp.value);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_input_archive& ar, cereal::NameValuePair<T>& nvp) {
  ar(nvp.value);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(hashing_output_archive& ar, const cereal::SizeTag<T>& tag) {
  const auto count = static_cast<std::uint64_t>(tag.size);
  ar.save_bytes(&count, sizeof count);
  ar.note_size_claim(count);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_input_archive& ar, cereal::SizeTag<T>& tag) {
  using size_type = std::remove_cvref_t<decltype(tag.size)>;
  const std::uint64_t count = ar.load_size_tag();
  if (count > std::numeric_limits<size_type>::max()) throw decode_error("size prefix out of range");
  tag.size = static_cast<size_type>(count);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(hashing_output_archive& ar, const cereal::BinaryData<T>& data) {
  ar.save_bytes(data.data, static_cast<std::size_t>(data.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(bounded_input_archive& ar, cereal::BinaryData<T>& data) {
  ar.load_bytes(data.data, static_cast<std::size_t>(data.size));
}

// ---------------------------------------------------------------------------------------------
// Element-type fingerprint stored in manifests. Specialize to pin a stable name, e.g. when a type
// is renamed or moved to another namespace but its serialized form is unchanged:
//   template <> struct lineage::storage::type_fingerprint<my::point> {
//     static std::string name() { return "my::point"; } };
template <class T>
struct type_fingerprint {
  static std::string name() { return lineage::detail::portable_type_name<T>(); }
};

template <class T>
std::string element_type_name() {
  return type_fingerprint<std::remove_cvref_t<T>>::name();
}

// ---------------------------------------------------------------------------------------------
// serializable<T>: cereal can save and load T with lineage's archives, T can be default-
// constructed (records are loaded in place), and so can each element type of the standard
// containers, pairs, tuples, optionals and variants it is made of.
//
// Enumerations are not checked on load. cereal stores an enum as its underlying integer and
// loads whatever integer the file holds: a damaged or forged file can give an enum member a
// value that is none of its enumerators (a switch without default matches nothing), and for an
// unscoped enum without a fixed underlying type (enum color { red, green }) a value outside its
// range is undefined behavior (UBSan: "load of value 7, which is not a valid value for type").
// lineage cannot list a type's enumerators, so it cannot check them for you. Give enums a
// fixed underlying type, and where a value matters, check it when loading: store the integer
// and throw lineage::storage::decode_error for a value that is not an enumerator, which the
// reader reports as a checkpoint_error:
//   template <class Archive> void serialize(Archive& ar) {
//     auto raw = static_cast<std::underlying_type_t<color>>(c);
//     ar(raw);
//     if constexpr (Archive::is_loading::value) {
//       if (raw > static_cast<std::underlying_type_t<color>>(color::blue))
//         throw lineage::storage::decode_error("not a color");
//       c = static_cast<color>(raw);
//     }
//   }
// (lineage's own file formats hold no enums.)
namespace detail {

template <class T>
inline constexpr bool cereal_round_trip_v =
    !std::is_pointer_v<T> &&
    ((cereal::traits::is_output_serializable<T, hashing_output_archive>::value &&
      cereal::traits::is_input_serializable<T, bounded_input_archive>::value) ||
     std::is_empty_v<T>);

template <class T>
struct deep_serializable : std::bool_constant<cereal_round_trip_v<T> && std::default_initializable<T>> {};

template <class Outer, class... Inner>
struct deep_all : std::bool_constant<cereal_round_trip_v<Outer> && std::default_initializable<Outer> &&
                                     (deep_serializable<Inner>::value && ...)> {};

template <class T, class A> struct deep_serializable<std::vector<T, A>> : deep_all<std::vector<T, A>, T> {};
template <class T, class A> struct deep_serializable<std::deque<T, A>> : deep_all<std::deque<T, A>, T> {};
template <class T, class A> struct deep_serializable<std::list<T, A>> : deep_all<std::list<T, A>, T> {};
template <class T, class A>
struct deep_serializable<std::forward_list<T, A>> : deep_all<std::forward_list<T, A>, T> {};
template <class T, std::size_t N> struct deep_serializable<std::array<T, N>> : deep_all<std::array<T, N>, T> {};
template <class T> struct deep_serializable<std::valarray<T>> : deep_all<std::valarray<T>, T> {};
template <class T> struct deep_serializable<std::optional<T>> : deep_all<std::optional<T>, T> {};
template <class A, class B> struct deep_serializable<std::pair<A, B>> : deep_all<std::pair<A, B>, A, B> {};
template <class... Ts> struct deep_serializable<std::tuple<Ts...>> : deep_all<std::tuple<Ts...>, Ts...> {};
template <class... Ts>
struct deep_serializable<std::variant<Ts...>> : deep_all<std::variant<Ts...>, Ts...> {};
template <class K, class C, class A> struct deep_serializable<std::set<K, C, A>> : deep_all<std::set<K, C, A>, K> {};
template <class K, class C, class A>
struct deep_serializable<std::multiset<K, C, A>> : deep_all<std::multiset<K, C, A>, K> {};
template <class K, class H, class E, class A>
struct deep_serializable<std::unordered_set<K, H, E, A>> : deep_all<std::unordered_set<K, H, E, A>, K> {};
template <class K, class H, class E, class A>
struct deep_serializable<std::unordered_multiset<K, H, E, A>>
    : deep_all<std::unordered_multiset<K, H, E, A>, K> {};
template <class K, class V, class C, class A>
struct deep_serializable<std::map<K, V, C, A>> : deep_all<std::map<K, V, C, A>, K, V> {};
template <class K, class V, class C, class A>
struct deep_serializable<std::multimap<K, V, C, A>> : deep_all<std::multimap<K, V, C, A>, K, V> {};
template <class K, class V, class H, class E, class A>
struct deep_serializable<std::unordered_map<K, V, H, E, A>> : deep_all<std::unordered_map<K, V, H, E, A>, K, V> {};
template <class K, class V, class H, class E, class A>
struct deep_serializable<std::unordered_multimap<K, V, H, E, A>>
    : deep_all<std::unordered_multimap<K, V, H, E, A>, K, V> {};
// Pointees may use cereal's load_and_construct, so they need not be default-constructible.
template <class T, class D>
struct deep_serializable<std::unique_ptr<T, D>>
    : std::bool_constant<cereal_round_trip_v<std::unique_ptr<T, D>> && cereal_round_trip_v<T>> {};
template <class T>
struct deep_serializable<std::shared_ptr<T>>
    : std::bool_constant<cereal_round_trip_v<std::shared_ptr<T>> && cereal_round_trip_v<T>> {};

}  // namespace detail

template <class T>
concept serializable = detail::deep_serializable<std::remove_cvref_t<T>>::value;

// The message of the one static_assert every storage entry point makes.
#define LINEAGE_NOT_SERIALIZABLE_MESSAGE                                                             \
  "lineage: this element type cannot be serialized into a checkpoint. It needs a cereal "          \
  "serialize(Archive&) member (or save/load, or a non-member serialize), the cereal header of "    \
  "each standard type it uses (<cereal/types/...>), and a default constructor; raw pointers "     \
  "are not supported."

// ---------------------------------------------------------------------------------------------
// Source identity: XXH3 of the elements' cereal encoding, through the same archive as partition
// files but without a file. Contiguous arithmetic data is hashed as raw bytes in one pass. For
// the same records, content_hash(records) equals the checksum of a partition holding them.
template <std::ranges::input_range R>
std::uint64_t content_hash(const R& range) {
  using T = std::remove_cvref_t<std::ranges::range_value_t<const R>>;
  static_assert(serializable<T>, LINEAGE_NOT_SERIALIZABLE_MESSAGE);
  if constexpr (serializable<T>) {
    if constexpr (std::ranges::contiguous_range<const R> && std::ranges::sized_range<const R> &&
                  detail::raw_block_v<T>) {
      return detail::xxh3(std::ranges::data(range), std::ranges::size(range) * sizeof(T));
    } else {
      hashing_output_archive archive;
      for (auto&& element : range) {
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(element)>, T>) {
          archive(element);
        } else {  // proxy references (std::vector<bool>)
          const T value = element;
          archive(value);
        }
      }
      return archive.digest();
    }
  } else {
    return 0;
  }
}

}  // namespace lineage::storage

CEREAL_REGISTER_ARCHIVE(lineage::storage::hashing_output_archive)
CEREAL_REGISTER_ARCHIVE(lineage::storage::bounded_input_archive)
CEREAL_SETUP_ARCHIVE_TRAITS(lineage::storage::bounded_input_archive, lineage::storage::hashing_output_archive)
