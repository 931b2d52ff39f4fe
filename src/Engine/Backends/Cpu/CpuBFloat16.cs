namespace RawGan.Engine.Backends.Cpu;

// The reference for BFloat16 operands of the ops besides the products (those are in CpuReducedPrecision.cs): each
// BFloat16 storage of a call gets a float32 stand-in (inputs widened exactly), the float32 kernel runs on the
// stand-ins, and each BFloat16 output is rounded once from its float32 result. So an op on BFloat16 data gives the
// float32 op's result on the same values, rounded to BFloat16: the rule the CUDA kernels (load bfloat16, compute in
// float, store bfloat16) are checked against. Float32 operands beside them (batch-norm statistics, gain and bias, a
// Float32 sum) are used as they are. A reference, not a fast path: the copies cost O(elements) per call.
internal sealed partial class CpuBackend
{
    /// <summary>True when any of the storages is BFloat16.</summary>
    private static bool AnyBFloat16(params ReadOnlySpan<Storage?> storages)
    {
        foreach (var s in storages)
        {
            if (s?.DType == DType.BFloat16) return true;
        }
        return false;
    }

    /// <summary>The float32 stand-ins of one call's BFloat16 storages, freed when the call ends (dispose).</summary>
    private sealed class Float32StandIns(CpuBackend backend) : IDisposable
    {
        private readonly Dictionary<Storage, CpuStorage<float>> _standIns = new(ReferenceEqualityComparer.Instance);

        /// <summary>An input: itself, or for BFloat16 an exact float32 copy (one per storage and call).</summary>
        public Storage In(Storage s) => s.DType != DType.BFloat16 ? s : StandIn(s, widen: true);

        /// <summary>An output the kernel overwrites: itself, or for BFloat16 a float32 buffer (the input's stand-in when it is also read).</summary>
        public Storage Out(Storage s) => s.DType != DType.BFloat16 ? s : StandIn(s, widen: false);

        /// <summary>Rounds each BFloat16 output from its stand-in.</summary>
        public void Round(params ReadOnlySpan<Storage?> outputs)
        {
            foreach (var s in outputs)
            {
                if (s is { DType: DType.BFloat16 }) Narrow(_standIns[s].Data, Data<BFloat16>(s));
            }
        }

        public void Dispose()
        {
            foreach (var f in _standIns.Values) f.Dispose();
            _standIns.Clear();
        }

        private CpuStorage<float> StandIn(Storage s, bool widen)
        {
            if (_standIns.TryGetValue(s, out var f)) return f;
            f = new CpuStorage<float>(backend, s.Length);
            if (widen) Widen(Data<BFloat16>(s), f.Data);
            _standIns[s] = f;
            return f;
        }
    }
}
