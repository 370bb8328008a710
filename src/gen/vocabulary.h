// The generator's vocabulary: a fixed list of distinct, pronounceable made-up
// words (consonant-vowel syllables) ordered shortest first, so that the most
// frequent Zipf ranks get the short words, as in real text.
// Thread-safety: immutable after Build(); share one instance between threads.
//
//   auto vocabulary = outcore::gen::Vocabulary::Build(65536);
//   std::string_view first = vocabulary.word(0);   // e.g. "ba"
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace outcore::gen {

class Vocabulary {
 public:
  // Words are drawn from a fixed internal seed: every run and every machine
  // gets the same list, so a (seed, rows) pair fully determines the output.
  static constexpr uint64_t kVocabularySeed = 0x6F7574636F7265ull;  // "outcore"
  // Longest word Build() makes; formatters size their scratch space from it.
  static constexpr size_t kMaxWordLength = 24;
  // Every word may be read as kWordReadBytes bytes from its start (readable
  // padding follows the last word), so copies can use one fixed-size memcpy.
  static constexpr size_t kWordReadBytes = 32;

  // REQUIRES: count <= 1,000,000 (the syllable space holds far more).
  static Vocabulary Build(size_t count);

  size_t size() const { return offsets_.size() - 1; }
  std::string_view word(size_t rank) const {
    return std::string_view(text_).substr(offsets_[rank], offsets_[rank + 1] - offsets_[rank]);
  }

 private:
  std::string text_;               // all words back to back
  std::vector<uint32_t> offsets_;  // word i is text_[offsets_[i], offsets_[i+1])
};

}  // namespace outcore::gen
