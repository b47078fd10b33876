# Every dependency comes from Debian packages (see scripts/setup.sh), or from a CUDA LibTorch given
# through CMAKE_PREFIX_PATH (see scripts/build_cuda.sh).
find_package(Torch REQUIRED)
# TORCH_CXX_FLAGS is a space-separated string (e.g. the C++11 ABI define); make it a list.
separate_arguments(TORCH_CXX_FLAGS_LIST UNIX_COMMAND "${TORCH_CXX_FLAGS}")
# at::parallel_for is a header template: without -fopenmp its `#pragma omp parallel` is dropped and
# tpq's own loops (the dropout keep draw, the fused softmax-dropout rows) run on one thread.
# LibTorch links GCC's libgomp, the runtime OpenMP::OpenMP_CXX gives GCC.
find_package(OpenMP REQUIRED)

if(TPQ_CUDA STREQUAL "ON" AND NOT TORCH_CUDA_LIBRARIES)
  message(FATAL_ERROR "TPQ_CUDA=ON but the LibTorch found at ${Torch_DIR} has no CUDA. "
                      "Point CMAKE_PREFIX_PATH at a CUDA LibTorch (scripts/build_cuda.sh).")
endif()
if(TORCH_CUDA_LIBRARIES AND NOT TPQ_CUDA STREQUAL "OFF")
  message(STATUS "tpq: CUDA LibTorch found — CUDA device support enabled")
else()
  message(STATUS "tpq: CPU-only LibTorch")
endif()

find_package(nlohmann_json 3.9 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)

find_package(PkgConfig REQUIRED)
# sentencepiece embeds its own protobuf-lite and exports its symbols; linked into a process that
# also loads LibTorch's libprotobuf, the two collide at static initialisation (segfault). So only a
# small bridge library links sentencepiece, and tpq dlopen()s it with RTLD_LOCAL|RTLD_DEEPBIND
# (src/tokenize/sentencepiece_bridge.cpp).
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
find_library(SENTENCEPIECE_TRAIN_LIBRARY NAMES sentencepiece_train HINTS ${SENTENCEPIECE_LIBRARY_DIRS} REQUIRED)

# utf8proc: Unicode categories, NFD and case mapping for the HF-exact BERT normaliser. Found by
# hand rather than through pkg-config, whose -DUTF8PROC_EXPORTS would disable the shared PCH.
find_path(UTF8PROC_INCLUDE_DIR utf8proc.h REQUIRED)
find_library(UTF8PROC_LIBRARY NAMES utf8proc REQUIRED)
add_library(tpq_utf8proc INTERFACE)
target_include_directories(tpq_utf8proc SYSTEM INTERFACE ${UTF8PROC_INCLUDE_DIR})
target_link_libraries(tpq_utf8proc INTERFACE ${UTF8PROC_LIBRARY})

# The Hub client (src/hub/): libcurl for HTTP(S) and OpenSSL's EVP for sha256, both from Debian
# (libcurl4-openssl-dev, libssl-dev). Linked PRIVATE: no public header needs them.
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)

# c10d's ProcessGroupGloo (in libtorch_cpu) is declared in headers that include gloo's own.
find_path(TPQ_GLOO_INCLUDE_DIR gloo/algorithm.h)
if(NOT TPQ_GLOO_INCLUDE_DIR)
  message(FATAL_ERROR "gloo headers not found (needed for c10d's ProcessGroupGloo): sudo apt-get install libgloo-dev "
                      "(scripts/setup.sh does)")
endif()

# ONNX export (src/export/): onnx.proto's C++ classes and the ONNX checker from Debian's libonnx-dev,
# the same libonnx / libonnx_proto / libprotobuf that Debian's LibTorch itself links, so no second
# copy of the protobuf descriptors is loaded. ONNX_ML and ONNX_NAMESPACE are set in
# src/export/onnx_proto.h, not here, so the shared precompiled header keeps one set of definitions.
find_path(TPQ_ONNX_INCLUDE_DIR onnx/onnx-ml.pb.h)
find_library(TPQ_ONNX_LIBRARY NAMES onnx)
find_library(TPQ_ONNX_PROTO_LIBRARY NAMES onnx_proto)
find_library(TPQ_PROTOBUF_LIBRARY NAMES protobuf)
if(NOT TPQ_ONNX_INCLUDE_DIR OR NOT TPQ_ONNX_LIBRARY OR NOT TPQ_ONNX_PROTO_LIBRARY OR NOT TPQ_PROTOBUF_LIBRARY)
  message(FATAL_ERROR "libonnx-dev not found (needed for `tpq export --format onnx`): sudo apt-get install libonnx-dev "
                      "(scripts/setup.sh does)")
endif()
# oneDNN's own API for tpq's matmul primitives: the libdnnl.so.2 Debian's LibTorch already loads.
find_package(dnnl CONFIG QUIET)
if(NOT dnnl_FOUND)
  message(FATAL_ERROR "libdnnl-dev not found (tpq's INT8 kernels call oneDNN directly): sudo apt-get install libdnnl-dev "
                      "(scripts/setup.sh does)")
endif()

add_library(tpq_onnx INTERFACE)
target_include_directories(tpq_onnx SYSTEM INTERFACE ${TPQ_ONNX_INCLUDE_DIR})
target_link_libraries(tpq_onnx INTERFACE ${TPQ_ONNX_LIBRARY} ${TPQ_ONNX_PROTO_LIBRARY} ${TPQ_PROTOBUF_LIBRARY})
