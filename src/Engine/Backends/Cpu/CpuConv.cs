using System.Numerics;

namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void Conv2dForward(Storage x, Storage w, Storage y, in Conv2dGeometry g)
    {
        if (IsFloat(x)) ConvForward(Data<float>(x), Data<float>(w), Data<float>(y), g);
        else ConvForward(Data<double>(x), Data<double>(w), Data<double>(y), g);
    }

    public void Conv2dBackwardData(Storage dy, Storage w, Storage dx, in Conv2dGeometry g)
    {
        if (IsFloat(dy)) ConvBackwardData(Data<float>(dy), Data<float>(w), Data<float>(dx), g);
        else ConvBackwardData(Data<double>(dy), Data<double>(w), Data<double>(dx), g);
    }

    public void Conv2dBackwardWeight(Storage x, Storage dy, Storage dw, in Conv2dGeometry g)
    {
        if (IsFloat(x)) ConvBackwardWeight(Data<float>(x), Data<float>(dy), Data<float>(dw), g);
        else ConvBackwardWeight(Data<double>(x), Data<double>(dy), Data<double>(dw), g);
    }

    // im2col: col (C·R·S, OH·OW) for one image; y_n (K, OH·OW) = W (K, C·R·S) · col.
    private static void ConvForward<T>(T[] x, T[] w, T[] y, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int crs = g.C * g.R * g.S, ohw = g.OutH * g.OutW;
        var col = new T[(long)crs * ohw];
        for (int i = 0; i < g.N; i++)
        {
            Im2Col(x, (long)i * g.C * g.H * g.W, col, g);
            Gemm(false, false, g.K, ohw, crs, T.One, w, 0, crs, 0, col, 0, ohw, 0, T.Zero, y, (long)i * g.K * ohw, ohw, 0, 1);
        }
    }

    // dcol = Wᵀ · dy_n, then col2im scatter-adds it into dx_n.
    private static void ConvBackwardData<T>(T[] dy, T[] w, T[] dx, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int crs = g.C * g.R * g.S, ohw = g.OutH * g.OutW;
        var col = new T[(long)crs * ohw];
        Array.Clear(dx);
        for (int i = 0; i < g.N; i++)
        {
            Gemm(true, false, crs, ohw, g.K, T.One, w, 0, crs, 0, dy, (long)i * g.K * ohw, ohw, 0, T.Zero, col, 0, ohw, 0, 1);
            Col2Im(col, dx, (long)i * g.C * g.H * g.W, g);
        }
    }

    // dW = Σ_n dy_n · col_nᵀ.
    private static void ConvBackwardWeight<T>(T[] x, T[] dy, T[] dw, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int crs = g.C * g.R * g.S, ohw = g.OutH * g.OutW;
        var col = new T[(long)crs * ohw];
        for (int i = 0; i < g.N; i++)
        {
            Im2Col(x, (long)i * g.C * g.H * g.W, col, g);
            Gemm(false, true, g.K, crs, ohw, T.One, dy, (long)i * g.K * ohw, ohw, 0, col, 0, ohw, 0, i == 0 ? T.Zero : T.One, dw, 0, crs, 0, 1);
        }
    }

    private static void Im2Col<T>(T[] x, long xOff, T[] col, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ohw = g.OutH * g.OutW;
        for (int c = 0; c < g.C; c++)
        for (int r = 0; r < g.R; r++)
        for (int s = 0; s < g.S; s++)
        {
            long row = ((long)(c * g.R + r) * g.S + s) * ohw;
            for (int oh = 0; oh < g.OutH; oh++)
            {
                int ih = oh * g.StrideH - g.PadH + r;
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    int iw = ow * g.StrideW - g.PadW + s;
                    col[row + (long)oh * g.OutW + ow] = (uint)ih < (uint)g.H && (uint)iw < (uint)g.W
                        ? x[xOff + ((long)c * g.H + ih) * g.W + iw] : T.Zero;
                }
            }
        }
    }

    private static void Col2Im<T>(T[] col, T[] dx, long xOff, Conv2dGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int ohw = g.OutH * g.OutW;
        for (int c = 0; c < g.C; c++)
        for (int r = 0; r < g.R; r++)
        for (int s = 0; s < g.S; s++)
        {
            long row = ((long)(c * g.R + r) * g.S + s) * ohw;
            for (int oh = 0; oh < g.OutH; oh++)
            {
                int ih = oh * g.StrideH - g.PadH + r;
                if ((uint)ih >= (uint)g.H) continue;
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    int iw = ow * g.StrideW - g.PadW + s;
                    if ((uint)iw < (uint)g.W) dx[xOff + ((long)c * g.H + ih) * g.W + iw] += col[row + (long)oh * g.OutW + ow];
                }
            }
        }
    }
}
