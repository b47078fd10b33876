// Tests for tpq/io/safetensors.h: the HF-made tiny-bert fixture, bit-exact round trips for every
// dtype and layout, deterministic output, and a UserError with a useful message for each corruption.
#include "tpq/io/safetensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <random>

#include "support/fixtures.h"
#include "support/user_error_matchers.h"
#include "tpq/io/atomic_file.h"

namespace tpq::io {
namespace {

namespace fs = std::filesystem;
using tpq::testing::contains;
using tpq::testing::ScratchDir;
using tpq::testing::user_error_of;
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

std::string bytes_of(const torch::Tensor& tensor) {
  const torch::Tensor data = tensor.contiguous();
  if (data.nbytes() == 0) return "";
  return std::string(static_cast<const char*>(data.data_ptr()), data.nbytes());
}

// Same dtype, shape and bytes: NaN payloads and -0.0 included, which torch::equal would not check.
void expect_bit_identical(const torch::Tensor& expected, const torch::Tensor& actual, const std::string& name) {
  SCOPED_TRACE("tensor " + name);
  EXPECT_EQ(actual.scalar_type(), expected.scalar_type());
  EXPECT_EQ(actual.sizes(), expected.sizes());
  EXPECT_EQ(bytes_of(actual), bytes_of(expected));
}

using tpq::testing::entries_in;

// A file with the given header text verbatim and `data_size` zero bytes of data.
std::string safetensors_bytes(const std::string& header, std::size_t data_size) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(uint64_t{header.size()} >> (8 * i));
  return bytes + header + std::string(data_size, '\0');
}

std::string header_length_only(uint64_t length, std::size_t bytes_after) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(length >> (8 * i));
  return bytes + std::string(bytes_after, ' ');
}

fs::path fixture_model(const fs::path& fixture_dir) { return fixture_dir / "model.safetensors"; }

TEST(SafetensorsFixture, LoadsEveryTensorOfTinyBert) {
  TPQ_REQUIRE_FIXTURE(fixture_dir, "tiny-bert-a");
  const auto file = SafetensorsFile::open(fixture_model(fixture_dir));
  EXPECT_EQ(file.header().tensors.size(), 41u);
  EXPECT_EQ(file.header().metadata, (std::map<std::string, std::string>{{"format", "pt"}}));
  EXPECT_EQ(file.header().data_start % 8, 0u);

  const auto& embeddings = file.entry("bert.embeddings.word_embeddings.weight");
  EXPECT_EQ(embeddings.dtype, DType::F32);
  EXPECT_EQ(embeddings.shape, (std::vector<int64_t>{30522, 64}));
  EXPECT_EQ(file.tensor("classifier.weight").sizes(), (std::vector<int64_t>{2, 64}));

  // Values read with Python's struct module from the same file.
  const torch::Tensor bias = file.tensor("classifier.bias");
  ASSERT_EQ(bias.scalar_type(), torch::kFloat);
  EXPECT_FLOAT_EQ(bias[0].item<float>(), 0.002086004475131631f);
  EXPECT_FLOAT_EQ(bias[1].item<float>(), -0.00010821800242410973f);

  const auto tensors = file.all_tensors();
  EXPECT_EQ(tensors.size(), 41u);
  for (const auto& [name, tensor] : tensors) {
    EXPECT_EQ(tensor.scalar_type(), torch::kFloat) << name;
    EXPECT_EQ(tensor.sizes(), torch::IntArrayRef(file.entry(name).shape)) << name;
    EXPECT_TRUE(torch::isfinite(tensor).all().item<bool>()) << name;
  }
  for (std::size_t i = 1; i < file.header().tensors.size(); ++i) {
    EXPECT_LE(file.header().tensors[i - 1].end, file.header().tensors[i].begin) << "entries in data order";
  }
}

