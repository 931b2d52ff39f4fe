using System.Diagnostics;

namespace RawGan.Engine;

/// <summary>
/// A backend that records the device work a piece of host code queues, once, and replays it without running the host
/// code again (CUDA graphs): a replay skips every host-side cost of the recorded work (op dispatch, shape checks,
/// allocation, launches). Backends that cannot record (the CPU) do not implement it.
/// </summary>
public interface IGraphCapture
{
    /// <summary>
    /// Runs <paramref name="body"/> on this thread while recording, not running, the device work it queues, and returns
    /// the recording; launch it to run that work. The body must not wait for the device: a host read, a synchronous
    /// upload or a transfer through host memory throws <see cref="GraphCaptureException"/> naming the call. Memory
    /// it allocates must be freed inside it (graph-owned memory exists only while the graph runs), and memory
    /// allocated before it must not be freed inside it.
    /// </summary>
    IDeviceGraph Capture(Action body);
}

/// <summary>Recorded device work (<see cref="IGraphCapture.Capture"/>).</summary>
public interface IDeviceGraph : IDisposable
{
    /// <summary>Queues the recorded work once more with the same arguments; state it keeps in device memory moves on.</summary>
    void Launch();
}

/// <summary>Host code recorded into a device graph did something a graph cannot hold.</summary>
public sealed class GraphCaptureException(string message) : InvalidOperationException(message)
{
    /// <summary>
    /// The error for a call that waits for the device or moves host memory while a graph is being recorded: it names
    /// the call and the code that made it.
    /// </summary>
    public static GraphCaptureException NotCapturable(string operation) =>
        new($"{operation} waits for the device or moves host memory, which a CUDA graph capture does not allow (called from {Caller()}). " +
            "A captured training step must not read tensors on the host (ToArray, Item) or copy host arrays in (FromArray): " +
            "move the read out of the step, or train with --no-graphs.");

    /// <summary>The error for freeing, inside a capture, memory that was allocated before it.</summary>
    public static GraphCaptureException ForeignFree(long bytes) =>
        new($"A tensor of {bytes} bytes allocated before the CUDA graph capture was freed inside it (from {Caller()}). " +
            "A captured step may free only what it allocated: keep the tensor alive past the step, or free it before the step starts.");

    /// <summary>The error for memory allocated inside a capture and still alive at its end.</summary>
    public static GraphCaptureException Leaked(int count, long bytes) =>
        new($"{count} tensor(s) ({bytes} bytes) allocated inside the CUDA graph capture are still alive at its end. Graph memory exists " +
            "only while the graph runs: free every temporary inside the step (TensorScope), and allocate what must persist before the capture.");

    // The first frames of our own code outside the backend that raised the error, innermost first: "Tensor.Item ← GanTrainer.RunStep".
    private static string Caller()
    {
        var names = new List<string>();
        foreach (var frame in new StackTrace().GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            string ns = type?.Namespace ?? "";
            if (type is null || type == typeof(GraphCaptureException) || !ns.StartsWith("RawGan", StringComparison.Ordinal)) continue;
            var outer = OuterType(type);
            if (ns.StartsWith("RawGan.Kernels", StringComparison.Ordinal) || typeof(IBackend).IsAssignableFrom(outer)) continue;
            names.Add($"{outer.Name}.{frame.GetMethod()!.Name}");
            if (names.Count == 4) break;
        }
        return names.Count == 0 ? "an unknown caller" : string.Join(" ← ", names);
    }

    private static Type OuterType(Type t)
    {
        while (t.DeclaringType is { } outer && t.Name.StartsWith('<')) t = outer; // lambdas and iterators: their method's class
        return t;
    }
}
