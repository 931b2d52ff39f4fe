#!/usr/bin/env python3
"""PyTorch baseline for bench/RawGan.Bench: the same kernels, shapes and BigGAN training step, timed the same way.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/torch_baseline.py --device cpu --threads 2 --json out.json
    python3 bench/torch_baseline.py --device cuda --json out.json

(Debian's OpenBLAS picks a slow generic kernel on Zen 4 unless told the core type.) Each row has the benchmark name
of RawGan.Bench ("ConvBench.Forward"), PyTorch's own case label, and `pairs_with`: the RawGan cases (shell-style
patterns, e.g. "cuda/*") it is compared against; rows pairing with nothing are PyTorch-only alternatives (TF32
convolutions, for example). Times: the best and median of several rounds, each synchronised on a GPU. On CUDA the
kernels run with TF32 off (RawGan computes in exact FP32), then the matmul/conv-heavy rows again with TF32 on; the
convolutions also in bfloat16 (bfloat16 tensors), and BigGAN-128's convolutions (conv128, CudaConvBench's shapes) in
TF32 and bfloat16. The training step is BigGAN-PyTorch's train_fns.GAN_training_function with the reference modules
of tests/reference/biggan_reference.py; on CUDA biggan32 and biggan128 also run with TF32 on and under bfloat16
autocast, paired with TrainStepBench's "…/tf32" and "…/bf16" cases (and G's attention block under autocast).
"""
import argparse
import contextlib
import copy
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

# The reference modules: tests/reference in a checkout, beside this script in the device bundle.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "tests", "reference"), HERE]
import biggan_reference as ref  # noqa: E402

RESULTS = []
DEVICE = "cpu"


def sync():
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def timed(fn, min_seconds=None, repeats=5, warmup=3):
    """Best and median seconds per call over `repeats` rounds of enough calls to last min_seconds/repeats."""
    if min_seconds is None:  # a GPU run must fit tools/gpu-check.sh's time budget
        min_seconds = 0.3 if DEVICE == "cuda" else 0.6
    for _ in range(warmup):
        fn()
        sync()
    start = time.perf_counter()
    fn()
    sync()
    once = max(time.perf_counter() - start, 1e-7)
    calls = max(1, int(min_seconds / repeats / once))
    rounds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
            sync()
        rounds.append((time.perf_counter() - start) / calls)
    return min(rounds), statistics.median(rounds)


def report(benchmark, case, pairs_with, fn, **timing):
    best, median = timed(fn, **timing)
    RESULTS.append({"benchmark": benchmark, "case": case, "pairs_with": pairs_with,
                    "best_ms": best * 1e3, "median_ms": median * 1e3})
    print(f"{benchmark + '[' + case + ']':58s} {best * 1e3:10.3f} ms (median {median * 1e3:10.3f})", flush=True)


def uniform(*shape, requires_grad=False):
    return (torch.rand(*shape, device=DEVICE) * 2 - 1).requires_grad_(requires_grad)


def set_tf32(on):
    if DEVICE == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = on
        torch.backends.cudnn.allow_tf32 = on


# ---- kernel families -----------------------------------------------------------------------------------------

def gemm(tag, pairs):
    n = 1024
    for dtype, name in ((torch.float32, "Gemm1024Float32"), (torch.float64, "Gemm1024Float64")):
        a, b = uniform(n, n).to(dtype), uniform(n, n).to(dtype)
        c = torch.empty(n, n, dtype=dtype, device=DEVICE)
        report("GemmBench." + name, tag, pairs, lambda a=a, b=b, c=c: torch.mm(a, b, out=c))
    m, nn, k, batch = 128, 32 * 32, 128 * 9, 32
    w, cols = uniform(m, k), uniform(batch, k, nn)
    y = torch.empty(batch, m, nn, device=DEVICE)

    def per_image():
        for i in range(batch):
            torch.mm(w, cols[i], out=y[i])
    # Two ways to ask torch for it: one broadcast matmul (a bmm) or one mm per image; both are kept, the first pairs.
    faster = min((("bmm", lambda: torch.matmul(w, cols, out=y)), ("loop", per_image)),
                 key=lambda item: timed(item[1], min_seconds=0.2, repeats=2, warmup=1)[0])
    report("GemmBench.ConvShapedGemmFloat32", f"{tag}/{faster[0]}", pairs, faster[1])


