#!/usr/bin/env bash
# Runs kernels on the CPU under a host emulation of CUDA (cuda_emu.h: one fiber per CUDA thread, a block barrier for
# __syncthreads, warp collectives for the warp-level instructions) against double-precision references: a check of
# the kernels' indexing and arithmetic on machines without a GPU. Usage: tools/kernel-emu/run.sh [CONV_TC_CASE_FILTER]
#   conv_igemm_emu                 the FMA implicit-GEMM convolution
#   batchnorm_emu, elementwise_emu batch norm and the fused conditional batch norm + ReLU; the streaming elementwise
#                                  passes (copies, broadcast binary ops)
#   subspace_emu                   the batched subspace iteration of σ tracing (kernels-cu/subspace.cu)
#   graphs_emu                     what a replayed training step depends on: Philox draws at a device counter, Adam
#                                  with its step on the device, the deterministic embedding backward
#   conv_tc_emu                    the tensor-core convolution (conv_tc.cu), running the launch plans that
#                                  src/Kernels/Cuda/CudaConvTensorCorePlan.cs builds (conv_tc_plans.txt, kept current
#                                  by ConvTensorCorePlanTests), with cp.async, ldmatrix and mma.sync emulated from the
#                                  PTX ISA's fragment layouts (tensor_core_emu.h); each case must match its reference,
#                                  leave guard bytes intact, never read NaN-poisoned memory, and have no bank conflicts.
# What the emulation cannot catch: speed; races that the cooperative schedule orders away (threads run in turn between
# synchronisation points, so only races across a barrier or a cp.async wait show, as stale data); the hardware's own
# reading of a PTX instruction where ours of the ISA text is wrong in the same way in kernel and emulator; the tensor
# cores' float32 summation order and rounding (the emulator sums in order, in float); instruction legality and
# register limits on the real target (build.ps1 kernels -Check compiles sm_90 and checks spills and HMMA); launch
# limits the driver enforces (shared memory opt-in, grid sizes: checked by the plan tests). The Category("Cuda")
# tests on a GPU remain the real parity check.
set -euo pipefail
cd "$(dirname "$0")"
cxx=${CXX:-$(command -v clang++-14 || command -v clang++ || command -v g++)}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for test in conv_igemm_emu batchnorm_emu elementwise_emu graphs_emu subspace_emu conv_tc_emu; do
  echo "== $test"
  # No contraction of a*b + c into an FMA: the kernels' bit-exact checks compare with the CPU backend's order.
  "$cxx" -std=c++20 -O1 -ffp-contract=off -pthread -x c++ "$test.cpp" -o "$out/$test"
  if [ "$test" = conv_tc_emu ]; then "$out/$test" conv_tc_plans.txt "${1:-}"; else "$out/$test"; fi
done
