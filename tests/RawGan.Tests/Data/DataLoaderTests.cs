using RawGan.Engine;
using RawGan.Model.Data;
using RawGan.Tests.TestSupport;

namespace RawGan.Tests.Data;

/// <summary>The loader: batch contents, drop-last epochs, seeded reshuffles, exact resume, prefetch and dispose.</summary>
public class DataLoaderTests
{
    [Test]
    public void BatchesHoldTheSamplesAndLabelsOfTheDataSet()
    {
        var data = new IndexDataset(20);
        using var loader = new DataLoader(data, batchSize: 4, seed: 1);
        using var batch = loader.Next();

        Assert.That(batch.Images.Shape, Is.EqualTo(new Shape(4, 2, 3, 3)));
        Assert.That(batch.Images.DType, Is.EqualTo(DType.Float32));
        Assert.That(batch.Labels.Shape, Is.EqualTo(new Shape(4)));
        Assert.That(batch.Labels.DType, Is.EqualTo(DType.Int32));
        Assert.That(batch.Images.Device, Is.SameAs(Device.Default));
        var indices = IndexDataset.IndicesOf(batch);
        Assert.That(batch.Labels.ToArray<int>(), Is.EqualTo(indices.Select(i => IndexDataset.LabelOf(i, 3))));
        var expected = new float[4 * 18];
        for (int b = 0; b < 4; b++) data.Read(indices[b], expected.AsSpan(b * 18, 18));
        Assert.That(batch.Images.ToArray<float>(), Is.EqualTo(expected));
    }

    [Test]
    public void EachEpochVisitsDistinctSamplesDropsTheRemainderAndReshuffles()
    {
        var rng = TestRng.Fresh();
        int count = rng.Int(20, 60), batchSize = rng.Int(2, 7);
        using var loader = new DataLoader(new IndexDataset(count), batchSize, seed: (ulong)rng.Int(0, int.MaxValue));
        Assert.That(loader.BatchesPerEpoch, Is.EqualTo(count / batchSize));

        var epochs = new List<int[]>();
        for (int e = 0; e < 3; e++)
        {
            var seen = new List<int>();
            for (int b = 0; b < loader.BatchesPerEpoch; b++)
            {
                using var batch = loader.Next();
                Assert.That(batch.State, Is.EqualTo(new LoaderState(e, b)), rng.ToString());
                seen.AddRange(IndexDataset.IndicesOf(batch));
            }
            Assert.That(seen, Is.Unique, $"epoch {e}; {rng}");
            Assert.That(seen, Has.Count.EqualTo(count / batchSize * batchSize), rng.ToString());
            Assert.That(seen, Has.All.InRange(0, count - 1), rng.ToString());
            epochs.Add([.. seen]);
        }
        Assert.That(epochs[1], Is.Not.EqualTo(epochs[0]), $"a new order each epoch; {rng}");
        Assert.That(epochs[2], Is.Not.EqualTo(epochs[1]), rng.ToString());
        Assert.That(loader.State, Is.EqualTo(new LoaderState(3, 0)));
    }

    [Test]
    public void WithoutShufflingBatchesFollowTheIndexOrder()
    {
        using var loader = new DataLoader(new IndexDataset(7), batchSize: 3, seed: 5, shuffle: false);
        var order = Enumerable.Range(0, 4).SelectMany(_ => Take(loader, 1)[0]).ToArray();
        Assert.That(order, Is.EqualTo(new[] { 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5 }));
    }

    [Test]
    public void TheSameSeedGivesTheSameBatchesAndAnotherSeedOthers()
    {
        var rng = TestRng.Fresh();
        ulong seed = (ulong)rng.Int(0, int.MaxValue);
        var data = new IndexDataset(30);
        using var a = new DataLoader(data, 4, seed);
        using var b = new DataLoader(data, 4, seed);
        using var c = new DataLoader(data, 4, seed + 1);
        var (ba, bb, bc) = (Take(a, 10), Take(b, 10), Take(c, 10));
        Assert.That(bb, Is.EqualTo(ba), rng.ToString());
        Assert.That(bc, Is.Not.EqualTo(ba), rng.ToString());
    }

    [Test]
    public void AResumedLoaderContinuesWithExactlyTheSameBatches()
    {
        var rng = TestRng.Fresh();
        ulong seed = (ulong)rng.Int(0, int.MaxValue);
        int count = rng.Int(10, 40), batchSize = rng.Int(1, 5);
        var data = new IndexDataset(count);
        int before = rng.Int(0, 3 * (count / batchSize)), after = rng.Int(1, 2 * (count / batchSize));

        List<int[]> uninterrupted;
        using (var whole = new DataLoader(data, batchSize, seed)) uninterrupted = Take(whole, before + after);

        LoaderState saved;
        using (var first = new DataLoader(data, batchSize, seed))
        {
            Take(first, before);
            saved = first.State;
        }
        using var resumed = new DataLoader(data, batchSize, seed, start: saved);
        var continued = Take(resumed, after);

        Assert.That(continued, Is.EqualTo(uninterrupted.Skip(before).ToList()), $"resumed at {saved} after {before} batches; {rng}");
    }

