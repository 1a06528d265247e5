// What the demo's builders share: deterministic draws (the same seed gives the same demo with any standard
// library) and a few text helpers. Internal to src/demo.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace civicgrid::demo {

// Randomness. std's distributions differ between standard libraries; mt19937_64's raw output does not, so
// every draw is built from raw 64-bit words.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  double Uniform() { return double(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  int Below(int n) { return std::min(n - 1, int(Uniform() * n)); }
  bool Chance(double p) { return Uniform() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[size_t(Below(int(items.size())))];
  }
  // An index drawn in proportion to the weights (at least one must be positive).
  size_t Weighted(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    for (size_t i = weights.size(); i-- > 0;)
      if (weights[i] > 0) return i;
    return 0;
  }
  milliseconds Duration(milliseconds lo, milliseconds hi) {
    return milliseconds{lo.count() + std::int64_t(Uniform() * double(hi.count() - lo.count()))};
  }

 private:
  std::mt19937_64 engine_;
};

// SplitMix64's finaliser: stateless noise keyed by position, so shared lattice nodes and edges get the
// same jitter whichever cell asks for them.
inline std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::uint64_t Hash(std::uint64_t seed, std::initializer_list<std::uint64_t> parts) {
  std::uint64_t h = Mix(seed);
  for (std::uint64_t p : parts) h = Mix(h ^ p);
  return h;
}

inline double HashUnit(std::uint64_t seed, std::initializer_list<std::uint64_t> parts) {
  return double(Hash(seed, parts) >> 11) * 0x1.0p-53;
}

// FNV-1a: a key for text that, unlike std::hash, is the same in every standard library.
inline std::uint64_t TextKey(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

inline bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// n in decimal, zero-padded to `width` digits: the serial part of region codes and channel ids.
inline std::string Serial(int n, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*d", width, n);
  return buf;
}

}  // namespace civicgrid::demo
