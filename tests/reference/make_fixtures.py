#!/usr/bin/env python3
"""PyTorch reference fixtures for RawGan's parity tests (tests/RawGan.Tests/Parity).

For each op family this writes tests/fixtures/<family>.safetensors holding, per case and per dtype
(float64 and float32, same values), the inputs, the forward outputs ``y`` (or ``y0``, ``y1``, ...), a random
output gradient ``gy`` (``gy0``, ...), and the gradients ``g<input>`` of loss = sum(y * gy) with respect to each
differentiable input. Tensor names are ``<case>.<role>``; the metadata entry ``<case>`` is a JSON object with
the op, dtype, input/output/gradient roles and the op's parameters.

Deterministic: every family reseeds torch, and runs single-threaded, so a rerun rewrites identical files.
Needs only PyTorch (Debian's python3-torch works); the safetensors files are written with struct and json.

    python3 tests/reference/make_fixtures.py [output folder]
"""
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F

ST_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32"}
DTYPES = [("f64", torch.float64), ("f32", torch.float32)]


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: u64 LE header length, JSON header (space-padded to 8 bytes), data."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    js = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    js += b" " * (-len(js) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


class Fixture:
    """The cases of one op family, written to one file."""

    def __init__(self, family, seed):
        self.family = family
        self.tensors = {}
        self.metadata = {}
        torch.manual_seed(seed)

    def add(self, case, meta, tensors):
        assert case not in self.metadata and "." not in case, case
        self.metadata[case] = json.dumps(meta, sort_keys=True)
        for role, t in tensors.items():
            self.tensors[f"{case}.{role}"] = t

    def grad_case(self, name, op, inputs, forward, grad=None, **params):
        """Runs forward(**inputs, **params) in float64 then float32 on the same values and stores the case.

        inputs: float64 (or int32) tensors; grad: names of inputs to differentiate (default: all floating ones).
        forward returns an output tensor, a tuple of them, or (outputs, extras) where extras is a dict of
        further tensors to store (e.g. updated running statistics)."""
        if grad is None:
            grad = [k for k, v in inputs.items() if v.is_floating_point()]
        gouts = None
        for tag, dt in DTYPES:
            leaves = {k: (v.to(dt).clone().requires_grad_(k in grad) if v.is_floating_point() else v.clone())
                      for k, v in inputs.items()}
            result = forward(**leaves, **params)
            extras = {}
            if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict):
                result, extras = result
            outs = list(result) if isinstance(result, (tuple, list)) else [result]
            single = len(outs) == 1
            out_roles = ["y"] if single else [f"y{i}" for i in range(len(outs))]
            store = {k: v.detach() for k, v in leaves.items()}
            store.update({r: o.detach() for r, o in zip(out_roles, outs)})
            store.update({k: v.detach() for k, v in extras.items()})
            if grad:
                if gouts is None:
                    gouts = [torch.randn(o.shape, dtype=torch.float64) for o in outs]
                loss = sum((o * g.to(dt)).sum() for o, g in zip(outs, gouts))
                loss.backward()
                for i, g in enumerate(gouts):
                    store["gy" if single else f"gy{i}"] = g.to(dt)
                for k in grad:
                    store["g" + k] = leaves[k].grad
            meta = {"op": op, "dtype": tag, "inputs": list(inputs), "outputs": out_roles,
                    "grads": list(grad), "extras": sorted(extras), **params}
            self.add(f"{name}_{tag}", meta, store)

    def write(self, folder):
        path = os.path.join(folder, self.family + ".safetensors")
        write_safetensors(path, self.tensors, self.metadata)
        return path


def randn(*shape):
    return torch.randn(shape, dtype=torch.float64)


def away_from_zero(*shape):
    """Values in ±[0.5, 2): safe divisors and log arguments."""
    sign = torch.where(torch.rand(shape, dtype=torch.float64) < 0.5, -1.0, 1.0)
    return sign * (0.5 + 1.5 * torch.rand(shape, dtype=torch.float64))


