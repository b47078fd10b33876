// 01: train the baseline BERT classifier (from scratch, or fine-tune a local HF checkpoint).
#include "common/runner.h"
#include "tpq/pipeline/baseline.h"

int main(int argc, char** argv) {
  tpq::experiments::ExperimentSpec spec;
  spec.program = "01_baseline_training";
  spec.description = "Train the baseline BERT text classifier every other experiment compares against";
  spec.results_subdir = "baseline";
  spec.flags = {
      {"--model", "model.pretrained", "Local HF checkpoint dir to fine-tune, or 'scratch'"},
      {"--dataset", "data.dataset", "imdb, aclimdb, sst2, ag_news, spam_assassin, csv, tsv, jsonl"},
      {"--data_path,--data-path", "data.path", "Dataset file or directory"},
      {"--epochs", "training.epochs", "Training epochs"},
      {"--batch_size,--batch-size", "training.batch_size", "Batch size"},
      {"--learning_rate,--learning-rate", "training.learning_rate", "Peak learning rate (AdamW)"},
      {"--max_length,--max-length", "model.max_length", "Tokens per example"},
      {"--max_train_samples,--max-train-samples", "data.max_train_samples", "Cap on training examples (0 = all)"},
      {"--max_val_samples,--max-val-samples", "data.max_validation_samples", "Cap on validation examples"},
      {"--max_test_samples,--max-test-samples", "data.max_test_samples", "Cap on test examples"},
      {"--amp", "training.amp", "none, bf16 or fp16 (CUDA)"},
  };
  spec.run = tpq::pipeline::run_baseline;
  return tpq::experiments::run_experiment(argc, argv, spec);
}
