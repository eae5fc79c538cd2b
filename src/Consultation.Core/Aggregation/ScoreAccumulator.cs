using Consultation.Core.Scales;

namespace Consultation.Core.Aggregation;

/// <summary>
/// Collects score values as they are read and turns them into <see cref="Evidence"/> with exactly the figures of
/// DOMAIN.md, "Aggregation rules" (the same as <see cref="Aggregator.Aggregate"/>, which uses it). Built for large
/// rounds: per cell it keeps two parallel arrays (value; origin index and confidence) instead of one record per value,
/// and a value's origin (organisation, category, grading, source) is registered once per response, so the read loop
/// allocates nothing per value. Contributions for drill-down are produced on request from the arrays.
/// Not thread-safe; use one per computation.
/// </summary>
public sealed class ScoreAccumulator
{
    private readonly AggregationSettings _settings;
    private readonly Dictionary<CellKey, int> _cellIndex = [];
    private readonly List<CellKey> _cellKeys = [];
    private readonly List<CellValues> _cells = [];
    private readonly Dictionary<string, int> _organisationsByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _organisationsById = [];
    private readonly Dictionary<long, int> _participantsById = [];
    private readonly List<string> _organisationKeys = [];
    private OriginData[] _origins = new OriginData[1024];
    private int _originCount;
    private bool _built;

    public ScoreAccumulator(AggregationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _settings = settings;
    }

    /// <summary>Number of values added so far.</summary>
    public long Count { get; private set; }

    /// <summary>The index of a cell, to pass to <see cref="Add"/>; the indicator must be one of DOMAIN.md's.</summary>
    public int Cell(string crimeArea, string indicator)
    {
        ArgumentException.ThrowIfNullOrEmpty(crimeArea);
        if (!Indicators.IsKnown(indicator)) throw new ArgumentException($"Unknown indicator '{indicator}'.", nameof(indicator));
        var key = new CellKey(crimeArea, indicator);
        if (_cellIndex.TryGetValue(key, out var index)) return index;
        index = _cells.Count;
        _cellIndex.Add(key, index);
        _cellKeys.Add(key);
        _cells.Add(new CellValues());
        return index;
    }

    /// <summary>The index of the organisation (one voice, rule 2) with this key.</summary>
    public int Organisation(string organisationKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(organisationKey);
        if (_organisationsByKey.TryGetValue(organisationKey, out var index)) return index;
        index = _organisationKeys.Count;
        _organisationKeys.Add(organisationKey);
        _organisationsByKey.Add(organisationKey, index);
        return index;
    }

    /// <summary><see cref="OrganisationKeys.Organisation"/> without building the key for every row.</summary>
    public int Organisation(long organisationId)
    {
        if (_organisationsById.TryGetValue(organisationId, out var index)) return index;
        index = Organisation(OrganisationKeys.Organisation(organisationId));
        _organisationsById.Add(organisationId, index);
        return index;
    }

    /// <summary><see cref="OrganisationKeys.Participant"/>: a workshop participant who speaks for no organisation.</summary>
    public int Participant(long participantId)
    {
        if (_participantsById.TryGetValue(participantId, out var index)) return index;
        index = Organisation(OrganisationKeys.Participant(participantId));
        _participantsById.Add(participantId, index);
        return index;
    }

    /// <summary>Registers where values come from: one response revision (or workshop participant) of one organisation.</summary>
    public int Origin(int organisation, string category, Grading? grading, SourceRef source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return AddOrigin(organisation, category, grading, source, SourceKind.Given, 0, 0);
    }

    /// <summary><see cref="SourceRef.Response"/>, built only when a contribution is shown.</summary>
    public int ResponseOrigin(int organisation, string category, Grading? grading, long responseId, int revision) =>
        AddOrigin(organisation, category, grading, null, SourceKind.Response, responseId, revision);

    /// <summary><see cref="SourceRef.Workshop"/>, built only when a contribution is shown.</summary>
    public int WorkshopOrigin(int organisation, string category, long workshopId, long participantId) =>
        AddOrigin(organisation, category, null, null, SourceKind.Workshop, workshopId, participantId);