# ---- families ------------------------------------------------------------------------------------

def elementwise():
    fx = Fixture("elementwise", 1)
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    # BigGAN's broadcasts: per channel (1,C,1,1), per sample (N,1,1,1), scalar-like, a linear bias, and both sides.
    shapes = {
        "same": ((2, 3, 4, 5), (2, 3, 4, 5)),
        "per_channel": ((2, 3, 4, 5), (1, 3, 1, 1)),
        "per_channel_left": ((1, 3, 1, 1), (2, 3, 4, 5)),
        "per_sample": ((2, 3, 4, 5), (2, 1, 1, 1)),
        "scalar_like": ((2, 3, 4, 5), (1, 1, 1, 1)),
        "scalar_1d": ((2, 3, 4, 5), (1,)),
        "scalar_0d": ((3, 4), ()),
        "bias": ((6, 5), (5,)),
        "outer": ((2, 1, 4, 1), (1, 3, 1, 5)),
    }
    for op, fn in ops.items():
        for sname, (sa, sb) in shapes.items():
            b = away_from_zero(*sb) if op == "div" else randn(*sb)
            fx.grad_case(f"{op}_{sname}", op, {"a": randn(*sa), "b": b}, lambda a, b, fn=fn: fn(a, b))
    x = randn(2, 3, 4, 5)
    fx.grad_case("add_scalar", "add_scalar", {"x": x}, lambda x, c: x + c, c=0.75)
    fx.grad_case("sub_scalar", "add_scalar", {"x": x}, lambda x, c: x + c, c=-1.25)
    fx.grad_case("mul_scalar", "mul_scalar", {"x": x}, lambda x, c: x * c, c=-2.5)
    fx.grad_case("neg", "neg", {"x": x}, lambda x: -x)
    fx.grad_case("affine", "affine", {"x": x}, lambda x, scale, shift: x * scale + shift, scale=-1.0, shift=1.0)
    fx.grad_case("relu", "relu", {"x": randn(2, 3, 4, 5)}, lambda x: F.relu(x))
    fx.grad_case("tanh", "tanh", {"x": 2 * randn(2, 3, 4, 5)}, lambda x: torch.tanh(x))
    fx.grad_case("exp", "exp", {"x": randn(2, 3, 4, 5)}, lambda x: torch.exp(x))
    fx.grad_case("log", "log", {"x": away_from_zero(2, 3, 4, 5).abs()}, lambda x: torch.log(x))
    return fx


def reduction():
    fx = Fixture("reduction", 2)
    x3, x4 = randn(3, 4, 5), randn(2, 3, 4, 5)
    for op, fn in (("sum", torch.sum), ("mean", torch.mean)):
        for axes in ([1], [0, 2], [-1]):
            for keep in (False, True):
                name = f"{op}_axes{'_'.join(str(a).replace('-', 'm') for a in axes)}_{'keep' if keep else 'drop'}"
                fx.grad_case(name, op, {"x": x3}, lambda x, axes, keepdim, fn=fn: fn(x, dim=axes, keepdim=keepdim),
                             axes=axes, keepdim=keep)
        fx.grad_case(f"{op}_all", op, {"x": x3}, lambda x, axes, keepdim, fn=fn: fn(x), axes=[], keepdim=False)
        fx.grad_case(f"{op}_all_keep", op, {"x": x3}, lambda x, axes, keepdim, fn=fn: fn(x, dim=axes, keepdim=True),
                     axes=[0, 1, 2], keepdim=True)
        # The discriminator head sums over H, W; batch-norm statistics reduce over N, H, W.
        fx.grad_case(f"{op}_spatial", op, {"x": x4}, lambda x, axes, keepdim, fn=fn: fn(x, dim=axes, keepdim=keepdim),
                     axes=[2, 3], keepdim=False)
        fx.grad_case(f"{op}_nhw_keep", op, {"x": x4}, lambda x, axes, keepdim, fn=fn: fn(x, dim=axes, keepdim=keepdim),
                     axes=[0, 2, 3], keepdim=True)
    return fx


