#include "base/rule_kind.h"

namespace outcore {

std::string_view RuleKindName(RuleKind kind) {
  switch (kind) {
    case RuleKind::kRequire:
      return "require";
    case RuleKind::kRange:
      return "range";
    case RuleKind::kAllowed:
      return "allowed";
    case RuleKind::kDropWhere:
      return "drop-where";
    case RuleKind::kDedupe:
      return "dedupe";
  }
  return "unknown";
}

}  // namespace outcore
