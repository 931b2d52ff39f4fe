using RawGan.Engine;
using static RawGan.Kernels.Ops.PoolingKernels;

namespace RawGan.Kernels.Cuda;

// 2x2 and general pooling, 2x upsampling: kernels-cu/pooling.cu, one thread per element written.
public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void Pool2x2Forward(PoolKind kind, Storage x, Storage y, int n, int c, int h, int w)
    {
        long planes = (long)n * c, count = planes * (h / 2) * (w / 2);
        Launch(PoolForward.For(x.DType), GridFor(count), Block, 0, (int)kind, Ptr(x), Ptr(y), planes, h, w);
    }

    /// <inheritdoc/>
    public void Pool2x2Backward(PoolKind kind, Storage x, Storage dy, Storage dx, int n, int c, int h, int w)
    {
        long planes = (long)n * c, count = planes * h * w;
        Launch(PoolBackward.For(x.DType), GridFor(count), Block, 0, (int)kind, Ptr(x), Ptr(dy), Ptr(dx), planes, h, w);
    }

    // The launchers are named in full: inside these methods Pool2dForward/Pool2dBackward mean the methods themselves.

    /// <inheritdoc/>
    public void Pool2dForward(PoolKind kind, Storage x, Storage y, in Pool2dGeometry g)
    {
        long planes = (long)g.N * g.C, count = planes * g.OutH * g.OutW;
        Launch(Ops.PoolingKernels.Pool2dForward.For(x.DType), GridFor(count), Block, 0, (int)kind, Ptr(x), Ptr(y), planes,
               g.H, g.W, g.OutH, g.OutW, g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadH, g.PadW, g.CountIncludePad ? 1 : 0);
    }

    /// <inheritdoc/>
    public void Pool2dBackward(PoolKind kind, Storage x, Storage dy, Storage dx, in Pool2dGeometry g)
    {
        long planes = (long)g.N * g.C, count = planes * g.H * g.W;
        Launch(Ops.PoolingKernels.Pool2dBackward.For(x.DType), GridFor(count), Block, 0, (int)kind, Ptr(x), Ptr(dy), Ptr(dx), planes,
               g.H, g.W, g.OutH, g.OutW, g.KernelH, g.KernelW, g.StrideH, g.StrideW, g.PadH, g.PadW, g.CountIncludePad ? 1 : 0);
    }

    /// <inheritdoc/>
    public void Upsample2xForward(Storage x, Storage y, int n, int c, int h, int w)
    {
        long planes = (long)n * c, count = planes * 4 * h * w;
        Launch(UpsampleForward.For(x.DType), GridFor(count), Block, 0, Ptr(x), Ptr(y), planes, h, w);
    }

    /// <inheritdoc/>
    public void Upsample2xBackward(Storage dy, Storage dx, int n, int c, int h, int w)
    {
        long planes = (long)n * c, count = planes * h * w;
        Launch(UpsampleBackward.For(dy.DType), GridFor(count), Block, 0, Ptr(dy), Ptr(dx), planes, h, w);
    }
}
