using System.Text.Json;
using Consultation.Core.Scales;
using Consultation.Core.Workshops;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Workshops;

/// <summary>
/// Everything the workshop scripts show in words, rendered by the page in the reader's language into a JSON
/// data block (not executed, so the CSP allows it): the hub itself sends only codes.
/// </summary>
public static class WorkshopText
{
    public static string Refusal(IStringLocalizer L, string? code) => code switch
    {
        WorkshopRefusals.Locked => L["The facilitator has locked this exercise: answers can no longer be changed."],
        WorkshopRefusals.Closed => L["This exercise is closed."],
        WorkshopRefusals.NotOpen => L["This exercise is not open for answers."],
        WorkshopRefusals.OutOfScale => L["That value is outside the scale."],
        WorkshopRefusals.UnknownItem => L["That item is not part of this exercise."],
        WorkshopRefusals.LikelihoodMissing => L["Give both impact and likelihood."],
        WorkshopRefusals.CollectingFactors => L["Factors are still being collected; scoring starts soon."],
        WorkshopRefusals.NotCollecting => L["Factors are no longer collected in this exercise."],
        WorkshopRefusals.NotPestle => L["This is not a PESTLE exercise."],
        WorkshopRefusals.FactorText => L["Write the factor in 1 to 200 characters."],
        WorkshopRefusals.TransitionNotAllowed => L["That step is not possible in the exercise's current state."],
        WorkshopCommands.NoExercise => L["No exercise is running: start the first one with “Next exercise”."],
        WorkshopCommands.LastExercise => L["This is the last exercise."],
        WorkshopCommands.WorkshopClosed => L["The workshop has ended."],
        WorkshopCommands.Changed => L["The exercise changed meanwhile. Check its state and try again."],
        Infrastructure.Data.TransientDatabaseFailures.Code => L["The server is busy: not saved yet, trying again…"],
        _ => L["That did not work. Please try again."],
    };

    public static string State(IStringLocalizer L, ExerciseState state) => state switch
    {
        ExerciseState.Pending => L["Not started"],
        ExerciseState.Open => L["Open for answers"],
        ExerciseState.Locked => L["Locked"],
        ExerciseState.Revealed => L["Results revealed"],
        _ => L["Done"],
    };

    private static readonly string[] Codes =
    [
        WorkshopRefusals.Locked, WorkshopRefusals.Closed, WorkshopRefusals.NotOpen, WorkshopRefusals.OutOfScale, WorkshopRefusals.UnknownItem,
        WorkshopRefusals.LikelihoodMissing, WorkshopRefusals.CollectingFactors, WorkshopRefusals.NotCollecting, WorkshopRefusals.NotPestle,
        WorkshopRefusals.FactorText, WorkshopRefusals.TransitionNotAllowed, WorkshopCommands.NoExercise, WorkshopCommands.LastExercise, WorkshopCommands.WorkshopClosed,
        WorkshopCommands.Changed, Infrastructure.Data.TransientDatabaseFailures.Code, "error",
    ];

    public static string Json(IStringLocalizer L, IReadOnlyList<CrimeAreaRow> areas)
    {
        var data = new Dictionary<string, object>
        {
            ["refusals"] = Codes.ToDictionary(c => c, c => Refusal(L, c)),
            ["areas"] = areas.ToDictionary(a => a.Code, a => a.Name),
            ["indicators"] = new Dictionary<string, string>
            {
                [Indicators.Resources] = L["Resources"], [Indicators.Scope] = L["Scope"], [Indicators.Flexibility] = L["Flexibility"],
                [Indicators.SocialTolerance] = L["Social tolerance"], [Indicators.Damage] = L["Damage"],
            },
            ["dimensions"] = new Dictionary<string, string>
            {
                [PestleDimensions.Political] = L["Political"], [PestleDimensions.Economic] = L["Economic"], [PestleDimensions.Social] = L["Social"],
                [PestleDimensions.Technological] = L["Technological"], [PestleDimensions.Legal] = L["Legal"], [PestleDimensions.Environmental] = L["Environmental"],
            },
            ["types"] = new Dictionary<string, string>
            {
                [ExerciseTypes.Pestle] = L["PESTLE"], [ExerciseTypes.SocialTolerance] = L["Social tolerance"],
                [ExerciseTypes.Indicators] = L["Indicators"], [ExerciseTypes.Poll] = L["Poll"],
            },
            ["states"] = Enum.GetValues<ExerciseState>().ToDictionary(s => s.ToString(), s => State(L, s)),
            ["text"] = new Dictionary<string, string>
            {
                ["waiting"] = L["Waiting for the facilitator to start the next exercise…"],
                ["ended"] = L["The workshop has ended. Thank you for taking part."],
                ["saved"] = L["Saved"],
                ["saving"] = L["Saving…"],
                ["notAccepted"] = L["Your change was not accepted. {0}"],
                ["factorWaiting"] = L["No connection: your factor stays here and is sent as soon as the connection is back."],
                ["unsentTitle"] = L["Not sent"],
                ["unsentHelp"] = L["The facilitator moved on before these factors reached the workshop. Tell the facilitator, or copy them:"],
                ["unsentDismiss"] = L["Dismiss"],
                ["offline"] = L["Connection lost: reconnecting…"],
                ["online"] = L["Connected"],
                ["impact"] = L["Impact"],
                ["likelihood"] = L["Likelihood"],
                ["addFactor"] = L["Add factor"],
                ["dimension"] = L["Dimension"],
                ["factor"] = L["Factor"],
                ["factorsSoFar"] = L["Factors so far"],
                ["noFactors"] = L["No factors yet."],
                ["scale"] = L["1 = low, 5 = high (more threatening)"],
                ["lockedNote"] = L["Locked: answers can no longer be changed."],
                ["hidden"] = L["Results are hidden until the facilitator reveals them."],
                ["suppressed"] = L["Fewer than the minimum number of participants"],
                ["mean"] = L["Weighted mean"],
                ["consensus"] = L["Consensus"],
                ["score"] = L["Impact × likelihood"],
                // "label: number" reads right for any number in every language (no plural forms to choose).
                ["answers"] = L["Answers: {0}"],
                ["noResults"] = L["No answers yet."],
                ["noExercise"] = L["No exercise is running."],
                ["phaseCollect"] = L["Collecting factors"],
                ["phaseScore"] = L["Scoring factors"],
            },
        };
        return JsonSerializer.Serialize(data);
    }
}