TEST(SafetensorsFixture, ResavedFixtureReparsesIdenticallyAndMatchesHfBytes) {
  TPQ_REQUIRE_FIXTURE(fixture_dir, "tiny-bert-a");
  ScratchDir scratch;
  const auto original = SafetensorsFile::open(fixture_model(fixture_dir));
  NamedTensors tensors;
  for (auto& [name, tensor] : original.all_tensors()) tensors.emplace_back(name, tensor);
  save_safetensors(scratch / "resaved.safetensors", tensors, original.header().metadata);

  const auto resaved = SafetensorsFile::open(scratch / "resaved.safetensors");
  EXPECT_EQ(resaved.header().metadata, original.header().metadata);
  ASSERT_EQ(resaved.header().tensors.size(), original.header().tensors.size());
  for (const auto& entry : original.header().tensors) {
    ASSERT_TRUE(resaved.contains(entry.name)) << entry.name;
    EXPECT_EQ(resaved.entry(entry.name).shape, entry.shape) << entry.name;
    expect_bit_identical(original.tensor(entry.name), resaved.tensor(entry.name), entry.name);
  }
  // HF orders single-dtype files by name and pads like we do, so the whole file is reproduced.
  EXPECT_TRUE(read_file(scratch / "resaved.safetensors") == read_file(fixture_model(fixture_dir)));
}

TEST(SafetensorsFixture, TruncatedCopyIsUserError) {
  TPQ_REQUIRE_FIXTURE(fixture_dir, "tiny-bert-a");
  ScratchDir scratch;
  const std::string bytes = read_file(fixture_model(fixture_dir));
  write_file_atomic(scratch / "half.safetensors", std::string_view(bytes).substr(0, bytes.size() / 2));
  const std::string message = user_error_of([&] { SafetensorsFile::open(scratch / "half.safetensors"); });
  EXPECT_TRUE(contains(message, "half.safetensors: tensor '"));
  EXPECT_TRUE(contains(message, "run past the end of the data section"));
  EXPECT_TRUE(contains(message, "truncated"));
}

NamedTensors every_dtype_and_layout() {
  torch::manual_seed(7);
  torch::Tensor with_nan = torch::randn({2, 3, 4});
  with_nan[0][0][0] = std::numeric_limits<float>::quiet_NaN();
  with_nan[0][0][1] = -0.0f;
  return {
      {"f64", torch::randn({3, 4}, torch::kDouble)},
      {"f32_nan_negzero", with_nan},
      {"f16", torch::randn({5}).to(torch::kHalf)},
      {"bf16", torch::randn({4, 2}).to(torch::kBFloat16)},
      {"i64_extremes",
       torch::tensor({std::numeric_limits<int64_t>::min(), int64_t{0}, std::numeric_limits<int64_t>::max()})},
      {"i32", torch::randint(-1000000, 1000000, {7}, torch::kInt)},
      {"i16", torch::arange(-300, 300, torch::kShort)},
      {"i8", torch::arange(-128, 128).to(torch::kChar)},
      {"u8", torch::arange(0, 256).to(torch::kByte)},
      {"bool", torch::randn({3, 3}) > 0},
      {"scalar_f32", torch::scalar_tensor(3.5)},
      {"scalar_i64", torch::scalar_tensor(-42, torch::kLong)},
      {"empty_2d", torch::empty({0, 3})},
      {"empty_bf16", torch::empty({0}, torch::kBFloat16)},
      {"transposed", torch::randn({4, 6}).t()},
      {"strided_slice", torch::arange(10, torch::kInt).slice(0, 2, 9, 3)},
      {"requires_grad", torch::randn({2}, torch::requires_grad())},
  };
}

TEST(Safetensors, RoundTripIsBitIdenticalForEveryDTypeAndLayout) {
  ScratchDir scratch;
  const NamedTensors tensors = every_dtype_and_layout();
  save_safetensors(scratch / "all.safetensors", tensors, {{"format", "pt"}, {"note", "round trip"}});
  const auto file = SafetensorsFile::open(scratch / "all.safetensors");
  EXPECT_EQ(file.header().metadata.at("note"), "round trip");
  EXPECT_EQ(file.header().data_start % 8, 0u);
  ASSERT_EQ(file.header().tensors.size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    EXPECT_EQ(file.entry(name).dtype, from_torch(tensor.scalar_type())) << name;
    expect_bit_identical(tensor, file.tensor(name), name);
  }
  EXPECT_EQ(file.entry("scalar_f32").shape, std::vector<int64_t>{});
  EXPECT_EQ(entries_in(scratch.path()), std::vector<std::string>{"all.safetensors"});
}

