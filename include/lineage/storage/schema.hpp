// SPDX-License-Identifier: Apache-2.0
#pragma once
// Structural schema of an element type: what its cereal serialization writes, as a short text
// and a hash, so that a checkpoint can tell that the element type changed shape since it was
// written (fields reordered, a field's type changed, a field added or removed, a name given with
// cereal::make_nvp changed, a CEREAL_CLASS_VERSION bumped).
//
//   const lineage::storage::element_schema& s = lineage::storage::schema_of<T>();
//   s.text  // e.g. "{x:int32,y:int32}"; truncated to schema_text_limit bytes + "…" if longer
//   s.hash  // XXH3-64 of the full text (equal to xxh3(s.text) when the text is not truncated)
//
// Computed once per type (a function-local static: thread-safe, the same reference each call).
//
// How: schema_archive is a cereal output archive that writes no bytes. It serializes a
// value-initialized T and, through cereal's prologue/epilogue hooks (called for every value
// cereal processes, with its static type), records the sequence of types visited:
//   - a class (anything with a cereal serialize/save/save_minimal, and empty classes) is described
//     by running its serializer on a value-initialized instance: "{" fields "}", each field
//     "name:type" when the serializer gives it a name with cereal::make_nvp, else "type";
//     base classes (cereal::base_class / virtual_base_class) are fields like members;
//     a class serialized through a versioned serializer gets its cereal class version as a
//     suffix, "{...}@2" (read from the "cereal_class_version" value cereal writes);
//   - standard types are described by their TYPE, not by a value (a value-initialized vector is
//     empty, so its element type would never be visited): vector<T>, deque<T>, list<T>,
//     forward_list<T>, valarray<T>, array<T,N>, T[N], set<K>, multiset<K>, unordered_set<K>,
//     unordered_multiset<K>, map<K,V>, multimap<K,V>, unordered_map<K,V>,
//     unordered_multimap<K,V>, pair<A,B>, tuple<Ts...>, variant<Ts...>, monostate, optional<T>,
//     unique_ptr<T>, shared_ptr<T>, weak_ptr<T>, complex<T>, bitset<N>, duration<Rep,num/den>,
//     time_point<clock,duration>, string (basic_string<char>; string<char16> etc. otherwise),
//     enum<underlying> and arithmetic types by size: bool, char, char8/16/32, wchar32, int8..int64,
//     uint8..uint64, float32, float64 (other floating formats: float<bits>_m<mantissa digits>).
//     Allocators, comparators, hashers and deleters are not part of the schema;
//   - recursion (a class already being described further up) is a back-reference "^N", N = how
//     many enclosing classes up: struct tree { std::vector<tree> kids; } is "{kids:vector<^1>}";
//   - cereal's internal wrappers (size prefixes, binary blocks) are not part of the text.
// Names with characters other than [A-Za-z0-9_] are quoted ("..." with \" and \\ escapes), so
// that different schemas never give the same text.
//
// Examples:
//   int                                            int32
//   std::vector<std::pair<std::string, long>>      vector<pair<string,int64>>  (LP64)
//   struct point { int x, y; }, serialize: ar(CEREAL_NVP(x), CEREAL_NVP(y))
//                                                  {x:int32,y:int32}
//   the same with serialize(Archive&, std::uint32_t) and CEREAL_CLASS_VERSION(point, 2)
//                                                  {x:int32,y:int32}@2
//   std::map<std::string, std::optional<point>>    map<string,optional<{x:int32,y:int32}>>
//   struct tree { int value; std::vector<tree> kids; }, serialize: ar(value, kids)
//                                                  {int32,vector<^1>}
//
// A class version is shown wherever the class appears (cereal writes it once per archive). A
// version bump is a schema change even when the class's load() still reads the older version.
// The versions alone, in the order cereal registers them, are hashed apart (class_versions_hash):
// a reader without a lineage to recompute from trusts a versioned load() when they changed.
//
// C++ type names are NOT part of a class's schema: renaming a struct or moving it to another
// namespace keeps its schema (the manifest's element type name, customizable through
// type_fingerprint<T>, is the place for names), and the text reads the same whichever compiler
// built the program. Two structs with the same fields therefore have the same schema.
//
// What it cannot see (the schema describes the SAVE side as run on one value-initialized T):
//   - a change that keeps the sequence of types: two fields of the same type swapped or renamed
//     in C++ without make_nvp names, a field whose meaning or unit changed. Use make_nvp names, or
//     bump the CEREAL_CLASS_VERSION (both are part of the schema);
//   - logic in save/load that branches on values or on the version: only the path a
//     value-initialized T takes is visited (e.g. `if (has_extra) ar(extra);` is seen only if a
//     value-initialized T has has_extra set); changes to load alone are not seen at all;
//   - custom containers, i.e. user classes that serialize a size and then their elements: a
//     value-initialized one is empty, so it is described as what it writes when empty (usually
//     "{}") and its element type is invisible. Give such a type a type-level description by
//     specializing lineage::storage::schema_type (below);
//   - what a polymorphic pointer points to beyond its static type; which enumerators an enum has;
//     data passed to cereal::defer (lineage's archives never write deferred data either);
//   - types whose serializer accepts only specific archives (e.g. a save taking
//     lineage::storage::hashing_output_archive&, not a template on Archive): schema_archive
//     cannot run it, so such a type is described by name only, opaque<"its element_type_name">
//     (the name lineage already stores in manifests: a rename changes it, a new field does not);
//     the same for a pointee that cannot be value-initialized (abstract, no default constructor,
//     built by load_and_construct). A serializer that is a template on Archive but does not
//     compile for schema_archive (it calls members of one particular archive) is a compile error,
//     and one that branches on the archive type is described along the branch schema_archive
//     takes.
// The serializer runs on a value-initialized T: it must not throw on one (if it does, schema_of
// throws, and the next call tries again).
//
// Customization: describe a type by its type instead of by running its serializer (custom
// containers), e.g.
//   template <class T> struct lineage::storage::schema_type<my::small_vector<T>> {
//     static void describe(lineage::storage::schema_archive& ar) {
//       ar.describe_template<T>("small_vector");  // "small_vector<" + schema of T + ">"
//     }
//   };
// describe() may call ar.append(text), ar.describe<U>() and ar.describe_template<Us...>(name);
// it must not call schema_of.
#include <lineage/core/type_name.hpp>
#include <lineage/storage/archive.hpp>