def conv_passes(bench, tag, pairs, x, w, dy, padding):
    """Forward, data gradient and weight gradient of one convolution (stride 1), as RawGan's three passes."""
    def backward(mask):
        return torch.ops.aten.convolution_backward(dy, x, w, None, [1, 1], [padding, padding], [1, 1], False, [0, 0], 1, mask)
    with torch.no_grad():
        report(bench + ".Forward", tag, pairs, lambda: F.conv2d(x, w, padding=padding))
        report(bench + ".BackwardData", tag, pairs, lambda: backward([True, False, False]))
        report(bench + ".BackwardWeight", tag, pairs, lambda: backward([False, True, False]))


def conv(tag, pairs, dtype=torch.float32):
    x, wc, dy = uniform(32, 128, 32, 32), uniform(128, 128, 3, 3), uniform(32, 128, 32, 32)
    conv_passes("ConvBench", tag, pairs, x.to(dtype), wc.to(dtype), dy.to(dtype), 1)


# CudaConvBench.Shapes: BigGAN-128's convolutions at batch 64 (name, in channels, out channels, size, kernel).
CONV128 = [("G0.conv1 1536-1536 8x8", 1536, 1536, 8, 3), ("G2.conv1 768-384 32x32", 768, 384, 32, 3),
           ("G4.conv1 192-96 128x128", 192, 96, 128, 3), ("G4.conv_sc 192-96 128x128 1x1", 192, 96, 128, 1),
           ("D0.conv1 3-96 128x128", 3, 96, 128, 3), ("D0.conv2 96-96 128x128", 96, 96, 128, 3),
           ("D5.conv1 1536-1536 4x4", 1536, 1536, 4, 3)]


