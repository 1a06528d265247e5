#include "common/encoding.h"

#include <iconv.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "common/text.h"

namespace civicgrid::encoding {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kSaveAs = "save the file as UTF-8 (in Excel: \"CSV UTF-8 (comma delimited)\")";

// A GB18030 reading: the text, or the offset of the first sequence that is not GB18030.
struct Gb18030 {
  std::string utf8;
  size_t bad = std::string_view::npos;
};

Result<Gb18030> FromGb18030(std::string_view bytes) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (reinterpret_cast<intptr_t>(cd) == -1) return Internal("the GB18030 converter (glibc iconv) is unavailable");
  std::vector<char> in(bytes.begin(), bytes.end());  // iconv takes a non-const input pointer
  char* in_at = in.data();
  size_t in_left = in.size();
  Gb18030 out;
  out.utf8.resize(bytes.size() + bytes.size() / 2 + 16);  // UTF-8 is at most 1.5 times as long as GB18030
  size_t done = 0;
  while (in_left > 0) {
    char* out_at = out.utf8.data() + done;
    size_t out_left = out.utf8.size() - done;
    const size_t r = iconv(cd, &in_at, &in_left, &out_at, &out_left);
    const int err = errno;
    done = out.utf8.size() - out_left;
    if (r != static_cast<size_t>(-1)) break;
    if (err == E2BIG) {
      out.utf8.resize(out.utf8.size() * 2);
      continue;
    }
    out.bad = static_cast<size_t>(in_at - in.data());  // EILSEQ, or EINVAL: cut off at the end
    break;
  }
  iconv_close(cd);
  out.utf8.resize(done);
  return out;
}

std::string Hex(std::string_view bytes, size_t at) {
  std::string out;
  for (size_t i = at; i < bytes.size() && i < at + 4; ++i) {
    char b[8];
    std::snprintf(b, sizeof b, "%s0x%02X", out.empty() ? "" : " ", static_cast<unsigned char>(bytes[i]));
    out += b;
  }
  return out;
}

// "line L, byte offset O": lines as the CSV reader counts them (LF, CR LF or a lone CR end one).
std::string Where(std::string_view bytes, size_t at) {
  int line = 1;
  for (size_t i = 0; i < at && i < bytes.size(); ++i)
    if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.size() || bytes[i + 1] != '\n'))) ++line;
  return "line " + std::to_string(line) + ", byte offset " + std::to_string(at);
}

// Characters of two or more bytes that read as UTF-8 before `end`. GBK Chinese keeps reading as UTF-8 for a
// character at about one chance in seven, so eight of them before the first bad byte mean a UTF-8 file
// with a broken byte (odds against GBK: about 10^-7), which must be refused, not converted to mojibake.
constexpr int kUtf8Evidence = 8;
int MultiByteCharacters(std::string_view utf8, size_t end) {
  int n = 0;
  for (size_t i = 0; i < end && i < utf8.size(); ++i) n += static_cast<unsigned char>(utf8[i]) >= 0xC0;
  return n;
}

Error Refuse(std::string_view what, const std::string& message) {
  return Invalid("encoding", std::string(what) + ": " + message);
}

}  // namespace

Result<std::string> ToUtf8(std::string_view bytes, std::string_view what, Accept accept) {
  // UTF-16 and UTF-32 BOMs (Excel's "Unicode text" is UTF-16 LE); no valid UTF-8 or GB18030 starts this way.
  if (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF" ||
      bytes.substr(0, 4) == std::string_view("\x00\x00\xFE\xFF", 4))
    return Refuse(what, "the file is UTF-16 or UTF-32 (Excel's \"Unicode text\"); " + std::string(kSaveAs));
  if (bytes.size() > size_t{INT32_MAX}) return Refuse(what, "the file is too large to be read as text");
  // A NUL is never text here; a run of them is UTF-16 without a BOM, which would pass as UTF-8 otherwise.
  if (const size_t nul = bytes.find('\0'); nul != std::string_view::npos)
    return Refuse(what, Where(bytes, nul) + ": a NUL byte (is the file UTF-16?); " + std::string(kSaveAs));
  const bool bom = bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom;
  const std::string_view body = bom ? bytes.substr(kUtf8Bom.size()) : bytes;
  const size_t utf8_bad = text::FirstInvalidUtf8(body);
  if (utf8_bad == std::string_view::npos) return std::string(body);
  const size_t utf8_at = utf8_bad + (bom ? kUtf8Bom.size() : 0);
  // A UTF-8 BOM declares UTF-8: the bytes after it are not read as anything else.
  if (bom)
    return Refuse(what, Where(bytes, utf8_at) + ": the bytes " + Hex(bytes, utf8_at) +
                            " are not UTF-8, although the file starts with a UTF-8 BOM; " + std::string(kSaveAs));
  const bool broken_utf8 = MultiByteCharacters(body, utf8_bad) >= kUtf8Evidence;
  if (broken_utf8)
    return Refuse(what, Where(bytes, utf8_at) + ": the bytes " + Hex(bytes, utf8_at) +
                            " are not UTF-8, in a file that is UTF-8 up to here; " + std::string(kSaveAs));
  auto gb = FromGb18030(bytes);
  if (!gb.ok()) return gb.error();
  if (gb->bad == std::string_view::npos) {
    if (accept == Accept::kUtf8)
      return Refuse(what, "the file is GB18030 (GBK), not UTF-8 (" + Where(bytes, utf8_at) +
                              " is not UTF-8); JSON must be UTF-8 (RFC 8259): save the file as UTF-8");
    std::string out = std::move(gb->utf8);
    if (out.substr(0, kUtf8Bom.size()) == kUtf8Bom) out.erase(0, kUtf8Bom.size());  // GB18030's BOM, 84 31 95 33
    return out;
  }
  if (accept == Accept::kUtf8)
    return Refuse(what, Where(bytes, utf8_at) + ": the bytes " + Hex(bytes, utf8_at) +
                            " are not UTF-8; JSON must be UTF-8 (RFC 8259): save the file as UTF-8");
  // Neither: name the spot in the reading that got further, where the file most likely went wrong (a GBK file
  // with one broken byte fails as UTF-8 at its first Chinese character, but as GB18030 only at that byte).
  const bool as_gb = gb->bad > utf8_at;
  const size_t at = as_gb ? gb->bad : utf8_at;
  return Refuse(what, Where(bytes, at) + ": the bytes " + Hex(bytes, at) + " are neither UTF-8 nor GB18030 (read as " +
                          (as_gb ? "GB18030" : "UTF-8") + ", the first bad sequence starts here); " +
                          std::string(kSaveAs));
}

}  // namespace civicgrid::encoding