#include <cereal/cereal.hpp>
#include <cereal/types/base_class.hpp>

#include <algorithm>
#include <array>
#include <bitset>
#include <chrono>
#include <climits>
#include <complex>
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
#include <mutex>
#include <optional>
#include <ratio>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <valarray>
#include <variant>
#include <vector>

namespace lineage::storage {

struct element_schema {
  std::string text;    // human-readable; at most schema_text_limit bytes, then "…"
  std::uint64_t hash;  // XXH3-64 of the full (untruncated) text
  // XXH3-64 of the cereal class versions met, in the order cereal registered them (once per
  // versioned class, u32 each); the hash of no bytes when no class is versioned. A reader whose
  // schema differs but whose class versions are the same knows that the layout changed without
  // a version bump (checkpoint.hpp, reader.hpp).
  std::uint64_t class_versions_hash;
};

// Texts longer than this (in bytes) are cut at a character boundary and end with "…".
inline constexpr std::size_t schema_text_limit = 256;

class schema_archive;

// Specialize with `static void describe(schema_archive&)` to describe a type by its type.
template <class T>
struct schema_type {};

template <class T>
concept has_schema_type = requires(schema_archive& ar) { schema_type<T>::describe(ar); };

namespace detail::schema {

// One address per type (tags are compared only within one computation; no RTTI needed).
template <class T>
inline constexpr char type_tag = 0;

template <class T>
const void* tag_of() noexcept {
  return &type_tag<T>;
}

template <class T>
struct is_nvp : std::false_type {};
template <class T>
struct is_nvp<cereal::NameValuePair<T>> : std::true_type {};
template <class T>
struct is_size_tag : std::false_type {};
template <class T>
struct is_size_tag<cereal::SizeTag<T>> : std::true_type {};
template <class T>
struct is_binary_data : std::false_type {};
template <class T>
struct is_binary_data<cereal::BinaryData<T>> : std::true_type {};
template <class T>
struct is_deferred : std::false_type {};
template <class T>
struct is_deferred<cereal::DeferredData<T>> : std::true_type {};
template <class T>
struct base_of {
  using type = void;
  static constexpr bool is_virtual = false;
};
template <class B>
struct base_of<cereal::base_class<B>> {
  using type = B;
  static constexpr bool is_virtual = false;
};
template <class B>
struct base_of<cereal::virtual_base_class<B>> {
  using type = B;
  static constexpr bool is_virtual = true;
};

template <class T>
inline constexpr bool cereal_wrapper_v =
    is_nvp<T>::value || is_size_tag<T>::value || is_binary_data<T>::value || is_deferred<T>::value ||
    !std::is_void_v<typename base_of<T>::type>;

// A stand-in for schema_archive in overload detection: the same base and flags, the same
// functions for cereal's wrappers and arithmetic values, but not the fallback for types whose
// serializers accept only other archives (see restricted_serializer). Never instantiated.
class probe_archive : public cereal::OutputArchive<probe_archive, cereal::AllowEmptyClassElision> {
 public:
  probe_archive() : cereal::OutputArchive<probe_archive, cereal::AllowEmptyClassElision>(this) {}

