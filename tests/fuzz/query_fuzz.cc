// libFuzzer target: the query-string decoder (http::ParseQueryString, http::PercentDecode) and the number
// reader on top of it (http::QueryNumberValue). Checks beyond no crash / no sanitizer report:
//  - a decoded query, percent-encoded again, decodes to the same map (so nothing is lost or invented);
//  - PercentDecode never grows its input, and inverts percent-encoding of any bytes;
//  - a number read from the query is finite.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "http/message.h"

using namespace civicgrid;

namespace {
void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "query_fuzz: invariant broken: %s\n", what);
    abort();
  }
}

std::string Encode(const std::string& in) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  std::map<std::string, std::string> query;
  if (http::ParseQueryString(text, query)) {
    std::string again_text;
    for (const auto& [k, v] : query) {
      if (!again_text.empty()) again_text += '&';
      again_text += Encode(k) + "=" + Encode(v);
    }
    std::map<std::string, std::string> again;
    Check(http::ParseQueryString(again_text, again), "a re-encoded query parses");
    Check(again == query, "a query round-trips");

    http::Request req;
    req.query = query;
    for (const auto& [k, v] : query) {
      std::optional<double> n;
      std::string error;
      if (http::QueryNumberValue(req, k.c_str(), n, error)) {
        if (n) Check(std::isfinite(*n), "a query number is finite");
      } else {
        Check(!error.empty(), "a refused number says why");
      }
    }
  }

  for (bool plus : {false, true}) {
    std::string decoded;
    if (http::PercentDecode(text, decoded, plus)) Check(decoded.size() <= text.size(), "decoding never grows");
  }
  std::string decoded;
  Check(http::PercentDecode(Encode(text), decoded, false) && decoded == text, "decode inverts encode");
  return 0;
}
