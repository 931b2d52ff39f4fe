using RawGan.Model.Analysis;

namespace RawGan.Tests.Analysis;

public class SvCsvTests
{
    [Test]
    public void AppendReadAndTruncateRoundTrip()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sv-{Guid.NewGuid():N}.csv");
        try
        {
            var rows = new List<WeightSpectrum>();
            for (long step = 10; step <= 40; step += 10)
            {
                rows.Add(new WeightSpectrum(step, "G", "linear.weight", 1.5 + step, 0.25, double.NaN, 1.25, 1e-8));
                rows.Add(new WeightSpectrum(step, "D", "embed.weight", 2.5, 1.0 / 3, 0.125, double.NaN, 0));
            }
            SvCsv.Append(path, rows.Take(4));
            SvCsv.Append(path, rows.Skip(4));
            Assert.That(SvCsv.Read(path), Is.EqualTo(rows));
            Assert.That(File.ReadLines(path).First(), Is.EqualTo(SvCsv.Header));

            SvCsv.TruncateAfter(path, 20);
            Assert.That(SvCsv.Read(path), Is.EqualTo(rows.Where(r => r.Step <= 20)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