TEST(Safetensors, DTypeTablesAgree) {
  for (const DType dtype : {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32, DType::I16,
                            DType::I8, DType::U8, DType::BOOL}) {
    EXPECT_EQ(dtype_from_name(dtype_name(dtype)), dtype);
    EXPECT_EQ(from_torch(to_torch(dtype)), dtype);
    EXPECT_EQ(dtype_size(dtype), c10::elementSize(to_torch(dtype)));
  }
  EXPECT_EQ(dtype_from_name("F8_E4M3"), std::nullopt);
  EXPECT_TRUE(contains(user_error_of([] { from_torch(torch::kComplexFloat); }), "no safetensors equivalent"));
}

TEST(Safetensors, SaveIsDeterministicAndOrderedByName) {
  ScratchDir scratch;
  const auto a = torch::ones({2}), b = torch::zeros({3}, torch::kLong);
  save_safetensors(scratch / "ab.safetensors", {{"a", a}, {"b", b}});
  save_safetensors(scratch / "ba.safetensors", {{"b", b}, {"a", a}});
  const std::string bytes = read_file(scratch / "ab.safetensors");
  EXPECT_EQ(bytes, read_file(scratch / "ba.safetensors"));
  const std::string header =
      R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[3],"data_offsets":[8,32]}})";
  const std::size_t padded = (header.size() + 7) / 8 * 8;  // HF pads with spaces to 8-byte alignment
  EXPECT_EQ(bytes.size(), 8 + padded + 32);
  EXPECT_EQ(bytes.substr(8, padded), header + std::string(padded - header.size(), ' '));
}

TEST(Safetensors, SaveRejectsBadInputsBeforeCreatingAFile) {
  ScratchDir scratch;
  const auto path = scratch / "bad.safetensors";
  const auto save = [&](NamedTensors tensors) { return user_error_of([&] { save_safetensors(path, tensors); }); };
  EXPECT_TRUE(
      contains(save({{"w", torch::ones({1})}, {"w", torch::ones({1})}}), "tensor 'w': the name is given twice"));
  EXPECT_TRUE(contains(save({{"__metadata__", torch::ones({1})}}), "reserved"));
  EXPECT_TRUE(contains(save({{"c", torch::ones({2}, torch::kComplexFloat)}}), "tensor 'c'"));
  EXPECT_TRUE(contains(save({{"u", torch::Tensor()}}), "undefined"));
  EXPECT_TRUE(contains(save({{"bad\xff", torch::ones({1})}}), "not valid UTF-8"));
  EXPECT_TRUE(entries_in(scratch.path()).empty());
}

TEST(Safetensors, FailedSaveIsUserErrorAndLeavesNoTempFile) {
  ScratchDir scratch;
  write_file_atomic(scratch / "regular-file", "x");
  const NamedTensors tensors = {{"w", torch::ones({4})}};
  EXPECT_TRUE(contains(user_error_of([&] { save_safetensors(scratch / "missing" / "m.safetensors", tensors); }),
                       "does not exist"));
  EXPECT_TRUE(contains(user_error_of([&] { save_safetensors(scratch / "regular-file" / "m.safetensors", tensors); }),
                       "is not a directory"));
  // The target is a non-empty directory: the data is written, then rename() fails.
  fs::create_directories(scratch / "occupied.safetensors" / "child");
  EXPECT_TRUE(contains(user_error_of([&] { save_safetensors(scratch / "occupied.safetensors", tensors); }),
                       "occupied.safetensors"));
  EXPECT_EQ(entries_in(scratch.path()), (std::vector<std::string>{"occupied.safetensors", "regular-file"}));
}

