using BenchmarkDotNet.Attributes;
using RawGan.Engine;

namespace RawGan.Bench;

using Ops = RawGan.Engine.Ops;

/// <summary>
/// Batch norm in training mode on G's largest activation ("b32": 32×128×32×32; "b128", CUDA only: 64×192×64×64).
/// BnForward/BnBackward are the kernels (batch statistics + normalise with gain and bias; the backward with
/// batch statistics). CbnRelu* is G's conditional batch norm and the ReLU after it, as the model runs them: the fused
/// op <see cref="Ops.ConditionalBatchNormRelu"/> through autograd, with per-(sample, channel) gain and bias.
/// Bytes (N elements of 4 bytes): what the kernels move, and the compulsory floor. Statistics need x before anything
/// can be normalised, so a forward reads x twice (3·4N moved, floor 2·4N: x read, y written); the backward reads
/// x and dy once for its sums and once for dx (5·4N, floor 3·4N); the fused cBN + ReLU backward also reads y, for the
/// ReLU's mask (7·4N, floor 4·4N). Whether L2 serves the second read depends on the size: b32's x fits, b128's not.
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

    /// <summary>Statistics read x; the forward reads x again and writes y.</summary>
    public static double ForwardBytes(string benchCase) => 3 * 4 * Elements(benchCase);

    /// <summary>x read, y written.</summary>
    public static double ForwardFloorBytes(string benchCase) => 2 * 4 * Elements(benchCase);

    /// <summary>The sums read x and dy; dx's pass reads them again and writes dx.</summary>
    public static double BackwardBytes(string benchCase) => 5 * 4 * Elements(benchCase);

    /// <summary>x and dy read, dx written.</summary>
    public static double BackwardFloorBytes(string benchCase) => 3 * 4 * Elements(benchCase);

    /// <summary>The forward (3·4N) and the fused backward: sums read x, y and dy, dx's pass reads them again and writes dx (7·4N).</summary>
    public static double ForwardBackwardBytes(string benchCase) => 10 * 4 * Elements(benchCase);

    /// <summary>Forward: x read, y written; backward: x, y and dy read, dx written.</summary>
    public static double ForwardBackwardFloorBytes(string benchCase) => 6 * 4 * Elements(benchCase);

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
    [Benchmark(Baseline = true), Bytes(nameof(ForwardBytes), Floor = nameof(ForwardFloorBytes))]
    public void BnForward()
    {
        _backend.BatchNormStatistics(_x, _n, _c, _spatial, _mean, _var);
        _backend.BatchNormForward(_x, _mean, _var, _gamma, _beta, Eps, _y, _n, _c, _spatial);
        BenchCases.Synchronize(_device);
    }

    /// <summary>dx, dgamma, dbeta with batch statistics.</summary>
    [Benchmark, Bytes(nameof(BackwardBytes), Floor = nameof(BackwardFloorBytes))]
    public void BnBackward()
    {
        _backend.BatchNormBackward(_x, _dy, _mean, _var, _gamma, Eps, true, _dx, _dgamma, _dbeta, _n, _c, _spatial);
        BenchCases.Synchronize(_device);
    }

    /// <summary>Conditional BN + ReLU forward, as the model runs it (graph recorded, as in training).</summary>
    [Benchmark, Bytes(nameof(ForwardBytes), Floor = nameof(ForwardFloorBytes))]
    public void CbnReluForward()
    {
        using (new TensorScope()) ConditionalBatchNormRelu();
        BenchCases.Synchronize(_device);
    }

    /// <summary>Conditional BN + ReLU forward and backward through autograd (gradients of x, gain and bias).</summary>
    [Benchmark, Bytes(nameof(ForwardBackwardBytes), Floor = nameof(ForwardBackwardFloorBytes))]
    public void CbnReluForwardBackward()
    {
        using (new TensorScope()) ConditionalBatchNormRelu().Backward(_dyt);
        BenchCases.Synchronize(_device);
        foreach (var leaf in new[] { _xt, _gain, _bias })
        {
            leaf.Grad?.Dispose();
            leaf.Grad = null;
        }
    }

    private Tensor ConditionalBatchNormRelu() =>
        Ops.ConditionalBatchNormRelu(_xt, _runMean, _runVar, _gain, _bias, training: true, 0.1, Eps);
}
