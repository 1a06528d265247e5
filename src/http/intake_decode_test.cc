#include "http/intake_decode.h"

#include <gtest/gtest.h>

#include "http/json_util.h"

namespace civicgrid::http {
namespace {

Result<cases::IntakeRequest> Decode(const std::string& body) {
  auto j = ParseObject(body);
  if (!j.ok()) return j.error();
  return ParseIntake(*j);
}

TEST(IntakeDecode, ReadsAFullBody) {
  auto r = Decode(R"({"channel":"hotline","category":"06002","title":"井盖缺失","external_id":"x-1",
      "location":{"lat":33.35,"lon":120.16,"crs":"GCJ02"},
      "reporter":{"name":"张三","phone":"13800000000","anonymous":true}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->channel, "hotline");
  EXPECT_EQ(r->title, "井盖缺失");
  ASSERT_TRUE(r->location);
  EXPECT_DOUBLE_EQ(r->location->lat, 33.35);
  EXPECT_EQ(r->crs, geo::Crs::kGcj02);
  EXPECT_EQ(r->reporter_name, "张三");
  EXPECT_TRUE(r->anonymous);
}

TEST(IntakeDecode, NamesTheWrongField) {
  for (auto [body, field] :
       {std::pair{R"({"category":"a","title":"t"})", "channel"},
        std::pair{R"({"channel":1,"category":"a","title":"t"})", "channel"},
        std::pair{R"({"channel":"c","category":"a","title":"t","location":[1,2]})", "location"},
        std::pair{R"({"channel":"c","category":"a","title":"t","location":{"lat":"1","lon":2}})", "location.lat"},
        std::pair{R"({"channel":"c","category":"a","title":"t","location":{"lat":1,"lon":2,"crs":"x"}})",
                  "location.crs"},
        std::pair{R"({"channel":"c","category":"a","title":"t","reporter":{"anonymous":"yes"}})",
                  "reporter.anonymous"}}) {
    auto r = Decode(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << body;
    EXPECT_EQ(r.error().field, field) << body;
  }
}

}  // namespace
}  // namespace civicgrid::http