def softmax():
    fx = Fixture("softmax", 3)
    fx.grad_case("rows4_cols7", "softmax", {"x": randn(4, 7)}, lambda x: F.softmax(x, dim=-1))
    fx.grad_case("rank3", "softmax", {"x": randn(2, 3, 5)}, lambda x: F.softmax(x, dim=-1))
    fx.grad_case("large_logits", "softmax", {"x": 30 * randn(1, 9)}, lambda x: F.softmax(x, dim=-1))
    return fx


def matmul():
    fx = Fixture("matmul", 4)
    m, k, n, batch = 5, 4, 3, 3

    def t2(x, trans):
        return x.t() if trans else x

    def t3(x, trans):
        return x.transpose(1, 2) if trans else x

    for ta in (False, True):
        for tb in (False, True):
            tag = f"{'T' if ta else 'N'}{'T' if tb else 'N'}"
            a = randn(k, m) if ta else randn(m, k)
            b = randn(n, k) if tb else randn(k, n)
            fx.grad_case(f"matmul_{tag}", "matmul", {"a": a, "b": b},
                         lambda a, b, trans_a, trans_b: t2(a, trans_a) @ t2(b, trans_b), trans_a=ta, trans_b=tb)
            a = randn(batch, k, m) if ta else randn(batch, m, k)
            b = randn(batch, n, k) if tb else randn(batch, k, n)
            fx.grad_case(f"bmm_{tag}", "bmm", {"a": a, "b": b},
                         lambda a, b, trans_a, trans_b: torch.bmm(t3(a, trans_a), t3(b, trans_b)), trans_a=ta, trans_b=tb)
    def linear(x, w, b=None):
        return F.linear(x, w, b)

    fx.grad_case("linear_bias", "linear", {"x": randn(6, 8), "w": randn(5, 8), "b": randn(5)}, linear)
    fx.grad_case("linear_nobias", "linear", {"x": randn(6, 8), "w": randn(5, 8)}, linear)
    fx.grad_case("linear_batch1", "linear", {"x": randn(1, 7), "w": randn(4, 7), "b": randn(4)}, linear)
    return fx


def conv2d():
    fx = Fixture("conv2d", 5)

    def conv(x, w, b=None, stride=1, padding=0):
        return F.conv2d(x, w, b, stride=stride, padding=padding)

    cases = [
        # name, x shape, w shape, bias, stride, padding
        ("k3_pad1_bias", (2, 3, 6, 6), (4, 3, 3, 3), True, 1, 1),
        ("k3_pad1_nobias", (2, 3, 6, 6), (4, 3, 3, 3), False, 1, 1),
        ("k1", (2, 5, 4, 4), (3, 5, 1, 1), False, 1, 0),
        ("k1_bias", (2, 5, 4, 4), (3, 5, 1, 1), True, 1, 0),
        ("k3_stride2_pad1_odd", (2, 3, 7, 7), (4, 3, 3, 3), True, 2, 1),
        ("k3_stride2_pad0", (2, 2, 8, 8), (3, 2, 3, 3), False, 2, 0),
        ("k3_pad0", (2, 3, 6, 5), (2, 3, 3, 3), False, 1, 0),
        ("odd_sizes_batch1", (1, 3, 5, 7), (2, 3, 3, 3), True, 1, 1),
        ("k1_stride2_batch1", (1, 4, 5, 5), (6, 4, 1, 1), True, 2, 0),
    ]
    for name, xs, ws, bias, stride, padding in cases:
        inputs = {"x": randn(*xs), "w": 0.3 * randn(*ws)}
        if bias:
            inputs["b"] = randn(ws[0])
        fx.grad_case(name, "conv2d", inputs, conv, stride=stride, padding=padding)
    return fx


