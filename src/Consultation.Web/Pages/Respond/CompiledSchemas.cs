using System.Collections.Concurrent;
using Consultation.Core.Responses;
using Consultation.Web.Infrastructure.Data;

namespace Consultation.Web.Pages.Respond;

/// <summary>
/// Compiled answer validators by questionnaire version (issue 6, "Load benchmarks"): a submission used to read and
/// parse its version's whole definition every time. A published version never changes (the code only updates drafts
/// and a database trigger refuses changes to published ones), so its compiled definition is kept; whether the
/// version is still published is checked by the caller's own query on every request. Bounded: when full it starts
/// over (versions in use by an open round are few).
/// </summary>
public sealed class CompiledSchemas
{
    private const int MaxEntries = 512;
    private readonly ConcurrentDictionary<long, AnswerValidator.CompiledSchema> _byVersion = new();

    /// <summary>The compiled definition of a published version of the questionnaire; null when there is none.</summary>
    public async Task<AnswerValidator.CompiledSchema?> GetAsync(Db db, long questionnaireId, long versionId, CancellationToken ct)
    {
        if (_byVersion.TryGetValue(versionId, out var compiled)) return compiled;
        string? schema;
        await using (var conn = await db.OpenAsync(ct)) schema = await RespondSql.PublishedSchemaAsync(conn, questionnaireId, versionId, ct);
        if (schema is null) return null;
        compiled = AnswerValidator.Compile(schema);
        if (_byVersion.Count >= MaxEntries) _byVersion.Clear();
        _byVersion[versionId] = compiled;
        return compiled;
    }
}
