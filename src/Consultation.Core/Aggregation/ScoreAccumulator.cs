using Consultation.Core.Scales;

namespace Consultation.Core.Aggregation;

/// <summary>
/// Collects score values as they are read and turns them into <see cref="Evidence"/> with exactly the figures of
/// DOMAIN.md, "Aggregation rules" (the same as <see cref="Aggregator.Aggregate"/>, which uses it). Built for large
/// rounds (100,000 responses × 55 cells): the read loop allocates nothing per value and only appends 8 bytes per value.
/// <para>
/// Representation. A value's weight before rule 2 depends only on its origin's category and grading and on its
/// confidence, so origins are grouped into <em>weight classes</em> (distinct category × grading pairs; a class has
/// three weights, one per confidence, computed once with <see cref="Weights.For(string, Grading?, Confidence, AggregationSettings)"/>).
/// Values are few and mostly the whole scores 1–5, so each distinct value gets a small id (1–5 are ids 0–4).
/// Each cell keeps, in arrival order, one <c>long</c> per value: the origin index and confidence (high 32 bits,
/// origin &lt;&lt; 2 | confidence) and the value id (low 32 bits), in chunks that are never copied as the cell grows.
/// The origin gives the organisation (rule 2) and the contribution shown on drill-down.
/// </para>
/// <para>
/// Building a cell then takes two passes over its entries and no sort of values: the first counts each
/// organisation's values m (rule 2), the second counts the entries per (m, weight class × confidence, value id);
/// each such group is one run of equal (value, weight = class weight / m) pairs, and only the runs are sorted (see
/// <see cref="WeightedSample.Run"/>: the sums still add one weight per value in sorted order, so the bits are those
/// of the straightforward implementation).
/// </para>
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
    private readonly Dictionary<(string Category, Grading? Grading), int> _weightClasses = [];
    private readonly List<double> _classWeights = [];                // 3 per weight class, indexed class * 3 + confidence
    private readonly List<double> _valueTable = [1, 2, 3, 4, 5];     // value id → value
    private readonly Dictionary<double, int> _otherValueIds = [];    // values other than the whole scores 1–5
    private OriginData[] _origins = new OriginData[1024];
    private int[] _originOrganisation = new int[1024];                // compact copies of the two fields the build reads per value
    private int[] _originWeightClass = new int[1024];
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
        if (_originCount == _origins.Length)
        {
            Array.Resize(ref _origins, _origins.Length * 2);
            Array.Resize(ref _originOrganisation, _origins.Length);
            Array.Resize(ref _originWeightClass, _origins.Length);
        }
        var weightClass = WeightClass(category, grading);
        _origins[_originCount] = new OriginData
        {
            Organisation = organisation, Category = category, Grading = grading, Source = source, Kind = kind, First = first, Second = second,
            WeightClass = weightClass,
        };
        _originOrganisation[_originCount] = organisation;
        _originWeightClass[_originCount] = weightClass;
        return _originCount++;
    }

    /// <summary>The weight class of a category and grading: rule 1 per confidence level, with Weights.For's multiplication order.</summary>
    private int WeightClass(string category, Grading? grading)
    {
        ref var index = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_weightClasses, (category, grading), out var exists);
        if (!exists)
        {
            index = _classWeights.Count / 3;
            _classWeights.Add(Weights.For(category, grading, Confidence.High, _settings));
            _classWeights.Add(Weights.For(category, grading, Confidence.Medium, _settings));
            _classWeights.Add(Weights.For(category, grading, Confidence.Low, _settings));
        }
        return index;
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
        _cells[cell].Add((long)(origin << 2 | (int)confidence) << 32 | (uint)ValueId(value));
        Count++;
    }

    /// <summary>The id of a value in <see cref="_valueTable"/>: the whole scores 1–5 without a look-up.</summary>
    private int ValueId(double value)
    {
        var whole = (int)value;
        if (whole == value && (uint)(whole - 1) < 5) return whole - 1;
        ref var id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_otherValueIds, value, out var exists);
        if (!exists)
        {
            id = _valueTable.Count;
            _valueTable.Add(value);
        }
        return id;
    }

    /// <summary>Rules 1–5 over everything added (see <see cref="Aggregator.Aggregate"/>); the accumulator is frozen afterwards.</summary>
    public Evidence ToEvidence()
    {
        _built = true;
        var classWeights = _classWeights.ToArray();
        var valueTable = _valueTable.ToArray();
        var frozen = new Frozen(_origins, _organisationKeys.ToArray(), _settings.DefaultGrading, classWeights, valueTable);
        var cells = new Dictionary<CellKey, CellStatistics>(_cells.Count);
        var means = new Dictionary<CellKey, double>(_cells.Count);
        var perOrganisation = new int[_organisationKeys.Count];
        var touched = new List<int>();
        var groups = new Dictionary<long, int>();
        var originOrganisation = _originOrganisation;
        var originWeightClass = _originWeightClass;
        var values = valueTable.Length;
        if ((long)classWeights.Length * values > uint.MaxValue) throw new InvalidOperationException("Too many weight classes and distinct values for one aggregation.");

        for (var c = 0; c < _cells.Count; c++)
        {
            var key = _cellKeys[c];
            var data = _cells[c];
            var n = data.Count;
            if (n == 0) continue;
            // Pass 1: m per organisation (rule 2) and the distinct organisations (rule 4).
            foreach (var chunk in data.Chunks())
                foreach (var entry in chunk.Span)
                {
                    var org = originOrganisation[(int)(entry >>> 34)];
                    if (perOrganisation[org]++ == 0) touched.Add(org);
                }
            var cell = new CellStatistics
            {
                CrimeArea = key.CrimeArea,
                Indicator = key.Indicator,
                N = n,
                Organisations = touched.Count,
                MinOrganisations = _settings.MinOrganisations,
                Contributions = new ContributionList(frozen, data),
            };
            if (!cell.Suppressed)
            {
                // Pass 2: count the entries per (m, class × confidence, value id); the key packs m in the high 32 bits.
                groups.Clear();
                foreach (var chunk in data.Chunks())
                    foreach (var entry in chunk.Span)
                    {
                        var source = (int)(entry >>> 32);
                        var origin = source >> 2;
                        var slot = originWeightClass[origin] * 3 + (source & 3);
                        var group = (long)perOrganisation[originOrganisation[origin]] << 32 | ((long)slot * values + (int)entry);
                        System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(groups, group, out _)++;
                    }
                var runs = new WeightedSample.Run[groups.Count];
                var r = 0;
                foreach (var (group, count) in groups)
                {
                    var slotValue = group & uint.MaxValue;
                    var value = valueTable[slotValue % values];
                    var weight = classWeights[slotValue / values] / (int)(group >>> 32);
                    if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Values must be finite.");
                    if (!double.IsFinite(weight) || weight <= 0) throw new ArgumentOutOfRangeException(nameof(weight), weight, "Weights must be positive and finite.");
                    runs[r++] = new WeightedSample.Run(value, weight, count);
                }
                // Runs equal in value and weight (from different m and classes) may follow each other in any order:
                // they add the same weight, so the sums are the same.
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
        public int WeightClass;

        public readonly SourceRef SourceRef() => Kind switch
        {
            SourceKind.Response => Aggregation.SourceRef.Response(First, (int)Second),
            SourceKind.Workshop => Aggregation.SourceRef.Workshop(First, Second),
            _ => Source!,
        };
    }

    /// <summary>
    /// One cell's entries in arrival order (see the class remarks for an entry's bits), in chunks: the first grows
    /// by doubling up to <see cref="ChunkSize"/> entries, then full chunks are added, so nothing large is ever copied.
    /// A full chunk (512 KiB) lives on the large object heap, where the collector never copies it; with 64 KiB chunks
    /// (small object heap) every young collection during the read copied the chunks filled so far (measured in
    /// bench/Evidence: about the same CPU time at best, more at worst; see bench/RESULTS.md, 2026-11-23 18:00).
    /// </summary>
    private sealed class CellValues
    {
        private const int ChunkShift = 16;
        private const int ChunkSize = 1 << ChunkShift;
        private readonly List<long[]> _chunks = [new long[16]];
        private long[] _tail;

        public CellValues() => _tail = _chunks[0];

        public int Count { get; private set; }

        public void Add(long entry)
        {
            var offset = Count & (ChunkSize - 1);
            if (offset == _tail.Length)
            {
                // Only the first chunk can be short; a full chunk wraps the offset to 0 below.
                Array.Resize(ref _tail, _tail.Length * 2);
                _chunks[0] = _tail;
            }
            else if (offset == 0 && Count > 0)
            {
                _tail = new long[ChunkSize];
                _chunks.Add(_tail);
            }
            _tail[offset] = entry;
            Count++;
        }

        public long this[int index] => _chunks[index >> ChunkShift][index & (ChunkSize - 1)];

        /// <summary>The filled part of each chunk, in order.</summary>
        public IEnumerable<ReadOnlyMemory<long>> Chunks()
        {
            for (var k = 0; k < _chunks.Count; k++)
                yield return _chunks[k].AsMemory(0, Math.Min(ChunkSize, Count - (k << ChunkShift)));
        }
    }

    /// <summary>What contributions need after the build: the origins, organisation keys, class weights and values, no longer growing.</summary>
    private sealed record Frozen(OriginData[] Origins, string[] OrganisationKeys, Grading DefaultGrading, double[] ClassWeights, double[] Values);

    /// <summary>
    /// A cell's contributions in arrival order, built on request: a cached 100,000-response round keeps its values as
    /// entries (8 bytes each) and makes <see cref="Contribution"/> records only for the cell a coordinator opens.
    /// </summary>
    private sealed class ContributionList(Frozen frozen, CellValues entries) : IReadOnlyList<Contribution>
    {
        private readonly int _count = entries.Count;
        private int[]? _perValueM;

        public int Count => _count;

        public Contribution this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
                var m = Shares();
                var entry = entries[index];
                var source = (int)(entry >>> 32);
                ref readonly var origin = ref frozen.Origins[source >> 2];
                var confidence = (Confidence)(source & 3);
                var baseWeight = frozen.ClassWeights[origin.WeightClass * 3 + (source & 3)];
                return new Contribution(origin.SourceRef(), frozen.OrganisationKeys[origin.Organisation], origin.Category,
                    origin.Grading ?? frozen.DefaultGrading, origin.Grading is not null, confidence, frozen.Values[(int)entry], baseWeight, m[index], baseWeight / m[index]);
            }
        }

        public IEnumerator<Contribution> GetEnumerator()
        {
            for (var i = 0; i < _count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>m per value: its organisation's number of values in this cell (rule 2).</summary>
        private int[] Shares()
        {
            if (Volatile.Read(ref _perValueM) is { } known) return known;
            var perOrganisation = new Dictionary<int, int>();
            for (var i = 0; i < _count; i++)
            {
                var org = frozen.Origins[(int)(entries[i] >>> 34)].Organisation;
                perOrganisation[org] = perOrganisation.GetValueOrDefault(org) + 1;
            }
            var m = new int[_count];
            for (var i = 0; i < _count; i++) m[i] = perOrganisation[frozen.Origins[(int)(entries[i] >>> 34)].Organisation];
            Volatile.Write(ref _perValueM, m);
            return m;
        }
    }
}