def pooling():
    fx = Fixture("pooling", 6)
    for name, shape in (("even", (2, 3, 4, 6)), ("odd", (1, 2, 5, 7)), ("batch1", (1, 1, 2, 2))):
        fx.grad_case(f"avg_{name}", "avg_pool2d", {"x": randn(*shape)}, lambda x: F.avg_pool2d(x, 2))
        fx.grad_case(f"max_{name}", "max_pool2d", {"x": randn(*shape)}, lambda x: F.max_pool2d(x, 2))
    for name, shape in (("even", (2, 3, 4, 4)), ("odd", (1, 2, 3, 5))):
        fx.grad_case(f"up_{name}", "upsample2x", {"x": randn(*shape)},
                     lambda x: F.interpolate(x, scale_factor=2, mode="nearest"))
    return fx


def batchnorm():
    fx = Fixture("batchnorm", 7)

    def bn(x, running_mean=None, running_var=None, gamma=None, beta=None, training=True, momentum=0.1, eps=1e-5):
        rm = None if running_mean is None else running_mean.detach().clone()
        rv = None if running_var is None else running_var.detach().clone()
        y = F.batch_norm(x, rm, rv, gamma, beta, training=training, momentum=momentum, eps=eps)
        extras = {} if rm is None or not training else {"running_mean_after": rm, "running_var_after": rv}
        return y, extras

    for name, shape in (("nchw", (4, 3, 5, 5)), ("odd", (3, 5, 3, 2)), ("nc", (8, 6))):
        c = shape[1]
        stats = {"running_mean": 0.5 * randn(c), "running_var": 0.5 + torch.rand(c, dtype=torch.float64)}
        affine = {"gamma": 1 + 0.5 * randn(c), "beta": randn(c)}
        x = 2 * randn(*shape) + 0.7
        for training in (True, False):
            mode = "train" if training else "eval"
            fx.grad_case(f"{mode}_affine_{name}", "batch_norm", {"x": x, **stats, **affine}, bn,
                         grad=["x", "gamma", "beta"], training=training, momentum=0.1, eps=1e-5)
            fx.grad_case(f"{mode}_plain_{name}", "batch_norm", {"x": x, **stats}, bn,
                         grad=["x"], training=training, momentum=0.1, eps=1e-5)
    x = randn(4, 3, 2, 2)
    fx.grad_case("train_nostats", "batch_norm", {"x": x, "gamma": 1 + randn(3), "beta": randn(3)}, bn,
                 grad=["x", "gamma", "beta"], training=True, momentum=0.1, eps=1e-5)
    fx.grad_case("train_eps1e-4_momentum0p2", "batch_norm",
                 {"x": x, "running_mean": randn(3), "running_var": 1 + torch.rand(3, dtype=torch.float64)}, bn,
                 grad=["x"], training=True, momentum=0.2, eps=1e-4)
    return fx


def embedding():
    fx = Fixture("embedding", 8)
    fx.grad_case("repeated_1d", "embedding",
                 {"weight": randn(10, 6), "indices": torch.tensor([3, 1, 3, 0, 9, 3, 1], dtype=torch.int32)},
                 lambda weight, indices: F.embedding(indices.long(), weight))
    fx.grad_case("repeated_2d", "embedding",
                 {"weight": randn(5, 4), "indices": torch.tensor([[0, 4, 4, 2], [2, 2, 0, 1], [4, 0, 3, 3]], dtype=torch.int32)},
                 lambda weight, indices: F.embedding(indices.long(), weight))
    return fx


