#include "common/csv.h"

#include <gtest/gtest.h>

namespace civicgrid::csv {
namespace {

TEST(Csv, QuotedFieldsAndCrLf) {
  auto rows = Parse("a,b\r\n\"x, \"\"y\"\"\",2\r\nz,\"multi\nline\"\r\n", {"a", "b"});
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0]["a"], "x, \"y\"");
  EXPECT_EQ((*rows)[1]["b"], "multi\nline");
}

TEST(Csv, Errors) {
  EXPECT_FALSE(Parse("a,b\n1\n", {}).ok());
  EXPECT_FALSE(Parse("a,b\n\"1,2\n", {}).ok());
  EXPECT_FALSE(Parse("a\n1\n", {"b"}).ok());
  EXPECT_FALSE(Parse("", {}).ok());
  EXPECT_TRUE(Parse("\xEF\xBB\xBF"
                    "a\n1",
                    {"a"})
                  .ok());
}

TEST(Csv, RowsKnowTheirLine) {
  // Blank lines and a quoted line break move the lines on; an error names the line, not the record.
  auto rows = Parse("a,b\n1,2\n\n3,\"x\ny\"\n4,5", {"a"});
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].line, 2);
  EXPECT_EQ((*rows)[1].line, 4);
  EXPECT_EQ((*rows)[2].line, 6);
  auto bad = Parse("a,b\n1,2\n\n3\n", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("line 4 has 1 fields"), std::string::npos) << bad.error().message;
  auto open = Parse("a,b\n1,2\n3,\"x\ny\n", {});
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.error().message.find("line 3"), std::string::npos) << open.error().message;
}

TEST(Csv, GetReadsAbsentColumnsAsEmpty) {
  auto rows = Parse("a\n1\n", {"a"});
  ASSERT_TRUE(rows.ok());
  const Row& row = rows->front();
  EXPECT_EQ(row.Get("a"), "1");
  EXPECT_EQ(row.Get("b"), "");
  EXPECT_EQ(row.fields.size(), 1u) << "Get adds nothing";
}

}  // namespace
}  // namespace civicgrid::csv
