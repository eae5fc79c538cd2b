using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Consultation.Core.Aggregation;
using Consultation.Core.Questionnaires;
using Consultation.Core.Scales;
using Consultation.Core.Workshops;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Caching.Memory;

namespace Consultation.Web.Evidence;

public static class EvidenceExtensions
{
    /// <summary>The evidence loader (cached until the data changes) and its pages' services.</summary>
    public static IServiceCollection AddEvidence(this IServiceCollection services)
    {
        services.AddSingleton<EvidenceService>();
        return services;
    }
}

/// <summary>
/// Loads a round's values from the database and aggregates them with Core's <see cref="Aggregator"/>
/// (DOMAIN.md, "Aggregation rules"). Sources:
/// <list type="bullet">
/// <item>questionnaires: every response with status Submitted (withdrawn and drafts never count) to a published
/// version of a questionnaire in the round, at its latest revision in <c>response_revisions</c>, read through the
/// version's bindings; grading = the response's grading or the round's default; category = the organisation's.</item>
/// <item>workshops: scores of the round's SOCIAL_TOLERANCE, INDICATORS and PESTLE exercises. A participant is one
/// organisation of their recorded category unless signed in as a member of an organisation, whose voice (and
/// category) they then share. Workshop scores are not graded, so they take the round's default grading, and carry
/// HIGH confidence (the default when confidence is not asked, DOMAIN.md "Indicators") — the same rule the live
/// workshop results use.</item>
/// </list>
/// The result is cached per round and filter until <c>evidence_data_version</c> (bumped by triggers on every table
/// the evidence reads) changes. Authorization is the caller's: this class returns contributions naming organisations.
/// </summary>
public sealed class EvidenceService(Db db, TimeProvider clock) : IDisposable
{
    /// <summary>
    /// How many values (contributions) the cache may hold across rounds and filters: each cached evidence keeps every
    /// contribution for drill-down, about 100 bytes each, so this bounds the cache near 2 GB (four filtered views of a
    /// 100,000-response round). Least recently used entries go first; old data versions are never asked for again.
    /// </summary>
    public const long CacheSizeLimit = 20_000_000;