  template <class T>
    requires std::is_arithmetic_v<T>
  friend void CEREAL_SAVE_FUNCTION_NAME(probe_archive&, const T&) {}
  template <class T>
  friend void CEREAL_SAVE_FUNCTION_NAME(probe_archive&, const cereal::NameValuePair<T>&) {}
  template <class T>
  friend void CEREAL_SAVE_FUNCTION_NAME(probe_archive&, const cereal::SizeTag<T>&) {}
  template <class T>
  friend void CEREAL_SAVE_FUNCTION_NAME(probe_archive&, const cereal::BinaryData<T>&) {}
};

// T can be saved with lineage's archive but none of its serializers accepts a generic archive.
// (Conjunctions in a concept stop at the first false operand: the cereal traits are evaluated
// only for class types.)
template <class T>
concept restricted_serializer =
    (std::is_class_v<T> || std::is_union_v<T>) && !cereal_wrapper_v<T> &&
    cereal::traits::is_output_serializable<T, hashing_output_archive>::value &&
    (cereal::traits::detail::count_output_serializers<T, probe_archive>::value == 0);

// Described by running its serializer (when an instance is at hand).
template <class T>
concept by_serializer =
    (std::is_class_v<T> || std::is_union_v<T>) && !has_schema_type<T> && !restricted_serializer<T>;

inline bool plain_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

inline void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

// The text shown to people: at most schema_text_limit bytes, cut before a UTF-8 continuation byte.
inline std::string truncated(const std::string& text) {
  if (text.size() <= schema_text_limit) return text;
  std::size_t cut = schema_text_limit - 3;  // room for "…" (3 bytes in UTF-8)
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return text.substr(0, cut) + "\xE2\x80\xA6";
}

template <class T>
std::string arithmetic_name() {
  constexpr auto bits = sizeof(T) * CHAR_BIT;
  if constexpr (std::is_same_v<T, bool>) {
    return "bool";
  } else if constexpr (std::is_same_v<T, char>) {
    return "char";
  } else if constexpr (std::is_same_v<T, char8_t>) {
    return "char8";
  } else if constexpr (std::is_same_v<T, char16_t>) {
    return "char16";
  } else if constexpr (std::is_same_v<T, char32_t>) {
    return "char32";
  } else if constexpr (std::is_same_v<T, wchar_t>) {
    return "wchar" + std::to_string(bits);
  } else if constexpr (std::is_integral_v<T>) {
    return (std::is_signed_v<T> ? "int" : "uint") + std::to_string(bits);
  } else {
    constexpr int digits = std::numeric_limits<T>::digits;
    // IEEE 754 interchange formats by their size; others (x87 extended) with their precision.
    if constexpr ((bits == 32 && digits == 24) || (bits == 64 && digits == 53) ||
                  (bits == 128 && digits == 113)) {
      return "float" + std::to_string(bits);
    } else {
      return "float" + std::to_string(bits) + "_m" + std::to_string(digits);
    }
  }
}

// Serializes all schema computations: cereal's registry of class versions is a global map that
// cereal updates without a lock unless CEREAL_THREAD_SAFE is set.
inline std::recursive_mutex& schema_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

}  // namespace detail::schema

class schema_archive : public cereal::OutputArchive<schema_archive, cereal::AllowEmptyClassElision> {
 public:
  schema_archive() : cereal::OutputArchive<schema_archive, cereal::AllowEmptyClassElision>(this) {}

