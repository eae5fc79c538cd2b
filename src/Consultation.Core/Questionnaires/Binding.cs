using System.Text.Json;
using System.Text.Json.Serialization;

namespace Consultation.Core.Questionnaires;

/// <summary>What a binding feeds into the evidence (DOMAIN.md, "Binding").</summary>
public static class BindingKinds
{
    /// <summary>A 1–5 score of one crime area on one indicator.</summary>
    public const string Indicator = "INDICATOR";
    /// <summary>The HIGH/MEDIUM/LOW confidence of one crime area block.</summary>
    public const string Confidence = "CONFIDENCE";
    /// <summary>A dynamic list of PESTLE factors of one dimension, each with impact and likelihood.</summary>
    public const string PestleFactor = "PESTLE_FACTOR";

    public static IReadOnlyList<string> All { get; } = [Indicator, Confidence, PestleFactor];
}

/// <summary>
/// Maps one answer of a questionnaire to what the aggregation reads. <see cref="Question"/> is a question
/// name; <see cref="Row"/> a row value of a <c>matrix</c>/<c>matrixdropdown</c>; <see cref="Column"/> a column
/// name of a <c>matrixdropdown</c>. For <see cref="BindingKinds.PestleFactor"/>, <see cref="Factor"/>,
/// <see cref="Impact"/> and <see cref="Likelihood"/> name the fields inside each entry of the dynamic list.
/// Stored as a JSON array in <c>questionnaire_versions.bindings_json</c>.
/// </summary>
public sealed record Binding
{
    public string Kind { get; init; } = "";
    public string Question { get; init; } = "";
    public string? Row { get; init; }
    public string? Column { get; init; }
    public string? CrimeArea { get; init; }
    public string? Indicator { get; init; }
    public string? Dimension { get; init; }
    public string? Factor { get; init; }
    public string? Impact { get; init; }
    public string? Likelihood { get; init; }

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static string ToJson(IEnumerable<Binding> bindings) => JsonSerializer.Serialize(bindings.ToList(), JsonOptions);
}
