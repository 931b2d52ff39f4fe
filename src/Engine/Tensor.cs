using RawGan.Engine.Autograd;

namespace RawGan.Engine;

/// <summary>
/// An n-dimensional array on a device, contiguous row-major, with an optional gradient.
/// Ops that take tensors live in <see cref="Ops"/>; the common ones are also operators and methods here.
/// Dispose a tensor to release device memory deterministically; on the CPU it is optional.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private Storage? _storage;

    internal Tensor(Storage storage, Shape shape, bool requiresGrad = false)
    {
        if (storage.Length < shape.Numel)
            throw new ArgumentException($"Storage of {storage.Length} elements cannot hold shape {shape}.");
        _storage = storage;
        Shape = shape;
        RequiresGrad = requiresGrad;
        TensorScope.Register(this);
    }

    /// <summary>Dimension sizes.</summary>
    public Shape Shape { get; }

    /// <summary>Element type.</summary>
    public DType DType => Storage.DType;

    /// <summary>The device whose backend owns the storage.</summary>
    public Device Device => Device.For(Storage.Backend);

    /// <summary>The backend that owns the storage.</summary>
    public IBackend Backend => Storage.Backend;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public long Numel => Shape.Numel;

    /// <summary>The underlying buffer (shared by reshaped views).</summary>
    public Storage Storage => _storage ?? throw new ObjectDisposedException(nameof(Tensor), "This tensor was disposed.");

    /// <summary>True once <see cref="Dispose"/> ran (directly or through a <see cref="TensorScope"/>).</summary>
    public bool IsDisposed => _storage is null;

    /// <summary>Whether gradients flow to (leaf) or through (intermediate) this tensor.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Accumulated gradient of a leaf after <see cref="Backward"/>; null before.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The op that produced this tensor, when it is part of a recorded graph.</summary>
    internal GradNode? GradFn { get; set; }

    /// <summary>True for tensors not produced by a recorded op.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Releases this tensor's hold on its storage (shared views keep it alive).</summary>
    public void Dispose()
    {
        _storage?.Dispose();
        _storage = null;
        GradFn = null;
    }

    /// <summary>Size of one dimension (negative counts from the end).</summary>
    public int Size(int axis) => Shape[axis];

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{Shape} {DType} on {Storage.Backend.Name}" + (RequiresGrad ? " requires_grad" : "");

    // ---- creation -------------------------------------------------------------------------------

    /// <summary>
    /// A tensor with unspecified contents, as <c>torch.empty</c>: for results that are written completely before
    /// anything reads them (every op's output). Reading one before writing it is a bug that
    /// <see cref="UninitializedMemory.Poison"/> turns into NaN.
    /// </summary>
    public static Tensor Empty(Shape shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false)
    {
        var backend = (device ?? Device.Default).Backend;
        return new Tensor(backend.Allocate(dtype, shape.Numel), shape, requiresGrad);
    }

    /// <summary>A zero-filled tensor.</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false) =>
        Full(shape, 0.0, dtype, device, requiresGrad);

    /// <summary>A tensor filled with ones.</summary>
    public static Tensor Ones(Shape shape, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false) =>
        Full(shape, 1.0, dtype, device, requiresGrad);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, double value, DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false)
    {
        var t = Empty(shape, dtype, device, requiresGrad);
        t.Backend.Fill(t.Storage, value);
        return t;
    }

    /// <summary>A scalar (shape ()).</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full(new Shape(), value, dtype, device);

    /// <summary>Copies host data into a new tensor of the element type's dtype.</summary>
    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, Shape shape, Device? device = null, bool requiresGrad = false) where T : unmanaged
    {
        if (data.Length != shape.Numel)
            throw new ArgumentException($"{data.Length} values cannot fill shape {shape} ({shape.Numel} elements).", nameof(data));
        var t = Empty(shape, DTypeExtensions.Of<T>(), device, requiresGrad);
        t.Backend.CopyFromHost(data, t.Storage, 0);
        return t;
    }

    /// <summary>Copies a host array into a new tensor of the given shape.</summary>
    public static Tensor FromArray<T>(T[] data, Shape shape, Device? device = null, bool requiresGrad = false) where T : unmanaged =>
        FromSpan<T>(data, shape, device, requiresGrad);

    /// <summary>Copies a host array into a new 1-D tensor.</summary>
    public static Tensor FromArray<T>(T[] data, Device? device = null, bool requiresGrad = false) where T : unmanaged =>
        FromSpan<T>(data, new Shape(data.Length), device, requiresGrad);

    /// <summary>Uniform numbers in (0, 1) from Philox4x32-10 at (seed, offset).</summary>
    public static Tensor RandomUniform(Shape shape, ulong seed, ulong offset = 0, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        t.Backend.FillUniform(t.Storage, seed, offset);
        return t;
    }

    /// <summary>Normal numbers from Philox4x32-10 at (seed, offset).</summary>
    public static Tensor RandomNormal(Shape shape, ulong seed, ulong offset = 0, double mean = 0, double std = 1,
                                      DType dtype = DType.Float32, Device? device = null, bool requiresGrad = false)
    {
        var t = Empty(shape, dtype, device, requiresGrad);
        t.Backend.FillNormal(t.Storage, seed, offset, mean, std);
        return t;
    }

    /// <summary>Standard normal numbers resampled until |z| ≤ threshold (the truncation trick).</summary>
    public static Tensor TruncatedNormal(Shape shape, double threshold, ulong seed, ulong offset = 0,
                                         DType dtype = DType.Float32, Device? device = null)
    {
        if (!(threshold > 0)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The truncation threshold must be positive.");
        var t = Empty(shape, dtype, device);
        t.Backend.FillTruncatedNormal(t.Storage, seed, offset, threshold);
        return t;
    }

    // ---- host access ----------------------------------------------------------------------------

    /// <summary>Copies the elements to a new host array; T must match the dtype.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckHostType<T>();
        var a = new T[Numel];
        Backend.CopyToHost<T>(Storage, 0, a);
        return a;
    }

    /// <summary>Copies the elements into <paramref name="dst"/>; T must match the dtype.</summary>
    public void CopyTo<T>(Span<T> dst) where T : unmanaged
    {
        CheckHostType<T>();
        if (dst.Length != Numel) throw new ArgumentException($"Destination holds {dst.Length} elements, tensor has {Numel}.", nameof(dst));
        Backend.CopyToHost(Storage, 0, dst);
    }

    /// <summary>The elements as doubles, whatever the dtype (tests and logging).</summary>
    public double[] ToDoubleArray() => DType switch
    {
        DType.Float32 => Array.ConvertAll(ToArray<float>(), x => (double)x),
        DType.Float64 => ToArray<double>(),
        DType.Int32 => Array.ConvertAll(ToArray<int>(), x => (double)x),
        DType.BFloat16 => Array.ConvertAll(ToArray<BFloat16>(), x => (double)x),
        _ => throw new NotSupportedException(DType.ToString()),
    };

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a one-element tensor, this one has shape {Shape}.");
        return ToDoubleArray()[0];
    }

    private void CheckHostType<T>() where T : unmanaged
    {
        if (DTypeExtensions.Of<T>() != DType)
            throw new InvalidOperationException($"Tensor is {DType}; read it as {DType.HostTypeName()}, not {typeof(T).Name}.");
    }

    // ---- autograd entry points ---------------------------------------------------------------

    /// <summary>
    /// Back-propagates from this scalar, accumulating into <see cref="Grad"/> of leaves that require it. As it goes it
    /// frees the graph: every tensor produced by a recorded op except this one is disposed once nothing in the graph
    /// needs it, so read (or <see cref="Detach"/>) any other result before calling it. With
    /// <paramref name="retainGraph"/> the graph's tensors stay and it can be back-propagated again.
    /// </summary>
    public void Backward(bool retainGraph = false) => Tape.Backward(this, null, retainGraph);

    /// <summary>Back-propagates a given output gradient (same shape as this tensor); frees the graph as <see cref="Backward(bool)"/> does.</summary>
    public void Backward(Tensor gradient, bool retainGraph = false) => Tape.Backward(this, gradient, retainGraph);

    /// <summary>
    /// A tensor sharing this storage, cut from the graph. Its view of the storage survives <see cref="Backward(bool)"/>
    /// freeing the graph: detach a result (a loss term, a score) to read it after back-propagating.
    /// </summary>
    public Tensor Detach() => new(Storage.Retain(), Shape);

    /// <summary>A new tensor with its own copy of the data, cut from the graph.</summary>
    public Tensor Clone()
    {
        var t = Empty(Shape, DType, Device);
        var strides = Shape.ContiguousStrides();
        Backend.StridedCopy(Storage, 0, strides, t.Storage, 0, strides, Shape.AsSpan());
        return t;
    }

    /// <summary>Marks this tensor as a leaf that collects gradients, and returns it.</summary>
    public Tensor RequireGrad()
    {
        RequiresGrad = true;
        return this;
    }
}
