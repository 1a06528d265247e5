#include "common/text.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <climits>
#include <cstdio>

namespace civicgrid::text {
namespace {

// White space (U+3000, U+00A0, U+2028 …), format characters (Cf: U+200B..U+200F, U+2060, U+FEFF, bidi
// controls …) and the other default-ignorable code points (U+3164 HANGUL FILLER, U+034F, variation
// selectors …): what shows nothing at the edge of a field.
bool Invisible(UChar32 c) {
  return u_isUWhiteSpace(c) || u_charType(c) == U_FORMAT_CHAR ||
         u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

std::string CodeName(UChar32 c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", unsigned(c));
  return buf;
}

}  // namespace

size_t FirstInvalidUtf8(std::string_view bytes) {
  if (bytes.size() > size_t(INT32_MAX)) return 0;  // ICU's offsets are 32-bit; nothing this large is text here
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const auto n = int32_t(bytes.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(s, i, n, c);
    if (c < 0) return size_t(start);
  }
  return std::string_view::npos;
}

bool IsValidUtf8(std::string_view bytes) { return FirstInvalidUtf8(bytes) == std::string_view::npos; }

size_t CodePoints(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) n += (c & 0xC0) != 0x80;
  return n;
}

Result<std::string> Clean(std::string_view in, const std::string& field, Lines lines) {
  if (!IsValidUtf8(in)) return Invalid(field, field + " is not valid UTF-8");
  // Control characters: refused, except line feeds and tabs inside long text (CR LF and a lone CR become LF).
  std::string kept;
  kept.reserve(in.size());
  const auto* s = reinterpret_cast<const uint8_t*>(in.data());
  const auto n = int32_t(in.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(s, i, n, c);
    if (u_charType(c) == U_CONTROL_CHAR) {
      if (lines == Lines::kMany && (c == '\n' || c == '\t')) {
        kept.push_back(char(c));
      } else if (lines == Lines::kMany && c == '\r') {
        if (i >= n || s[i] != '\n') kept.push_back('\n');
      } else {
        return Invalid(field, field + " contains a control character (" + CodeName(c) + ")");
      }
      continue;
    }
    kept.append(in.substr(size_t(start), size_t(i - start)));
  }
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(err);
  if (U_FAILURE(err)) return Internal(std::string("Unicode normalisation unavailable: ") + u_errorName(err));
  std::string normal;
  normal.reserve(kept.size());
  icu::StringByteSink<std::string> sink(&normal);
  nfc->normalizeUTF8(0, icu::StringPiece(kept.data(), int32_t(kept.size())), sink, nullptr, err);
  if (U_FAILURE(err)) return Internal(std::string("Unicode normalisation failed: ") + u_errorName(err));
  // Trim both ends (NFC first: it may turn one space into another, never into something visible).
  const auto* t = reinterpret_cast<const uint8_t*>(normal.data());
  const auto len = int32_t(normal.size());
  int32_t begin = 0;
  while (begin < len) {
    int32_t next = begin;
    UChar32 c = 0;
    U8_NEXT(t, next, len, c);
    if (!Invisible(c)) break;
    begin = next;
  }
  int32_t end = len;
  while (end > begin) {
    int32_t prev = end;
    UChar32 c = 0;
    U8_PREV(t, 0, prev, c);
    if (!Invisible(c)) break;
    end = prev;
  }
  return normal.substr(size_t(begin), size_t(end - begin));
}

}  // namespace civicgrid::text
