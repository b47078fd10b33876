// A weight kept in the layouts oneDNN's matmul primitives ask for: each layout made once, by a
// reorder from the source, and shared by every primitive that asks for it (normally there is one).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <dnnl.hpp>

namespace tpq::kernels {

// A matmul primitive and the weight pack it reads.
struct PackedPrimitive {
  dnnl::matmul primitive;
  std::shared_ptr<dnnl::memory> weights;
};

class WeightPacks {
 public:
  // `source` must stay valid while packs are made (its data is read, never written).
  explicit WeightPacks(dnnl::memory source) : source_(std::move(source)) {}
  std::shared_ptr<dnnl::memory> packed_for(const dnnl::memory::desc& layout);
  // The primitive of `desc` with the weight in the layout it asks for.
  PackedPrimitive prepare(const dnnl::matmul::primitive_desc& desc);
  // The first pack becomes the source, so the memory `source` pointed to may be released.
  void adopt_first_pack_as_source();
  const dnnl::memory& source() const { return source_; }

 private:
  std::mutex mutex_;
  dnnl::memory source_;
  std::vector<std::shared_ptr<dnnl::memory>> packs_;
};

}  // namespace tpq::kernels