    private int AddOrigin(int organisation, string category, Grading? grading, SourceRef? source, SourceKind kind, long first, long second)
    {
        ArgumentNullException.ThrowIfNull(category);
        if ((uint)organisation >= (uint)_organisationKeys.Count) throw new ArgumentOutOfRangeException(nameof(organisation));
        if (grading is { } g && (!Grading.IsValidSource(g.Source) || !Grading.IsValidInformation(g.Information)))
            throw new ArgumentOutOfRangeException(nameof(grading), g.ToString(), "Not a Europol 4x4 grading.");
        if (_originCount == 1 << 29) throw new InvalidOperationException("Too many origins for one aggregation.");
        if (_originCount == _origins.Length) Array.Resize(ref _origins, _origins.Length * 2);
        // Rule 1 per confidence level, with Weights.For's multiplication order so the bits are the same.
        _origins[_originCount] = new OriginData
        {
            Organisation = organisation, Category = category, Grading = grading, Source = source, Kind = kind, First = first, Second = second,
            WeightHigh = Weights.For(category, grading, Confidence.High, _settings),
            WeightMedium = Weights.For(category, grading, Confidence.Medium, _settings),
            WeightLow = Weights.For(category, grading, Confidence.Low, _settings),
        };
        return _originCount++;
    }

