#include "tpq/kernels/attention.h"

#include <tuple>
#include <unordered_map>

#include <torch/torch.h>

#include "kernels/dnnl_engine.h"
#include "kernels/shape_cache.h"
#include "tpq/kernels/kernel_info.h"

namespace tpq::kernels {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

constexpr size_t kMaxCachedAttentionShapes = 64;
constexpr int kMaskArg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;

// (B, T, H*d) seen as (B, H, T, d) in place.
dnnl::memory::desc heads_view(int64_t batch, int64_t length, int64_t heads, int64_t head_dim) {
  return {{batch, heads, length, head_dim}, dt::f32, {length * heads * head_dim, head_dim, heads * head_dim, 1}};
}

}  // namespace

struct Attention::Cache {
  struct Primitives {
    dnnl::matmul scores;
    dnnl::softmax_forward softmax;
    dnnl::matmul context;
    dnnl::memory::desc query, key_transposed, value, probabilities, output, mask;
  };

  static Primitives make_primitives(int64_t batch, int64_t length, int64_t heads, int64_t head_dim, bool masked, float scale) {
    const auto& engine = cpu_engine();
    Primitives p;
    p.query = heads_view(batch, length, heads, head_dim);
    p.value = p.query;
    p.output = p.query;
    // k^T: (B, H, d, T) over k's own (B, T, H*d) storage.
    p.key_transposed = {{batch, heads, head_dim, length}, dt::f32, {length * heads * head_dim, head_dim, 1, heads * head_dim}};
    p.probabilities = {{batch, heads, length, length}, dt::f32, tag::abcd};
    p.mask = {{batch, 1, 1, length}, dt::f32, tag::abcd};
    dnnl::primitive_attr scores_attr;
    scores_attr.set_output_scales(0, {scale});
    if (masked) {
      dnnl::post_ops post_ops;
      post_ops.append_binary(dnnl::algorithm::binary_add, p.mask);
      scores_attr.set_post_ops(post_ops);
    }
    p.scores = dnnl::matmul(
        dnnl::matmul::primitive_desc(dnnl::matmul::desc(p.query, p.key_transposed, p.probabilities), scores_attr, engine));
    p.softmax = dnnl::softmax_forward(dnnl::softmax_forward::primitive_desc(
        dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, p.probabilities, 3), engine));
    p.context = dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(p.probabilities, p.value, p.output), engine));
    return p;
  }

  ShapeCache<std::tuple<int64_t, int64_t, int64_t, int64_t, bool, float>, Primitives> by_shape{kMaxCachedAttentionShapes};

  Primitives get(int64_t batch, int64_t length, int64_t heads, int64_t head_dim, bool masked, float scale) {
    return by_shape.get({batch, length, heads, head_dim, masked, scale},
                        [&] { return make_primitives(batch, length, heads, head_dim, masked, scale); });
  }
};

Attention::Attention() : cache_(std::make_shared<Cache>()) {}

torch::Tensor Attention::forward(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& value,
                                 const torch::Tensor& additive_mask, int64_t heads, float scale) const {
  const int64_t batch = query.size(0), length = query.size(1), width = query.size(2);
  const auto q_rows = query.contiguous(), k_rows = key.contiguous(), v_rows = value.contiguous();
  auto output = torch::empty({batch, length, width}, query.options());
  if (batch == 0 || length == 0) return output;
  const bool masked = additive_mask.defined();
  const auto p = cache_->get(batch, length, heads, width / heads, masked, scale);
  auto probabilities = torch::empty({batch, heads, length, length}, query.options());
  const auto& engine = cpu_engine();
  auto& stream = thread_stream();
  dnnl::memory q(p.query, engine, q_rows.data_ptr()), k(p.key_transposed, engine, k_rows.data_ptr());
  dnnl::memory v(p.value, engine, v_rows.data_ptr()), out(p.output, engine, output.data_ptr());
  dnnl::memory probs(p.probabilities, engine, probabilities.data_ptr());
  std::unordered_map<int, dnnl::memory> score_args{{DNNL_ARG_SRC, q}, {DNNL_ARG_WEIGHTS, k}, {DNNL_ARG_DST, probs}};
  const auto mask = masked ? additive_mask.contiguous() : torch::Tensor();
  if (masked) score_args.emplace(kMaskArg, dnnl::memory(p.mask, engine, mask.data_ptr()));
  p.scores.execute(stream, score_args);
  p.softmax.execute(stream, {{DNNL_ARG_SRC, probs}, {DNNL_ARG_DST, probs}});
  p.context.execute(stream, {{DNNL_ARG_SRC, probs}, {DNNL_ARG_WEIGHTS, v}, {DNNL_ARG_DST, out}});
  return output;
}

bool attention_kernel_applies(const torch::Tensor& query, const torch::Tensor& additive_mask) {
  static const bool disabled = dense_kernel_choice() == "blas";
  if (disabled || !query.device().is_cpu() || query.scalar_type() != torch::kFloat || query.dim() != 3) return false;
  if (additive_mask.defined() && (additive_mask.scalar_type() != torch::kFloat || additive_mask.dim() != 4)) return false;
  return !(torch::GradMode::is_enabled() && query.requires_grad());
}

}  // namespace tpq::kernels
