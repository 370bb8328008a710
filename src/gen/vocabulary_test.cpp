#include "gen/vocabulary.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace outcore::gen {
namespace {

bool IsVowel(char letter) { return std::string_view("aeiouy").find(letter) != std::string_view::npos; }

TEST(Vocabulary, HasAtLeast50000DistinctLowercaseWords) {
  Vocabulary vocabulary = Vocabulary::Build(65536);
  ASSERT_EQ(vocabulary.size(), 65536u);
  std::set<std::string_view> distinct;
  for (size_t rank = 0; rank < vocabulary.size(); ++rank) {
    std::string_view word = vocabulary.word(rank);
    ASSERT_GE(word.size(), 2u);
    ASSERT_LE(word.size(), Vocabulary::kMaxWordLength);
    for (char letter : word) ASSERT_TRUE(letter >= 'a' && letter <= 'z') << word;
    distinct.insert(word);
  }
  EXPECT_EQ(distinct.size(), vocabulary.size());
}

TEST(Vocabulary, WordsArePronounceable) {
  Vocabulary vocabulary = Vocabulary::Build(65536);
  for (size_t rank = 0; rank < vocabulary.size(); ++rank) {
    std::string_view word = vocabulary.word(rank);
    int consonant_run = 0, vowels = 0, longest_run = 0;
    for (char letter : word) {
      consonant_run = IsVowel(letter) ? 0 : consonant_run + 1;
      vowels += IsVowel(letter);
      longest_run = std::max(longest_run, consonant_run);
    }
    ASSERT_GT(vowels, 0) << word;
    ASSERT_LE(longest_run, 3) << word;  // "str" at worst: codas only end a word
  }
}

TEST(Vocabulary, IsOrderedShortestFirstAndTheSameEveryBuild) {
  Vocabulary first = Vocabulary::Build(60000), second = Vocabulary::Build(60000);
  for (size_t rank = 0; rank < first.size(); ++rank) {
    ASSERT_EQ(first.word(rank), second.word(rank));
    if (rank) {
      ASSERT_LE(first.word(rank - 1).size(), first.word(rank).size());
    }
  }
}

}  // namespace
}  // namespace outcore::gen
