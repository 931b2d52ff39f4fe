namespace RawGan.Kernels;

/// <summary>
/// The CUDA backend lives here (driver/cuBLAS/cuRAND bindings, PTX modules, launchers).
/// It arrives with the CUDA backend issue; until then the engine runs on the CPU backend only.
/// </summary>
public static class KernelsInfo
{
    /// <summary>True once this assembly can register a CUDA backend.</summary>
    public static bool CudaBackendAvailable => false;
}
