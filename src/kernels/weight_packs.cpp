#include "kernels/weight_packs.h"

#include "kernels/dnnl_engine.h"

namespace tpq::kernels {

std::shared_ptr<dnnl::memory> WeightPacks::packed_for(const dnnl::memory::desc& layout) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& pack : packs_) {
    if (pack->get_desc() == layout) return pack;
  }
  auto pack = packs_.emplace_back(std::make_shared<dnnl::memory>(layout, cpu_engine()));
  dnnl::reorder(source_, *pack).execute(thread_stream(), source_, *pack);
  thread_stream().wait();
  return pack;
}

PackedPrimitive WeightPacks::prepare(const dnnl::matmul::primitive_desc& desc) {
  return {dnnl::matmul(desc), packed_for(desc.weights_desc())};
}

void WeightPacks::adopt_first_pack_as_source() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!packs_.empty()) source_ = *packs_.front();
}

}  // namespace tpq::kernels
