// Hand-built Arrow C streams for tests (no Arrow library): columns of any
// layout — offsets, slices, missing validity, null_count -1, broken shapes —
// put in batches of a stream that counts the batches it handed out and got
// back, and can fail on demand like a producer would.
//
//   TestStream stream;
//   stream.AddField("l", "id");
//   stream.AddBatch({FixedColumn<int64_t>({1, 2, 3})});
//   ArrowArrayStream s = stream.Export();
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "outcore/arrow_abi.h"

namespace outcore::arrow::testing {

// One column of one batch: its buffers (owned) and the ArrowArray over them.
struct TestColumn {
  std::vector<std::vector<uint8_t>> buffers;  // an empty one is passed as a null pointer
  std::vector<const void*> pointers;
  ArrowArray array{};
  std::unique_ptr<TestColumn> dictionary;

  // Sets array.buffers/n_buffers from `buffers`; length and null_count as given.
  void Finish(int64_t length, int64_t null_count, int64_t offset = 0) {
    pointers.clear();
    for (auto& buffer : buffers) pointers.push_back(buffer.empty() ? nullptr : buffer.data());
    array.length = length;
    array.null_count = null_count;
    array.offset = offset;
    array.n_buffers = int64_t(pointers.size());
    array.buffers = pointers.data();
    array.n_children = 0;
    array.children = nullptr;
    array.dictionary = dictionary ? &dictionary->array : nullptr;
    array.release = [](ArrowArray* a) { a->release = nullptr; };  // owned by the TestColumn
  }
};

// A validity bitmap; `valid` empty: no buffer (all valid).
inline std::vector<uint8_t> Bitmap(const std::vector<bool>& valid) {
  std::vector<uint8_t> bits((valid.size() + 7) / 8 + 8, 0);
  for (size_t i = 0; i < valid.size(); ++i) {
    if (valid[i]) bits[i >> 3] |= uint8_t(1u << (i & 7));
  }
  return valid.empty() ? std::vector<uint8_t>() : bits;
}

inline int64_t Nulls(const std::vector<bool>& valid) {
  int64_t nulls = 0;
  for (bool v : valid) nulls += !v;
  return nulls;
}

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T) + 8, 0);
  if (!values.empty()) std::memcpy(out.data(), values.data(), values.size() * sizeof(T));
  return out;
}

template <typename T>
std::unique_ptr<TestColumn> FixedColumn(const std::vector<T>& values, const std::vector<bool>& valid = {}) {
  auto column = std::make_unique<TestColumn>();
  column->buffers = {Bitmap(valid), Bytes(values)};
  column->Finish(int64_t(values.size()), Nulls(valid));
  return column;
}

inline std::unique_ptr<TestColumn> BoolColumn(const std::vector<bool>& values,
                                              const std::vector<bool>& valid = {}) {
  auto column = std::make_unique<TestColumn>();
  std::vector<uint8_t> bits = Bitmap(values);
  if (bits.empty()) bits.resize(8, 0);
  column->buffers = {Bitmap(valid), bits};
  column->Finish(int64_t(values.size()), Nulls(valid));
  return column;
}

template <typename Offset = int32_t>
std::unique_ptr<TestColumn> StringColumn(const std::vector<std::string>& values,
                                         const std::vector<bool>& valid = {}) {
  auto column = std::make_unique<TestColumn>();
  std::vector<Offset> offsets{0};
  std::string data;
  for (const std::string& v : values) {
    data += v;
    offsets.push_back(Offset(data.size()));
  }
  std::vector<uint8_t> bytes(data.begin(), data.end());
  bytes.push_back(0);
  column->buffers = {Bitmap(valid), Bytes(offsets), bytes};
  column->Finish(int64_t(values.size()), Nulls(valid));
  return column;
}

// string_view: values of at most 12 bytes inline, longer ones in one data buffer.
inline std::unique_ptr<TestColumn> StringViewColumn(const std::vector<std::string>& values) {
  auto column = std::make_unique<TestColumn>();
  std::vector<uint8_t> views(values.size() * 16 + 16, 0);
  std::vector<uint8_t> data;
  for (size_t i = 0; i < values.size(); ++i) {
    uint8_t* view = views.data() + i * 16;
    const int32_t size = int32_t(values[i].size());
    std::memcpy(view, &size, 4);
    if (size <= 12) {
      std::memcpy(view + 4, values[i].data(), values[i].size());
    } else {
      const int32_t buffer = 0, offset = int32_t(data.size());
      std::memcpy(view + 4, values[i].data(), 4);
      std::memcpy(view + 8, &buffer, 4);
      std::memcpy(view + 12, &offset, 4);
      data.insert(data.end(), values[i].begin(), values[i].end());
    }
  }
  const std::vector<int64_t> sizes{int64_t(data.size())};
  data.push_back(0);
  column->buffers = {{}, views, data, Bytes(sizes)};
  column->Finish(int64_t(values.size()), 0);
  return column;
}

template <typename Index>
std::unique_ptr<TestColumn> DictionaryColumn(const std::vector<Index>& indices,
                                             const std::vector<std::string>& entries,
                                             const std::vector<bool>& valid = {}) {
  auto column = FixedColumn<Index>(indices, valid);
  column->dictionary = StringColumn(entries);
  column->Finish(int64_t(indices.size()), Nulls(valid));
  return column;
}

