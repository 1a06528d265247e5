// The one way bytes from a file become text: every text import (organisation, routing rule and holiday CSVs,
// GeoJSON regions) goes through ToUtf8 before it is parsed, so a CSV that Excel on Chinese Windows saved as
// GBK/GB18030 is converted, not stored as mojibake, and anything else is refused whole, naming where.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace civicgrid::encoding {

enum class Accept {
  kUtf8OrGb18030,  // CSV: Excel's "CSV UTF-8" (with a BOM) and plain "CSV" on Chinese Windows (GBK ⊂ GB18030)
  kUtf8,           // JSON: UTF-8 only (RFC 8259); a BOM is tolerated, GB18030 is refused with its own message
};

// The bytes as UTF-8 without a BOM. Well-formed UTF-8 (a BOM optional) is taken as it is, even where the same
// bytes would also read as GB18030: Chinese text in GBK is almost never well-formed UTF-8 by accident, the
// other way round it often is. Otherwise well-formed GB18030 (2- and 4-byte sequences, converted by glibc's
// iconv) where `accept` allows it. Anything else, a UTF-16 or UTF-32 BOM, and NUL bytes (UTF-16 without a BOM)
// are a 422 (field "encoding") naming `what`, the line (1-based) and the byte offset (0-based, in the bytes
// as given) of the first bad sequence.
Result<std::string> ToUtf8(std::string_view bytes, std::string_view what, Accept accept = Accept::kUtf8OrGb18030);

}  // namespace civicgrid::encoding
