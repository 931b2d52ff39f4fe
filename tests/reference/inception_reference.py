#!/usr/bin/env python3
"""PyTorch reference for RawGan's Inception-v3 (src/Model/Metrics/Inception): writes tests/fixtures/inception.safetensors.

The network is pytorch-fid's FID Inception: torchvision's Inception3 (1008 classes, no auxiliary head) with the
FID blocks (average pools that do not count the padding in Mixed_5b-5d, 6b-6e and 7b; a max pool in Mixed_7c),
written here after pytorch-fid's description. Its 24M parameters are far too many for the fixtures folder, so
they are not stored: every tensor is filled by an integer hash of (tensor name, element index) that the C# test
(tests/RawGan.Tests/Metrics/HashedWeights.cs) reproduces bit for bit, and so are the input images. The fixture
holds only the outputs (and the state-dict names and shapes): pool3 features, logits, unbiased-logit probabilities, per-stage channel means and a small
corner crop of each stage, plus bilinear-resize cases. Runs single-threaded, so a rerun writes identical files.

    /usr/bin/python3 tests/reference/inception_reference.py [output folder]

With --converter-check FOLDER [weights.pth] it instead checks tools/convert_inception.py end to end (see
converter_check): with the real FID weights this verifies RawGan's network on them.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import write_safetensors  # noqa: E402

M32 = 0xFFFFFFFF


def name_seed(name):
    """FNV-1a (32-bit) of the UTF-8 name."""
    h = 0x811C9DC5
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & M32
    return h


def hashed_unit(name, count):
    """count numbers in [0, 1), multiples of 2^-24: murmur3's finaliser of seed ^ (index * golden ratio)."""
    i = np.arange(count, dtype=np.uint64)
    h = (np.uint64(name_seed(name)) ^ ((i * np.uint64(0x9E3779B9)) & np.uint64(M32))) & np.uint64(M32)
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & np.uint64(M32)
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & np.uint64(M32)
    h ^= h >> np.uint64(16)
    return (h >> np.uint64(8)).astype(np.float64) / float(1 << 24)


def hashed_tensor(name, shape):
    """The value of a named parameter or buffer: He-uniform weights, BN statistics and affines near identity."""
    count = int(np.prod(shape))
    u = hashed_unit(name, count)
    if name.endswith("running_var"):
        v = 0.5 + u
    elif name.endswith("bn.weight"):
        v = 0.8 + 0.4 * u
    elif name.endswith("running_mean") or name.endswith("bias"):
        v = 0.2 * u - 0.1
    else:  # conv and fc weights, (out, fan_in...)
        fan_in = count // shape[0]
        v = (2.0 * u - 1.0) * np.sqrt(6.0 / fan_in)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def hashed_image(name, shape):
    """Input images in [-1, 1)."""
    return torch.from_numpy((2.0 * hashed_unit(name, int(np.prod(shape))) - 1.0).astype(np.float32).reshape(shape))


tv = torchvision.models.inception


class FIDInceptionA(tv.InceptionA):
    def forward(self, x):
        pool = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([self.branch1x1(x), self.branch5x5_2(self.branch5x5_1(x)),
                          self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))), self.branch_pool(pool)], 1)


class FIDInceptionC(tv.InceptionC):
    def forward(self, x):
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = x
        for m in [self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5]:
            d = m(d)
        pool = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([self.branch1x1(x), b7, d, self.branch_pool(pool)], 1)


class FIDInceptionE(tv.InceptionE):
    def __init__(self, in_channels, max_pool):
        super().__init__(in_channels)
        self.max_pool = max_pool

    def forward(self, x):
        b3 = self.branch3x3_1(x)
        d = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        if self.max_pool:  # Mixed_7c of the FID graph
            pool = F.max_pool2d(x, 3, stride=1, padding=1)
        else:
            pool = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([self.branch1x1(x), self.branch3x3_2a(b3), self.branch3x3_2b(b3),
                          self.branch3x3dbl_3a(d), self.branch3x3dbl_3b(d), self.branch_pool(pool)], 1)


def fid_inception():
    """pytorch-fid's fid_inception_v3 structure, without weights."""
    net = tv.Inception3(num_classes=1008, aux_logits=False, init_weights=False)
    net.Mixed_5b = FIDInceptionA(192, pool_features=32)
    net.Mixed_5c = FIDInceptionA(256, pool_features=64)
    net.Mixed_5d = FIDInceptionA(288, pool_features=64)
    net.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    net.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    net.Mixed_7b = FIDInceptionE(1280, max_pool=False)
    net.Mixed_7c = FIDInceptionE(2048, max_pool=True)
    return net.eval()


