#!/usr/bin/env bash
# Runs kernels on the CPU under a host emulation of CUDA (cuda_emu.h: a std::thread per CUDA thread, a barrier
# for __syncthreads) against double-precision references: a check of the kernels' indexing and arithmetic on
# machines without a GPU. It says nothing about speed, and it cannot catch a race the barrier order hides;
# the Category("Cuda") tests on a GPU remain the real parity check. Usage: tools/kernel-emu/run.sh
set -euo pipefail
cd "$(dirname "$0")"
cxx=${CXX:-$(command -v clang++-14 || command -v clang++ || command -v g++)}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for test in conv_igemm_emu cbn_relu_emu subspace_emu; do
  echo "== $test"
  "$cxx" -std=c++20 -O1 -pthread -x c++ "$test.cpp" -o "$out/$test"
  "$out/$test"
done
