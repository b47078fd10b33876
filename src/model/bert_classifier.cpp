// BertModel + classification head (BertForSequenceClassification) and HF-style initialisation.
#include <torch/torch.h>

#include "tpq/core/error.h"
#include "tpq/model/bert.h"

namespace tpq::model {

BertModelImpl::BertModelImpl(const BertConfig& config) {
  embeddings = register_module("embeddings", BertEmbeddings(config));
  encoder = register_module("encoder", BertEncoder(config));
  pooler = register_module("pooler", BertPooler(config));
}

BertForSequenceClassificationImpl::BertForSequenceClassificationImpl(const BertConfig& config_in)
    : config(config_in) {
  config.validate("BertConfig");
  bert = register_module("bert", BertModel(config));
  dropout = register_module("dropout", torch::nn::Dropout(config.effective_classifier_dropout()));
  classifier = register_module("classifier", Linear(config.hidden_size, config.num_labels()));
  init_weights();
}

BertOutputs BertForSequenceClassificationImpl::forward(const BertInputs& inputs,
                                                        const std::vector<torch::Tensor>& head_masks) {
  const auto& ids = inputs.input_ids;
  require(ids.dim() == 2, "input_ids must be (batch, seq_len), got " + std::to_string(ids.dim()) + " dims");
  require(ids.size(1) <= config.max_position_embeddings,
          "sequence length " + std::to_string(ids.size(1)) + " exceeds max_position_embeddings " +
              std::to_string(config.max_position_embeddings) + "; lower --max-length");
  require(head_masks.empty() || static_cast<int64_t>(head_masks.size()) == config.num_hidden_layers,
          "head_masks needs one tensor per layer");
  auto mask = inputs.attention_mask.defined() ? inputs.attention_mask : torch::ones_like(ids);
  auto hidden = bert->embeddings(ids, inputs.token_type_ids);  // (B, T, H)
  auto additive_mask = additive_attention_mask(mask, hidden.scalar_type());
  hidden = bert->encoder(hidden, additive_mask, head_masks);
  auto pooled = bert->pooler(hidden);
  return {classifier(dropout(pooled)), hidden, pooled};
}

void BertForSequenceClassificationImpl::init_weights() {
  torch::NoGradGuard no_grad;
  const double std_dev = config.initializer_range;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<LinearImpl>()) {
      linear->weight.normal_(0.0, std_dev);
      linear->bias.zero_();
    } else if (auto* embedding = module->as<torch::nn::EmbeddingImpl>()) {
      embedding->weight.normal_(0.0, std_dev);
      if (embedding->options.padding_idx()) embedding->weight[*embedding->options.padding_idx()].zero_();
    } else if (auto* norm = module->as<torch::nn::LayerNormImpl>()) {
      norm->weight.fill_(1.0);
      norm->bias.zero_();
    }
  }
}

}  // namespace tpq::model