  schema_archive(const schema_archive&) = delete;
  schema_archive& operator=(const schema_archive&) = delete;

  // ----- for schema_type<T>::describe -----------------------------------------------------
  // Appends text as is.
  void append(std::string_view text) { out_ += text; }

  // Appends the schema of U (U's type-level description, or U's serializer run on a
  // value-initialized U, or a back-reference).
  template <class U>
  void describe() {
    using V = std::remove_cv_t<U>;
    if constexpr (has_schema_type<V>) {
      schema_type<V>::describe(*this);
    } else if constexpr (detail::schema::by_serializer<V> && std::is_default_constructible_v<V>) {
      if (emit_known_class(detail::schema::tag_of<V>())) return;
      std::shared_ptr<V> instance = std::make_shared<V>();  // value-initialized
      keep_alive_.push_back(instance);  // addresses stay unique (cereal tracks some by address)
      slot_ = true;
      (*this)(*instance);
    } else {
      append_opaque<V>();
    }
  }

  // Appends name<schema of Us, ...>.
  template <class... Us>
  void describe_template(std::string_view name) {
    out_ += name;
    out_ += '<';
    [[maybe_unused]] std::size_t index = 0;
    (describe_argument<Us>(index++), ...);
    out_ += '>';
  }

  // ----- result -------------------------------------------------------------------------
  const std::string& text() const noexcept { return out_; }

  element_schema result() const {
    return element_schema{detail::schema::truncated(out_), detail::xxh3(out_.data(), out_.size()),
                          detail::xxh3(class_versions_.data(), class_versions_.size() * sizeof(std::uint32_t))};
  }

  // The class versions met so far, in the order cereal registered them.
  const std::vector<std::uint32_t>& class_versions() const noexcept { return class_versions_; }

 private:
  enum class entry_kind : unsigned char { plain, muted, frame };
  struct entry {
    entry_kind kind;
    const void* tag;  // the type whose processing pushed it (owner of a class version)
  };
  struct frame {
    const void* tag;
    std::size_t start;       // where "{" is in out_
    std::size_t lowest_ref;  // the outermost frame a back-reference inside this one points to
    std::size_t fields = 0;
  };

  // cereal's hooks, found by argument-dependent lookup (more specialized than cereal's own
  // template <class Archive, class T> prologue/epilogue, so never ambiguous with them).
  template <class T>
  friend void prologue(schema_archive& ar, const T& value) {
    ar.enter(value);
  }
  template <class T>
  friend void epilogue(schema_archive& ar, const T&) {
    ar.leave();
  }

