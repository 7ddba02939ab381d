// SPDX-License-Identifier: Apache-2.0
#pragma once
// Human-readable type names from the compiler, for explain() and checkpoint manifests.
#include <string>
#include <string_view>
#include <utility>

namespace lineage::detail {

template <class T>
constexpr std::string_view type_name() noexcept {
#if defined(__clang__) || defined(__GNUC__)
  constexpr std::string_view fn = __PRETTY_FUNCTION__;
#  if defined(__clang__)
  constexpr std::string_view key = "T = ";
  constexpr char last = ']';
#  else
  constexpr std::string_view key = "T = ";
  constexpr char last = ';';
#  endif
  constexpr auto start = fn.find(key) + key.size();
  constexpr auto stop_semicolon = fn.find(last, start);
  constexpr auto stop = stop_semicolon == std::string_view::npos ? fn.rfind(']') : stop_semicolon;
  return fn.substr(start, stop - start);
#else
  return "unknown";
#endif
}

// The same type spelled the same way by g++ and clang (libstdc++'s inline namespace removed),
// so that a checkpoint written by one compiler's build is recognised by the other's.
template <class T>
std::string portable_type_name() {
  std::string name(type_name<T>());
  constexpr std::string_view inline_ns = "__cxx11::";
  for (auto at = name.find(inline_ns); at != std::string::npos; at = name.find(inline_ns, at)) {
    name.erase(at, inline_ns.size());
  }
  // g++ spells some fundamental types differently from clang ("long int" for "long").
  constexpr std::pair<std::string_view, std::string_view> spellings[] = {
      {"long long unsigned int", "unsigned long long"}, {"long long int", "long long"},
      {"long unsigned int", "unsigned long"},           {"short unsigned int", "unsigned short"},
      {"long int", "long"},                             {"short int", "short"}};
  for (const auto& [gnu, common] : spellings) {
    for (auto at = name.find(gnu); at != std::string::npos; at = name.find(gnu, at + common.size())) {
      name.replace(at, gnu.size(), common);
    }
  }
  for (auto at = name.find("> >"); at != std::string::npos; at = name.find("> >", at)) name.erase(at + 1, 1);
  // Inside variadic templates (std::variant, std::tuple) g++ also prints the standard library's
  // default template arguments, which clang omits: drop them all.
  constexpr std::string_view defaults[] = {", std::char_traits<", ", std::allocator<", ", std::less<",
                                           ", std::hash<",        ", std::equal_to<",   ", std::default_delete<"};
  for (const auto& prefix : defaults) {
    for (auto at = name.find(prefix); at != std::string::npos; at = name.find(prefix, at)) {
      std::size_t end = at + prefix.size();
      for (int depth = 1; end < name.size() && depth > 0; ++end) {
        depth += name[end] == '<' ? 1 : name[end] == '>' ? -1 : 0;
      }
      name.erase(at, end - at);
    }
  }
  return name;
}

}  // namespace lineage::detail
