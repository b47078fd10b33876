/* The C ABI of libtpq_spm_bridge.so, the only library that links sentencepiece (its embedded
   protobuf-lite collides with LibTorch's). No exceptions cross it: errors come back as text. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TPQ_SPM_BRIDGE_ABI_VERSION 1

typedef struct tpq_spm_model tpq_spm_model;

/* Called once per piece by tpq_spm_encode: the id and the piece's surface text (not
   NUL-terminated). Must not throw. */
typedef void (*tpq_spm_piece_callback)(void* context, int32_t id, const char* piece, size_t piece_length);

/* Returns TPQ_SPM_BRIDGE_ABI_VERSION, so a stale library is detected before use. */
int tpq_spm_abi_version(void);

/* Trains a model. `options` holds one "key=value" per line (spm_train flag names without "--";
   values may contain spaces). With sentences != NULL the `count` sentences are the corpus,
   otherwise the "input" option names the corpus file(s). `seed` seeds sentencepiece's random
   generator. Returns 0 on success, else nonzero with a message in `error` (size error_size). */
int tpq_spm_train(const char* options, const char* const* sentences, size_t count, uint32_t seed,
                  char* error, size_t error_size);

/* Loads a .model file; NULL on failure with a message in `error`. Free with tpq_spm_free. */
tpq_spm_model* tpq_spm_load(const char* model_path, char* error, size_t error_size);
void tpq_spm_free(tpq_spm_model* model);

/* Encodes `text` (length bytes), calling `on_piece` for each piece. Returns 0 or nonzero + error. */
int tpq_spm_encode(const tpq_spm_model* model, const char* text, size_t length, tpq_spm_piece_callback on_piece,
                   void* context, char* error, size_t error_size);

int32_t tpq_spm_vocab_size(const tpq_spm_model* model);
/* The piece of `id` (NUL-terminated, valid while the model lives), or NULL when out of range. */
const char* tpq_spm_id_to_piece(const tpq_spm_model* model, int32_t id);
/* The score of `id` (log probability for unigram, merge rank for BPE); 0 when out of range. */
float tpq_spm_score(const tpq_spm_model* model, int32_t id);
/* The id of `piece`, or the unknown id when it is not in the vocabulary. */
int32_t tpq_spm_piece_to_id(const tpq_spm_model* model, const char* piece);

#ifdef __cplusplus
}
#endif
