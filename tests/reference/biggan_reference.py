#!/usr/bin/env python3
"""A PyTorch port of BigGAN-PyTorch's (ajbrock) G and D and their layers, for RawGan's BigGAN tests.

The classes below follow BigGAN.py and layers.py of the reference (names, parameter and buffer names, shapes,
forward passes, spectral norm with one singular value, init_weights), without the optimisers, sync/cross-replica
batch norm, fp16 and the other options RawGan does not use. Two uses:

    python3 tests/reference/biggan_reference.py counts     parameter counts of G and D for the presets
    python3 tests/reference/biggan_reference.py [folder]   writes the biggan_*.safetensors parity fixtures

Fixtures (see tests/RawGan.Tests/BigGan/BigGanParityTests.cs): for each case and dtype (float64 and float32,
same values) the module's state dict under "<case>.state.<name>", its inputs, its output "y", a random output
gradient "gy" or the hinge loss, and "<case>.grad.<parameter>" for every parameter. The state dict names are the
reference's, with two shape changes that match RawGan's spectral-norm buffers: u0 (1, out) is stored as (out),
sv0 (1) as a scalar. Deterministic: torch is reseeded per family and runs single-threaded.
"""
import functools
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import init

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import write_safetensors  # noqa: E402

DTYPES = [("f64", torch.float64), ("f32", torch.float32)]


# ---- layers.py ----------------------------------------------------------------------------------

def proj(x, y):
    return torch.mm(y, x.t()) * y / torch.mm(y, y.t())


def gram_schmidt(x, ys):
    for y in ys:
        x = x - proj(x, y)
    return x


def power_iteration(W, u_, update=True, eps=1e-12):
    us, vs, svs = [], [], []
    for i, u in enumerate(u_):
        with torch.no_grad():
            v = torch.matmul(u, W)
            v = F.normalize(gram_schmidt(v, vs), eps=eps)
            vs += [v]
            u = torch.matmul(v, W.t())
            u = F.normalize(gram_schmidt(u, us), eps=eps)
            us += [u]
            if update:
                u_[i][:] = u
        svs += [torch.squeeze(torch.matmul(torch.matmul(v, W.t()), u.t()))]
    return svs, us, vs


class identity(nn.Module):
    def forward(self, input):
        return input


class SN(object):
    def __init__(self, num_svs, num_itrs, num_outputs, transpose=False, eps=1e-12):
        self.num_itrs = num_itrs
        self.num_svs = num_svs
        self.transpose = transpose
        self.eps = eps
        for i in range(self.num_svs):
            self.register_buffer('u%d' % i, torch.randn(1, num_outputs))
            self.register_buffer('sv%d' % i, torch.ones(1))

    @property
    def u(self):
        return [getattr(self, 'u%d' % i) for i in range(self.num_svs)]

    @property
    def sv(self):
        return [getattr(self, 'sv%d' % i) for i in range(self.num_svs)]

    def W_(self):
        W_mat = self.weight.view(self.weight.size(0), -1)
        if self.transpose:
            W_mat = W_mat.t()
        for _ in range(self.num_itrs):
            svs, us, vs = power_iteration(W_mat, self.u, update=self.training, eps=self.eps)
        if self.training:
            with torch.no_grad():
                for i, sv in enumerate(svs):
                    self.sv[i][:] = sv
        return self.weight / svs[0]


class SNConv2d(nn.Conv2d, SN):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, num_svs=1, num_itrs=1, eps=1e-12):
        nn.Conv2d.__init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)
        SN.__init__(self, num_svs, num_itrs, out_channels, eps=eps)

    def forward(self, x):
        return F.conv2d(x, self.W_(), self.bias, self.stride, self.padding, self.dilation, self.groups)


class SNLinear(nn.Linear, SN):
    def __init__(self, in_features, out_features, bias=True, num_svs=1, num_itrs=1, eps=1e-12):
        nn.Linear.__init__(self, in_features, out_features, bias)
        SN.__init__(self, num_svs, num_itrs, out_features, eps=eps)

    def forward(self, x):
        return F.linear(x, self.W_(), self.bias)