def spectral_norm():
    """torch.nn.utils.spectral_norm, one training-mode forward: W, u before/after, v, σ, W/σ and its gradient."""
    fx = Fixture("spectral_norm", 9)
    cases = [
        ("linear", lambda: torch.nn.Linear(7, 5, bias=False), (5, 7), 1, 1e-12),
        ("linear_wide", lambda: torch.nn.Linear(12, 3, bias=False), (3, 12), 1, 1e-12),
        ("conv3x3", lambda: torch.nn.Conv2d(3, 4, 3, bias=False), (4, 3, 3, 3), 1, 1e-12),
        ("conv1x1_iters2", lambda: torch.nn.Conv2d(6, 2, 1, bias=False), (2, 6, 1, 1), 2, 1e-12),
        ("linear_eps1e-6", lambda: torch.nn.Linear(4, 6, bias=False), (6, 4), 1, 1e-6),
    ]
    for name, make, wshape, iters, eps in cases:
        w64 = randn(*wshape)
        u64 = F.normalize(randn(wshape[0]), dim=0, eps=eps)  # as spectral_norm initialises u
        gout = randn(*wshape)
        for tag, dt in DTYPES:
            module = torch.nn.utils.spectral_norm(make().to(dt), n_power_iterations=iters, eps=eps)
            with torch.no_grad():
                module.weight_orig.copy_(w64.to(dt))
                module.weight_u.copy_(u64.to(dt))
            module.train()
            probe = torch.zeros((1, wshape[1], 3, 3) if len(wshape) == 4 else (1, wshape[1]), dtype=dt)
            module(probe)  # the forward pre-hook runs the power iteration and sets module.weight = W / σ
            w_sn = module.weight
            (w_sn * gout.to(dt)).sum().backward()
            u1, v1 = module.weight_u.detach().clone(), module.weight_v.detach().clone()
            wm = module.weight_orig.detach().reshape(wshape[0], -1)
            sigma = torch.dot(u1, torch.mv(wm, v1))
            meta = {"op": "spectral_norm", "dtype": tag, "iterations": iters, "eps": eps,
                    "inputs": ["w", "u"], "outputs": ["y"], "grads": ["w"], "extras": ["u_after", "v", "sigma"]}
            fx.add(f"{name}_{tag}", meta, {
                "w": w64.to(dt), "u": u64.to(dt), "u_after": u1, "v": v1, "sigma": sigma,
                "y": w_sn.detach(), "gy": gout.to(dt), "gw": module.weight_orig.grad})
    return fx


def losses():
    fx = Fixture("losses", 10)

    def hinge_d(d_real, d_fake):
        return torch.mean(F.relu(1.0 - d_real)), torch.mean(F.relu(1.0 + d_fake))

    for name, shape in (("vector", (8,)), ("column", (6, 1))):
        fx.grad_case(f"hinge_d_{name}", "hinge_d", {"d_real": 1.5 * randn(*shape), "d_fake": 1.5 * randn(*shape)}, hinge_d)
        fx.grad_case(f"hinge_g_{name}", "hinge_g", {"d_fake": 1.5 * randn(*shape)}, lambda d_fake: -torch.mean(d_fake))
    # The classifier's loss; the large cases have row spreads far beyond where exp under- or overflows in float32.
    fx.grad_case("log_softmax_rank3", "log_softmax", {"x": randn(2, 3, 5)}, lambda x: F.log_softmax(x, dim=-1))
    fx.grad_case("log_softmax_large", "log_softmax", {"x": 200 * randn(3, 6)}, lambda x: F.log_softmax(x, dim=-1))
    labels = torch.tensor([3, 0, 9, 3, 7, 1], dtype=torch.int32)
    fx.grad_case("cross_entropy", "cross_entropy", {"logits": 2 * randn(6, 10), "labels": labels},
                 lambda logits, labels: F.cross_entropy(logits, labels.long()))
    fx.grad_case("cross_entropy_large", "cross_entropy", {"logits": 200 * randn(6, 10), "labels": labels},
                 lambda logits, labels: F.cross_entropy(logits, labels.long()))
    return fx


