using System.Globalization;

namespace RawGan.Model.Analysis;

/// <summary>
/// sv.csv in a run folder: one row per weight and traced step (<see cref="WeightSpectrum"/>), appended and
/// flushed as training goes, so that a killed run keeps its trace. Columns: step, network, layer, sigma0..2 (the
/// raw weight's), sn_estimate (the layer's sv0), normalized_sigma0..2 (σi / sv0: the weight the layer uses),
/// residual (relative, certifying σ0..σ2).
/// </summary>
public static class SvCsv
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "sv.csv";

    /// <summary>The header line.</summary>
    public const string Header = "step,network,layer,sigma0,sigma1,sigma2,sn_estimate,normalized_sigma0,normalized_sigma1,normalized_sigma2,residual";

    /// <summary>Appends rows (writing the header when the file is new or empty).</summary>
    public static void Append(string path, IEnumerable<WeightSpectrum> rows)
    {
        bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        using var w = new StreamWriter(path, append: true);
        if (fresh) w.WriteLine(Header);
        foreach (var r in rows) w.WriteLine(Format(r));
    }

    /// <summary>Writes a whole file (atomically: a temporary file renamed over the old one).</summary>
    public static void Write(string path, IEnumerable<WeightSpectrum> rows)
    {
        string tmp = path + ".tmp";
        using (var w = new StreamWriter(tmp, append: false))
        {
            w.WriteLine(Header);
            foreach (var r in rows) w.WriteLine(Format(r));
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads every row; throws <see cref="InvalidDataException"/> naming the line when one is malformed.</summary>
    public static List<WeightSpectrum> Read(string path)
    {
        var rows = new List<WeightSpectrum>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0) continue;
            var f = line.Split(',');
            if (f.Length != 11) throw new InvalidDataException($"{path}:{lineNumber}: expected 11 fields ({Header}), got {f.Length}.");
            try
            {
                rows.Add(new WeightSpectrum(long.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2], D(f[3]), D(f[4]), D(f[5]), D(f[6]), D(f[10])));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {e.Message}", e);
            }
        }
        return rows;
    }

    /// <summary>
    /// Drops rows of steps after <paramref name="step"/> (a run resumed from an earlier checkpoint retraces them),
    /// so that the file never holds two rows for one step and weight.
    /// </summary>
    public static void TruncateAfter(string path, long step)
    {
        if (!File.Exists(path)) return;
        var rows = Read(path);
        if (rows.All(r => r.Step <= step)) return;
        Write(path, rows.Where(r => r.Step <= step));
    }

    private static string Format(WeightSpectrum r)
    {
        var c = CultureInfo.InvariantCulture;
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        return string.Join(',', r.Step.ToString(c), r.Network, r.Layer, F(r.Sigma0), F(r.Sigma1), F(r.Sigma2), F(r.SnEstimate),
                           F(r.NormalizedSigma0), F(r.NormalizedSigma1), F(r.NormalizedSigma2), F(r.Residual));
    }

    private static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