    [Test]
    public void PrefetchingChangesNothingButTheTiming()
    {
        var rng = TestRng.Fresh();
        ulong seed = (ulong)rng.Int(0, int.MaxValue);
        var data = new IndexDataset(25);
        using var eager = new DataLoader(data, 4, seed, prefetch: true);
        using var plain = new DataLoader(data, 4, seed, prefetch: false);

        // Keep every batch alive: a prefetch into a reused host buffer must not reach tensors already handed out.
        var kept = Enumerable.Range(0, 15).Select(_ => eager.Next()).ToList();
        var expected = Enumerable.Range(0, 15).Select(_ => plain.Next()).ToList();
        for (int i = 0; i < kept.Count; i++)
        {
            Assert.That(kept[i].Images.ToArray<float>(), Is.EqualTo(expected[i].Images.ToArray<float>()), $"batch {i}; {rng}");
            Assert.That(kept[i].Labels.ToArray<int>(), Is.EqualTo(expected[i].Labels.ToArray<int>()), $"batch {i}; {rng}");
            Assert.That(kept[i].State, Is.EqualTo(expected[i].State));
        }
        foreach (var batch in kept.Concat(expected)) batch.Dispose();
    }

    [Test]
    public void PrefetchPreparesTheNextBatchInTheBackground()
    {
        var data = new IndexDataset(40) { Delay = TimeSpan.FromMilliseconds(5) };
        using var loader = new DataLoader(data, batchSize: 4, seed: 3);
        loader.Next().Dispose();
        // While the caller does other work (here: waits), the next batch's four samples are read.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (data.Reads < 8 && DateTime.UtcNow < deadline) Thread.Sleep(5);
        Assert.That(data.Reads, Is.EqualTo(8));
    }

    [Test]
    public void DisposeStopsThePrefetchAndLaterCallsFail()
    {
        var data = new IndexDataset(200) { Delay = TimeSpan.FromMilliseconds(10) };
        var loader = new DataLoader(data, batchSize: 50, seed: 3);
        loader.Next().Dispose(); // 0.5 s of reads; the next 0.5 s batch starts in the background
        Thread.Sleep(50);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        loader.Dispose();
        watch.Stop();
        int readsAtDispose = data.Reads;
        Thread.Sleep(100);

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(400)), "the background fill stops at the next sample; finishing the batch would take over 400 ms");
        Assert.That(readsAtDispose, Is.LessThan(100), "the prefetched batch was abandoned");
        Assert.That(data.Reads, Is.EqualTo(readsAtDispose), "nothing runs after Dispose returns");
        Assert.Throws<ObjectDisposedException>(() => loader.Next());
        Assert.DoesNotThrow(loader.Dispose, "disposing twice is harmless");
    }

    [Test]
    public void AReadErrorSurfacesFromNextAndDisposeStaysQuiet()
    {
        var data = new IndexDataset(12) { FailAt = 5 };
        using var loader = new DataLoader(data, batchSize: 4, seed: 0, shuffle: false);
        loader.Next().Dispose();
        var e = Assert.Throws<DataFormatException>(() => loader.Next());
        Assert.That(e!.SourcePath, Is.EqualTo("sample-5"));
        Assert.That(loader.State, Is.EqualTo(new LoaderState(0, 1)), "the failed batch is still the next one");
    }

    [Test]
    public void RejectsImpossibleSettings()
    {
        var data = new IndexDataset(10);
        Assert.Throws<ArgumentException>(() => _ = new DataLoader(data, batchSize: 11, seed: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DataLoader(data, batchSize: 0, seed: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DataLoader(data, 5, 0, start: new LoaderState(0, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DataLoader(data, 5, 0, start: new LoaderState(-1, 0)));
    }

    [Test]
    public void NextIntoUploadsTheBatchesNextHandsOut()
    {
        var rng = TestRng.Fresh();
        ulong seed = (ulong)rng.Int(0, int.MaxValue);
        var data = new SyntheticShapes(40, seed: 3);
        using var into = new DataLoader(data, 8, seed);
        using var plain = new DataLoader(data, 8, seed);
        using var images = Tensor.Zeros([8, 1, 32, 32]);
        using var labels = Tensor.Zeros([8], DType.Int32);
        // Seven batches: the buffers are reused and the epoch (five batches) rolls over.
        for (int i = 0; i < 7; i++)
        {
            var position = into.NextInto(images, labels);
            using var expected = plain.Next();
            Assert.That(position, Is.EqualTo(expected.State), $"batch {i}; {rng}");
            Assert.That(images.ToArray<float>(), Is.EqualTo(expected.Images.ToArray<float>()), $"batch {i}; {rng}");
            Assert.That(labels.ToArray<int>(), Is.EqualTo(expected.Labels.ToArray<int>()), $"batch {i}; {rng}");
        }
        Assert.That(into.State, Is.EqualTo(plain.State));
        using var wrong = Tensor.Zeros([4, 1, 32, 32]);
        Assert.That(() => into.NextInto(wrong, labels), Throws.ArgumentException.With.Message.Contains("(8, 1, 32, 32)"));
    }

    [Test]
    public void WorksWithTheSyntheticShapes()
    {
        using var loader = new DataLoader(new SyntheticShapes(64, seed: 9), batchSize: 16, seed: 2);
        using var batch = loader.Next();
        Assert.That(batch.Images.Shape, Is.EqualTo(new Shape(16, 1, 32, 32)));
        Assert.That(batch.Images.ToArray<float>(), Has.All.InRange(-1f, 1f));
        Assert.That(batch.Labels.ToArray<int>(), Has.All.InRange(0, 9));
    }

    private static List<int[]> Take(DataLoader loader, int batches)
    {
        var taken = new List<int[]>();
        for (int i = 0; i < batches; i++)
        {
            using var batch = loader.Next();
            taken.Add(IndexDataset.IndicesOf(batch));
        }
        return taken;
    }
}
