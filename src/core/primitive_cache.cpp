#include "tpq/core/primitive_cache.h"

#include <dlfcn.h>

#include <cstdlib>

namespace tpq {
namespace {

// LibTorch links libdnnl.so.2; its C API is looked up at run time so tpq needs no oneDNN headers
// and builds against a LibTorch without oneDNN.
using SetCapacity = int (*)(int);
using GetCapacity = int (*)(int*);

template <typename Function>
Function dnnl_function(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

int TrainingPrimitiveCacheScope::current_capacity() {
  const auto get = dnnl_function<GetCapacity>("dnnl_get_primitive_cache_capacity");
  int capacity = -1;
  if (get == nullptr || get(&capacity) != 0) return -1;
  return capacity;
}

TrainingPrimitiveCacheScope::TrainingPrimitiveCacheScope() {
  if (std::getenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY") != nullptr) return;
  const auto set = dnnl_function<SetCapacity>("dnnl_set_primitive_cache_capacity");
  const int previous = current_capacity();
  if (set == nullptr || previous < 0) return;
  if (set(kTrainingCapacity) == 0) previous_ = previous;
}

TrainingPrimitiveCacheScope::~TrainingPrimitiveCacheScope() {
  if (previous_ < 0) return;
  dnnl_function<SetCapacity>("dnnl_set_primitive_cache_capacity")(previous_);
}

}  // namespace tpq
