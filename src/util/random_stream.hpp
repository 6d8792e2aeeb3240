#pragma once
// Deterministic random streams keyed by (seed, purpose, index...), never by rank or thread
// (brief: Determinism). The same key gives the same numbers on any machine, rank count or thread
// count, because the generator and every distribution below are defined here, not by the
// standard library (whose normal/uniform_int algorithms are implementation-defined).
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <numbers>
#include <string_view>
#include <vector>

namespace l2o {

/// SplitMix64 finaliser (Steele et al. 2014): a bijective 64-bit mixer used to derive seeds.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// FNV-1a hash of a purpose name, so streams can be named ("minibatch", "init", ...).
constexpr std::uint64_t hash_purpose(std::string_view purpose) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : purpose) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

/// One random stream: xoshiro256** (Blackman & Vigna 2018) seeded from the hashed key.
class RandomStream {
 public:
  /// Stream for (seed, purpose, indices...); distinct keys give independent-looking streams.
  RandomStream(std::uint64_t seed, std::string_view purpose,
               std::initializer_list<std::uint64_t> indices = {}) {
    std::uint64_t key = mix64(seed) ^ hash_purpose(purpose);
    for (std::uint64_t index : indices) key = mix64(key ^ mix64(index + 0x632be59bd9b4e019ULL));
    for (auto& word : state_) {
      key = mix64(key);
      word = key;
    }
  }

  /// Next raw 64-bit value.
  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  /// Uniform integer in [0, n) without modulo bias (Lemire 2019, with rejection).
  std::uint64_t uniform_index(std::uint64_t n) {
    while (true) {
      const Uint128 m = static_cast<Uint128>(next_u64()) * n;
      const auto low = static_cast<std::uint64_t>(m);
      if (low >= n || low >= (-n) % n) return static_cast<std::uint64_t>(m >> 64);
    }
  }

  /// Standard normal by the Box-Muller transform; both values of a pair are used.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1], so the log is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return radius * std::cos(2.0 * std::numbers::pi * u2);
  }

  /// Fisher-Yates shuffle of any random-access container.
  template <class Container>
  void shuffle(Container& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      const std::size_t j = uniform_index(i);
      std::swap(items[i - 1], items[j]);
    }
  }

 private:
  __extension__ typedef unsigned __int128
      Uint128;  // GCC/Clang builtin; __extension__ for -Wpedantic
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace l2o