  // What cereal needs to save standard types with this archive. Nothing is written.
  template <class T>
    requires std::is_arithmetic_v<T>
  friend void CEREAL_SAVE_FUNCTION_NAME(schema_archive&, const T&) {}
  template <class T>
  friend void CEREAL_SAVE_FUNCTION_NAME(schema_archive& ar, const cereal::NameValuePair<T>& nvp) {
    ar(nvp.value);
  }
  template <class T>
  friend void CEREAL_SAVE_FUNCTION_NAME(schema_archive&, const cereal::SizeTag<T>&) {}
  template <class T>
  friend void CEREAL_SAVE_FUNCTION_NAME(schema_archive&, const cereal::BinaryData<T>&) {}
  // Types whose serializers accept only other archives: described by name (see enter_value).
  template <class T>
    requires detail::schema::restricted_serializer<T>
  friend void CEREAL_SAVE_FUNCTION_NAME(schema_archive&, const T&) {}

  template <class U>
  void describe_argument(std::size_t index) {
    if (index > 0) out_ += ',';
    describe<U>();
  }

  template <class T>
  void enter(const T& value) {
    using namespace detail::schema;
    if constexpr (is_nvp<T>::value) {
      enter_nvp(value.name, value.value);
    } else if constexpr (is_size_tag<T>::value || is_binary_data<T>::value || is_deferred<T>::value) {
      pending_name_ = nullptr;  // not part of the schema, nor is a name given to it
      push_muted(nullptr);
    } else if constexpr (!std::is_void_v<typename base_of<T>::type>) {
      using B = typename base_of<T>::type;
      if constexpr (base_of<T>::is_virtual) {
        // cereal writes a virtual base once per object: mirror its bookkeeping.
        if (!virtual_bases_.emplace(tag_of<B>(), static_cast<const void*>(value.base_ptr)).second) {
          pending_name_ = nullptr;
          push_muted(tag_of<B>());
          return;
        }
      }
      enter_value<B>();
    } else {
      enter_value<T>();
    }
  }

  template <class V>
  void enter_nvp(const char* name, const V& value) {
    if (std::strcmp(name, "cereal_class_version") == 0) {
      // OutputArchive::registerClassVersion, inside the processing of the versioned class.
      if constexpr (std::is_arithmetic_v<std::remove_cvref_t<V>>) {
        const void* owner = entries_.empty() ? nullptr : entries_.back().tag;
        versions_[owner] = static_cast<std::uint32_t>(value);
        class_versions_.push_back(static_cast<std::uint32_t>(value));
      }
      push_muted(nullptr);
      return;
    }
    if (mute_ > 0) {
      push_muted(nullptr);
      return;
    }
    pending_name_ = name;
    entries_.push_back({entry_kind::plain, nullptr});
  }

  template <class U>
  void enter_value() {
    using V = std::remove_cv_t<U>;
    const void* tag = detail::schema::tag_of<V>();
    if (mute_ > 0) {
      push_muted(tag);
      return;
    }
    begin_item();
    if constexpr (detail::schema::by_serializer<V>) {
      if (emit_known_class(tag)) {
        push_muted(tag);
      } else {
        frames_.push_back({tag, out_.size(), frames_.size()});
        out_ += '{';
        entries_.push_back({entry_kind::frame, tag});
      }
    } else {
      describe<V>();  // by type; cereal's own processing of the value is not recorded
      push_muted(tag);
    }
  }

  void leave() {
    const entry top = entries_.back();
    entries_.pop_back();
    if (top.kind == entry_kind::muted) {
      --mute_;
    } else if (top.kind == entry_kind::frame) {
      close_frame();
    }
  }

  void push_muted(const void* tag) {
    ++mute_;
    entries_.push_back({entry_kind::muted, tag});
  }

  // Separator and name of the next item of the innermost class (none at a type-level slot).
  void begin_item() {
    if (slot_) {
      slot_ = false;
      return;
    }
    if (!frames_.empty() && frames_.back().fields++ > 0) out_ += ',';
    if (pending_name_ != nullptr) {
      const std::string_view name(pending_name_);
      if (detail::schema::plain_name(name)) {
        out_ += name;
      } else {
        detail::schema::append_quoted(out_, name);
      }
      out_ += ':';
      pending_name_ = nullptr;
    }
  }

