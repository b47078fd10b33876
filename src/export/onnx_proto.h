// onnx.proto's C++ classes as Debian's libonnx-dev builds them: the ONNX-ML variant, namespace onnx.
// Included through this header only, so the definitions the ONNX headers need are set in one place.
#pragma once

#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