    /// <summary>Adds one 1–5 score of <paramref name="cell"/> from <paramref name="origin"/>.</summary>
    public void Add(int cell, int origin, Confidence confidence, double value)
    {
        if (_built) throw new InvalidOperationException("The evidence has been built already.");
        if ((uint)cell >= (uint)_cells.Count) throw new ArgumentOutOfRangeException(nameof(cell));
        if ((uint)origin >= (uint)_originCount) throw new ArgumentOutOfRangeException(nameof(origin));
        if (confidence is not (Confidence.High or Confidence.Medium or Confidence.Low)) throw new ArgumentOutOfRangeException(nameof(confidence));
        if (!double.IsFinite(value) || !Indicators.InScale(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Score of {SourceOf(origin)} must be within {Indicators.Min}–{Indicators.Max}.");
        _cells[cell].Add(value, origin, (int)confidence);
        Count++;
    }

    /// <summary>Rules 1–5 over everything added (see <see cref="Aggregator.Aggregate"/>); the accumulator is frozen afterwards.</summary>
    public Evidence ToEvidence()
    {
        _built = true;
        var frozen = new Frozen(_origins, _organisationKeys.ToArray(), _settings.DefaultGrading);
        var cells = new Dictionary<CellKey, CellStatistics>(_cells.Count);
        var means = new Dictionary<CellKey, double>(_cells.Count);
        var perOrganisation = new int[_organisationKeys.Count];
        var touched = new List<int>();
        var pairs = new Dictionary<(double Value, double Weight), int>();

        for (var c = 0; c < _cells.Count; c++)
        {
            var key = _cellKeys[c];
            var data = _cells[c];
            var n = data.Count;
            if (n == 0) continue;
            var sources = data.Sources.AsSpan(0, n);
            foreach (var o in sources)
            {
                var org = _origins[o >> 2].Organisation;
                if (perOrganisation[org]++ == 0) touched.Add(org);
            }
            var cell = new CellStatistics
            {
                CrimeArea = key.CrimeArea,
                Indicator = key.Indicator,
                N = n,
                Organisations = touched.Count,
                MinOrganisations = _settings.MinOrganisations,
                Contributions = new ContributionList(frozen, data.Values, data.Sources, n),
            };
            if (!cell.Suppressed)
            {
                // Count the distinct (value, weight) pairs, then sort only those (see WeightedSample's run forms).
                pairs.Clear();
                var cellValues = data.Values;
                for (var i = 0; i < n; i++)
                {
                    ref readonly var origin = ref _origins[sources[i] >> 2];
                    var weight = origin.Weight(sources[i] & 3) / perOrganisation[origin.Organisation];
                    System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(pairs, (cellValues[i], weight), out _)++;
                }
                var runs = new WeightedSample.Run[pairs.Count];
                var r = 0;
                foreach (var ((value, weight), count) in pairs)
                {
                    if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Values must be finite.");
                    if (!double.IsFinite(weight) || weight <= 0) throw new ArgumentOutOfRangeException(nameof(weight), weight, "Weights must be positive and finite.");
                    runs[r++] = new WeightedSample.Run(value, weight, count);
                }
                Array.Sort(runs);
                var total = WeightedSample.Total(runs);
                var mean = WeightedSample.WeightedSum(runs) / total;
                var iqr = WeightedSample.Quantile(runs, total, 0.75) - WeightedSample.Quantile(runs, total, 0.25);
                means[key] = mean;
                cell = cell with
                {
                    WeightedMean = Figures.Round(mean),
                    WeightedMedian = Figures.Round(WeightedSample.Quantile(runs, total, 0.5)),
                    Iqr = Figures.Round(iqr),
                    Sd = Figures.Round(WeightedSample.Deviation(runs, total, mean)),
                    Consensus = Figures.Round(WeightedSample.Consensus(runs, total, mean, Aggregator.IndicatorScaleWidth)),
                    Agreement = iqr <= 1,
                    ExactMean = mean,
                };
            }
            foreach (var org in touched) perOrganisation[org] = 0;
            touched.Clear();
            cells[key] = cell;
        }
        return Aggregator.Rank(cells, means, _settings);
    }

    private string SourceOf(int origin) => _origins[origin].SourceRef().Value;

    private enum SourceKind : byte { Given, Response, Workshop }

    private struct OriginData
    {
        public int Organisation;
        public string Category;
        public Grading? Grading;
        public SourceRef? Source;
        public SourceKind Kind;
        public long First;
        public long Second;
        public double WeightHigh;
        public double WeightMedium;
        public double WeightLow;

        public readonly double Weight(int confidence) => confidence switch
        {
            (int)Confidence.High => WeightHigh,
            (int)Confidence.Medium => WeightMedium,
            _ => WeightLow,
        };

        public readonly SourceRef SourceRef() => Kind switch
        {
            SourceKind.Response => Aggregation.SourceRef.Response(First, (int)Second),
            SourceKind.Workshop => Aggregation.SourceRef.Workshop(First, Second),
            _ => Source!,
        };
    }

    /// <summary>
    /// Growable parallel arrays of one cell's values in arrival order: the value, and the origin index with the
    /// confidence in its two low bits (12 bytes a value).
    /// </summary>
    private sealed class CellValues
    {
        public double[] Values = new double[16];
        public int[] Sources = new int[16];
        public int Count;

        public void Add(double value, int origin, int confidence)
        {
            if (Count == Values.Length)
            {
                var size = Values.Length * 2;
                Array.Resize(ref Values, size);
                Array.Resize(ref Sources, size);
            }
            Values[Count] = value;
            Sources[Count] = origin << 2 | confidence;
            Count++;
        }
    }

    /// <summary>What contributions need after the build: the origins and organisation keys, no longer growing.</summary>
    private sealed record Frozen(OriginData[] Origins, string[] OrganisationKeys, Grading DefaultGrading);

    /// <summary>
    /// A cell's contributions in arrival order, built on request: a cached 100,000-response round keeps its values in
    /// arrays (12 bytes each) and makes <see cref="Contribution"/> records only for the cell a coordinator opens.
    /// </summary>
    private sealed class ContributionList(Frozen frozen, double[] values, int[] sources, int count) : IReadOnlyList<Contribution>
    {
        private int[]? _perValueM;

        public int Count => count;

        public Contribution this[int index]
        {
            get
            {
                if ((uint)index >= (uint)count) throw new ArgumentOutOfRangeException(nameof(index));
                var m = Shares();
                ref readonly var origin = ref frozen.Origins[sources[index] >> 2];
                var confidence = (Confidence)(sources[index] & 3);
                var baseWeight = origin.Weight(sources[index] & 3);
                return new Contribution(origin.SourceRef(), frozen.OrganisationKeys[origin.Organisation], origin.Category,
                    origin.Grading ?? frozen.DefaultGrading, origin.Grading is not null, confidence, values[index], baseWeight, m[index], baseWeight / m[index]);
            }
        }

        public IEnumerator<Contribution> GetEnumerator()
        {
            for (var i = 0; i < count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>m per value: its organisation's number of values in this cell (rule 2).</summary>
        private int[] Shares()
        {
            if (Volatile.Read(ref _perValueM) is { } known) return known;
            var perOrganisation = new Dictionary<int, int>();
            for (var i = 0; i < count; i++)
            {
                var org = frozen.Origins[sources[i] >> 2].Organisation;
                perOrganisation[org] = perOrganisation.GetValueOrDefault(org) + 1;
            }
            var m = new int[count];
            for (var i = 0; i < count; i++) m[i] = perOrganisation[frozen.Origins[sources[i] >> 2].Organisation];
            Volatile.Write(ref _perValueM, m);
            return m;
        }
    }
}