def conv128():
    """CudaConvBench's rows: cuDNN in TF32 (cudnn.allow_tf32) and in bfloat16 (bfloat16 tensors), NCHW as RawGan."""
    for name, c, k, size, kernel in CONV128:
        for precision, dtype in (("tf32", torch.float32), ("bf16", torch.bfloat16)):
            set_tf32(precision == "tf32")
            case = f"cuda/{name}/{precision}"
            x, w, dy = (uniform(64, c, size, size).to(dtype), uniform(k, c, kernel, kernel).to(dtype),
                        uniform(64, k, size, size).to(dtype))
            conv_passes("CudaConvBench", case + " (cudnn)", [case], x, w, dy, kernel // 2)
            del x, w, dy
    set_tf32(False)


def shape_of(variant):
    return (64, 192, 64, 64) if variant == "b128" else (32, 128, 32, 32)


def elementwise(variant):
    shape = shape_of(variant)
    a, b, y = uniform(*shape), uniform(*shape), torch.empty(*shape, device=DEVICE)
    s = uniform(shape[0], shape[1], 1, 1)
    case = f"{DEVICE}/{variant}"
    report("ElementwiseBench.Copy", case, [case], lambda: y.copy_(a))
    report("ElementwiseBench.EngineCopy", case, [case], lambda: y.copy_(a))
    half = torch.empty(shape[0], 2 * shape[1], shape[2], shape[3], device=DEVICE)[:, :shape[1]]
    report("ElementwiseBench.StridedCopy", case, [case], lambda: half.copy_(a))
    report("ElementwiseBench.Add", case, [case], lambda: torch.add(a, b, out=y))
    report("ElementwiseBench.MulBroadcast", case, [case], lambda: torch.mul(a, s, out=y))


def batch_norm(variant):
    n, c, h, w = shape_of(variant)
    case = f"{DEVICE}/{variant}"
    x, dy = uniform(n, c, h, w), uniform(n, c, h, w)
    gamma, beta = uniform(c), uniform(c)
    eps = 1e-5
    with torch.no_grad():
        report("BatchNormBench.BnForward", case, [case],
               lambda: F.batch_norm(x, None, None, gamma, beta, True, 0.1, eps))
        _, save_mean, save_invstd = torch.ops.aten.native_batch_norm(x, gamma, beta, None, None, True, 0.1, eps)[:3]
        report("BatchNormBench.BnBackward", case, [case],
               lambda: torch.ops.aten.native_batch_norm_backward(dy, x, gamma, None, None, save_mean, save_invstd,
                                                                 True, eps, [True, True, True]))
    xt, gain, bias = uniform(n, c, h, w, requires_grad=True), uniform(n, c, requires_grad=True), uniform(n, c, requires_grad=True)
    run_mean, run_var = torch.zeros(c, device=DEVICE), torch.ones(c, device=DEVICE)

    def cbn_relu():  # ref.ccbn.forward with the gain and bias already looked up, then the G block's ReLU
        out = F.batch_norm(xt, run_mean, run_var, None, None, True, 0.1, eps)
        return F.relu(out * (1 + gain).view(n, c, 1, 1) + bias.view(n, c, 1, 1))

    def cbn_relu_backward():
        cbn_relu().backward(dy)
        xt.grad = gain.grad = bias.grad = None
    report("BatchNormBench.CbnReluForward", case, [case], cbn_relu)
    report("BatchNormBench.CbnReluForwardBackward", case, [case], cbn_relu_backward)


def attention(variant, tag=None, pairs=None, bf16=False):
    n, c, h, w = (64, 192, 64, 64) if variant == "g128" else (32, 128, 16, 16)
    case = f"{DEVICE}/{variant}"
    torch.manual_seed(1)
    eps = 1e-6 if variant == "g128" else 1e-8
    block = ref.Attention(c, which_conv=lambda *a, **k: ref.SNConv2d(*a, **k, eps=eps)).to(DEVICE).train()
    with torch.no_grad():
        block.gamma.fill_(0.1)
    x, dy = uniform(n, c, h, w, requires_grad=True), uniform(n, c, h, w)

    def forward():
        with autocast_bf16(bf16):
            return block(x)

    def forward_backward():
        forward().backward(dy)
        block.zero_grad(set_to_none=True)
        x.grad = None
    report("AttentionBench.Forward", tag or case, [case] if pairs is None else pairs, forward)
    report("AttentionBench.ForwardBackward", tag or case, [case] if pairs is None else pairs, forward_backward)


def spectral_norm(variant):
    rows, cols = {"conv1536": (1536, 1536 * 9), "linear24576": (24576, 20)}.get(variant, (128, 128 * 9))
    case = f"{DEVICE}/{variant}"
    W, u = uniform(rows, cols), [uniform(1, rows)]
    # BigGAN-PyTorch's power iteration (one singular value, u updated in place): what its SN layers run.
    report("SpectralNormBench.PowerIteration", case, [case], lambda: ref.power_iteration(W, u, update=True, eps=1e-6))


def truncated_normal():
    y = torch.empty(1 << 24, device=DEVICE)
    report("TruncatedNormalBench.Fill", f"{DEVICE}/trunc_normal_", [f"{DEVICE}/philox"],
           lambda: torch.nn.init.trunc_normal_(y, 0.0, 1.0, -2.0, 2.0))
    if DEVICE == "cuda":
        report("TruncatedNormalBench.Fill", "cuda/randn", ["cuda/curand-normal"], lambda: y.normal_())


def generator_config(variant):
    """(G kwargs, D kwargs, batch) of RawGan's TrainStepBench/AdamBench cases."""
    if variant in ("g128", "biggan128"):
        g, d = ref.preset("ImageNet128")
        return g, d, 64
    if variant == "mnist32":  # `rawgan train`'s default model and batch
        g, d = ref.preset("Mnist32")
        return g, d, 16
    g, d = ref.preset("Cifar32")
    g.update(G_ch=32)
    d.update(D_ch=32)
    return g, d, 32


def adam(variant):
    case = f"{DEVICE}/{variant}"
    g_kw, _, _ = generator_config(variant)
    torch.manual_seed(1)
    G = ref.Generator(**g_kw, skip_init=True).to(DEVICE)
    params = [p for p in G.parameters()]
    for p in params:
        p.grad = torch.randn_like(p)
    variants = [("PerTensor", "foreach=False", dict(foreach=False)), ("Flat", "foreach=True", dict(foreach=True))]
    if DEVICE == "cuda" and "fused" in torch.optim.Adam.__init__.__code__.co_varnames:
        variants.append(("Flat", "fused=True", dict(fused=True)))
    for method, label, kwargs in variants:
        opt = torch.optim.Adam(params, lr=1e-4, betas=(0.0, 0.999), eps=1e-6, **kwargs)
        report("AdamBench." + method, f"{case}/{label}", [case], opt.step)


def ortho(model, strength, blacklist):
    """BigGAN-PyTorch utils.ortho: the orthogonal regularisation's gradient added into every ≥2-D weight's."""
    with torch.no_grad():
        for param in model.parameters():
            if len(param.shape) < 2 or any(param is item for item in blacklist):
                continue
            w = param.view(param.shape[0], -1)
            grad = 2 * torch.mm(torch.mm(w, w.t()) * (1. - torch.eye(w.shape[0], device=w.device)), w)
            param.grad.data += strength * grad.view(param.shape)


def autocast_bf16(on):
    """torch.autocast to bfloat16 on this device when on (RawGan's --precision bf16), else a no-op context."""
    return torch.autocast(device_type=DEVICE, dtype=torch.bfloat16) if on else contextlib.nullcontext()


def make_train_step(variant, bf16=False):
    """BigGAN-PyTorch's GAN_training_function with `rawgan train`'s defaults: 2 D steps (real and fake in one batch,
    hinge loss), a G step through the frozen D, G ortho 1e-4, Adam β=(0, 0.999) eps 1e-6, lr G 5e-5 and D 2e-4, EMA.
    With bf16, forward and backward passes run under bfloat16 autocast (ortho, Adam and the EMA outside it, as RawGan's
    trainer opens its Autocast scope). Returns the step as a function (bench/torch_profile.py profiles it op by op)."""
    g_kw, d_kw, batch = generator_config(variant)
    torch.manual_seed(1)
    # ImageNet128's orthogonal init (QR of every weight) takes long on a server's CPU and does not change the step's
    # cost, so the big model keeps PyTorch's default init (RawGan's bench uses N(0, 0.02) there for the same reason).
    big = variant == "biggan128"
    G = ref.Generator(**g_kw, skip_init=big).to(DEVICE)
    D = ref.Discriminator(**d_kw, skip_init=big).to(DEVICE)
    G_ema = copy.deepcopy(G)
    G_opt = torch.optim.Adam(G.parameters(), lr=5e-5, betas=(0.0, 0.999), eps=1e-6)
    D_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.0, 0.999), eps=1e-6)
    res, n_classes = g_kw["resolution"], g_kw["n_classes"]
    real = torch.tanh(torch.randn(batch, g_kw.get("img_channels", 3), res, res, device=DEVICE))
    labels = torch.arange(batch, device=DEVICE) % n_classes
    shared = [p for p in G.shared.parameters()]
    ema_pairs = list(zip(G_ema.state_dict().values(), G.state_dict().values()))

    def sample():
        return torch.randn(batch, G.dim_z, device=DEVICE), torch.randint(0, n_classes, (batch,), device=DEVICE)

    def step():
        G.train()
        D.train()
        for p in D.parameters():
            p.requires_grad_(True)
        for _ in range(2):
            D_opt.zero_grad(set_to_none=True)
            z, y = sample()
            with autocast_bf16(bf16):
                with torch.no_grad():
                    fake = G(z, G.shared(y))
                out = D(torch.cat([fake, real]), torch.cat([y, labels]))
                d_fake, d_real = out[:batch], out[batch:]
                loss_real, loss_fake = F.relu(1. - d_real).mean(), F.relu(1. + d_fake).mean()
            (loss_real + loss_fake).backward()
            loss_real.item(), loss_fake.item()
            D_opt.step()
        for p in D.parameters():
            p.requires_grad_(False)
        G_opt.zero_grad(set_to_none=True)
        z, y = sample()
        with autocast_bf16(bf16):
            loss = -torch.mean(D(G(z, G.shared(y)), y))
        loss.backward()
        loss.item()
        ortho(G, 1e-4, blacklist=shared)
        G_opt.step()
        with torch.no_grad():  # ema.update before start_itr: decay 0, i.e. a copy
            for e, p in ema_pairs:
                e.copy_(e * 0.0 + p * 1.0)
    return step


