using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Consultation.Web.Api;

/// <summary>Field errors keyed by the JSON path of the field (<c>responses[3].scores.DRUGS.DAMAGE</c>).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    public bool Any => _errors.Count > 0;
    public int Count => _errors.Count;
    public IReadOnlyCollection<string> Fields => _errors.Keys;

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}

/// <summary>
/// RFC 7807 problem+json answers of the API. Every error the API gives is one of these — never an HTML page,
/// never a 500 for bad input: field errors are 422 with <c>errors: { field: [messages] }</c>, malformed JSON 400.
/// </summary>
public static class ApiResults
{
    public const string ProblemContentType = "application/problem+json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IResult Problem(int status, string title, string? detail = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title);

    public static IResult NotFound(string what) => Problem(StatusCodes.Status404NotFound, "Not found", what);

    public static IResult Invalid(FieldErrors errors, string? detail = null, int status = StatusCodes.Status422UnprocessableEntity) =>
        Results.ValidationProblem(errors.ToDictionary(), detail: detail ?? "Some fields are not valid; see errors.",
            statusCode: status, title: "The request has invalid fields.");

    /// <summary>For the authentication handler and the rate limiter, which answer outside an endpoint.</summary>
    public static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail,
        IReadOnlyDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status, Title = title, Detail = detail,
            Type = $"https://httpstatuses.io/{status}",
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>()) problem.Extensions[key] = value;
        await context.Response.WriteAsJsonAsync(problem, Json, ProblemContentType, context.RequestAborted);
    }

    /// <summary>
    /// Reads a JSON body of at most <paramref name="maxBytes"/>. Returns the parsed document, or the problem
    /// to answer: 415 (not JSON), 413 (too large), 400 (malformed).
    /// </summary>
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        var (body, error) = await ReadBodyAsync(request, maxBytes, ct);
        return error is not null ? (null, error) : ParseJson(body);
    }

    /// <summary>
    /// The raw bytes of a JSON body of at most <paramref name="maxBytes"/> (for an endpoint that needs them, e.g. to
    /// fingerprint the request), or the problem to answer: 415 (not JSON), 413 (too large). Parse with <see cref="ParseJson"/>.
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IResult? Error)> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
            return (default, Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as JSON with \"Content-Type: application/json\"."));
        var tooLarge = Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", $"The body may be at most {maxBytes:N0} bytes.");
        if (request.ContentLength > maxBytes) return (default, tooLarge);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBytes;

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + n > maxBytes) return (default, tooLarge);
                buffer.Write(chunk, 0, n);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, tooLarge);
        }
        return (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
    }

    /// <summary>Parses a body read by <see cref="ReadBodyAsync"/>: the document, or a 400 problem (malformed).</summary>
    public static (JsonDocument? Document, IResult? Error) ParseJson(ReadOnlyMemory<byte> bytes)
    {
        // RFC 8259 §8.1 lets a parser ignore a leading byte order mark, and Windows tools (Notepad, PowerShell's
        // Out-File) write one; System.Text.Json would refuse it as "'0xEF' is an invalid start of a value".
        if (bytes.Span.StartsWith(Utf8Bom)) bytes = bytes[Utf8Bom.Length..];
        var malformed = new FieldErrors();
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            malformed.Add("$", "The body is not valid UTF-8.");
            return (null, Invalid(malformed, "The body is not valid JSON.", StatusCodes.Status400BadRequest));
        }
        JsonDocument? doc = null;
        try
        {
            // A property twice in one object is refused: which one counts would be a guess ({"DAMAGE":3,"DAMAGE":5}).
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
            // Strings are decoded lazily; decode them all now so a lone surrogate (\ud800) is a 400 here, not a 500 later.
            CheckStrings(doc.RootElement);
            return (doc, null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            doc?.Dispose();
            malformed.Add("$", $"The body is not valid JSON ({ex.Message})");
            return (null, Invalid(malformed, "The body is not valid JSON.", StatusCodes.Status400BadRequest));
        }
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static void CheckStrings(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                _ = e.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) CheckStrings(item);
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    _ = p.Name;
                    CheckStrings(p.Value);
                }
                break;
        }
    }
}

/// <summary>Reads the fields of one JSON object, adding field errors under <see cref="Path"/>.</summary>
public sealed class JsonFields(JsonElement obj, string path, FieldErrors errors, params string[] known)
{
    public string Path { get; } = path;

    public string At(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    /// <summary>Names the object has that the endpoint does not know: typos are errors, not silently ignored.</summary>
    public void RejectUnknown()
    {
        foreach (var p in obj.EnumerateObject())
            if (!known.Contains(p.Name, StringComparer.Ordinal))
                errors.Add(At(p.Name), $"Unknown field. Known fields: {string.Join(", ", known)}.");
    }

    public bool Has(string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>
    /// A string field, trimmed; null with a field error when it is missing (and required), too long, or holds control
    /// characters (a single-line field none at all; a <paramref name="multiLine"/> one only line breaks and tabs).
    /// </summary>
    public string? Text(string name, bool required, int maxLength, bool multiLine = false)
    {
        if (!Has(name, out var v))
        {
            if (required) errors.Add(At(name), "This field is required.");
            return null;
        }
        if (v.ValueKind != JsonValueKind.String) { errors.Add(At(name), "This field must be a string."); return null; }
        var s = v.GetString()!.Trim();
        if (required && s.Length == 0) { errors.Add(At(name), "This field is required."); return null; }
        if (s.Length > maxLength) { errors.Add(At(name), $"This field can be at most {maxLength} characters."); return null; }
        if (multiLine ? !Infrastructure.SingleLineAttribute.IsMultiLine(s) : !Infrastructure.SingleLineAttribute.IsSingleLine(s))
        {
            errors.Add(At(name), multiLine
                ? "This field may not contain control characters other than line breaks and tabs."
                : "This field must be a single line without control characters (no line breaks, tabs or U+0000–U+001F, U+007F–U+009F).");
            return null;
        }
        return s;
    }

    public int? WholeNumber(string name, int min, int max)
    {
        if (!Has(name, out var v)) return null;
        if (WholeNumber(v) is not { } i || i < min || i > max)
        {
            errors.Add(At(name), $"This field must be a whole number from {min} to {max}.");
            return null;
        }
        return i;
    }

    /// <summary>A JSON number that is a whole number within int (3, 3.0 and 3e0 alike: what CSV-to-JSON tools write); null otherwise.</summary>
    public static int? WholeNumber(JsonElement v) =>
        v.ValueKind != JsonValueKind.Number ? null
        : v.TryGetInt32(out var i) ? i
        : v.TryGetDecimal(out var d) && d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d
        : null;
}