TEST(Safetensors, CudaTensorsAreSavedFromHostCopies) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  ScratchDir scratch;
  const torch::Tensor on_gpu = torch::randn({3, 5}, torch::kCUDA).t();
  save_safetensors(scratch / "gpu.safetensors", {{"g", on_gpu}});
  expect_bit_identical(on_gpu.cpu(), SafetensorsFile::open(scratch / "gpu.safetensors").tensor("g"), "g");
}

TEST(Safetensors, MissingFileAndUnknownTensorAreUserErrors) {
  ScratchDir scratch;
  EXPECT_TRUE(contains(user_error_of([&] { SafetensorsFile::open(scratch / "nope.safetensors"); }),
                       "nope.safetensors: file not found"));
  save_safetensors(scratch / "one.safetensors", {{"only", torch::ones({1})}});
  const auto file = SafetensorsFile::open(scratch / "one.safetensors");
  EXPECT_FALSE(file.contains("other"));
  EXPECT_TRUE(
      contains(user_error_of([&] { file.entry("other"); }), "no tensor 'other' (the file has 1 tensors, e.g. 'only'"));
}

TEST(Safetensors, BoolBytesOtherThanZeroOrOneAreRejected) {
  ScratchDir scratch;
  std::string bytes = safetensors_bytes(R"({"flags":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})", 3);
  bytes[bytes.size() - 2] = 7;
  write_file_atomic(scratch / "bool.safetensors", bytes);
  const auto file = SafetensorsFile::open(scratch / "bool.safetensors");
  EXPECT_TRUE(contains(user_error_of([&] { file.tensor("flags"); }), "holds byte 7 at element 1"));
}

TEST(Safetensors, HeaderPaddingAndGapsAreAccepted) {
  const std::string bytes =
      safetensors_bytes(R"({"x":{"dtype":"U8","shape":[2],"data_offsets":[4,6]},"e":{"dtype":"F32","shape":[0],)"
                        R"("data_offsets":[5,5]}}      )",
                        8);
  const auto header = parse_safetensors_header(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "mem");
  ASSERT_EQ(header.tensors.size(), 2u);
  EXPECT_EQ(header.tensors[0].name, "x");  // data order: begin 4 before begin 5
  EXPECT_TRUE(header.metadata.empty());
}

// Every truncation and many random byte flips of a valid file: parse or UserError, never a crash
// (run under TPQ_SANITIZE=ON to also catch out-of-bounds reads).
TEST(Safetensors, MutatedFilesOnlyEverThrowUserError) {
  ScratchDir scratch;
  save_safetensors(scratch / "small.safetensors",
                   {{"b", torch::ones({2, 2}, torch::kBool)}, {"w", torch::arange(6, torch::kShort)}}, {{"k", "v"}});
  const std::string original = read_file(scratch / "small.safetensors");
  const auto try_parse = [](const std::string& bytes) {
    try {
      const auto header = parse_safetensors_header(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "m");
      for (const auto& entry : header.tensors) EXPECT_LE(header.data_start + entry.end, bytes.size());
    } catch (const UserError&) {
    }
  };
  for (std::size_t length = 0; length < original.size(); ++length) try_parse(original.substr(0, length));
  std::mt19937 random(11);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string mutated = original;
    const std::size_t position = random() % std::min<std::size_t>(mutated.size(), 8 + 160);
    mutated[position] = static_cast<char>(random());
    try_parse(mutated);
  }
}

// ---- corrupt files: each must give a one-line UserError naming the file and the problem ----------

struct CorruptCase {
  std::string name;
  std::string bytes;
  std::string expected;  // a fragment the message must contain
};

// Keeps gtest from dumping the struct's bytes into test names and logs.
void PrintTo(const CorruptCase& corrupt_case, std::ostream* out) { *out << corrupt_case.name; }

const std::string kValidEntry = R"("dtype":"F32","shape":[2,3],"data_offsets":[0,24])";