def train_step(variant, tag=None, pairs=None, bf16=False):
    case = f"{DEVICE}/{variant}"
    step = make_train_step(variant, bf16)
    report("TrainStepBench.TrainStep", tag or case, [case] if pairs is None else pairs, step,
           min_seconds=0.0, repeats=3, warmup=2)
    if DEVICE == "cuda":  # peak memory of a step, persistent state included, as RawGan's StepMemory records it
        peaks = []
        for _ in range(2):
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            step()
            torch.cuda.synchronize()
            peaks.append(torch.cuda.max_memory_allocated())
        RESULTS[-1]["peak_bytes"] = max(peaks)


def main():
    global DEVICE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (CPU; 0 leaves torch's default)")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument("--only", default="", help="comma-separated families to run (gemm,conv,conv128,elementwise,"
                                                   "batchnorm,attention,spectralnorm,random,adam,trainstep); default all")
    parser.add_argument("--skip", default="", help="comma-separated families to leave out")
    args = parser.parse_args()
    DEVICE = args.device
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cuda = DEVICE == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
    families = set(filter(None, args.only.split(","))) or {"gemm", "conv", "conv128", "elementwise", "batchnorm",
                                                           "attention", "spectralnorm", "random", "adam", "trainstep"}
    families -= set(filter(None, args.skip.split(",")))
    shapes = ["b32", "b128"] if cuda else ["b32"]
    set_tf32(False)
    if "gemm" in families:
        gemm("cuda/fp32" if cuda else "cpu", ["cuda/fp32"] if cuda else ["cpu"])
    if "conv" in families:
        conv("cuda/cudnn-fp32" if cuda else "cpu", ["cuda/Im2colGemm", "cuda/ImplicitGemm"] if cuda else ["cpu"])
    if "elementwise" in families:
        for v in shapes:
            elementwise(v)
    if "batchnorm" in families:
        for v in shapes:
            batch_norm(v)
    if "attention" in families:
        for v in (["g32", "g128"] if cuda else ["g32"]):
            attention(v)
    if "spectralnorm" in families:
        for v in ["conv128", "conv1536", "linear24576"]:
            spectral_norm(v)
    if "random" in families:
        truncated_normal()
    if "adam" in families:
        for v in (["g32", "g128"] if cuda else ["g32"]):
            adam(v)
    if "trainstep" in families:
        for v in (["biggan32", "mnist32", "biggan128"] if cuda else ["biggan32", "mnist32"]):
            train_step(v)
    if cuda:  # the same work with TF32 tensor cores (and bfloat16 convolutions), paired where RawGan has the precision
        set_tf32(True)
        if "gemm" in families:
            gemm("cuda/tf32", ["cuda/tf32"])
        if "conv" in families:
            conv("cuda/cudnn-tf32", ["cuda/tf32/*"])
            conv("cuda/cudnn-bf16", ["cuda/bf16/*"], torch.bfloat16)
        if "attention" in families:
            attention("g128", tag="cuda/g128/tf32", pairs=[])
        if "trainstep" in families:
            for v in ["biggan32", "biggan128"]:
                train_step(v, tag=f"cuda/{v}/tf32", pairs=[f"cuda/{v}/tf32"])
        set_tf32(False)
        # bfloat16 autocast, RawGan's --precision bf16 (float32 products outside autocast's list stay exact)
        if "attention" in families:
            attention("g128", tag="cuda/g128/bf16", pairs=[], bf16=True)
        if "trainstep" in families:
            for v in ["biggan32", "biggan128"]:
                train_step(v, tag=f"cuda/{v}/bf16", pairs=[f"cuda/{v}/bf16"], bf16=True)
        if "conv128" in families:
            conv128()

    info = {"torch": torch.__version__, "device": DEVICE, "threads": torch.get_num_threads(),
            "cuda_device": torch.cuda.get_device_name(0) if cuda else None,
            "cudnn": torch.backends.cudnn.version() if cuda else None,
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"), "results": RESULTS}
    print(f"torch {torch.__version__} on {info['cuda_device'] or 'CPU'}, threads {info['threads']}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(info, out, indent=2)


if __name__ == "__main__":
    main()