def optim():
    """torch.optim.Adam (no weight decay) over a few steps with given gradients: parameters and both moments."""
    fx = Fixture("optim", 14)
    for name, betas, eps, lr in (("biggan", (0.0, 0.999), 1e-6, 2e-4), ("default", (0.9, 0.999), 1e-8, 1e-2)):
        p0 = randn(5, 7)
        grads = [randn(5, 7) for _ in range(3)]
        for tag, dt in DTYPES:
            p = p0.to(dt).clone().requires_grad_(True)
            opt = torch.optim.Adam([p], lr=lr, betas=betas, eps=eps)
            store = {"p0": p0.to(dt)}
            for i, g in enumerate(grads):
                p.grad = g.to(dt).clone()
                opt.step()
                store[f"g{i}"] = g.to(dt)
            state = opt.state[p]
            store.update({"p": p.detach().clone(), "exp_avg": state["exp_avg"], "exp_avg_sq": state["exp_avg_sq"]})
            meta = {"op": "adam", "dtype": tag, "lr": lr, "beta1": betas[0], "beta2": betas[1], "eps": eps, "steps": len(grads)}
            fx.add(f"adam_{name}_{tag}", meta, store)
    return fx


def biggan_ortho(model, strength=1e-4, blacklist=[]):
    """utils.ortho from BigGAN-PyTorch (ajbrock/BigGAN-PyTorch, utils.py), verbatim."""
    with torch.no_grad():
        for param in model.parameters():
            # Only apply this to parameters with at least 2 axes, and not in the blacklist
            if len(param.shape) < 2 or any([param is item for item in blacklist]):
                continue
            w = param.view(param.shape[0], -1)
            grad = (2 * torch.mm(torch.mm(w, w.t())
                    * (1. - torch.eye(w.shape[0], device=w.device)), w))
            param.grad.data += strength * grad.view(param.shape)


def orthogonal():
    fx = Fixture("orthogonal", 11)

    def ortho(w, grad_before, strength):
        model = torch.nn.Module()
        model.w = torch.nn.Parameter(w.detach().clone())
        model.w.grad = grad_before.detach().clone()
        biggan_ortho(model, strength)
        return model.w.grad

    def penalty(w):
        m = w.reshape(w.shape[0], -1)
        off = (m @ m.t()) * (1 - torch.eye(m.shape[0], dtype=m.dtype))
        return 0.5 * (off * off).sum()

    for name, shape in (("linear", (6, 4)), ("wide", (4, 10)), ("conv", (5, 3, 3, 3))):
        w = 0.5 * randn(*shape)
        fx.grad_case(f"term_{name}", "ortho_term", {"w": w, "grad_before": torch.zeros(shape, dtype=torch.float64)},
                     ortho, grad=[], strength=1.0)
        fx.grad_case(f"add_{name}", "ortho_add", {"w": w, "grad_before": randn(*shape)}, ortho, grad=[], strength=1e-4)
        fx.grad_case(f"penalty_{name}", "ortho_penalty", {"w": w}, penalty)
    return fx


def orthogonal_from(g):
    """torch.nn.init.orthogonal_'s body after its draw flattened = normal(rows, cols), on a given g."""
    rows = g.shape[0]
    flattened = g.reshape(rows, -1).clone()
    if rows < flattened.shape[1]:
        flattened.t_()
    q, r = torch.linalg.qr(flattened)
    q *= torch.diag(r, 0).sign()
    if rows < g.numel() // rows:
        q.t_()
    return q.reshape(g.shape)