  void close_frame() {
    const frame done = frames_.back();
    frames_.pop_back();
    out_ += '}';
    if (const auto version = versions_.find(done.tag); version != versions_.end()) {
      out_ += '@';
      out_ += std::to_string(version->second);
    }
    const std::size_t index = frames_.size();
    if (done.lowest_ref >= index) {
      cache_.emplace(done.tag, out_.substr(done.start));  // self-contained: reusable anywhere
    } else {
      frames_.back().lowest_ref = std::min(frames_.back().lowest_ref, done.lowest_ref);
    }
  }

  // A class being described further up (back-reference) or already described (its text).
  bool emit_known_class(const void* tag) {
    for (std::size_t i = frames_.size(); i-- > 0;) {
      if (frames_[i].tag == tag) {
        out_ += '^';
        out_ += std::to_string(frames_.size() - i);
        frames_.back().lowest_ref = std::min(frames_.back().lowest_ref, i);
        return true;
      }
    }
    if (const auto known = cache_.find(tag); known != cache_.end()) {
      out_ += known->second;
      return true;
    }
    return false;
  }

  template <class V>
  void append_opaque() {
    out_ += "opaque<";
    detail::schema::append_quoted(out_, element_type_name<V>());
    out_ += '>';
  }

  std::string out_;
  std::vector<entry> entries_;  // one per value between its prologue and epilogue
  std::vector<frame> frames_;   // the classes being described, outermost first
  std::size_t mute_ = 0;        // > 0: inside a value described by its type
  bool slot_ = false;           // the next value is the root of describe<U>(): no separator
  const char* pending_name_ = nullptr;
  std::unordered_map<const void*, std::string> cache_;
  std::unordered_map<const void*, std::uint32_t> versions_;
  std::vector<std::uint32_t> class_versions_;  // in registration order (cereal: once per class)
  std::set<std::pair<const void*, const void*>> virtual_bases_;
  std::vector<std::shared_ptr<const void>> keep_alive_;
};

// ---------------------------------------------------------------------------------------------
// Type-level descriptions of arithmetic, enum and standard types.
template <class T>
  requires std::is_arithmetic_v<T>
struct schema_type<T> {
  static void describe(schema_archive& ar) { ar.append(detail::schema::arithmetic_name<T>()); }
};

template <class T>
  requires std::is_enum_v<T>
struct schema_type<T> {
  static void describe(schema_archive& ar) { ar.describe_template<std::underlying_type_t<T>>("enum"); }
};

template <class T, std::size_t N>
struct schema_type<T[N]> {
  static void describe(schema_archive& ar) {
    ar.describe<std::remove_all_extents_t<T>>();
    extents<T[N]>(ar);
  }
  template <class A>
  static void extents(schema_archive& ar) {
    if constexpr (std::rank_v<A> != 0) {
      ar.append("[" + std::to_string(std::extent_v<A>) + "]");
      extents<std::remove_extent_t<A>>(ar);
    }
  }
};

template <class C, class Tr, class A>
struct schema_type<std::basic_string<C, Tr, A>> {
  static void describe(schema_archive& ar) {
    if constexpr (std::is_same_v<C, char>) {
      ar.append("string");
    } else {
      ar.describe_template<C>("string");
    }
  }
};

template <class T, class A>
struct schema_type<std::vector<T, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("vector"); }
};
template <class T, class A>
struct schema_type<std::deque<T, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("deque"); }
};
template <class T, class A>
struct schema_type<std::list<T, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("list"); }
};
template <class T, class A>
struct schema_type<std::forward_list<T, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("forward_list"); }
};
template <class T>
struct schema_type<std::valarray<T>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("valarray"); }
};
template <class T, std::size_t N>
struct schema_type<std::array<T, N>> {
  static void describe(schema_archive& ar) {
    ar.append("array<");
    ar.describe<T>();
    ar.append("," + std::to_string(N) + ">");
  }
};
template <std::size_t N>
struct schema_type<std::bitset<N>> {
  static void describe(schema_archive& ar) { ar.append("bitset<" + std::to_string(N) + ">"); }
};
template <class T>
struct schema_type<std::complex<T>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("complex"); }
};