def hashed_fid_inception():
    net = fid_inception()
    state = {k: hashed_tensor(k, tuple(v.shape)) for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    net.load_state_dict(state, strict=False)
    return net


STAGES = ["Conv2d_2b_3x3", "Conv2d_4a_3x3", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c",
          "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c"]


def prepare(images):
    """pytorch-fid's input handling, for images already in [-1, 1]: grey to RGB, bilinear resize to 299."""
    if images.shape[1] == 1:
        images = images.repeat(1, 3, 1, 1)
    if images.shape[2:] != (299, 299):
        images = F.interpolate(images, size=(299, 299), mode="bilinear", align_corners=False)
    return images


def run(net, images):
    """pool3 features, logits, stage outputs (as torchvision's Inception3._forward, up to the global pool)."""
    stages = {}
    for name in STAGES:
        getattr(net, name).register_forward_hook(lambda m, i, o, name=name: stages.__setitem__(name, o))
    x = prepare(images)
    x = net.Conv2d_2b_3x3(net.Conv2d_2a_3x3(net.Conv2d_1a_3x3(x)))
    x = net.Conv2d_4a_3x3(net.Conv2d_3b_1x1(F.max_pool2d(x, 3, stride=2)))
    x = F.max_pool2d(x, 3, stride=2)
    for name in STAGES[2:]:
        x = getattr(net, name)(x)
    features = x.mean(dim=(2, 3))
    return features, net.fc(features), stages


# name: image shape fed to the network (resized to 299 unless already that size)
CASES = {"rgb75": (2, 3, 75, 75), "grey28": (1, 1, 28, 28), "rgb299": (1, 3, 299, 299)}

# name: (input shape, output size) for bilinear resize alone
RESIZES = {"up": ((2, 3, 5, 7), (9, 4)), "mnist": ((1, 1, 28, 28), (45, 37)), "down": ((1, 2, 40, 30), (17, 23))}


def converter_check(folder, weights=None):
    """
    End-to-end check of tools/convert_inception.py: a .pth (the user's real FID weights, or else a randomly
    initialised FID network saved with torch.save) is converted by the tool, and PyTorch's outputs for a few
    images are written beside it. The C# test ConvertedWeightsMatchPyTorch reads the folder named by
    RAWGAN_INCEPTION_CHECK.
    """
    import subprocess

    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(5)
    net = fid_inception()
    if weights is None:
        weights = os.path.join(folder, "pt_inception-random.pth")
        for name, t in net.state_dict().items():
            if name.endswith("conv.weight") or name == "fc.weight":
                t.normal_(0, (2.0 / (t[0].numel())) ** 0.5)
            elif name.endswith("running_var"):
                t.uniform_(0.5, 1.5)
            elif name.endswith("bn.weight"):
                t.uniform_(0.8, 1.2)
            elif t.is_floating_point():
                t.uniform_(-0.1, 0.1)
        torch.save(net.state_dict(), weights)
    net.load_state_dict(torch.load(weights, map_location="cpu"))
    converted = os.path.join(folder, "inception.safetensors")
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "convert_inception.py")
    subprocess.run([sys.executable, tool, weights, converted], check=True)
    tensors = {}
    with torch.no_grad():
        for case, shape in {"rgb": (2, 3, 64, 64), "grey": (1, 1, 28, 28)}.items():
            images = torch.rand(shape) * 2 - 1
            features, _, _ = run(net, images)
            tensors[case + ".images"] = images
            tensors[case + ".features"] = features
            tensors[case + ".probabilities"] = torch.softmax(features.double() @ net.fc.weight.double().t(), dim=1)
    write_safetensors(os.path.join(folder, "expected.safetensors"), tensors, {"weights": os.path.basename(weights)})
    print(f"{folder}: converted {weights}; run the C# check with RAWGAN_INCEPTION_CHECK={os.path.abspath(folder)}")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--converter-check":
        torch.set_num_threads(1)
        converter_check(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
        return
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
    torch.set_num_threads(1)
    net = hashed_fid_inception()
    tensors, meta = {}, {}
    with torch.no_grad():
        for case, shape in CASES.items():
            images = hashed_image("image:" + case, shape)
            features, logits, stages = run(net, images)
            unbiased = features.double() @ net.fc.weight.double().t()
            tensors[case + ".features"] = features
            tensors[case + ".logits"] = logits
            tensors[case + ".probabilities"] = torch.softmax(unbiased, dim=1)
            for name, y in stages.items():
                tensors[f"{case}.{name}.mean"] = y.mean(dim=(2, 3))
                tensors[f"{case}.{name}.crop"] = y[:, :4, :5, :5].contiguous()
            meta[case] = json.dumps({"kind": "network", "shape": list(shape), "stages": STAGES})
        for case, (shape, size) in RESIZES.items():
            x = hashed_image("resize:" + case, shape)
            tensors["resize_" + case + ".y"] = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
            meta["resize_" + case] = json.dumps({"kind": "resize", "shape": list(shape), "size": list(size)})
    names = {k: list(v.shape) for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    meta["state_dict"] = json.dumps({"kind": "names", "shapes": names}, sort_keys=True)
    path = os.path.join(out, "inception.safetensors")
    write_safetensors(path, tensors, meta)
    print(f"{path}: {len(tensors)} tensors, {os.path.getsize(path) / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
