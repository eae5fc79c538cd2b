using System.Buffers;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Consultation.Core.Aggregation;
using Consultation.Core.Questionnaires;
using Consultation.Core.Scales;
using Consultation.Core.Workshops;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace Consultation.Web.Evidence;

public sealed class EvidenceOptions
{
    public const string Section = "Evidence";

    /// <summary>
    /// How often the background pass checks <c>evidence_data_version</c> and recomputes the evidence views coordinators
    /// opened in the last 30 minutes; 0 turns the background pass off (evidence is then computed on request only).
    /// </summary>
    [Range(0, 3600)]
    public int RefreshIntervalSeconds { get; set; } = 2;

    /// <summary>
    /// How long the evidence page waits for figures of the current data before it shows the last computed ones,
    /// marked with the data version and time they were computed at. Exports, snapshots and the API always wait.
    /// </summary>
    [Range(0, 600)]
    public int PageWaitSeconds { get; set; } = 5;
}

public static class EvidenceExtensions
{
    /// <summary>The evidence loader (cached until the data changes, recomputed in the background) and its options.</summary>
    public static IServiceCollection AddEvidence(this IServiceCollection services)
    {
        services.AddOptions<EvidenceOptions>().BindConfiguration(EvidenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EvidenceService>();
        services.AddHostedService<EvidenceRefresher>();
        return services;
    }
}

/// <summary>Evidence of the data as it was at <see cref="RoundEvidence.DataVersion"/>, and whether that is still the current data.</summary>
public sealed record EvidenceResult(RoundEvidence Evidence, bool IsCurrent);

/// <summary>
/// Loads a round's values from the database and aggregates them with Core's <see cref="ScoreAccumulator"/>
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
/// The result is cached per round and filter with the <c>evidence_data_version</c> (bumped by triggers on every table
/// the evidence reads) it was computed at. Figures of older data are never passed off as current: <see cref="LoadAsync"/>
/// waits for the current figures, and <see cref="LoadForPageAsync"/> says when it returns older ones. A background pass
/// (<see cref="EvidenceRefresher"/>) recomputes recently opened views when the version moves, so a coordinator rarely
/// waits. Authorization is the caller's: this class returns contributions naming organisations.
/// </summary>
public sealed class EvidenceService(Db db, TimeProvider clock, IOptions<EvidenceOptions> options, ILogger<EvidenceService> logger) : IDisposable
{
    /// <summary>
    /// How many values the cache may hold across rounds and filters (a value costs about 13 bytes in Core's arrays,
    /// plus about 80 bytes per response for its origin): four filtered views of a 100,000-response round fit.
    /// Least recently used entries go first.
    /// </summary>
    public const long CacheSizeLimit = 30_000_000;

    /// <summary>Views opened within this time are kept fresh by the background pass.</summary>
    public static readonly TimeSpan RecentlyOpened = TimeSpan.FromMinutes(30);

