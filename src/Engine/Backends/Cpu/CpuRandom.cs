namespace RawGan.Engine.Backends.Cpu;

internal sealed partial class CpuBackend
{
    public void FillUniform(Storage dst, ulong seed, ulong offset) => throw new NotImplementedException("Philox generator not written yet.");

    public void FillNormal(Storage dst, ulong seed, ulong offset, double mean, double std) => throw new NotImplementedException("Philox generator not written yet.");

    public void FillTruncatedNormal(Storage dst, ulong seed, ulong offset, double threshold) => throw new NotImplementedException("Philox generator not written yet.");
}
