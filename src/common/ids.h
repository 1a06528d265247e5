// Strong ids: an item's id is not a count, a version or a user's id, and the compiler says so. Explicit both
// ways (StrongId<Tag>(n), id.value()); compared, hashed, printed (to_string) and turned into JSON numbers like
// the integer underneath, so the wire and the store see plain integers.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace civicgrid::common {

template <class Tag>
class StrongId {
 public:
  using Rep = std::int64_t;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep value) : value_(value) {}
  constexpr Rep value() const { return value_; }
  // 0 is no item (an optional reference such as "merged from"); ids the ledger hands out start at 1.
  constexpr explicit operator bool() const { return value_ != 0; }
  friend constexpr bool operator==(StrongId a, StrongId b) { return a.value_ == b.value_; }
  friend constexpr std::strong_ordering operator<=>(StrongId a, StrongId b) { return a.value_ <=> b.value_; }
  // NOLINTNEXTLINE(readability-identifier-naming): found by ADL beside std::to_string
  friend std::string to_string(StrongId id) { return std::to_string(id.value_); }
  template <class Stream>  // std::ostream and the test framework's printers, without <ostream> here
  friend decltype(auto) operator<<(Stream& os, StrongId id) {
    return (os << id.value_);
  }
  // nlohmann::json finds these by argument-dependent lookup; no JSON header here.
  template <class Json>
  friend void to_json(Json& j, StrongId id) {  // NOLINT(readability-identifier-naming): nlohmann's
    j = id.value_;
  }
  template <class Json>
  friend void from_json(const Json& j, StrongId& id) {  // NOLINT(readability-identifier-naming): nlohmann's
    id.value_ = j.template get<Rep>();
  }

 private:
  Rep value_ = 0;
};

}  // namespace civicgrid::common

template <class Tag>
struct std::hash<civicgrid::common::StrongId<Tag>> {
  std::size_t operator()(civicgrid::common::StrongId<Tag> id) const noexcept {
    return std::hash<std::int64_t>{}(id.value());
  }
};
