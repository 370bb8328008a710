// Fast, reproducible randomness for the synthetic-data generator: splitmix64
// (seeding), xoshiro256** (the stream) and Walker/Vose alias tables (O(1)
// draws from a fixed discrete distribution such as Zipf word ranks).
// Thread-safety: a Xoshiro256 is owned by one thread; an AliasSampler is
// immutable after construction and may be shared.
//
//   outcore::gen::Xoshiro256 rng(outcore::gen::BlockSeed(seed, block_index));
//   double u = rng.NextDouble();                 // [0, 1)
//   outcore::gen::AliasSampler topics({5, 3, 1});
//   size_t topic = topics.Sample(rng);           // 0 with probability 5/9
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace outcore::gen {

// One step of splitmix64: advances `state` and returns a well-mixed word.
// Used to expand one 64-bit seed into the 256-bit xoshiro state.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The seed of block `block_index` of a generation seeded with `seed`. Blocks
// seeded independently is what makes the output identical for any thread count.
//   Xoshiro256 rng(BlockSeed(42, 7));
inline uint64_t BlockSeed(uint64_t seed, uint64_t block_index) {
  uint64_t state = seed;
  uint64_t mixed_seed = SplitMix64(state);
  state = block_index ^ 0xD1B54A32D192ED03ull;
  return mixed_seed ^ SplitMix64(state);
}

// xoshiro256** 1.0 (Blackman & Vigna): 256-bit state, ~1 ns per draw, passes
// BigCrush; plenty for synthetic data, not for cryptography.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t& word : state_) word = SplitMix64(state);
  }

  // A generator with exactly this state (for reference test vectors).
  static Xoshiro256 FromState(uint64_t s0, uint64_t s1, uint64_t s2, uint64_t s3) {
    Xoshiro256 rng(0);
    rng.state_[0] = s0, rng.state_[1] = s1, rng.state_[2] = s2, rng.state_[3] = s3;
    return rng;
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double NextDouble() { return double(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, bound) by Lemire's multiply-shift (bias < 2^-64 * bound,
  // invisible for the small bounds used here). REQUIRES: bound > 0.
  uint64_t Below(uint64_t bound) { return uint64_t((unsigned __int128)Next() * bound >> 64); }
  // Uniform in [low, high] (both inclusive).
  int64_t Between(int64_t low, int64_t high) { return low + int64_t(Below(uint64_t(high - low) + 1)); }
  // True with probability p.
  bool Chance(double p) { return NextDouble() < p; }
  // Standard normal N(0, 1) by Box-Muller (one value per call, for simplicity:
  // determinism matters more here than the second value's speed).
  double NextNormal() {
    double u1 = 1.0 - NextDouble();  // (0, 1]: log() stays finite
    double u2 = NextDouble();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

// Draws index i with probability weights[i] / sum(weights) in O(1): one
// uniform slot plus one biased coin (Vose's alias method).
class AliasSampler {
 public:
  // REQUIRES: weights non-empty, all >= 0, sum > 0.
  explicit AliasSampler(const std::vector<double>& weights);

  size_t size() const { return slots_.size(); }
  size_t Sample(Xoshiro256& rng) const {
    uint64_t bits = rng.Next();
    // High bits pick the slot, the low 32 bits are the coin: one draw per sample.
    size_t slot = size_t((unsigned __int128)(bits >> 32) * slots_.size() >> 32);
    const Slot& entry = slots_[slot];
    return uint32_t(bits) < entry.threshold ? slot : entry.alias;
  }

 private:
  // Threshold and alias side by side: slots are hit uniformly at random, so one
  // cache line per draw instead of two matters for a 65,536-slot table.
  struct Slot {
    uint32_t threshold;  // keep the slot when the 32-bit coin is below this
    uint32_t alias;      // else take this index (slots that always keep alias themselves)
  };
  std::vector<Slot> slots_;
};

// Weights of a Zipf distribution over ranks 1..count: weight(k) = 1 / k^exponent.
//   AliasSampler words(ZipfWeights(65536, 1.1));
std::vector<double> ZipfWeights(size_t count, double exponent);

}  // namespace outcore::gen
