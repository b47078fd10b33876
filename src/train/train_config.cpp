#include "tpq/train/train_config.h"

#include "tpq/core/error.h"
#include "tpq/core/runtime_info.h"

namespace tpq::train {

TrainConfig TrainConfig::from(ConfigSection& section) {
  TrainConfig config;
  config.epochs = section.get_int("epochs", config.epochs);
  config.batch_size = section.get_int("batch_size", config.batch_size);
  config.learning_rate = section.get_double("learning_rate", config.learning_rate);
  config.weight_decay = section.get_double("weight_decay", config.weight_decay);
  config.adam_epsilon = section.get_double("adam_epsilon", config.adam_epsilon);
  config.warmup_ratio = section.get_double("warmup_ratio", config.warmup_ratio);
  config.max_grad_norm = section.get_double("max_grad_norm", config.max_grad_norm);
  config.gradient_accumulation_steps = section.get_int("gradient_accumulation_steps", config.gradient_accumulation_steps);
  config.early_stopping_patience = section.get_int("early_stopping_patience", config.early_stopping_patience);
  config.amp = section.get_string("amp", config.amp);
  config.length_bucketing = section.get_bool("length_bucketing", config.length_bucketing);
  config.log_every_steps = section.get_int("log_every_steps", config.log_every_steps);
  config.eval_batch_size = section.get_int("eval_batch_size", config.eval_batch_size);
  config.checkpoint_every_steps = section.get_int("checkpoint_every_steps", config.checkpoint_every_steps);
  config.mlm_epochs = section.get_int("mlm_epochs", config.mlm_epochs);
  config.mlm_learning_rate = section.get_double("mlm_learning_rate", config.mlm_learning_rate);
  config.mlm_mask_probability = section.get_double("mlm_mask_probability", config.mlm_mask_probability);
  // Recorded for the report; accepted back so a results config.json can be replayed with --config.
  require(section.get_string("optimizer", "AdamW") == "AdamW", "training.optimizer: only AdamW is implemented");
  require(section.get_string("schedule", "linear") == "linear", "training.schedule: only linear (warm-up + decay) is implemented");
  section.finish();

  require(config.epochs >= 0, "training.epochs must be >= 0");
  require(config.batch_size > 0, "training.batch_size must be positive");
  require(config.eval_batch_size > 0, "training.eval_batch_size must be positive");
  require(config.learning_rate > 0, "training.learning_rate must be positive");
  require(config.weight_decay >= 0, "training.weight_decay must be >= 0");
  require(config.warmup_ratio >= 0 && config.warmup_ratio < 1, "training.warmup_ratio must be in [0, 1)");
  require(config.gradient_accumulation_steps > 0, "training.gradient_accumulation_steps must be positive");
  require(config.early_stopping_patience >= 0, "training.early_stopping_patience must be >= 0");
  require(config.amp == "none" || config.amp == "bf16" || config.amp == "fp16" || config.amp == "auto",
          "training.amp is '" + config.amp + "'; use none, bf16, fp16 or auto");
  require(config.checkpoint_every_steps >= 0, "training.checkpoint_every_steps must be >= 0 (0: at epoch ends only)");
  require(config.log_every_steps > 0, "training.log_every_steps must be positive");
  require(config.mlm_epochs >= 0, "training.mlm_epochs must be >= 0");
  require(config.mlm_learning_rate > 0, "training.mlm_learning_rate must be positive");
  require(config.mlm_mask_probability > 0 && config.mlm_mask_probability < 1, "training.mlm_mask_probability must be in (0, 1)");
  return config;
}

std::string resolve_amp(const std::string& amp, bool cuda) {
  if (amp != "auto") return amp;
  return !cuda && cpu_has_native_bf16() ? "bf16" : "none";
}

nlohmann::json TrainConfig::to_json() const {
  return {{"epochs", epochs},
          {"batch_size", batch_size},
          {"learning_rate", learning_rate},
          {"weight_decay", weight_decay},
          {"adam_epsilon", adam_epsilon},
          {"warmup_ratio", warmup_ratio},
          {"max_grad_norm", max_grad_norm},
          {"gradient_accumulation_steps", gradient_accumulation_steps},
          {"early_stopping_patience", early_stopping_patience},
          {"amp", amp},
          {"length_bucketing", length_bucketing},
          {"log_every_steps", log_every_steps},
          {"eval_batch_size", eval_batch_size},
          {"checkpoint_every_steps", checkpoint_every_steps},
          {"mlm_epochs", mlm_epochs},
          {"mlm_learning_rate", mlm_learning_rate},
          {"mlm_mask_probability", mlm_mask_probability},
          {"optimizer", "AdamW"},
          {"schedule", "linear"}};
}

}  // namespace tpq::train
