namespace RawGan.Engine.Distributed;

/// <summary>
/// A group of ranks (processes, or threads in tests) that exchange tensors: the few collectives data-parallel
/// training needs. Every call is collective: each rank of the group makes the same calls, with tensors of the same
/// shape and dtype, in the same order. Tensors are contiguous; the operations work in place and, on a device, are
/// ordered with the device's other work (when a call returns, later kernels see the result). A communicator is used
/// by one thread at a time (<see cref="CommunicationQueue"/> serialises a group's calls from several threads).
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This rank, from 0.</summary>
    int Rank { get; }

    /// <summary>Number of ranks in the group.</summary>
    int Size { get; }

    /// <summary>This rank's index among the ranks on its host (the GPU it uses).</summary>
    int LocalRank { get; }

    /// <summary>What carries the data ("mpi", "nccl", "in-process", ...), for messages.</summary>
    string Transport { get; }

    /// <summary>Replaces <paramref name="tensor"/> on every rank by the elementwise sum over the ranks.</summary>
    void AllReduceSum(Tensor tensor);

    /// <summary>Replaces <paramref name="tensor"/> on every rank by its value on <paramref name="root"/>.</summary>
    void Broadcast(Tensor tensor, int root = 0);

    /// <summary>
    /// Writes every rank's <paramref name="send"/> into <paramref name="receive"/> in rank order: receive holds
    /// Size × send.Numel elements, rank r's at offset r · send.Numel.
    /// </summary>
    void AllGather(Tensor send, Tensor receive);

    /// <summary>Returns once every rank has called it (and, on a device, its queued work is done).</summary>
    void Barrier();
}