std::vector<CorruptCase> corrupt_cases() {
  const auto file = [](const std::string& header, std::size_t data = 24) { return safetensors_bytes(header, data); };
  return {
      {"EmptyFile", "", "file is 0 bytes, expected at least 8"},
      {"ShorterThanLength", "abc", "file is 3 bytes"},
      {"HeaderLongerThanFile", header_length_only(1000, 10), "header length 1000 is larger than the 10 bytes after it"},
      {"HeaderOverLimit", header_length_only(uint64_t{1} << 40, 10), "exceeds the 100 MB limit"},
      {"NotJson", file("{not json", 0), "header is not valid JSON"},
      {"InvalidUtf8", file("{\"\xff\":1}", 0), "header is not valid JSON"},
      {"ArrayHeader", file("[1,2]", 0), "header is a JSON array, expected an object"},
      {"EntryNotObject", file(R"({"w":5})"), "tensor 'w' is a JSON number"},
      {"UnknownDType", file(R"({"w":{"dtype":"F8","shape":[2,3],"data_offsets":[0,24]}})"), "unknown dtype \"F8\""},
      {"DTypeNotString", file(R"({"w":{"dtype":4,"shape":[2,3],"data_offsets":[0,24]}})"), "dtype is 4"},
      {"NegativeShape", file(R"({"w":{"dtype":"F32","shape":[-2,3],"data_offsets":[0,24]}})"),
       "shape [-2,3] has negative dimension -2"},
      {"FractionalShape", file(R"({"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,24]}})"),
       "expected a non-negative integer"},
      {"ShapeNotArray", file(R"({"w":{"dtype":"F32","shape":"2x3","data_offsets":[0,24]}})"), "shape is \"2x3\""},
      {"ShapeOverflow", file(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,24]}})"),
       "more bytes than fit in 64 bits"},
      {"SizeMismatch", file(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})"),
       "F32 shape [2,3] needs 24 bytes but data_offsets [0, 20] span 20"},
      {"OffsetsOutOfRange", file("{\"w\":{" + kValidEntry + "}}", 16),
       "data_offsets [0, 24] run past the end of the data section (16 bytes)"},
      {"OffsetsReversed", file(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[24,0]}})"),
       "data_offsets [24, 0] are reversed"},
      {"OffsetsWrongArity", file(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[24]}})"),
       "expected [begin, end]"},
      {"OverlappingOffsets",
       file(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
            R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})"),
       "tensors 'a' [0, 16] and 'b' [8, 24] overlap"},
      {"MissingKey", file(R"({"w":{"dtype":"F32","shape":[2,3]}})"), "tensor 'w' has no 'data_offsets' key"},
      {"ExtraKey", file("{\"w\":{" + kValidEntry + ",\"offset\":0}}"), "has unexpected key 'offset'"},
      {"MetadataNotStrings", file("{\"__metadata__\":{\"epoch\":3},\"w\":{" + kValidEntry + "}}"),
       "__metadata__ key 'epoch' has value 3, expected a string"},
      {"NestedTooDeep", file(R"({"w":{"shape":[[[[[1]]]]]}})"), "nests deeper"},
      {"ControlCharInName", file("{\"a\\nb\":5}"), "tensor 'a\\x0ab' is a JSON number"},
  };
}

class SafetensorsCorrupt : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(SafetensorsCorrupt, GivesOneLineUserErrorNamingFileAndProblem) {
  ScratchDir scratch;
  const auto path = scratch / "model.safetensors";
  write_file_atomic(path, GetParam().bytes);
  const std::string message = user_error_of([&] { SafetensorsFile::open(path); });
  RecordProperty("message", message);  // in --gtest_output=xml, for reviewing the wording
  EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
  EXPECT_TRUE(contains(message, GetParam().expected));
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Cases, SafetensorsCorrupt, ::testing::ValuesIn(corrupt_cases()),
                         [](const ::testing::TestParamInfo<CorruptCase>& info) { return info.param.name; });

}  // namespace
}  // namespace tpq::io
