#include "common/ids.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <type_traits>
#include <unordered_set>

namespace civicgrid::common {
namespace {

using CaseLikeId = StrongId<struct CaseLikeTag>;
using UserLikeId = StrongId<struct UserLikeTag>;

// The point of the type: an id of one kind is neither an integer nor an id of another kind.
static_assert(!std::is_convertible_v<std::int64_t, CaseLikeId>);
static_assert(!std::is_convertible_v<CaseLikeId, std::int64_t>);
static_assert(!std::is_convertible_v<UserLikeId, CaseLikeId>);
static_assert(sizeof(CaseLikeId) == sizeof(std::int64_t));

TEST(StrongId, ComparesHashesPrintsAndTravelsAsAPlainNumber) {
  const CaseLikeId a(7), b(8);
  EXPECT_LT(a, b);
  EXPECT_EQ(a, CaseLikeId(7));
  EXPECT_FALSE(CaseLikeId());
  EXPECT_TRUE(a);
  EXPECT_EQ(to_string(a), "7");
  std::ostringstream os;
  os << b;
  EXPECT_EQ(os.str(), "8");
  std::unordered_set<CaseLikeId> set{a, b, CaseLikeId(7)};
  EXPECT_EQ(set.size(), 2u);
  nlohmann::json j = {{"id", a}};
  EXPECT_EQ(j.dump(), R"({"id":7})");
  EXPECT_EQ(j["id"].get<CaseLikeId>(), a);
}

}  // namespace
}  // namespace civicgrid::common