template <class K, class C, class A>
struct schema_type<std::set<K, C, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<K>("set"); }
};
template <class K, class C, class A>
struct schema_type<std::multiset<K, C, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<K>("multiset"); }
};
template <class K, class H, class E, class A>
struct schema_type<std::unordered_set<K, H, E, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<K>("unordered_set"); }
};
template <class K, class H, class E, class A>
struct schema_type<std::unordered_multiset<K, H, E, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<K>("unordered_multiset"); }
};
template <class K, class V, class C, class A>
struct schema_type<std::map<K, V, C, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<K, V>("map"); }
};
template <class K, class V, class C, class A>
struct schema_type<std::multimap<K, V, C, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<K, V>("multimap"); }
};
template <class K, class V, class H, class E, class A>
struct schema_type<std::unordered_map<K, V, H, E, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<K, V>("unordered_map"); }
};
template <class K, class V, class H, class E, class A>
struct schema_type<std::unordered_multimap<K, V, H, E, A>> {
  static void describe(schema_archive& ar) { ar.describe_template<K, V>("unordered_multimap"); }
};

template <class A, class B>
struct schema_type<std::pair<A, B>> {
  static void describe(schema_archive& ar) { ar.describe_template<A, B>("pair"); }
};
template <class... Ts>
struct schema_type<std::tuple<Ts...>> {
  static void describe(schema_archive& ar) { ar.describe_template<Ts...>("tuple"); }
};
template <class... Ts>
struct schema_type<std::variant<Ts...>> {
  static void describe(schema_archive& ar) { ar.describe_template<Ts...>("variant"); }
};
template <>
struct schema_type<std::monostate> {
  static void describe(schema_archive& ar) { ar.append("monostate"); }
};
template <class T>
struct schema_type<std::optional<T>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("optional"); }
};
template <class T, class D>
struct schema_type<std::unique_ptr<T, D>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("unique_ptr"); }
};
template <class T>
struct schema_type<std::shared_ptr<T>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("shared_ptr"); }
};
template <class T>
struct schema_type<std::weak_ptr<T>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("weak_ptr"); }
};

template <class R, class P>
struct schema_type<std::chrono::duration<R, P>> {
  static void describe(schema_archive& ar) {
    ar.append("duration<");
    ar.describe<R>();
    ar.append("," + std::to_string(P::num) + "/" + std::to_string(P::den) + ">");
  }
};
template <class C, class D>
struct schema_type<std::chrono::time_point<C, D>> {
  static void describe(schema_archive& ar) {
    ar.append("time_point<");
    if constexpr (std::is_same_v<C, std::chrono::system_clock>) {
      ar.append("system_clock");
    } else if constexpr (std::is_same_v<C, std::chrono::steady_clock>) {
      ar.append("steady_clock");
    } else {
      std::string name;
      detail::schema::append_quoted(name, lineage::detail::portable_type_name<C>());
      ar.append(name);
    }
    ar.append(",");
    ar.describe<D>();
    ar.append(">");
  }
};

// ---------------------------------------------------------------------------------------------
namespace detail::schema {

template <class T>
element_schema compute() {
  const std::lock_guard<std::recursive_mutex> lock(schema_mutex());
  schema_archive archive;
  archive.describe<T>();
  return archive.result();
}

}  // namespace detail::schema

// The structural schema of T (see the top of this file). Computed once per type; thread-safe.
template <class T>
const element_schema& schema_of() {
  using V = std::remove_cvref_t<T>;
  if constexpr (!std::is_same_v<T, V>) {
    return schema_of<V>();
  } else {
    static_assert(serializable<V>, LINEAGE_NOT_SERIALIZABLE_MESSAGE);
    if constexpr (serializable<V>) {
      static const element_schema schema = detail::schema::compute<V>();
      return schema;
    } else {  // only the static_assert's message, no cascade of cereal errors
      static const element_schema none{};
      return none;
    }
  }
}

}  // namespace lineage::storage
