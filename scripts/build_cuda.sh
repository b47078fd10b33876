#!/usr/bin/env bash
# Builds tpq against a CUDA LibTorch (the one inside a pip torch 2.x wheel) into build-cuda/.
#   scripts/build_cuda.sh [--python PYTHON] [--build-dir DIR] [--torch-prefix DIR] [--run-checks]
# Needs: a python whose `import torch` has CUDA (or --torch-prefix pointing at a LibTorch's
# share/cmake), g++ ≥ 9, CMake ≥ 3.18, and the same libraries as the CPU build (yaml-cpp, spdlog,
# CLI11, nlohmann-json, sentencepiece, utf8proc, GoogleTest). See docs/cuda.md.
# --run-checks: after building, runs the CUDA conformance tests and a short quick-profile training.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
build_dir="$repo_root/build-cuda"
torch_prefix=""
run_checks=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --python) python="$2"; shift ;;
    --build-dir) build_dir="$2"; shift ;;
    --torch-prefix) torch_prefix="$2"; shift ;;
    --run-checks) run_checks=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "build_cuda.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
log() { printf '\033[1m[build_cuda]\033[0m %s\n' "$*" >&2; }

if [[ -z "$torch_prefix" ]]; then
  # The machine described in ../shared/GPU.md keeps torch in /opt/torch/.venv.
  if ! "$python" -c 'import torch' 2>/dev/null && [[ -x /opt/torch/.venv/bin/python ]]; then
    python=/opt/torch/.venv/bin/python
  fi
  "$python" -c 'import torch' 2>/dev/null || {
    echo "build_cuda.sh: '$python' cannot import torch; pass --python PATH or --torch-prefix DIR" >&2; exit 2; }
  torch_prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
  log "torch $("$python" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "available:", torch.cuda.is_available())')"
fi
[[ -d "$torch_prefix/Torch" ]] || { echo "build_cuda.sh: no Torch CMake package under $torch_prefix" >&2; exit 2; }

# utf8proc is not always installed where CUDA LibTorch lives; a local copy unpacked from Debian's
# .deb (dpkg -x libutf8proc-dev*.deb libutf8proc2*.deb .deps/) is picked up from .deps/.
extra_prefix=""
if [[ -d "$repo_root/.deps/usr" ]]; then
  extra_prefix=";$repo_root/.deps/usr"
  export LD_LIBRARY_PATH="$repo_root/.deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
fi

log "configuring $build_dir against $torch_prefix"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$repo_root" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DTPQ_CUDA=ON \
  -DCMAKE_PREFIX_PATH="$torch_prefix$extra_prefix"
log "building (-j$(nproc))"
cmake --build "$build_dir" -j"$(nproc)"

if [[ $run_checks -eq 1 ]]; then
  log "CUDA conformance (tiny-bert-a on cuda) and unit tests"
  TPQ_TEST_DEVICE=cuda ctest --test-dir "$build_dir" --output-on-failure -j4 -R 'Conformance|Cuda'
  log "quick-profile baseline on cuda"
  "$build_dir/bin/01_baseline_training" --profile quick --device cuda --output_dir "$build_dir/results-cuda/baseline"
fi
log "done: $build_dir/bin"