inline std::unique_ptr<TestColumn> NullColumn(int64_t length) {
  auto column = std::make_unique<TestColumn>();
  column->Finish(length, length);
  return column;
}

// The columns of a batch, as TestStream::AddBatch takes them.
template <typename... Column>
std::vector<std::unique_ptr<TestColumn>> Columns(Column&&... columns) {
  std::vector<std::unique_ptr<TestColumn>> out;
  (out.push_back(std::forward<Column>(columns)), ...);
  return out;
}

// A stream of record batches over a fixed schema. It must outlive what it exports.
class TestStream {
 public:
  // A column of the schema: `format` as the C Data Interface spells it;
  // `dictionary_format` set: a dictionary-encoded column of that value type.
  void AddField(std::string format, std::string name, std::optional<std::string> dictionary_format = {}) {
    auto field = std::make_unique<Field>();
    field->format = std::move(format);
    field->name = std::move(name);
    if (dictionary_format) {
      field->dictionary = std::make_unique<Field>();
      field->dictionary->format = *dictionary_format;
      field->dictionary->Finish();
    }
    field->Finish();
    fields_.push_back(std::move(field));
  }
  // A batch of these columns; `offset` is the record batch's own.
  void AddBatch(std::vector<std::unique_ptr<TestColumn>> columns, int64_t length = -1, int64_t offset = 0) {
    auto batch = std::make_unique<Batch>();
    batch->columns = std::move(columns);
    for (auto& column : batch->columns) batch->children.push_back(&column->array);
    batch->length =
        length >= 0 ? length : (batch->columns.empty() ? 0 : batch->columns[0]->array.length - offset);
    batch->offset = offset;
    batches_.push_back(std::move(batch));
  }
  // get_next fails with `code` (and `message`) when batch number `at` (0-based) is asked for.
  void FailAt(size_t at, int code, std::string message) {
    fail_at_ = at;
    fail_code_ = code;
    fail_message_ = std::move(message);
  }

  ArrowArrayStream Export() {
    ArrowArrayStream s{};
    s.get_schema = [](ArrowArrayStream* self, ArrowSchema* out) {
      auto* me = static_cast<TestStream*>(self->private_data);
      me->top_children_.clear();
      for (auto& field : me->fields_) me->top_children_.push_back(&field->schema);
      *out = ArrowSchema{};
      out->format = "+s";
      out->name = "";
      out->n_children = int64_t(me->top_children_.size());
      out->children = me->top_children_.data();
      out->release = [](ArrowSchema* schema) { schema->release = nullptr; };
      return 0;
    };
    s.get_next = [](ArrowArrayStream* self, ArrowArray* out) {
      auto* me = static_cast<TestStream*>(self->private_data);
      if (me->fail_at_ && me->next_ == *me->fail_at_) return me->fail_code_;
      *out = ArrowArray{};
      if (me->next_ >= me->batches_.size()) return 0;  // release null: the end
      Batch& batch = *me->batches_[me->next_++];
      out->length = batch.length;
      out->offset = batch.offset;
      out->null_count = 0;
      out->n_buffers = 1;
      out->buffers = batch.top_buffers;
      out->n_children = int64_t(batch.children.size());
      out->children = batch.children.data();
      out->private_data = me;
      ++me->handed_out_;
      out->release = [](ArrowArray* array) {
        ++static_cast<TestStream*>(array->private_data)->released_;
        array->release = nullptr;
      };
      return 0;
    };
    s.get_last_error = [](ArrowArrayStream* self) {
      return static_cast<TestStream*>(self->private_data)->fail_message_.c_str();
    };
    s.release = [](ArrowArrayStream* self) {
      ++static_cast<TestStream*>(self->private_data)->stream_released_;
      self->release = nullptr;
    };
    s.private_data = this;
    return s;
  }

  int handed_out() const { return handed_out_; }
  int released() const { return released_; }
  int stream_released() const { return stream_released_; }

 private:
  struct Field {
    std::string format, name;
    std::unique_ptr<Field> dictionary;
    ArrowSchema schema{};
    void Finish() {
      schema.format = format.c_str();
      schema.name = name.c_str();
      schema.flags = ARROW_FLAG_NULLABLE;
      schema.dictionary = dictionary ? &dictionary->schema : nullptr;
      schema.release = [](ArrowSchema* s) { s->release = nullptr; };
    }
  };
  struct Batch {
    std::vector<std::unique_ptr<TestColumn>> columns;
    std::vector<ArrowArray*> children;
    const void* top_buffers[1] = {nullptr};
    int64_t length = 0, offset = 0;
  };
  std::vector<std::unique_ptr<Field>> fields_;
  std::vector<ArrowSchema*> top_children_;
  std::vector<std::unique_ptr<Batch>> batches_;
  size_t next_ = 0;
  std::optional<size_t> fail_at_;
  int fail_code_ = EIO;
  std::string fail_message_;
  int handed_out_ = 0, released_ = 0, stream_released_ = 0;
};

}  // namespace outcore::arrow::testing
