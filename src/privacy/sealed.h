// A sealed personal value as stored: ciphertext for whoever holds the key, a mask for everyone, and a keyed
// hash for exact lookup. A plain value type, so the model can carry it without knowing any cryptography.
#pragma once

#include <string>

namespace civicgrid::privacy {

struct Sealed {
  std::string cipher;  // hex(iv || SM4-CTR ciphertext || SM3-HMAC tag); empty when there is no value
  std::string masked;  // what every role may see: 138****5678
  std::string lookup;  // hex SM3-HMAC of the normalised value under the lookup key
  bool operator==(const Sealed&) const = default;
  bool empty() const { return cipher.empty(); }
};

}  // namespace civicgrid::privacy
