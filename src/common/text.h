// The one rule for text a person typed (titles, descriptions, names, addresses, notes, reasons, logins,
// the names in reference imports), and the UTF-8 helpers it shares with the password rules. "Not blank"
// must mean something visible: a title of U+3000, zero-width spaces or NUL is blank or refused, not stored.
// Unicode properties and NFC come from ICU (libicu), so the rule follows the Unicode tables, not a hand list.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace civicgrid::text {

// Whether the bytes are well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view bytes);
// The byte offset of the first ill-formed sequence, or npos when the bytes are well-formed UTF-8 (the same rule).
size_t FirstInvalidUtf8(std::string_view bytes);
// Code points in well-formed UTF-8; each byte of an ill-formed sequence counts as one.
size_t CodePoints(std::string_view utf8);

enum class Lines {
  kOne,   // titles, names, addresses, logins: no control character at all
  kMany,  // descriptions, notes, reasons: line feeds and tabs may stay inside (CR LF and CR become LF)
};

// Cleans a person's text: refuses ill-formed UTF-8 and control characters (Unicode Cc, C0 and C1) with a
// 422 naming `field`; normalises to NFC; trims white space (U+3000 and every other White_Space character)
// and invisible characters (format characters Cf such as U+200B..U+200D, U+2060 and U+FEFF, and the other
// Default_Ignorable code points such as U+3164) from both ends. The result may be empty: the caller
// decides whether the field is required.
Result<std::string> Clean(std::string_view in, const std::string& field, Lines lines);

}  // namespace civicgrid::text
