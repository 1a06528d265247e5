#include "privacy/personal_data.h"

#include <gtest/gtest.h>

namespace civicgrid::privacy {
namespace {

TEST(Mobile, ValidFormats) {
  EXPECT_EQ(NormalizeMobile("13812345678"), "13812345678");
  EXPECT_EQ(NormalizeMobile("+86 138-1234-5678"), "13812345678");
  EXPECT_EQ(NormalizeMobile("8619912345678"), "19912345678");
  for (auto bad : {"1381234567", "23812345678", "12812345678", "138123456789", "138a2345678", "", "0515-87654321"})
    EXPECT_FALSE(NormalizeMobile(bad)) << bad;
}

TEST(IdNumber, CheckDigitFromTheStandard) {
  // The worked example of GB 11643-1999 (appendix): 11010519491231002X.
  EXPECT_EQ(NormalizeIdNumber("11010519491231002X"), "11010519491231002X");
  EXPECT_EQ(NormalizeIdNumber("11010519491231002x"), "11010519491231002X");
  // Another number published with the standard's explanation: 440524188001010014.
  EXPECT_TRUE(NormalizeIdNumber("440524188001010014"));
  EXPECT_EQ(IdCheckCharacter("11010519491231002"), 'X');
  EXPECT_FALSE(NormalizeIdNumber("110105194912310021"));  // wrong check character
  EXPECT_FALSE(NormalizeIdNumber("110105194902300025"));  // 30 February
  EXPECT_FALSE(NormalizeIdNumber("11010519491231002"));   // 17 characters
  EXPECT_FALSE(NormalizeIdNumber("000000194912310028"));
  EXPECT_FALSE(NormalizeIdNumber("1101051949123100AX"));
}

TEST(Masking, AsPublishedPractice) {
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskIdNumber("11010519491231002X"), "110105********002X");
  EXPECT_EQ(MaskName("张三丰"), "张**");
  EXPECT_EQ(MaskName(""), "");
}

TEST(Vault, SealsAndOpensWithIntegrity) {
  auto v = Vault::FromHex(Vault::NewKeyHex());
  ASSERT_TRUE(v.ok());
  const Sealed a = (*v)->Seal("13812345678", MaskPhone("13812345678"));
  const Sealed b = (*v)->Seal("13812345678", MaskPhone("13812345678"));
  EXPECT_NE(a.cipher, b.cipher);  // a fresh IV each time
  EXPECT_EQ(a.lookup, b.lookup);  // but the same lookup hash
  EXPECT_EQ(a.cipher.find("13812345678"), std::string::npos);
  EXPECT_EQ(*(*v)->Open(a), "13812345678");
  Sealed tampered = a;
  tampered.cipher[40] = tampered.cipher[40] == '0' ? '1' : '0';
  EXPECT_FALSE((*v)->Open(tampered).ok());
  auto other = Vault::FromHex(Vault::NewKeyHex());
  EXPECT_FALSE((*other)->Open(a).ok());
  EXPECT_NE((*other)->Lookup("13812345678"), a.lookup);
  EXPECT_FALSE(Vault::FromHex("abcd").ok());
}

TEST(Vault, UsesSm4AsSpecified) {
  // GB/T 32907-2016 appendix A example 1: key = plaintext = 0123456789abcdeffedcba9876543210 gives
  // 681edf34d206965e86b3e94f536e4246. In CTR mode the first keystream block is SM4(key, IV), so with the
  // example's plaintext as the IV, encrypting 16 zero bytes yields the example's ciphertext.
  const std::string k("\x01\x23\x45\x67\x89\xab\xcd\xef\xfe\xdc\xba\x98\x76\x54\x32\x10", 16);
  const std::string out = detail::Sm4Ctr(k, k, std::string(16, '\0'));
  const std::string expected("\x68\x1e\xdf\x34\xd2\x06\x96\x5e\x86\xb3\xe9\x4f\x53\x6e\x42\x46", 16);
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace civicgrid::privacy