class SNEmbedding(nn.Embedding, SN):
    def __init__(self, num_embeddings, embedding_dim, num_svs=1, num_itrs=1, eps=1e-12):
        nn.Embedding.__init__(self, num_embeddings, embedding_dim)
        SN.__init__(self, num_svs, num_itrs, num_embeddings, eps=eps)

    def forward(self, x):
        return F.embedding(x, self.W_())


class Attention(nn.Module):
    def __init__(self, ch, which_conv=SNConv2d):
        super().__init__()
        self.ch = ch
        self.which_conv = which_conv
        self.theta = self.which_conv(self.ch, self.ch // 8, kernel_size=1, padding=0, bias=False)
        self.phi = self.which_conv(self.ch, self.ch // 8, kernel_size=1, padding=0, bias=False)
        self.g = self.which_conv(self.ch, self.ch // 2, kernel_size=1, padding=0, bias=False)
        self.o = self.which_conv(self.ch // 2, self.ch, kernel_size=1, padding=0, bias=False)
        self.gamma = nn.Parameter(torch.tensor(0.), requires_grad=True)

    def forward(self, x, y=None):
        theta = self.theta(x)
        phi = F.max_pool2d(self.phi(x), [2, 2])
        g = F.max_pool2d(self.g(x), [2, 2])
        theta = theta.view(-1, self.ch // 8, x.shape[2] * x.shape[3])
        phi = phi.view(-1, self.ch // 8, x.shape[2] * x.shape[3] // 4)
        g = g.view(-1, self.ch // 2, x.shape[2] * x.shape[3] // 4)
        beta = F.softmax(torch.bmm(theta.transpose(1, 2), phi), -1)
        o = self.o(torch.bmm(g, beta.transpose(1, 2)).view(-1, self.ch // 2, x.shape[2], x.shape[3]))
        return self.gamma * o + x


class ccbn(nn.Module):
    def __init__(self, output_size, input_size, which_linear, eps=1e-5):
        super().__init__()
        self.output_size, self.input_size = output_size, input_size
        self.gain = which_linear(input_size, output_size)
        self.bias = which_linear(input_size, output_size)
        self.eps = eps
        self.register_buffer('stored_mean', torch.zeros(output_size))
        self.register_buffer('stored_var', torch.ones(output_size))

    def forward(self, x, y):
        gain = (1 + self.gain(y)).view(y.size(0), -1, 1, 1)
        bias = self.bias(y).view(y.size(0), -1, 1, 1)
        out = F.batch_norm(x, self.stored_mean, self.stored_var, None, None, self.training, 0.1, self.eps)
        return out * gain + bias


class bn(nn.Module):
    def __init__(self, output_size, eps=1e-5):
        super().__init__()
        self.output_size = output_size
        self.gain = nn.Parameter(torch.ones(output_size), requires_grad=True)
        self.bias = nn.Parameter(torch.zeros(output_size), requires_grad=True)
        self.eps = eps
        self.register_buffer('stored_mean', torch.zeros(output_size))
        self.register_buffer('stored_var', torch.ones(output_size))

    def forward(self, x, y=None):
        return F.batch_norm(x, self.stored_mean, self.stored_var, self.gain, self.bias, self.training, 0.1, self.eps)


class GBlock(nn.Module):
    def __init__(self, in_channels, out_channels, which_conv, which_bn, activation, upsample):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.activation = activation
        self.conv1 = which_conv(self.in_channels, self.out_channels)
        self.conv2 = which_conv(self.out_channels, self.out_channels)
        self.learnable_sc = in_channels != out_channels or upsample
        if self.learnable_sc:
            self.conv_sc = which_conv(in_channels, out_channels, kernel_size=1, padding=0)
        self.bn1 = which_bn(in_channels)
        self.bn2 = which_bn(out_channels)
        self.upsample = upsample

    def forward(self, x, y):
        h = self.activation(self.bn1(x, y))
        if self.upsample:
            h = self.upsample(h)
            x = self.upsample(x)
        h = self.conv1(h)
        h = self.activation(self.bn2(h, y))
        h = self.conv2(h)
        if self.learnable_sc:
            x = self.conv_sc(x)
        return h + x


class DBlock(nn.Module):
    def __init__(self, in_channels, out_channels, which_conv, preactivation, activation, downsample):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.preactivation = preactivation
        self.activation = activation
        self.downsample = downsample
        self.conv1 = which_conv(self.in_channels, self.out_channels)
        self.conv2 = which_conv(self.out_channels, self.out_channels)
        self.learnable_sc = True if (in_channels != out_channels) or downsample else False
        if self.learnable_sc:
            self.conv_sc = which_conv(in_channels, out_channels, kernel_size=1, padding=0)

    def shortcut(self, x):
        if self.preactivation:
            if self.learnable_sc:
                x = self.conv_sc(x)
            if self.downsample:
                x = self.downsample(x)
        else:
            if self.downsample:
                x = self.downsample(x)
            if self.learnable_sc:
                x = self.conv_sc(x)
        return x

    def forward(self, x):
        h = self.activation(x) if self.preactivation else x
        h = self.conv1(h)
        h = self.conv2(self.activation(h))
        if self.downsample:
            h = self.downsample(h)
        return h + self.shortcut(x)


# ---- BigGAN.py ----------------------------------------------------------------------------------

def G_arch(ch=64, attention='64'):
    def attn(lo, hi):
        return {2 ** i: (2 ** i in [int(item) for item in attention.split('_')]) for i in range(lo, hi)}
    return {
        256: {'in_channels': [ch * i for i in [16, 16, 8, 8, 4, 2]], 'out_channels': [ch * i for i in [16, 8, 8, 4, 2, 1]],
              'upsample': [True] * 6, 'resolution': [8, 16, 32, 64, 128, 256], 'attention': attn(3, 9)},
        128: {'in_channels': [ch * i for i in [16, 16, 8, 4, 2]], 'out_channels': [ch * i for i in [16, 8, 4, 2, 1]],
              'upsample': [True] * 5, 'resolution': [8, 16, 32, 64, 128], 'attention': attn(3, 8)},
        64: {'in_channels': [ch * i for i in [16, 16, 8, 4]], 'out_channels': [ch * i for i in [16, 8, 4, 2]],
             'upsample': [True] * 4, 'resolution': [8, 16, 32, 64], 'attention': attn(3, 7)},
        32: {'in_channels': [ch * i for i in [4, 4, 4]], 'out_channels': [ch * i for i in [4, 4, 4]],
             'upsample': [True] * 3, 'resolution': [8, 16, 32], 'attention': attn(3, 6)},
    }


def D_arch(ch=64, attention='64'):
    def attn(lo, hi):
        return {2 ** i: 2 ** i in [int(item) for item in attention.split('_')] for i in range(lo, hi)}
    return {
        256: {'in_channels': [3] + [ch * i for i in [1, 2, 4, 8, 8, 16]], 'out_channels': [ch * i for i in [1, 2, 4, 8, 8, 16, 16]],
              'downsample': [True] * 6 + [False], 'resolution': [128, 64, 32, 16, 8, 4, 4], 'attention': attn(2, 9)},
        128: {'in_channels': [3] + [ch * i for i in [1, 2, 4, 8, 16]], 'out_channels': [ch * i for i in [1, 2, 4, 8, 16, 16]],
              'downsample': [True] * 5 + [False], 'resolution': [64, 32, 16, 8, 4, 4], 'attention': attn(2, 8)},
        64: {'in_channels': [3] + [ch * i for i in [1, 2, 4, 8]], 'out_channels': [ch * i for i in [1, 2, 4, 8, 16]],
             'downsample': [True] * 4 + [False], 'resolution': [32, 16, 8, 4, 4], 'attention': attn(2, 7)},
        # The reference labels all four 32x32 blocks 16; RawGan labels each block with its output resolution
        # (16, 8, 8, 8), as the reference's other tables do. This matters only with attention in a 32x32 D,
        # which the reference CIFAR setup does not use.
        32: {'in_channels': [3] + [ch * i for i in [4, 4, 4]], 'out_channels': [ch * i for i in [4, 4, 4, 4]],
             'downsample': [True, True, False, False], 'resolution': [16, 8, 8, 8], 'attention': attn(2, 6)},
    }


def init_weights(model, style):
    """init_weights of G and D: every Conv2d, Linear and Embedding weight; returns the reference's 'param count'
    (all parameters of those modules, which leaves out bn gains/biases and attention gammas)."""
    count = 0
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear, nn.Embedding)):
            if style == 'ortho':
                init.orthogonal_(module.weight)
            elif style == 'N02':
                init.normal_(module.weight, 0, 0.02)
            count += sum(p.data.nelement() for p in module.parameters())
    return count


class Generator(nn.Module):
    def __init__(self, G_ch=64, dim_z=128, bottom_width=4, resolution=128, G_attn='64', n_classes=1000,
                 num_G_SVs=1, num_G_SV_itrs=1, G_shared=True, shared_dim=0, hier=False,
                 BN_eps=1e-5, SN_eps=1e-12, G_init='ortho', skip_init=False, img_channels=3):
        super().__init__()
        self.ch = G_ch
        self.dim_z = dim_z
        self.bottom_width = bottom_width
        self.resolution = resolution
        self.n_classes = n_classes
        self.G_shared = G_shared
        self.shared_dim = shared_dim if shared_dim > 0 else dim_z
        self.hier = hier
        self.activation = nn.ReLU(inplace=False)
        self.init = G_init
        self.arch = G_arch(self.ch, G_attn)[resolution]
        if self.hier:
            self.num_slots = len(self.arch['in_channels']) + 1
            self.z_chunk_size = (self.dim_z // self.num_slots)
            self.dim_z = self.z_chunk_size * self.num_slots
        else:
            self.num_slots = 1
            self.z_chunk_size = 0
        self.which_conv = functools.partial(SNConv2d, kernel_size=3, padding=1, num_svs=num_G_SVs,
                                            num_itrs=num_G_SV_itrs, eps=SN_eps)
        self.which_linear = functools.partial(SNLinear, num_svs=num_G_SVs, num_itrs=num_G_SV_itrs, eps=SN_eps)
        self.which_embedding = nn.Embedding
        bn_linear = functools.partial(self.which_linear, bias=False) if self.G_shared else self.which_embedding
        self.which_bn = functools.partial(ccbn, which_linear=bn_linear,
                                          input_size=(self.shared_dim + self.z_chunk_size if self.G_shared
                                                      else self.n_classes),
                                          eps=BN_eps)
        self.shared = self.which_embedding(n_classes, self.shared_dim) if G_shared else identity()
        self.linear = self.which_linear(self.dim_z // self.num_slots,
                                        self.arch['in_channels'][0] * (self.bottom_width ** 2))
        self.blocks = []
        for index in range(len(self.arch['out_channels'])):
            self.blocks += [[GBlock(in_channels=self.arch['in_channels'][index],
                                    out_channels=self.arch['out_channels'][index],
                                    which_conv=self.which_conv, which_bn=self.which_bn,
                                    activation=self.activation,
                                    upsample=(functools.partial(F.interpolate, scale_factor=2)
                                              if self.arch['upsample'][index] else None))]]
            if self.arch['attention'][self.arch['resolution'][index]]:
                self.blocks[-1] += [Attention(self.arch['out_channels'][index], self.which_conv)]
        self.blocks = nn.ModuleList([nn.ModuleList(block) for block in self.blocks])
        # The authors build this bn without BN_eps: it keeps the default 1e-5 whatever BN_eps is.
        self.output_layer = nn.Sequential(bn(self.arch['out_channels'][-1]),
                                          self.activation,
                                          self.which_conv(self.arch['out_channels'][-1], img_channels))
        if not skip_init:
            self.param_count = init_weights(self, self.init)

    def forward(self, z, y):
        if self.hier:
            zs = torch.split(z, self.z_chunk_size, 1)
            z = zs[0]
            ys = [torch.cat([y, item], 1) for item in zs[1:]]
        else:
            ys = [y] * len(self.blocks)
        h = self.linear(z)
        h = h.view(h.size(0), -1, self.bottom_width, self.bottom_width)
        for index, blocklist in enumerate(self.blocks):
            for block in blocklist:
                h = block(h, ys[index])
        return torch.tanh(self.output_layer(h))


class Discriminator(nn.Module):
    def __init__(self, D_ch=64, D_wide=True, resolution=128, D_attn='64', n_classes=1000,
                 num_D_SVs=1, num_D_SV_itrs=1, SN_eps=1e-12, output_dim=1, D_init='ortho', skip_init=False,
                 img_channels=3):
        super().__init__()
        self.ch = D_ch
        self.resolution = resolution
        self.n_classes = n_classes
        self.activation = nn.ReLU(inplace=False)
        self.init = D_init
        self.arch = D_arch(self.ch, D_attn)[resolution]
        self.arch['in_channels'][0] = img_channels
        self.which_conv = functools.partial(SNConv2d, kernel_size=3, padding=1, num_svs=num_D_SVs,
                                            num_itrs=num_D_SV_itrs, eps=SN_eps)
        self.which_linear = functools.partial(SNLinear, num_svs=num_D_SVs, num_itrs=num_D_SV_itrs, eps=SN_eps)
        self.which_embedding = functools.partial(SNEmbedding, num_svs=num_D_SVs, num_itrs=num_D_SV_itrs, eps=SN_eps)
        self.blocks = []
        for index in range(len(self.arch['out_channels'])):
            self.blocks += [[DBlock(in_channels=self.arch['in_channels'][index],
                                    out_channels=self.arch['out_channels'][index],
                                    which_conv=self.which_conv, activation=self.activation,
                                    preactivation=(index > 0),
                                    downsample=(nn.AvgPool2d(2) if self.arch['downsample'][index] else None))]]
            if self.arch['attention'][self.arch['resolution'][index]]:
                self.blocks[-1] += [Attention(self.arch['out_channels'][index], self.which_conv)]
        self.blocks = nn.ModuleList([nn.ModuleList(block) for block in self.blocks])
        self.linear = self.which_linear(self.arch['out_channels'][-1], output_dim)
        self.embed = self.which_embedding(self.n_classes, self.arch['out_channels'][-1])
        if not skip_init:
            self.param_count = init_weights(self, self.init)

    def forward(self, x, y=None):
        h = x
        for index, blocklist in enumerate(self.blocks):
            for block in blocklist:
                h = block(h)
        h = torch.sum(self.activation(h), [2, 3])
        out = self.linear(h)
        out = out + torch.sum(self.embed(y) * h, 1, keepdim=True)
        return out


# ---- configurations (RawGan's presets, as reference arguments) ---------------------------------

def preset(name):
    """(G kwargs, D kwargs) of RawGan's BigGanConfig presets."""
    if name == 'ImageNet128':  # scripts/launch_BigGAN_bs256x8.sh
        g = dict(G_ch=96, dim_z=120, resolution=128, G_attn='64', n_classes=1000, G_shared=True, shared_dim=128,
                 hier=True, BN_eps=1e-5, SN_eps=1e-6, G_init='ortho')
        d = dict(D_ch=96, resolution=128, D_attn='64', n_classes=1000, SN_eps=1e-6, D_init='ortho')
    elif name == 'Cifar32':  # scripts/launch_cifar_ema.sh with utils.py's defaults
        g = dict(G_ch=64, dim_z=128, resolution=32, G_attn='0', n_classes=10, G_shared=False, shared_dim=0,
                 hier=False, BN_eps=1e-5, SN_eps=1e-8, G_init='N02')
        d = dict(D_ch=64, resolution=32, D_attn='0', n_classes=10, SN_eps=1e-8, D_init='N02')
    elif name == 'Mnist32':  # the Cifar32 layout at ch 16, dim_z 64, one channel: `rawgan train`'s default
        g = dict(G_ch=16, dim_z=64, resolution=32, G_attn='0', n_classes=10, G_shared=False, shared_dim=0,
                 hier=False, BN_eps=1e-5, SN_eps=1e-8, G_init='N02', img_channels=1)
        d = dict(D_ch=16, resolution=32, D_attn='0', n_classes=10, SN_eps=1e-8, D_init='N02', img_channels=1)
    elif name == 'Mnist32Small':
        g = dict(G_ch=8, dim_z=64, resolution=32, G_attn='16', n_classes=10, G_shared=True, shared_dim=32,
                 hier=True, BN_eps=1e-5, SN_eps=1e-6, G_init='ortho', img_channels=1)
        d = dict(D_ch=8, resolution=32, D_attn='16', n_classes=10, SN_eps=1e-6, D_init='ortho', img_channels=1)
    else:
        raise KeyError(name)
    return g, d


def counts():
    torch.manual_seed(0)
    for name in ['ImageNet128', 'Cifar32', 'Mnist32', 'Mnist32Small']:
        g_kw, d_kw = preset(name)
        G, D = Generator(**g_kw), Discriminator(**d_kw)
        g_all = sum(p.numel() for p in G.parameters())
        d_all = sum(p.numel() for p in D.parameters())
        print(f"{name}: G {g_all} parameters (init_weights count {G.param_count}), "
              f"D {d_all} parameters (init_weights count {D.param_count})")
    # The ImageNet layout (ch 96, dim_z 120, shared 128, hierarchical) at every resolution, with attention where
    # each table has a block of that output size (RawGan rejects attention at a size no block outputs).
    for res, g_attn, d_attn in [(32, '16', '16'), (64, '64', '16'), (128, '64', '64'), (256, '64', '64')]:
        g_kw, d_kw = preset('ImageNet128')
        g_kw.update(resolution=res, G_attn=g_attn)
        d_kw.update(resolution=res, D_attn=d_attn)
        G, D = Generator(**g_kw, skip_init=True), Discriminator(**d_kw, skip_init=True)
        print(f"ImageNet layout at {res} (G attention {g_attn}, D attention {d_attn}): "
              f"G {sum(p.numel() for p in G.parameters())}, D {sum(p.numel() for p in D.parameters())}")


# ---- parity fixtures ----------------------------------------------------------------------------

# Tiny configurations; RawGan's tests build the same ones from BigGanConfig (see BigGanParityTests.cs).
# tiny: 32x32, ch 2 (8-channel blocks), hierarchical z 8 = 4 chunks of 2, shared embedding 3, attention at 16.
TINY_G = dict(G_ch=2, dim_z=8, resolution=32, G_attn='16', n_classes=3, G_shared=True, shared_dim=3, hier=True,
              BN_eps=1e-5, SN_eps=1e-6, G_init='ortho', img_channels=3)
# tiny_tables: the reference CIFAR layout (no shared embedding, per-class BN tables), with attention at 16.
TINY_G_TABLES = dict(G_ch=2, dim_z=8, resolution=32, G_attn='16', n_classes=3, G_shared=False, shared_dim=0,
                     hier=False, BN_eps=1e-5, SN_eps=1e-8, G_init='N02', img_channels=3)
TINY_D = dict(D_ch=2, resolution=32, D_attn='16', n_classes=3, SN_eps=1e-6, D_init='ortho', img_channels=3)


def rawgan_name(name, t):
    """RawGan's spectral-norm buffers: u0 is (out), sv0 a scalar."""
    if name.endswith('.u0') or name == 'u0':
        return t.reshape(-1)
    if name.endswith('.sv0') or name == 'sv0':
        return t.reshape(())
    return t


class ModuleFixture:
    """Cases built from modules: their state before the step, inputs, outputs, loss gradients, state after."""

    def __init__(self, family, seed):
        self.family = family
        self.tensors = {}
        self.metadata = {}
        self.seed = seed

    def case(self, name, make_modules, make_inputs, run, meta):
        """make_modules() -> {prefix: module} (float64, initialised); make_inputs() -> {role: float64/int tensor};
        run(modules, inputs) -> (outputs dict, loss). Stores per dtype: state<prefix>.<name>, inputs, outputs,
        grad<prefix>.<param> for every parameter, g<role> for floating inputs, after<prefix>.<buffer>."""
        torch.manual_seed(self.seed)
        self.seed += 1
        modules64 = make_modules()
        states = {k: {n: v.detach().clone() for n, v in m.state_dict().items()} for k, m in modules64.items()}
        inputs64 = make_inputs()
        for tag, dt in DTYPES:
            modules = make_modules()
            for k, m in modules.items():
                m.to(dt)
                m.load_state_dict({n: v.to(dt) for n, v in states[k].items()})
                m.train()
            inputs = {r: (v.to(dt).clone().requires_grad_(True) if v.is_floating_point() else v.clone())
                      for r, v in inputs64.items()}
            store = {}
            for k, m in modules.items():
                for n, v in m.state_dict().items():
                    store[f'state{k}.{n}'] = rawgan_name(n, v.detach().clone())
            for r, v in inputs.items():
                store[r] = v.detach().to(torch.int32) if not v.is_floating_point() else v.detach()
            outputs, loss = run(modules, inputs)
            loss.backward()
            for r, v in outputs.items():
                store[r] = v.detach()
            store['loss'] = loss.detach()
            for k, m in modules.items():
                for n, p in m.named_parameters():
                    store[f'grad{k}.{n}'] = p.grad.detach() if p.grad is not None else torch.zeros_like(p)
                for n, b in m.named_buffers():
                    store[f'after{k}.{n}'] = rawgan_name(n, b.detach().clone())
            for r, v in inputs.items():
                if v.is_floating_point() and v.grad is not None:
                    store['g' + r] = v.grad.detach()
            case_meta = dict(meta, dtype=tag, inputs=sorted(inputs), outputs=sorted(outputs),
                             modules=sorted(modules))
            self.metadata[f'{name}_{tag}'] = json.dumps(case_meta, sort_keys=True)
            for role, t in store.items():
                self.tensors[f'{name}_{tag}.{role}'] = t

    def write(self, folder):
        path = os.path.join(folder, self.family + '.safetensors')
        write_safetensors(path, self.tensors, self.metadata)
        return path


def labels(*values):
    return torch.tensor(values, dtype=torch.int64)


def weighted(outputs):
    """loss = Σ sum(y ⊙ gy) with a random gy per output, stored as g<y>."""
    loss = 0
    for r in list(outputs):
        gy = torch.randn(outputs[r].shape, generator=_GY, dtype=torch.float64).to(outputs[r].dtype)
        outputs['w' + r] = gy
        loss = loss + (outputs[r] * gy).sum()
    return loss


_GY = torch.Generator()


def hinge_d(scores, n_real):
    s = scores.reshape(-1)
    return torch.relu(1 - s[:n_real]).mean() + torch.relu(1 + s[n_real:]).mean()


def blocks_family():
    fx = ModuleFixture('biggan_blocks', 100)

    def conv(eps):
        return functools.partial(SNConv2d, kernel_size=3, padding=1, eps=eps)

    def gblock(shared):
        def make():
            if shared:
                bn = functools.partial(ccbn, which_linear=functools.partial(SNLinear, bias=False, eps=1e-6),
                                       input_size=5, eps=1e-5)
                block = GBlock(3, 4, conv(1e-6), bn, nn.ReLU(), functools.partial(F.interpolate, scale_factor=2))
                init_weights(block, 'ortho')
            else:
                bn = functools.partial(ccbn, which_linear=nn.Embedding, input_size=3, eps=1e-5)
                block = GBlock(3, 4, conv(1e-8), bn, nn.ReLU(), functools.partial(F.interpolate, scale_factor=2))
                init_weights(block, 'ortho')  # orthogonal tables: gains far from 1 exercise the conditional path
            return {'': block.double()}
        return make

    def run_gblock(shared):
        def run(m, x):
            _GY.manual_seed(1)
            y = m[''](x['x'], x['cond'] if shared else x['labels'])
            out = {'y': y}
            return out, weighted(out)
        return run

    fx.case('gblock_shared', gblock(True), lambda: {'x': randn(4, 3, 4, 4), 'cond': randn(4, 5)},
            run_gblock(True), {'op': 'gblock', 'config': 'tiny'})
    fx.case('gblock_tables', gblock(False), lambda: {'x': randn(4, 3, 4, 4), 'labels': labels(2, 0, 1, 2)},
            run_gblock(False), {'op': 'gblock', 'config': 'tiny_tables'})

    for name, cin, cout, pre, down in [('dblock_first', 3, 4, False, True), ('dblock_preact', 4, 8, True, True),
                                       ('dblock_identity', 4, 4, True, False)]:
        def make(cin=cin, cout=cout, pre=pre, down=down):
            block = DBlock(cin, cout, conv(1e-6), pre, nn.ReLU(), nn.AvgPool2d(2) if down else None)
            init_weights(block, 'ortho')
            return {'': block.double()}

        def run(m, x):
            _GY.manual_seed(2)
            out = {'y': m[''](x['x'])}
            return out, weighted(out)
        fx.case(name, make, lambda cin=cin: {'x': randn(2, cin, 8, 8)}, run,
                {'op': 'dblock', 'config': 'tiny', 'in': cin, 'out': cout, 'preactivation': pre, 'downsample': down})

    def make_attention():
        block = Attention(8, functools.partial(SNConv2d, eps=1e-6))
        init_weights(block, 'ortho')
        with torch.no_grad():
            block.gamma.fill_(0.7)  # nonzero, so that gradient reaches theta, phi, g and o
        return {'': block.double()}

    def run_attention(m, x):
        _GY.manual_seed(3)
        out = {'y': m[''](x['x'])}
        return out, weighted(out)
    fx.case('attention', make_attention, lambda: {'x': randn(2, 8, 4, 6)}, run_attention,
            {'op': 'attention', 'config': 'tiny', 'channels': 8})
    return fx


def networks_family():
    fx = ModuleFixture('biggan_networks', 200)

    def set_gammas(m):
        with torch.no_grad():
            for n, p in m.named_parameters():
                if n.endswith('gamma'):
                    p.fill_(0.5)
        return m

    def make_g(kw):
        return lambda: {'G': set_gammas(Generator(**kw)).double()}

    def run_g(m, x):
        G = m['G']
        cond = G.shared(x['labels']) if G.G_shared else x['labels']
        _GY.manual_seed(4)
        out = {'y': G(x['z'], cond)}
        return out, weighted(out)

    fx.case('g_tiny', make_g(TINY_G), lambda: {'z': randn(4, 8), 'labels': labels(0, 2, 1, 2)}, run_g,
            {'op': 'generator', 'config': 'tiny'})
    fx.case('g_tiny_tables', make_g(TINY_G_TABLES), lambda: {'z': randn(4, 8), 'labels': labels(1, 1, 0, 2)},
            run_g, {'op': 'generator', 'config': 'tiny_tables'})

    def run_d(m, x):
        scores = m['D'](x['images'], x['labels'])
        return {'y': scores.reshape(-1)}, hinge_d(scores, 2)

    fx.case('d_tiny', lambda: {'D': set_gammas(Discriminator(**TINY_D)).double()},
            lambda: {'images': torch.tanh(randn(4, 3, 32, 32)), 'labels': labels(2, 0, 0, 1)}, run_d,
            {'op': 'discriminator_hinge', 'config': 'tiny', 'real': 2})

    def run_gd(m, x):
        G, D = m['G'], m['D']
        images = G(x['z'], G.shared(x['labels']))
        scores = D(images, x['labels']).reshape(-1)
        return {'images': images, 'y': scores}, -scores.mean()

    fx.case('gd_tiny', lambda: {'G': set_gammas(Generator(**TINY_G)).double(),
                                'D': set_gammas(Discriminator(**TINY_D)).double()},
            lambda: {'z': randn(4, 8), 'labels': labels(1, 0, 2, 1)}, run_gd,
            {'op': 'generator_hinge', 'config': 'tiny'})
    return fx


def randn(*shape):
    return torch.randn(shape, dtype=torch.float64)


def write_fixtures(folder=None):
    here = os.path.dirname(os.path.abspath(__file__))
    out = folder or os.path.join(here, '..', 'fixtures')
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    for family in [blocks_family, networks_family]:
        fx = family()
        path = fx.write(out)
        print(f'{os.path.relpath(path)}: {len(fx.metadata)} cases, {os.path.getsize(path)} bytes')


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == 'counts':
        counts()
    else:
        write_fixtures(sys.argv[1] if len(sys.argv) > 1 else None)