def orthogonal_init():
    """torch.nn.init.orthogonal_ given its Gaussian draw g: tall, wide, square, nearly square and conv shapes."""
    fx = Fixture("orthogonal_init", 15)
    for name, shape in (("tall", (9, 4)), ("wide", (4, 10)), ("square", (6, 6)), ("nearly_square", (8, 7)),
                        ("conv", (5, 3, 2, 2)), ("row", (1, 6))):
        seed = torch.randint(0, 2**31, ()).item()
        torch.manual_seed(seed)
        w = torch.nn.init.orthogonal_(torch.empty(shape, dtype=torch.float64))
        torch.manual_seed(seed)
        g = torch.empty(shape[0], w.numel() // shape[0], dtype=torch.float64).normal_(0, 1).reshape(shape)
        assert torch.equal(orthogonal_from(g), w), name  # the case's g is exactly what orthogonal_ drew
        fx.grad_case(name, "orthogonal_init", {"g": g}, orthogonal_from, grad=[])
    return fx


def shape_ops():
    fx = Fixture("shape_ops", 12)
    fx.grad_case("cat_axis1", "cat", {"a": randn(2, 3, 4, 4), "b": randn(2, 1, 4, 4), "c": randn(2, 2, 4, 4)},
                 lambda a, b, c, axis: torch.cat([a, b, c], dim=axis), axis=1)
    fx.grad_case("cat_axis0", "cat", {"a": randn(2, 5), "b": randn(3, 5)},
                 lambda a, b, axis: torch.cat([a, b], dim=axis), axis=0)
    fx.grad_case("cat_last", "cat", {"a": randn(2, 3, 2), "b": randn(2, 3, 4)},
                 lambda a, b, axis: torch.cat([a, b], dim=axis), axis=-1)
    fx.grad_case("split_axis1", "split", {"x": randn(2, 6, 3, 3)},
                 lambda x, axis, sizes: torch.split(x, sizes, dim=axis), axis=1, sizes=[1, 3, 2])
    fx.grad_case("split_last", "split", {"x": randn(3, 10)},
                 lambda x, axis, sizes: torch.split(x, sizes, dim=axis), axis=-1, sizes=[5, 5])
    fx.grad_case("permute_nhwc", "permute", {"x": randn(2, 3, 4, 5)},
                 lambda x, perm: x.permute(*perm), perm=[0, 2, 3, 1])
    fx.grad_case("permute_rank3", "permute", {"x": randn(2, 3, 4)},
                 lambda x, perm: x.permute(*perm), perm=[2, 0, 1])
    fx.grad_case("transpose_12", "transpose", {"x": randn(2, 3, 4, 5)},
                 lambda x, axis0, axis1: x.transpose(axis0, axis1), axis0=1, axis1=2)
    fx.grad_case("transpose_last2", "transpose", {"x": randn(3, 4, 5)},
                 lambda x, axis0, axis1: x.transpose(axis0, axis1), axis0=-1, axis1=-2)
    fx.grad_case("narrow_axis2", "narrow", {"x": randn(2, 3, 6, 4)},
                 lambda x, axis, start, length: x.narrow(axis, start, length), axis=2, start=1, length=3)
    fx.grad_case("narrow_axis0", "narrow", {"x": randn(5, 4)},
                 lambda x, axis, start, length: x.narrow(axis, start, length), axis=0, start=3, length=2)
    return fx


def io_interop():
    """Known values (no randomness) for the reader's test of a file written by Python."""
    fx = Fixture("io_python", 0)
    fx.tensors = {
        "f32_arange": torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.5,
        "f64_arange": torch.arange(6, dtype=torch.float64).reshape(3, 2) / 3,
        "i32_arange": torch.arange(-3, 4, dtype=torch.int32),
        "scalar": torch.tensor(2.5, dtype=torch.float64),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    }
    fx.metadata = {"format": "pt", "note": "written by make_fixtures.py, ünïcode ✓"}
    return fx


FAMILIES = [elementwise, reduction, softmax, matmul, conv2d, pooling, batchnorm, embedding,
            spectral_norm, losses, orthogonal, orthogonal_init, shape_ops, optim, io_interop]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "fixtures")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    for family in FAMILIES:
        fx = family()
        path = fx.write(out)
        print(f"{os.path.relpath(path)}: {len(fx.metadata) if fx.family != 'io_python' else len(fx.tensors)} entries, "
              f"{os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
