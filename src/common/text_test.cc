#include "common/text.h"

#include <gtest/gtest.h>

namespace civicgrid::text {
namespace {

std::string CleanOne(std::string_view in) {
  auto r = Clean(in, "title", Lines::kOne);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : "<error>";
}

TEST(Text, InvisibleTitlesCleanToEmpty) {
  // Issue 17, item 8: each of these passed "not blank" before.
  EXPECT_EQ(CleanOne("\u3000\u3000"), "");                    // ideographic space
  EXPECT_EQ(CleanOne("\u200B\u200C\u200D\u2060\uFEFF"), "");  // zero-width characters
  EXPECT_EQ(CleanOne("\u3164"), "");                          // Hangul filler: default-ignorable
  EXPECT_EQ(CleanOne(" \u00A0\u2003\u202F "), "");
  EXPECT_EQ(CleanOne("\u3000\u200B路灯不亮\uFEFF\u3000"), "路灯不亮");
}

TEST(Text, InsideIsKept) {
  EXPECT_EQ(CleanOne("人民路 12 号"), "人民路 12 号");
  EXPECT_EQ(CleanOne("a\u200Db"), "a\u200Db");  // a joiner inside (emoji sequences) stays
}

TEST(Text, NormalisesToNfc) {
  EXPECT_EQ(CleanOne("Cafe\u0301"), "Caf\u00E9");
  EXPECT_EQ(CleanOne("\u212B"), "\u00C5");  // ANGSTROM SIGN → Å
}

TEST(Text, ControlCharactersAreRefusedNamingTheField) {
  for (std::string_view bad : {std::string_view("a\0b", 3), std::string_view("\x01"), std::string_view("a\x7f"),
                               std::string_view("a\u0085b"), std::string_view("a\nb"), std::string_view("a\tb")}) {
    auto r = Clean(bad, "reporter.name", Lines::kOne);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "reporter.name");
    EXPECT_NE(r.error().message.find("control character"), std::string::npos);
  }
  auto nul = Clean(std::string_view("\0", 1), "title", Lines::kMany);
  ASSERT_FALSE(nul.ok());
  EXPECT_NE(nul.error().message.find("U+0000"), std::string::npos);
}

TEST(Text, LongTextKeepsLinesAndTabs) {
  auto r = Clean("第一行\r\n第二行\r第三行\n\tend\n", "description", Lines::kMany);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "第一行\n第二行\n第三行\n\tend");
}

TEST(Text, IllFormedUtf8IsRefused) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE5\x95"));          // cut short
  EXPECT_TRUE(IsValidUtf8("啊A1"));
  EXPECT_FALSE(Clean("\xE5\x95", "title", Lines::kOne).ok());
}

TEST(Text, CountsCodePointsNotBytes) {
  EXPECT_EQ(CodePoints("啊啊啊啊A1"), 6u);  // 14 bytes
  EXPECT_EQ(CodePoints("😀"), 1u);
  EXPECT_EQ(CodePoints(""), 0u);
}

}  // namespace
}  // namespace civicgrid::text
