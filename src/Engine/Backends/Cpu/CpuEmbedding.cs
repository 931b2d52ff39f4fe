namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void EmbeddingForward(Storage weight, Storage indices, Storage y, int count, int dim, int rows)
    {
        var idx = Data<int>(indices);
        if (IsFloat(weight)) Gather(Data<float>(weight), idx, Data<float>(y), count, dim, rows);
        else Gather(Data<double>(weight), idx, Data<double>(y), count, dim, rows);
    }

    private static void Gather<T>(T[] w, int[] idx, T[] y, int count, int dim, int rows)
    {
        for (int i = 0; i < count; i++)
        {
            int r = CheckIndex(idx[i], rows);
            Array.Copy(w, (long)r * dim, y, (long)i * dim, dim);
        }
    }

    public void EmbeddingBackward(Storage dy, Storage indices, Storage dweight, int count, int dim, int rows)
    {
        var idx = Data<int>(indices);
        if (IsFloat(dy)) ScatterAdd(Data<float>(dy), idx, Data<float>(dweight), count, dim, rows);
        else ScatterAdd(Data<double>(dy), idx, Data<double>(dweight), count, dim, rows);
    }

    private static void ScatterAdd<T>(T[] dy, int[] idx, T[] dw, int count, int dim, int rows) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int i = 0; i < count; i++)
        {
            int r = CheckIndex(idx[i], rows);
            var dst = Slice(dw, (long)r * dim, dim);
            System.Numerics.Tensors.TensorPrimitives.Add(dst, Slice(dy, (long)i * dim, dim), dst);
        }
    }

    private static int CheckIndex(int i, int rows) =>
        (uint)i < (uint)rows ? i : throw new IndexOutOfRangeException($"Embedding index {i} is outside [0, {rows}).");
}
