#!/usr/bin/env python3
"""Convert Inception-v3 weights for FID/IS from PyTorch's .pth to the safetensors file `rawgan` loads.

The weights to use are pytorch-fid's port of the TF Inception graph of 2015-12-05 (the network FID and the
Inception Score are defined on), pt_inception-2015-12-05-6726825d.pth, from
https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth

    python3 tools/convert_inception.py pt_inception-2015-12-05-6726825d.pth inception-fid.safetensors

The output keeps the state-dict names (Conv2d_1a_3x3.conv.weight, Mixed_5b.branch1x1.bn.running_mean, ...,
fc.weight, fc.bias) and stores every tensor as little-endian float32; BatchNorm's num_batches_tracked counters
and torchvision's auxiliary classifier (AuxLogits.*) are dropped, since the FID network uses neither. A torchvision
state dict (inception_v3_google-*.pth, 1000 classes) converts too, with a warning: it is a different network
(different weights and pooling), so its FID and IS are not comparable with published figures. RawGan checks
every name and shape when it loads the file.

Needs PyTorch (only to unpickle the .pth) and NumPy; the safetensors file is written with struct and json.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import sys

import numpy as np

FEATURES = 2048
FID_CLASSES = 1008
# Tensors every Inception-v3 state dict has, with their shapes: a cheap check that the input is one at all.
REQUIRED = {"Conv2d_1a_3x3.conv.weight": (32, 3, 3, 3), "Mixed_7c.branch_pool.conv.weight": (192, 2048, 1, 1)}


def load_state_dict(path):
    """The name -> tensor mapping of a .pth holding a state dict, a {'state_dict': ...} checkpoint or a module."""
    import torch

    obj = torch.load(path, map_location="cpu")
    if hasattr(obj, "state_dict"):
        obj = obj.state_dict()
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise SystemExit(f"{path}: expected a state dict, found {type(obj).__name__}")
    return {(k[len("module."):] if k.startswith("module.") else k): v for k, v in obj.items()}


def convert(state):
    """Float32 numpy arrays for the FID network's tensors, and the names dropped."""
    out, dropped = {}, []
    for name, t in state.items():
        if name.endswith("num_batches_tracked") or name.startswith("AuxLogits."):
            dropped.append(name)
            continue
        if not t.is_floating_point():
            raise SystemExit(f"{name}: expected a floating-point tensor, found {t.dtype}")
        out[name] = t.detach().cpu().float().numpy().astype("<f4", copy=False)
    for name, shape in REQUIRED.items():
        if name not in out or tuple(out[name].shape) != shape:
            found = tuple(out[name].shape) if name in out else "nothing"
            raise SystemExit(f"not Inception-v3 weights: {name} should have shape {shape}, found {found}")
    fc = out.get("fc.weight")
    if fc is None or fc.ndim != 2 or fc.shape[1] != FEATURES:
        raise SystemExit(f"not Inception-v3 weights: fc.weight should be (classes, {FEATURES})")
    return out, dropped


def write_safetensors(path, tensors, metadata):
    """u64 LE header length, JSON header (space-padded to 8 bytes), then the data; written atomically."""
    header = {"__metadata__": metadata}
    offset = 0
    for name in sorted(tensors):
        size = tensors[name].nbytes
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + size]}
        offset += size
    js = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    js += b" " * (-len(js) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for name in sorted(tensors):
            f.write(np.ascontiguousarray(tensors[name]).tobytes())
    os.replace(tmp, path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", help="pt_inception-2015-12-05-6726825d.pth (or a torchvision Inception-v3 state dict)")
    parser.add_argument("output", help="the safetensors file to write, e.g. inception-fid.safetensors")
    args = parser.parse_args(argv)

    digest = sha256(args.input)
    # torch.hub names carry the first hex digits of the file's SHA-256: check them when present.
    named = re.search(r"-([0-9a-f]{8,})\.pth$", os.path.basename(args.input))
    if named and not digest.startswith(named.group(1)):
        raise SystemExit(f"{args.input}: SHA-256 {digest[:12]}... does not start with {named.group(1)} as its name says: a corrupt download?")

    tensors, dropped = convert(load_state_dict(args.input))
    classes = tensors["fc.weight"].shape[0]
    if classes != FID_CLASSES:
        print(f"warning: {classes} classes, not the FID network's {FID_CLASSES}: this looks like torchvision's ImageNet "
              "Inception-v3, whose FID and IS are not comparable with published figures", file=sys.stderr)
    metadata = {"format": "rawgan-inception-v3", "source": os.path.basename(args.input), "source_sha256": digest,
                "classes": str(classes)}
    write_safetensors(args.output, tensors, metadata)
    params = sum(t.size for t in tensors.values())
    print(f"{args.output}: {len(tensors)} tensors, {params:,} values, {classes} classes"
          + (f"; dropped {len(dropped)} (num_batches_tracked, AuxLogits)" if dropped else ""))


if __name__ == "__main__":
    main()
