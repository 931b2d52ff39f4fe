namespace RawGan.Engine.Backends.Cpu;

/// <summary>
/// Keeps the CPU backend's large arrays for reuse, by exact length: a training step allocates and frees the same
/// shapes every time, several hundred megabytes of them. Fresh large arrays come from the large-object heap: the
/// operating system supplies and zeroes new pages (page faults), and full garbage collections reclaim them. Contents
/// are unspecified, as IBackend.Allocate promises, so a reused array is not cleared. Small arrays stay with the
/// garbage collector, whose young generation is cheap; each element type's pool holds at most <see cref="Budget"/>
/// bytes, past which returned arrays are left to the collector.
/// </summary>
internal static class CpuArrayPool<T> where T : unmanaged
{
    // The large-object heap's threshold: smaller arrays are cheap young-generation allocations.
    private static readonly int MinLength = 85_000 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    private static readonly Dictionary<int, Stack<T[]>> Free = [];
    private static long _pooledBytes;

    /// <summary>Bytes this element type's pool may hold: a quarter of the memory the process may use, at most 4 GiB.</summary>
    public static long Budget { get; } = Math.Min(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4, 4L << 30);

    /// <summary>An array of exactly <paramref name="length"/> elements, uninitialised.</summary>
    public static T[] Rent(int length)
    {
        if (length >= MinLength)
        {
            lock (Free)
            {
                if (Free.TryGetValue(length, out var stack) && stack.TryPop(out var reused))
                {
                    _pooledBytes -= Bytes(length);
                    return reused;
                }
            }
        }
        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Takes an array back for reuse (or leaves it to the garbage collector).</summary>
    public static void Return(T[] array)
    {
        if (array.Length < MinLength) return;
        lock (Free)
        {
            if (_pooledBytes + Bytes(array.Length) > Budget) return;
            if (!Free.TryGetValue(array.Length, out var stack)) Free[array.Length] = stack = new Stack<T[]>();
            stack.Push(array);
            _pooledBytes += Bytes(array.Length);
        }
    }

    private static long Bytes(int length) => (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
