using BenchmarkDotNet.Attributes;
using RawGan.Engine;

namespace RawGan.Bench;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// Batch norm in training mode on G's largest activation ("b32": 32×128×32×32; "b128", CUDA only: 64×192×64×64).
/// BnForward/BnBackward are the kernels (batch statistics + normalise with gain and bias; the backward with
/// batch statistics). Cbn* is G's conditional batch norm as <c>ConditionalBatchNorm.Forward</c> composes it: batch
/// norm without affine, times (1 + gain) and plus bias per (sample, channel), through the Tensor ops and autograd.
/// Hook: when the fused conditional BN + ReLU op lands, add it here beside CbnForward/CbnForwardBackward.
/// Bytes are the compulsory traffic (each input read once, each output written once); BN needs x twice (statistics,
/// then normalise), so its achievable floor is higher than that.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class BatchNormBench
{
    private const double Eps = 1e-5;
    private Device _device = null!;
    private IBackend _backend = null!;
    private int _n, _c, _spatial;
    private Storage _x = null!, _dy = null!, _y = null!, _dx = null!, _mean = null!, _var = null!;
    private Storage _gamma = null!, _beta = null!, _dgamma = null!, _dbeta = null!;
    private Tensor _xt = null!, _dyt = null!, _gain = null!, _bias = null!, _runMean = null!, _runVar = null!;

    /// <summary>Device and shape.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "cpu/b32";

    /// <summary>b32 on every device, b128 on CUDA.</summary>
    public static IEnumerable<string> Cases() => BenchCases.PerDevice(["b32"], "b128");

    private static double Elements(string benchCase) => ElementwiseBench.ShapeOf(benchCase).Aggregate(1.0, (p, d) => p * d);

    /// <summary>x read, y written.</summary>
    public static double ForwardBytes(string benchCase) => 2 * 4 * Elements(benchCase);

    /// <summary>x and dy read, dx written.</summary>
    public static double BackwardBytes(string benchCase) => 3 * 4 * Elements(benchCase);

    /// <summary>Forward (x read, y written) and backward (dy read, dx written).</summary>
    public static double ForwardBackwardBytes(string benchCase) => 4 * 4 * Elements(benchCase);

    /// <summary>Random operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = BenchCases.Open(Case);
        _backend = _device.Backend;
        var shape = ElementwiseBench.ShapeOf(Case);
        (_n, _c, _spatial) = (shape[0], shape[1], shape[2] * shape[3]);
        long len = (long)_n * _c * _spatial;
        _x = BenchData.Uniform(_backend, len, 1);
        _dy = BenchData.Uniform(_backend, len, 2);
        _y = _backend.Allocate(DType.Float32, len);
        _dx = _backend.Allocate(DType.Float32, len);
        _mean = _backend.Allocate(DType.Float32, _c);
        _var = _backend.Allocate(DType.Float32, _c);
        _gamma = BenchData.Uniform(_backend, _c, 3);
        _beta = BenchData.Uniform(_backend, _c, 4);
        _dgamma = _backend.Allocate(DType.Float32, _c);
        _dbeta = _backend.Allocate(DType.Float32, _c);
        _backend.BatchNormStatistics(_x, _n, _c, _spatial, _mean, _var);

        _xt = BenchData.Uniform(new Shape(shape), 5, _device, requiresGrad: true);
        _dyt = BenchData.Uniform(new Shape(shape), 6, _device);
        _gain = BenchData.Uniform(new Shape(_n, _c), 7, _device, requiresGrad: true);
        _bias = BenchData.Uniform(new Shape(_n, _c), 8, _device, requiresGrad: true);
        _runMean = Tensor.Zeros([_c], device: _device);
        _runVar = Tensor.Ones([_c], device: _device);
    }

    /// <summary>Frees the operands.</summary>
    [GlobalCleanup]
    public void Cleanup() => BenchData.Free(_x, _dy, _y, _dx, _mean, _var, _gamma, _beta, _dgamma, _dbeta,
                                            _xt, _dyt, _gain, _bias, _runMean, _runVar);

    /// <summary>Batch statistics, then y = (x − mean)/sqrt(var + eps)·gamma + beta.</summary>
    [Benchmark(Baseline = true), Bytes(nameof(ForwardBytes))]
    public void BnForward()
    {
        _backend.BatchNormStatistics(_x, _n, _c, _spatial, _mean, _var);
        _backend.BatchNormForward(_x, _mean, _var, _gamma, _beta, Eps, _y, _n, _c, _spatial);
        BenchCases.Synchronize(_device);
    }

    /// <summary>dx, dgamma, dbeta with batch statistics.</summary>
    [Benchmark, Bytes(nameof(BackwardBytes))]
    public void BnBackward()
    {
        _backend.BatchNormBackward(_x, _dy, _mean, _var, _gamma, Eps, true, _dx, _dgamma, _dbeta, _n, _c, _spatial);
        BenchCases.Synchronize(_device);
    }

    /// <summary>Conditional BN forward, as the model runs it (graph recorded, as in training).</summary>
    [Benchmark, Bytes(nameof(ForwardBytes))]
    public void CbnForward()
    {
        using (new TensorScope()) ConditionalBatchNorm();
        BenchCases.Synchronize(_device);
    }

    /// <summary>Conditional BN forward and backward through autograd (gradients of x, gain and bias).</summary>
    [Benchmark, Bytes(nameof(ForwardBackwardBytes))]
    public void CbnForwardBackward()
    {
        using (new TensorScope()) ConditionalBatchNorm().Backward(_dyt);
        BenchCases.Synchronize(_device);
        foreach (var leaf in new[] { _xt, _gain, _bias })
        {
            leaf.Grad?.Dispose();
            leaf.Grad = null;
        }
    }

    private Tensor ConditionalBatchNorm()
    {
        var normalized = Ops.BatchNorm(_xt, _runMean, _runVar, null, null, training: true, 0.1, Eps);
        var scale = Ops.AddScalar(Ops.Reshape(_gain, _n, _c, 1, 1), 1.0);
        return Ops.Add(Ops.Mul(normalized, scale), Ops.Reshape(_bias, _n, _c, 1, 1));
    }
}
