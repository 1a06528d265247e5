#include "common/encoding.h"

#include <gtest/gtest.h>

namespace civicgrid::encoding {
namespace {

TEST(Encoding, Utf8IsTakenAsItIs) {
  auto out = ToUtf8("code,name\nx,中文\n", "orgs");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "code,name\nx,中文\n");
  EXPECT_EQ(*ToUtf8("", "orgs"), "");
}

TEST(Encoding, Utf8BomIsStripped) {
  auto out = ToUtf8(
      "\xEF\xBB\xBF"
      "code,name\nx,中文\n",
      "orgs");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "code,name\nx,中文\n");
  // JSON: the BOM is tolerated too.
  out = ToUtf8("\xEF\xBB\xBF{\"a\":\"街道\"}", "regions", Accept::kUtf8);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "{\"a\":\"街道\"}");
}

TEST(Encoding, Gb18030TwoByteIsConverted) {
  // 中文 and 街道办 as GBK (the two-byte part of GB18030), and € (A2 E3, GB18030 only).
  auto out = ToUtf8("code,name\nx,\xD6\xD0\xCE\xC4\ny,\xBD\xD6\xB5\xC0\xB0\xEC \xA2\xE3\n", "orgs");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "code,name\nx,中文\ny,街道办 €\n");
}

TEST(Encoding, Gb18030FourByteIsConverted) {
  // 㐀 U+3400 (81 39 EE 39, in the BMP), À U+00C0 (81 30 86 38) and 𠀀 U+20000 (95 32 82 36, past the BMP).
  auto out = ToUtf8("name\n\x81\x39\xEE\x39\x81\x30\x86\x38\x95\x32\x82\x36\n", "orgs");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "name\n㐀À𠀀\n");
  // GB18030's own BOM (U+FEFF as 84 31 95 33) is dropped like UTF-8's.
  out = ToUtf8("\x84\x31\x95\x33name\n\xD6\xD0\n", "orgs");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "name\n中\n");
}

TEST(Encoding, WholeValidUtf8WinsOverGb18030) {
  // E4 B8 AD E6 96 87 (中文 in UTF-8) is also two-byte GB18030 by accident (涓枃): UTF-8 is preferred.
  EXPECT_EQ(*ToUtf8("\xE4\xB8\xAD\xE6\x96\x87", "orgs"), "中文");
}

TEST(Encoding, GarbageNamesTheLineAndOffset) {
  // Latin-1 "Café," on line 3 (CR LF endings): E9 followed by ',' is neither UTF-8 nor GB18030.
  const std::string bytes = "code,name\r\nok,fine\r\nx,Caf\xE9,y\r\n";
  auto out = ToUtf8(bytes, "organisations CSV");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(out.error().field, "encoding");
  EXPECT_NE(out.error().message.find("organisations CSV: line 3, byte offset 25: the bytes 0xE9 0x2C"),
            std::string::npos)
      << out.error().message;
  EXPECT_NE(out.error().message.find("neither UTF-8 nor GB18030"), std::string::npos);
  // A GBK file with one broken byte (0xFF) on line 4: the GB18030 reading gets further, so line 4 is named,
  // not line 2 where the UTF-8 reading stops.
  auto gb = ToUtf8("name\n\xD6\xD0\n\xCE\xC4\nab\xFF\n", "orgs");
  ASSERT_FALSE(gb.ok());
  EXPECT_NE(gb.error().message.find("line 4, byte offset 13: the bytes 0xFF"), std::string::npos) << gb.error().message;
  EXPECT_NE(gb.error().message.find("read as GB18030"), std::string::npos);
  // A UTF-8 file with one stray Latin-1 byte after enough UTF-8 to tell: refused, naming the byte, although
  // the whole file happens to read as GB18030 (E4 B8 AD E9 ...): converting it would store mojibake.
  auto u8 = ToUtf8("name\n中文街道\n中文街道\n中\xE9\n", "orgs");
  ASSERT_FALSE(u8.ok());
  EXPECT_NE(u8.error().message.find("line 4, byte offset 34: the bytes 0xE9"), std::string::npos) << u8.error().message;
  EXPECT_NE(u8.error().message.find("UTF-8 up to here"), std::string::npos);
  // A sequence cut off at the end of the file.
  auto cut = ToUtf8("name\n\xD6", "orgs");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find("line 2, byte offset 5"), std::string::npos) << cut.error().message;
}

TEST(Encoding, Utf16IsRefused) {
  for (const std::string& bom : {std::string("\xFF\xFE", 2), std::string("\xFE\xFF", 2)}) {
    auto out = ToUtf8(bom + std::string("c\0o\0d\0e\0", 8), "orgs");
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().code, ErrorCode::kInvalid);
    EXPECT_NE(out.error().message.find("UTF-16"), std::string::npos) << out.error().message;
    EXPECT_NE(out.error().message.find("CSV UTF-8"), std::string::npos) << out.error().message;
  }
  // Without a BOM, UTF-16 would pass as UTF-8 (NUL is well-formed): NUL bytes are refused.
  auto nobom = ToUtf8(std::string("c\0o\0\n\0x\0", 8), "orgs");
  ASSERT_FALSE(nobom.ok());
  EXPECT_NE(nobom.error().message.find("line 1, byte offset 1: a NUL byte"), std::string::npos)
      << nobom.error().message;
}

TEST(Encoding, JsonRefusesGb18030) {
  auto out = ToUtf8("{\"name\":\"\xBD\xD6\xB5\xC0\"}", "regions GeoJSON", Accept::kUtf8);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kInvalid);
  EXPECT_NE(out.error().message.find("GB18030"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("RFC 8259"), std::string::npos);
  auto bad = ToUtf8("{\n\"name\":\"Caf\xE9\"}", "regions GeoJSON", Accept::kUtf8);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("line 2, byte offset 13: the bytes 0xE9"), std::string::npos)
      << bad.error().message;
}

TEST(Encoding, BrokenUtf8AfterABomIsNotReadAsGb18030) {
  auto out = ToUtf8("\xEF\xBB\xBFname\n\xD6\xD0\n", "orgs");
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("line 2, byte offset 8"), std::string::npos) << out.error().message;
  EXPECT_NE(out.error().message.find("UTF-8 BOM"), std::string::npos);
}

}  // namespace
}  // namespace civicgrid::encoding