    // Its own cache with a size limit, so entries of other features (which carry no size) are not affected.
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = CacheSizeLimit, CompactionPercentage = 0.5 });

    private readonly ConcurrentDictionary<string, ViewState> _views = new(StringComparer.Ordinal);

    /// <summary>The last computation of one view (round × filter); null evidence = no such round.</summary>
    private sealed record Computed(long DataVersion, RoundEvidence? Evidence, TimeSpan Duration);

    private sealed class ViewState(long roundId, EvidenceFilter filter)
    {
        public long RoundId { get; } = roundId;
        public EvidenceFilter Filter { get; } = filter;
        public Lock Gate { get; } = new();
        public Task<Computed>? Running { get; set; }
        public long LastOpened; // Stopwatch timestamp
    }

    /// <summary>The round's evidence for <paramref name="filter"/> at the current data; null when there is no such round.</summary>
    public async Task<RoundEvidence?> LoadAsync(long roundId, EvidenceFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var version = await CurrentVersionAsync(ct);
        return (await FreshAsync(View(roundId, filter), version, ct)).Evidence;
    }

    /// <summary>
    /// For the evidence page: the current figures if they are ready within <see cref="EvidenceOptions.PageWaitSeconds"/>,
    /// else the last computed ones with <see cref="EvidenceResult.IsCurrent"/> false (the page says which data they show).
    /// </summary>
    public async Task<EvidenceResult?> LoadForPageAsync(long roundId, EvidenceFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var version = await CurrentVersionAsync(ct);
        var view = View(roundId, filter);
        if (Cached(view) is { } last && last.DataVersion < version && last.Evidence is not null)
        {
            var running = Start(view);
            var wait = TimeSpan.FromSeconds(options.Value.PageWaitSeconds);
            if (running != await Task.WhenAny(running, Task.Delay(wait, clock, ct)))
                return new EvidenceResult(last.Evidence, IsCurrent: false);
        }
        var fresh = await FreshAsync(view, version, ct);
        return fresh.Evidence is null ? null : new EvidenceResult(fresh.Evidence, IsCurrent: true);
    }

    /// <summary>
    /// One background pass: recomputes, one after the other, the views opened recently whose figures are older than
    /// the current data. A view is not recomputed sooner than its last computation took, so a round that receives
    /// data all the time costs at most half of one core. Returns how many views it recomputed.
    /// </summary>
    public async Task<int> RefreshAsync(CancellationToken ct)
    {
        var version = await CurrentVersionAsync(ct);
        var recomputed = 0;
        foreach (var view in _views.Values.ToList())
        {
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref view.LastOpened)) > RecentlyOpened)
            {
                _views.TryRemove(new KeyValuePair<string, ViewState>(Key(view.RoundId, view.Filter), view));
                continue;
            }
            var last = Cached(view);
            if (last is not null && (last.DataVersion >= version || last.Evidence is null)) continue;
            if (last is not null && _finished.TryGetValue(view, out var at) && Stopwatch.GetElapsedTime(at) < last.Duration) continue;
            await Start(view).WaitAsync(ct);
            recomputed++;
        }
        return recomputed;
    }

    private readonly ConcurrentDictionary<ViewState, long> _finished = new();

    /// <summary>The figures last computed for the view, whatever data version they are of; null when none are cached.</summary>
    public RoundEvidence? Peek(long roundId, EvidenceFilter filter) =>
        _views.TryGetValue(Key(roundId, filter), out var view) ? Cached(view)?.Evidence : null;

    public void Dispose() => cache.Dispose();

    /// <summary>
    /// The counter triggers bump whenever anything the evidence reads changes (migration 0006): the sum of its rows,
    /// spread over sixteen on PostgreSQL (migration 0011).
    /// </summary>
    public static Task<long> DataVersionAsync(DbConnection conn, CancellationToken ct, DbTransaction? tx = null) =>
        conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT CAST(SUM(version) AS BIGINT) FROM evidence_data_version", transaction: tx, cancellationToken: ct));

    private async Task<long> CurrentVersionAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await DataVersionAsync(conn, ct);
    }

    private static string Key(long roundId, EvidenceFilter filter) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"evidence:{roundId}:{filter.Category ?? "*"}:{filter.Source}");

    private ViewState View(long roundId, EvidenceFilter filter)
    {
        var view = _views.GetOrAdd(Key(roundId, filter), _ => new ViewState(roundId, filter));
        Volatile.Write(ref view.LastOpened, Stopwatch.GetTimestamp());
        return view;
    }

    private Computed? Cached(ViewState view) => cache.TryGetValue(Key(view.RoundId, view.Filter), out Computed? c) ? c : null;

    /// <summary>Figures of data at least as new as <paramref name="version"/>: cached, being computed, or computed now.</summary>
    private async Task<Computed> FreshAsync(ViewState view, long version, CancellationToken ct)
    {
        while (true)
        {
            if (Cached(view) is { } c && c.DataVersion >= version) return c;
            // A computation that started before the data changed gives older figures: then start another.
            var computed = await Start(view).WaitAsync(ct);
            if (computed.DataVersion >= version) return computed;
        }
    }

    /// <summary>The running computation of the view, or a new one: concurrent requests share one computation.</summary>
    private Task<Computed> Start(ViewState view)
    {
        lock (view.Gate)
        {
            if (view.Running is { IsCompleted: false } running) return running;
            var task = Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await using var conn = await db.OpenAsync(CancellationToken.None);
                    var e = await ComputeAsync(conn, view.RoundId, view.Filter, CancellationToken.None);
                    var version = e?.DataVersion ?? await DataVersionAsync(conn, CancellationToken.None);
                    var computed = new Computed(version, e, Stopwatch.GetElapsedTime(started));
                    Store(view, computed);
                    return computed;
                }
                finally
                {
                    _finished[view] = Stopwatch.GetTimestamp();
                }
            });
            view.Running = task;
            return task;
        }
    }

    private void Store(ViewState view, Computed computed)
    {
        var key = Key(view.RoundId, view.Filter);
        lock (view.Gate)
        {
            // Never replace newer figures with older ones (two computations may overlap after a change).
            if (Cached(view) is { } existing && existing.DataVersion > computed.DataVersion) return;
            var size = computed.Evidence is { } e
                ? Math.Max(1, e.Evidence.Cells.Values.Sum(c => (long)c.N) + e.Pestle.Factors.Sum(f => (long)f.N))
                : 1;
            cache.Set(key, computed, new MemoryCacheEntryOptions { SlidingExpiration = computed.Evidence is null ? TimeSpan.FromMinutes(1) : RecentlyOpened, Size = size });
        }
        logger.LogDebug("Evidence {Key} computed at data version {Version} in {Ms} ms", key, computed.DataVersion, computed.Duration.TotalMilliseconds);
    }

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
        /// <summary>Where questions store their answers under a <c>valueName</c>.</summary>
        public string SchemaJson { get; init; } = "";
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
        ArgumentNullException.ThrowIfNull(conn);
        ArgumentNullException.ThrowIfNull(filter);
        // SQLite: deferred, as a plain BEGIN would take the write lock (IMMEDIATE) and hold off writers meanwhile.
        // PostgreSQL: READ COMMITTED takes a new snapshot per statement; REPEATABLE READ keeps one for the whole read.
        await using var tx = conn is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var version = await DataVersionAsync(conn, ct, tx);
        var round = await conn.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition("""
            SELECT id, title, status, min_organisations, default_grading, category_weights_json, indicator_weights_json
              FROM rounds WHERE id = @roundId
            """, new { roundId }, tx, cancellationToken: ct));
        if (round is null) return null;
        var settings = Settings(round);

        var values = new ScoreAccumulator(settings);
        var pestleValues = new List<PestleValue>();
        var factorTexts = new Dictionary<string, string>(StringComparer.Ordinal);
        var respondents = 0;

        if (filter.Source != EvidenceSource.Workshops)
        {
            var versions = (await conn.QueryAsync<VersionRow>(new CommandDefinition("""
                SELECT v.id, v.bindings_json, v.schema_json FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id
                 WHERE q.round_id = @roundId AND v.status = 'Published'
                """, new { roundId }, tx, cancellationToken: ct)))
                .ToDictionary(v => v.Id, v => new VersionReader(BoundAnswers.FromJson(v.BindingsJson, v.SchemaJson)));
            var sink = new ResponseSink(values, versions, filter, pestleValues, factorTexts);
            if (conn is SqliteConnection lite) ReadResponses(lite, roundId, sink, ct);
            else await ReadResponsesAsync(conn, tx, roundId, sink, ct);
            respondents += sink.Respondents;
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
                var who = s.OrganisationId is { } org ? values.Organisation(org) : values.Participant(s.ParticipantId);
                var added = false;
                switch (s.ExerciseType)
                {
                    case ExerciseTypes.SocialTolerance when Indicators.InScale(s.Value):
                        values.Add(values.Cell(s.ItemKey, Indicators.SocialTolerance), values.WorkshopOrigin(who, s.Category, s.WorkshopId, s.ParticipantId), Confidence.High, s.Value);
                        added = true;
                        break;
                    case ExerciseTypes.Indicators when ItemKeys.TryCell(s.ItemKey, out var area, out var indicator) && Indicators.IsKnown(indicator) && Indicators.InScale(s.Value):
                        values.Add(values.Cell(area, indicator), values.WorkshopOrigin(who, s.Category, s.WorkshopId, s.ParticipantId), Confidence.High, s.Value);
                        added = true;
                        break;
                    case ExerciseTypes.Pestle when s.Value2 is { } likelihood && ItemKeys.TryFactor(s.ItemKey, out var factorId)
                                                   && Resolve(factors, factorId) is { } factor
                                                   && Indicators.InScale(s.Value) && Indicators.InScale(likelihood):
                        var key = ItemKeys.Factor(factor.Id);
                        factorTexts.TryAdd(key, factor.Text);
                        var organisation = s.OrganisationId is { } o ? OrganisationKeys.Organisation(o) : OrganisationKeys.Participant(s.ParticipantId);
                        pestleValues.Add(new PestleValue(key, factor.Dimension, organisation, s.Category, null, Confidence.High, s.Value, likelihood,
                            SourceRef.Workshop(s.WorkshopId, s.ParticipantId)));
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

        var evidence = values.ToEvidence();
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

    /// <summary>A published version's bindings with a reader over UTF-8 answers and its indicator bindings' cells.</summary>
    private sealed class VersionReader(BoundAnswers bound)
    {
        public BoundAnswerReader Reader { get; } = bound.CreateReader();
        public IReadOnlyList<Binding> Indicators { get; } = bound.IndicatorBindings;
        // Cell index per indicator binding, resolved at the first value so cells keep the order values arrive in.
        public int[] Cells { get; } = Enumerable.Repeat(-1, bound.IndicatorBindings.Count).ToArray();
    }

    /// <summary>
    /// Turns response rows into values as they are read (nothing per row is kept but the values themselves): the
    /// organisation's category is decoded once per organisation, the answers are parsed from their UTF-8 bytes.
    /// </summary>
    private sealed class ResponseSink(
        ScoreAccumulator values, Dictionary<long, VersionReader> versions, EvidenceFilter filter,
        List<PestleValue> pestleValues, Dictionary<string, string> factorTexts)
    {
        private readonly Dictionary<long, (int Index, string Category, bool Included)> _organisations = [];

        public int Respondents { get; private set; }

        public bool Knows(long organisationId) => _organisations.ContainsKey(organisationId);

        public void Organisation(long organisationId, string category) =>
            _organisations[organisationId] = (values.Organisation(organisationId), category, filter.Includes(category));

        /// <summary>One response row; <paramref name="grading"/> is the UTF-8 grading code, empty when ungraded.</summary>
        public void Add(long responseId, long versionId, long organisationId, ReadOnlySpan<byte> grading, long revision, ReadOnlySpan<byte> answers)
        {
            var (organisation, category, included) = _organisations[organisationId];
            if (!included || !versions.TryGetValue(versionId, out var version)) return;
            var reader = version.Reader;
            if (!reader.Read(answers)) return;
            var scores = reader.Scores;
            if (scores.Length == 0 && reader.Factors.Count == 0) return;
            Respondents++;
            Grading? g = ParseGrading(grading);
            var origin = values.ResponseOrigin(organisation, category, g, responseId, (int)revision);
            foreach (var s in scores)
            {
                var cell = version.Cells[s.Binding];
                if (cell < 0)
                {
                    var b = version.Indicators[s.Binding];
                    cell = version.Cells[s.Binding] = values.Cell(b.CrimeArea!, b.Indicator!);
                }
                values.Add(cell, origin, s.Confidence, s.Value);
            }
            foreach (var f in reader.Factors)
            {
                factorTexts.TryAdd(f.FactorKey, f.Text);
                pestleValues.Add(new PestleValue(f.FactorKey, f.Dimension, OrganisationKeys.Organisation(organisationId), category, g,
                    Confidence.High, f.Impact, f.Likelihood, SourceRef.Response(responseId, (int)revision)));
            }
        }

        /// <summary><see cref="Grading.TryParse"/> on the stored UTF-8 code (ASCII when valid), without a string per row.</summary>
        private static Grading? ParseGrading(ReadOnlySpan<byte> code)
        {
            if (code.Length != 2 || code[0] > 127 || code[1] > 127) return null;
            var source = char.ToUpperInvariant((char)code[0]);
            var information = code[1] - '0';
            return Grading.IsValidSource(source) && Grading.IsValidInformation(information) ? new Grading(source, information) : null;
        }
    }

    /// <summary>
    /// SQLite: steps the statement directly and hands each row's answers over as the UTF-8 bytes SQLite holds, without a
    /// string or a buffer per row (Microsoft.Data.Sqlite would copy each text into a new string or byte array). Runs on
    /// the connection inside the caller's transaction.
    /// </summary>
    private static void ReadResponses(SqliteConnection conn, long roundId, ResponseSink sink, CancellationToken ct)
    {
        var handle = conn.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(handle, raw.sqlite3_prepare_v2(handle, ResponsesSql, out var stmt));
        using (stmt)
        {
            Check(handle, raw.sqlite3_bind_int64(stmt, raw.sqlite3_bind_parameter_index(stmt, "@roundId"), roundId));
            int rc;
            var rows = 0;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                if ((++rows & 0x3FF) == 0) ct.ThrowIfCancellationRequested();
                var organisationId = raw.sqlite3_column_int64(stmt, 2);
                if (!sink.Knows(organisationId)) sink.Organisation(organisationId, raw.sqlite3_column_text(stmt, 3).utf8_to_string() ?? "");
                sink.Add(
                    responseId: raw.sqlite3_column_int64(stmt, 0),
                    versionId: raw.sqlite3_column_int64(stmt, 1),
                    organisationId,
                    grading: raw.sqlite3_column_type(stmt, 4) == raw.SQLITE_NULL ? default : raw.sqlite3_column_blob(stmt, 4),
                    revision: raw.sqlite3_column_int64(stmt, 5),
                    answers: raw.sqlite3_column_blob(stmt, 6));
            }
            if (rc != raw.SQLITE_DONE) Check(handle, rc);
        }
    }

    private static void Check(sqlite3 handle, int rc)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), rc);
    }

    /// <summary>Other databases: the same rows through ADO.NET, the answers encoded into one reused buffer.</summary>
    private static async Task ReadResponsesAsync(DbConnection conn, DbTransaction tx, long roundId, ResponseSink sink, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = ResponsesSql;
        cmd.Transaction = tx;
        var p = cmd.CreateParameter();
        p.ParameterName = "roundId";
        p.Value = roundId;
        cmd.Parameters.Add(p);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var grading = new byte[8];
        try
        {
            while (await reader.ReadAsync(ct))
            {
                var organisationId = Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture);
                if (!sink.Knows(organisationId)) sink.Organisation(organisationId, reader.GetString(3));
                var data = reader.GetString(6);
                var needed = Encoding.UTF8.GetMaxByteCount(data.Length);
                if (needed > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(needed);
                }
                var length = Encoding.UTF8.GetBytes(data, buffer);
                var g = reader.IsDBNull(4) ? "" : reader.GetString(4);
                var gradingLength = g.Length <= 2 ? Encoding.UTF8.GetBytes(g, grading) : 0;
                sink.Add(
                    responseId: Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
                    versionId: Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
                    organisationId,
                    grading: grading.AsSpan(0, gradingLength),
                    revision: Convert.ToInt64(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture),
                    answers: buffer.AsSpan(0, length));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

    /// <summary>A factor merged into another counts for the one it was merged into; deleted factors count for none (the live results' rule too).</summary>
    private static FactorRow? Resolve(Dictionary<long, FactorRow> factors, long id) =>
        FactorMerges.Resolve(factors, id, f => f.MergedInto, f => f.Deleted != 0);

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
    /// Rule 5 with every indicator weight 1, from the unrounded cell means (Core's, Σwx/Σw in sorted order), so the
    /// sensitivity view differs from the configured ranking only by the indicator weights.
    /// </summary>
    private static List<CrimeAreaScore> EqualWeightsRanking(Core.Aggregation.Evidence evidence, IReadOnlyList<EvidenceCrimeArea> areas)
    {
        var composites = areas.Select(a =>
        {
            double sum = 0;
            foreach (var indicator in Indicators.All)
            {
                if (evidence.Cell(a.Code, indicator) is not { ExactMean: { } mean }) return (double?)null;
                sum += mean;
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