    // Its own cache with a size limit, so entries of other features (which carry no size) are not affected.
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = CacheSizeLimit, CompactionPercentage = 0.5 });

    private readonly ConcurrentDictionary<string, Lazy<Task<RoundEvidence?>>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>The round's evidence for <paramref name="filter"/>; null when there is no such round.</summary>
    public async Task<RoundEvidence?> LoadAsync(long roundId, EvidenceFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var conn = await db.OpenAsync(ct);
        var version = await DataVersionAsync(conn, ct);
        var key = CacheKey(roundId, filter, version);
        if (cache.TryGetValue(key, out RoundEvidence? cached)) return cached;

        // One computation per key at a time: concurrent first requests for a large round wait for it instead of
        // each aggregating the same rows.
        var lazy = _inFlight.GetOrAdd(key, _ => new Lazy<Task<RoundEvidence?>>(async () =>
        {
            await using var c = await db.OpenAsync(CancellationToken.None);
            return await ComputeAsync(c, roundId, filter, CancellationToken.None);
        }));
        try
        {
            var evidence = await lazy.Value.WaitAsync(ct);
            // Cached under the version it was computed at (it may be newer than the one read above).
            if (evidence is not null)
                cache.Set(CacheKey(roundId, filter, evidence.DataVersion), evidence, new MemoryCacheEntryOptions
                {
                    SlidingExpiration = TimeSpan.FromMinutes(30),
                    Size = Math.Max(1, evidence.Evidence.Cells.Values.Sum(c => (long)c.N) + evidence.Pestle.Factors.Sum(f => (long)f.N)),
                });
            else
                cache.Set(key, (RoundEvidence?)null, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1), Size = 1 });
            return evidence;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<RoundEvidence?>>>(key, lazy));
        }
    }

    public void Dispose() => cache.Dispose();

    /// <summary>The counter triggers bump whenever anything the evidence reads changes (migration 0006).</summary>
    public static Task<long> DataVersionAsync(DbConnection conn, CancellationToken ct) =>
        conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT version FROM evidence_data_version WHERE id = 1", cancellationToken: ct));

    private static string CacheKey(long roundId, EvidenceFilter filter, long version) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"evidence:{roundId}:{filter.Category ?? "*"}:{filter.Source}:{version}");

    private sealed record RoundRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string Status { get; init; } = "";
        public long MinOrganisations { get; init; }
        public string DefaultGrading { get; init; } = "B2";
        public string CategoryWeightsJson { get; init; } = "{}";
        public string IndicatorWeightsJson { get; init; } = "{}";
    }

    private sealed record AreaRow
    {
        public string Code { get; init; } = "";
        public string NameEn { get; init; } = "";
        public string NameSrLatn { get; init; } = "";
        public string NameMk { get; init; } = "";
        public string NameSq { get; init; } = "";
        public long InScope { get; init; }
    }

    private sealed record VersionRow
    {
        public long Id { get; init; }
        public string BindingsJson { get; init; } = "[]";
    }

    /// <summary>A submitted response at its latest revision (the revision's answers; the response's own when no revision row exists).</summary>
    public sealed record ResponseRow
    {
        public long Id { get; init; }
        public long QuestionnaireVersionId { get; init; }
        public long OrganisationId { get; init; }
        public string Category { get; init; } = "";
        public string? Grading { get; init; }
        public long RevisionNo { get; init; }
        public string DataJson { get; init; } = "{}";
    }

    /// <summary>The rows the questionnaire side of the evidence reads (also used by the benchmark's bare read).</summary>
    public const string ResponsesSql = """
        SELECT r.id, r.questionnaire_version_id, r.organisation_id, o.category, r.grading,
               COALESCE(rr.revision_no, r.revision) AS revision_no, COALESCE(rr.data_json, r.data_json) AS data_json
          FROM responses r
          JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id AND v.status = 'Published'
          JOIN questionnaires q ON q.id = v.questionnaire_id
          JOIN organisations o ON o.id = r.organisation_id
          LEFT JOIN response_revisions rr ON rr.response_id = r.id
               AND rr.revision_no = (SELECT MAX(x.revision_no) FROM response_revisions x WHERE x.response_id = r.id)
         WHERE q.round_id = @roundId AND r.status = 'Submitted'
        """;

    private sealed record ScoreRow
    {
        public long WorkshopId { get; init; }
        public string ExerciseType { get; init; } = "";
        public long ParticipantId { get; init; }
        public long? OrganisationId { get; init; }
        public string Category { get; init; } = "";
        public string ItemKey { get; init; } = "";
        public long Value { get; init; }
        public long? Value2 { get; init; }
    }

    private sealed record FactorRow
    {
        public long Id { get; init; }
        public string Dimension { get; init; } = "";
        public string Text { get; init; } = "";
        public long? MergedInto { get; init; }
        public long Deleted { get; init; }
    }

    /// <summary>Computes the evidence without the cache, inside one read transaction so every row is from one moment.</summary>
    public async Task<RoundEvidence?> ComputeAsync(DbConnection conn, long roundId, EvidenceFilter filter, CancellationToken ct)
    {
        // SQLite: deferred, as a plain BEGIN would take the write lock (IMMEDIATE) and hold off writers meanwhile.
        // PostgreSQL: READ COMMITTED takes a new snapshot per statement; REPEATABLE READ keeps one for the whole read.
        await using var tx = conn switch
        {
            Microsoft.Data.Sqlite.SqliteConnection sqlite => sqlite.BeginTransaction(deferred: true),
            _ => await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct),
        };
        var version = await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT version FROM evidence_data_version WHERE id = 1", transaction: tx, cancellationToken: ct));
        var round = await conn.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition("""
            SELECT id, title, status, min_organisations, default_grading, category_weights_json, indicator_weights_json
              FROM rounds WHERE id = @roundId
            """, new { roundId }, tx, cancellationToken: ct));
        if (round is null) return null;
        var settings = Settings(round);

        var scoreValues = new List<ScoreValue>();
        var pestleValues = new List<PestleValue>();
        var factorTexts = new Dictionary<string, string>(StringComparer.Ordinal);
        var respondents = 0;

        if (filter.Source != EvidenceSource.Workshops)
        {
            var versions = (await conn.QueryAsync<VersionRow>(new CommandDefinition("""
                SELECT v.id, v.bindings_json FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id
                 WHERE q.round_id = @roundId AND v.status = 'Published'
                """, new { roundId }, tx, cancellationToken: ct)))
                .ToDictionary(v => v.Id, v => BoundAnswers.FromJson(v.BindingsJson));
            await foreach (var r in conn.QueryUnbufferedAsync<ResponseRow>(ResponsesSql, new { roundId }, tx).WithCancellation(ct))
            {
                if (!filter.Includes(r.Category) || !versions.TryGetValue(r.QuestionnaireVersionId, out var bound)) continue;
                var (scores, factors) = bound.Read(r.DataJson);
                if (scores.Count == 0 && factors.Count == 0) continue;
                respondents++;
                Grading? grading = Grading.TryParse(r.Grading, out var g) ? g : null;
                var organisation = OrganisationKeys.Organisation(r.OrganisationId);
                var source = SourceRef.Response(r.Id, (int)r.RevisionNo);
                foreach (var s in scores)
                    scoreValues.Add(new ScoreValue(s.CrimeArea, s.Indicator, organisation, r.Category, grading, s.Confidence, s.Value, source));
                foreach (var f in factors)
                {
                    factorTexts.TryAdd(f.FactorKey, f.Text);
                    pestleValues.Add(new PestleValue(f.FactorKey, f.Dimension, organisation, r.Category, grading, Confidence.High, f.Impact, f.Likelihood, source));
                }
            }
        }

        if (filter.Source != EvidenceSource.Questionnaires)
        {
            var factors = (await conn.QueryAsync<FactorRow>(new CommandDefinition("""
                SELECT f.id, f.dimension, f.text, f.merged_into, f.deleted
                  FROM pestle_factors f JOIN exercises e ON e.id = f.exercise_id JOIN workshops w ON w.id = e.workshop_id
                 WHERE w.round_id = @roundId
                """, new { roundId }, tx, cancellationToken: ct))).ToDictionary(f => f.Id);
            var scores = await conn.QueryAsync<ScoreRow>(new CommandDefinition("""
                SELECT w.id AS workshop_id, e.type AS exercise_type, s.participant_id, p.organisation_id,
                       COALESCE(o.category, p.category) AS category, s.item_key, s.value, s.value2
                  FROM scores s
                  JOIN exercises e ON e.id = s.exercise_id
                  JOIN workshops w ON w.id = e.workshop_id
                  JOIN participants p ON p.id = s.participant_id
                  LEFT JOIN organisations o ON o.id = p.organisation_id
                 WHERE w.round_id = @roundId AND e.type IN ('SOCIAL_TOLERANCE', 'INDICATORS', 'PESTLE')
                 ORDER BY s.id
                """, new { roundId }, tx, cancellationToken: ct));
            var speakers = new HashSet<(long, long)>();
            foreach (var s in scores)
            {
                if (!filter.Includes(s.Category)) continue;
                var organisation = s.OrganisationId is { } org ? OrganisationKeys.Organisation(org) : OrganisationKeys.Participant(s.ParticipantId);
                var source = SourceRef.Workshop(s.WorkshopId, s.ParticipantId);
                var added = false;
                switch (s.ExerciseType)
                {
                    case ExerciseTypes.SocialTolerance when Indicators.InScale(s.Value):
                        scoreValues.Add(new ScoreValue(s.ItemKey, Indicators.SocialTolerance, organisation, s.Category, null, Confidence.High, s.Value, source));
                        added = true;
                        break;
                    case ExerciseTypes.Indicators when ItemKeys.TryCell(s.ItemKey, out var area, out var indicator) && Indicators.IsKnown(indicator) && Indicators.InScale(s.Value):
                        scoreValues.Add(new ScoreValue(area, indicator, organisation, s.Category, null, Confidence.High, s.Value, source));
                        added = true;
                        break;
                    case ExerciseTypes.Pestle when s.Value2 is { } likelihood && ItemKeys.TryFactor(s.ItemKey, out var factorId)
                                                   && Resolve(factors, factorId) is { } factor
                                                   && Indicators.InScale(s.Value) && Indicators.InScale(likelihood):
                        var key = ItemKeys.Factor(factor.Id);
                        factorTexts.TryAdd(key, factor.Text);
                        pestleValues.Add(new PestleValue(key, factor.Dimension, organisation, s.Category, null, Confidence.High, s.Value, likelihood, source));
                        added = true;
                        break;
                }
                if (added && speakers.Add((s.WorkshopId, s.ParticipantId))) respondents++;
            }
        }

        var areas = (await conn.QueryAsync<AreaRow>(new CommandDefinition("""
            SELECT ca.code, ca.name_en, ca.name_sr_latn, ca.name_mk, ca.name_sq,
                   EXISTS (SELECT 1 FROM round_crime_areas rca WHERE rca.round_id = @roundId AND rca.crime_area_code = ca.code) AS in_scope
              FROM crime_areas ca ORDER BY ca.sort_order, ca.code
            """, new { roundId }, tx, cancellationToken: ct))).ToList();
        await tx.CommitAsync(ct);

        var evidence = Aggregator.Aggregate(scoreValues, settings);
        var pestle = Aggregator.AggregatePestle(pestleValues, settings);
        var withData = evidence.Cells.Keys.Select(k => k.CrimeArea).ToHashSet(StringComparer.Ordinal);
        var known = areas.Select(a => a.Code).ToHashSet(StringComparer.Ordinal);
        var rows = areas.Where(a => a.InScope != 0 || withData.Contains(a.Code))
            .Select(a => new EvidenceCrimeArea { Code = a.Code, NameEn = a.NameEn, NameSrLatn = a.NameSrLatn, NameMk = a.NameMk, NameSq = a.NameSq, InScope = a.InScope != 0 })
            .Concat(withData.Where(c => !known.Contains(c)).Order(StringComparer.Ordinal).Select(c => new EvidenceCrimeArea { Code = c }))
            .ToList();

        return new RoundEvidence
        {
            Round = new EvidenceRound { Id = round.Id, Title = round.Title, Status = round.Status },
            Settings = settings,
            Filter = filter,
            CrimeAreas = rows,
            Evidence = evidence,
            Pestle = pestle,
            FactorTexts = factorTexts,
            SocialTolerance = SocialToleranceRanking(evidence, rows),
            EqualWeights = EqualWeightsRanking(evidence, rows),
            Responses = respondents,
            DataVersion = version,
            ComputedAt = clock.GetUtcNow(),
        };
    }

    /// <summary>The round's settings as the aggregation needs them; unreadable weight JSON counts as "all 1".</summary>
    private static AggregationSettings Settings(RoundRow round) => new()
    {
        CategoryWeights = Weights(round.CategoryWeightsJson),
        IndicatorWeights = Weights(round.IndicatorWeightsJson),
        DefaultGrading = Grading.TryParse(round.DefaultGrading, out var g) ? g : Grading.Default,
        MinOrganisations = (int)Math.Max(1, round.MinOrganisations),
    };

    private static Dictionary<string, double> Weights(string json)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<Dictionary<string, double>>(string.IsNullOrWhiteSpace(json) ? "{}" : json) ?? [];
            return parsed.Where(p => double.IsFinite(p.Value) && p.Value > 0).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }
        catch (JsonException) { return new Dictionary<string, double>(StringComparer.Ordinal); }
    }

    /// <summary>A factor merged into another counts for the one it was merged into; deleted factors count for none.</summary>
    private static FactorRow? Resolve(Dictionary<long, FactorRow> factors, long id)
    {
        for (var hops = 0; hops < 32 && factors.TryGetValue(id, out var f); hops++)
        {
            if (f.MergedInto is { } target) { id = target; continue; }
            return f.Deleted != 0 ? null : f;
        }
        return null;
    }

    private static List<SocialToleranceRank> SocialToleranceRanking(Core.Aggregation.Evidence evidence, IReadOnlyList<EvidenceCrimeArea> areas)
    {
        var cells = areas.Select(a => (a.Code, Cell: evidence.Cell(a.Code, Indicators.SocialTolerance))).ToList();
        var ranks = Ranking.Competition([.. cells.Select(c => c.Cell?.WeightedMean)]);
        return
        [
            .. cells.Select((c, i) => new SocialToleranceRank(c.Code, c.Cell?.WeightedMean, ranks[i], c.Cell?.Suppressed ?? true, c.Cell?.Organisations ?? 0))
                .OrderBy(r => r.Rank ?? int.MaxValue).ThenBy(r => r.CrimeArea, StringComparer.Ordinal),
        ];
    }

    /// <summary>
    /// Rule 5 with every indicator weight 1, from the unrounded cell means (Σwx/Σw of the same contributions), so the
    /// sensitivity view differs from the configured ranking only by the indicator weights.
    /// </summary>
    private static List<CrimeAreaScore> EqualWeightsRanking(Core.Aggregation.Evidence evidence, IReadOnlyList<EvidenceCrimeArea> areas)
    {
        var composites = areas.Select(a =>
        {
            double sum = 0;
            foreach (var indicator in Indicators.All)
            {
                var cell = evidence.Cell(a.Code, indicator);
                if (cell is null || cell.Suppressed) return (double?)null;
                double wx = 0, w = 0;
                foreach (var c in cell.Contributions) { wx += c.Weight * c.Value; w += c.Weight; }
                sum += wx / w;
            }
            return sum / Indicators.All.Count;
        }).ToList();
        var ranks = Ranking.Competition(composites);
        return
        [
            .. areas.Select((a, i) => new CrimeAreaScore(a.Code, Figures.Round(composites[i]), ranks[i]))
                .OrderBy(s => s.Rank ?? int.MaxValue).ThenBy(s => s.CrimeArea, StringComparer.Ordinal),
        ];
    }
}
