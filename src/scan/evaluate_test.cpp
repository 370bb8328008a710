// The evaluation room: three-valued logic on nulls, IEEE comparisons on
// NaN, `contains`, and the columns Evaluate refuses.
#include "scan/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "index/column_test_util.h"
#include "scan/expression.h"
#include "scan/predicate_test_util.h"

namespace outcore {
namespace {

using testutil::FloatColumn;
using testutil::IntColumn;
using testutil::Selected;
using testutil::StringColumn;

TEST(Predicate, NullRowsAreNeitherTrueNorFalse) {
  const std::vector<ColumnSchema> schema = {{"n", TypeId::kInt64, false}};
  ColumnVector n = IntColumn(TypeId::kInt64, {1, std::nullopt, 2});
  std::vector<const ColumnVector*> columns = {&n};
  using Rows = std::vector<int64_t>;
  EXPECT_EQ(Selected("n == 1", schema, columns), Rows({0}));
  EXPECT_EQ(Selected("not n == 1", schema, columns), Rows({2}));
  EXPECT_EQ(Selected("n != 1", schema, columns), Rows({2}));
  EXPECT_EQ(Selected("n is null", schema, columns), Rows({1}));
  EXPECT_EQ(Selected("not (n is null)", schema, columns), Rows({0, 2}));
  EXPECT_EQ(Selected("n == 1 or n is null", schema, columns), Rows({0, 1}));
  // unknown or true is true; unknown and false is false; not of either stays so.
  EXPECT_EQ(Selected("n > 0 or n is null", schema, columns), Rows({0, 1, 2}));
  EXPECT_EQ(Selected("not (n > 5 and n > 0)", schema, columns), Rows({0, 2}));
  EXPECT_EQ(Selected("n not in (2, 3)", schema, columns), Rows({0}));
}

TEST(Predicate, NaNFollowsIeeeComparisons) {
  const std::vector<ColumnSchema> schema = {{"x", TypeId::kFloat64, false}};
  ColumnVector x = FloatColumn({std::nan(""), 1.0, -0.0, std::nullopt});
  std::vector<const ColumnVector*> columns = {&x};
  using Rows = std::vector<int64_t>;
  EXPECT_EQ(Selected("x != 1", schema, columns), Rows({0, 2}));
  EXPECT_EQ(Selected("x < 5", schema, columns), Rows({1, 2}));
  EXPECT_EQ(Selected("not x < 5", schema, columns), Rows({0}));
  EXPECT_EQ(Selected("x == 0", schema, columns), Rows({2}));
  EXPECT_EQ(Selected("x in (1, 0.0)", schema, columns), Rows({1, 2}));
  EXPECT_EQ(Selected("x between -1 and 1e0", schema, columns), Rows({1, 2}));
}

TEST(Predicate, ContainsNeedsEveryWordAnywhere) {
  const std::vector<ColumnSchema> schema = {{"p", TypeId::kString, false}};
  ColumnVector p = StringColumn({"Ice-cream is FOOD", "cream of the crop", "icecream", std::nullopt}, true);
  std::vector<const ColumnVector*> columns = {&p};
  using Rows = std::vector<int64_t>;
  EXPECT_EQ(Selected("p contains 'food'", schema, columns), Rows({0}));
  EXPECT_EQ(Selected("p contains 'cream ICE'", schema, columns), Rows({0}));
  EXPECT_EQ(Selected("p contains 'cream'", schema, columns), Rows({0, 1}));
  EXPECT_EQ(Selected("not p contains 'cream'", schema, columns), Rows({2}));
}

TEST(Predicate, EvaluateRejectsMissingOrMistypedColumns) {
  const std::vector<ColumnSchema> schema = {{"n", TypeId::kInt64, false}, {"x", TypeId::kFloat64, false}};
  auto expr = ParsePredicate("x > 1", schema);
  ASSERT_TRUE(expr.ok());
  ColumnVector n = IntColumn(TypeId::kInt64, {1});
  Buffer selection;
  std::vector<const ColumnVector*> missing = {&n};
  EXPECT_EQ(Evaluate(**expr, missing, 1, &selection).code(), StatusCode::kInvalidArgument);
  std::vector<const ColumnVector*> mistyped = {&n, &n};
  EXPECT_EQ(Evaluate(**expr, mistyped, 1, &selection).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace outcore
