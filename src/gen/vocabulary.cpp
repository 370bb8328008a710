#include "gen/vocabulary.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <numeric>
#include <unordered_set>

#include "gen/random.h"

namespace outcore::gen {
namespace {

// Onset + nucleus + optional coda: every syllable has a vowel, so every word
// can be read aloud. Longest syllable is 3 + 2 + 2 = 7 letters.
constexpr std::array<std::string_view, 34> kOnsets = {
    "b", "c",  "d",  "f",  "g",  "h",  "j",  "k",  "l",  "m",  "n",  "p",  "r",  "s",  "t",  "v", "w",
    "z", "br", "ch", "cl", "cr", "dr", "fl", "gr", "pl", "pr", "sh", "sl", "st", "th", "tr", "",  "str"};
constexpr std::array<std::string_view, 10> kNuclei = {"a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "ee"};
constexpr std::array<std::string_view, 10> kCodas = {"", "", "", "n", "r", "s", "l", "m", "nd", "st"};

}  // namespace

Vocabulary Vocabulary::Build(size_t count) {
  assert(count <= 1000000);
  Xoshiro256 rng(kVocabularySeed);
  std::vector<std::string> words;
  words.reserve(count);
  std::unordered_set<std::string> seen;
  seen.reserve(count * 2);
  while (words.size() < count) {
    // Mostly 2-3 syllables; 1 and 4 are rarer, as in English.
    static constexpr int kSyllableChoices[] = {1, 2, 2, 2, 3, 3, 3, 4};
    int syllables = kSyllableChoices[rng.Below(8)];
    std::string word;
    for (int syllable = 0; syllable < syllables; ++syllable) {
      word += kOnsets[rng.Below(kOnsets.size())];
      word += kNuclei[rng.Below(kNuclei.size())];
      // Codas only on the last syllable keep words from piling up consonants.
      if (syllable + 1 == syllables) word += kCodas[rng.Below(kCodas.size())];
    }
    if (word.size() < 2 || word.size() > kMaxWordLength) continue;
    if (seen.insert(word).second) words.push_back(std::move(word));
  }
  std::stable_sort(words.begin(), words.end(),
                   [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  Vocabulary vocabulary;
  vocabulary.offsets_.reserve(count + 1);
  vocabulary.offsets_.push_back(0);
  for (const std::string& word : words) {
    vocabulary.text_ += word;
    vocabulary.offsets_.push_back(uint32_t(vocabulary.text_.size()));
  }
  vocabulary.text_.append(kWordReadBytes, '\0');
  return vocabulary;
}

}  // namespace outcore::gen
