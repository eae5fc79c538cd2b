using System.Text.Json;
using System.Text.Json.Nodes;
using Consultation.Core.Scales;

namespace Consultation.Core.Questionnaires;

/// <summary>A crime area in a round's scope, with its names for the two template languages.</summary>
public sealed record CrimeAreaName
{
    public string Code { get; init; } = "";
    public string NameEn { get; init; } = "";
    public string NameSrLatn { get; init; } = "";
}

public sealed record GeneratedQuestionnaire
{
    public string Template { get; init; } = "";
    public string Title { get; init; } = "";
    public string SchemaJson { get; init; } = "";
    public string BindingsJson { get; init; } = "[]";
    public IReadOnlyList<Binding> Bindings { get; init; } = [];
}

/// <summary>
/// The four questionnaire templates of issue 3, built from a round's crime areas. Each emits a SurveyJS
/// definition with English (<c>default</c>) and Serbian Latin texts, and the bindings the aggregation reads.
/// </summary>
public static class QuestionnaireTemplates
{
    public const string FiveIndicator = "FIVE_INDICATOR";
    public const string SocialTolerance = "SOCIAL_TOLERANCE";
    public const string SituationalReport = "SITUATIONAL_REPORT";
    public const string Pestle = "PESTLE";

    public static IReadOnlyList<string> All { get; } = [FiveIndicator, SocialTolerance, SituationalReport, Pestle];

    public static bool IsKnown(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);

    /// <summary>Templates that need at least one crime area (PESTLE does not).</summary>
    public static bool NeedsCrimeAreas(string template) => template != Pestle;

    /// <summary>
    /// survey-core's locale code for Serbian. Its built-in Serbian strings (survey.i18n) are in Latin script,
    /// so the portal's <c>sr-Latn</c> culture maps to SurveyJS's <c>sr</c>.
    /// </summary>
    public const string SerbianLatinSurveyLocale = "sr";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static GeneratedQuestionnaire Generate(string template, IReadOnlyList<CrimeAreaName> crimeAreas)
    {
        ArgumentNullException.ThrowIfNull(crimeAreas);
        if (NeedsCrimeAreas(template) && crimeAreas.Count == 0)
            throw new ArgumentException("The template needs at least one crime area.", nameof(crimeAreas));
        var (title, survey, bindings) = template switch
        {
            FiveIndicator => BuildFiveIndicator(crimeAreas),
            SocialTolerance => BuildSocialTolerance(crimeAreas),
            SituationalReport => BuildSituationalReport(crimeAreas),
            Pestle => BuildPestle(),
            _ => throw new ArgumentException($"Unknown template '{template}'.", nameof(template)),
        };
        return new GeneratedQuestionnaire
        {
            Template = template,
            Title = title.En,
            SchemaJson = survey.ToJsonString(Indented),
            BindingsJson = Binding.ToJson(bindings),
            Bindings = bindings,
        };
    }

    private readonly record struct Text(string En, string Sr);

    private static JsonObject T(Text t) => new() { ["default"] = t.En, [SerbianLatinSurveyLocale] = t.Sr };
    private static JsonObject T(string en, string sr) => T(new Text(en, sr));

    private static JsonObject Survey(Text title, Text description, JsonArray pages) => new()
    {
        ["title"] = T(title),
        ["description"] = T(description),
        ["showQuestionNumbers"] = "off",
        ["pages"] = pages,
    };

    private static JsonObject Page(string name, JsonObject title, params JsonNode[] elements) => new()
    {
        ["name"] = name,
        ["title"] = title,
        ["elements"] = new JsonArray(elements),
    };

    private static JsonObject AreaTitle(CrimeAreaName a) => T(a.NameEn, a.NameSrLatn);

    private static JsonObject Comment(string name, Text title) => new() { ["type"] = "comment", ["name"] = name, ["title"] = T(title) };

    private static JsonObject Rating(string name, JsonObject title, Text min, Text max) => new()
    {
        ["type"] = "rating", ["name"] = name, ["title"] = title,
        ["rateMin"] = Indicators.Min, ["rateMax"] = Indicators.Max,
        ["minRateDescription"] = T(min), ["maxRateDescription"] = T(max),
    };

    /// <summary>The indicator questions and their 1 and 5 anchors (DOMAIN.md, "Indicators").</summary>
    private static readonly Dictionary<string, (Text Question, Text Low, Text High)> IndicatorTexts =
        new Dictionary<string, (Text, Text, Text)>(StringComparer.Ordinal)
        {
            [Indicators.Resources] = (
                new("How easily can criminals obtain what this activity needs (money, skills, contacts, equipment)?",
                    "Koliko lako kriminalci dolaze do onoga što im je za ovu aktivnost potrebno (novac, veštine, kontakti, oprema)?"),
                new("very hard, high barrier", "veoma teško, visoka prepreka"),
                new("readily available", "lako dostupno")),
            [Indicators.Scope] = (
                new("How widespread is it (volume, number of groups, geographic spread)?",
                    "Koliko je rasprostranjena (obim, broj grupa, geografska rasprostranjenost)?"),
                new("marginal, local", "marginalna, lokalna"),
                new("pervasive, national/international", "sveprisutna, nacionalna/međunarodna")),
            [Indicators.Flexibility] = (
                new("How quickly do perpetrators adapt routes, methods, commodities to countermeasures?",
                    "Koliko brzo izvršioci prilagođavaju rute, metode i robu protivmerama?"),
                new("rigid", "kruto"),
                new("highly adaptive", "veoma prilagodljivo")),
            [Indicators.SocialTolerance] = (
                new("How far does society tolerate or benefit from it?",
                    "U kojoj meri društvo toleriše ovu pojavu ili ima koristi od nje?"),
                new("strongly condemned", "oštro osuđeno"),
                new("widely tolerated", "široko tolerisano")),
            [Indicators.Damage] = (
                new("Harm to individuals, communities, economy, state institutions.",
                    "Šteta po pojedince, zajednice, privredu i državne institucije."),
                new("negligible", "zanemarljiva"),
                new("severe", "ozbiljna")),
        };

    private static readonly Text ScaleNote = new(
        "Every scale is 1–5: 1 is the least and 5 the most threatening.",
        "Sve skale su od 1 do 5: 1 je najmanje, a 5 najviše pretnje.");

    private static (Text, JsonObject, List<Binding>) BuildFiveIndicator(IReadOnlyList<CrimeAreaName> areas)
    {
        var title = new Text("Five-indicator assessment", "Procena prema pet indikatora");
        var pages = new JsonArray();
        var bindings = new List<Binding>();
        foreach (var a in areas)
        {
            var rows = new JsonArray();
            foreach (var code in Indicators.All)
            {
                var (q, low, high) = IndicatorTexts[code];
                rows.Add(new JsonObject
                {
                    ["value"] = code,
                    ["text"] = T($"{q.En} (1 = {low.En}; 5 = {high.En})", $"{q.Sr} (1 = {low.Sr}; 5 = {high.Sr})"),
                });
                bindings.Add(new Binding { Kind = BindingKinds.Indicator, Question = $"{a.Code}_indicators", Row = code, CrimeArea = a.Code, Indicator = code });
            }
            var columns = new JsonArray();
            for (var v = Indicators.Min; v <= Indicators.Max; v++) columns.Add(new JsonObject { ["value"] = v, ["text"] = v.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            var matrix = new JsonObject
            {
                ["type"] = "matrix",
                ["name"] = $"{a.Code}_indicators",
                ["title"] = T($"{a.NameEn}: rate the five indicators", $"{a.NameSrLatn}: ocenite pet indikatora"),
                ["description"] = T(ScaleNote),
                ["columns"] = columns,
                ["rows"] = rows,
            };
            var confidence = new JsonObject
            {
                ["type"] = "radiogroup",
                ["name"] = $"{a.Code}_confidence",
                ["title"] = T("How confident are you in these ratings?", "Koliko ste sigurni u ove ocene?"),
                ["choices"] = new JsonArray(
                    new JsonObject { ["value"] = "HIGH", ["text"] = T("High", "Visoko") },
                    new JsonObject { ["value"] = "MEDIUM", ["text"] = T("Medium", "Srednje") },
                    new JsonObject { ["value"] = "LOW", ["text"] = T("Low", "Nisko") }),
            };
            bindings.Add(new Binding { Kind = BindingKinds.Confidence, Question = $"{a.Code}_confidence", CrimeArea = a.Code });
            pages.Add(Page($"page_{a.Code}", AreaTitle(a), matrix, confidence,
                Comment($"{a.Code}_comment", new("Comment (optional)", "Komentar (neobavezno)"))));
        }
        return (title, Survey(title, new("Rate each crime area on the five SOCTA indicators. " + ScaleNote.En,
            "Ocenite svaku oblast kriminala prema pet SOCTA indikatora. " + ScaleNote.Sr), pages), bindings);
    }

    private static (Text, JsonObject, List<Binding>) BuildSocialTolerance(IReadOnlyList<CrimeAreaName> areas)
    {
        var title = new Text("Social tolerance", "Društvena tolerancija");
        var (_, low, high) = IndicatorTexts[Indicators.SocialTolerance];
        var elements = new List<JsonNode>();
        var bindings = new List<Binding>();
        foreach (var a in areas)
        {
            var name = $"{a.Code}_social_tolerance";
            elements.Add(Rating(name, T($"{a.NameEn}: how far does society tolerate or benefit from it?",
                $"{a.NameSrLatn}: u kojoj meri društvo toleriše ovu pojavu ili ima koristi od nje?"), low, high));
            elements.Add(Comment($"{name}_comment", new("Comment (optional)", "Komentar (neobavezno)")));
            bindings.Add(new Binding { Kind = BindingKinds.Indicator, Question = name, CrimeArea = a.Code, Indicator = Indicators.SocialTolerance });
        }
        var pages = new JsonArray(Page("page_social_tolerance", T(title), [.. elements]));
        return (title, Survey(title, new("Rate how far society tolerates each crime area. " + ScaleNote.En,
            "Ocenite u kojoj meri društvo toleriše svaku oblast kriminala. " + ScaleNote.Sr), pages), bindings);
    }

    private static (Text, JsonObject, List<Binding>) BuildSituationalReport(IReadOnlyList<CrimeAreaName> areas)
    {
        var title = new Text("Situational report", "Izveštaj o stanju");
        var pages = new JsonArray();
        foreach (var a in areas)
        {
            var trend = new JsonObject
            {
                ["type"] = "radiogroup",
                ["name"] = $"{a.Code}_trend",
                ["title"] = T("Over the last year, this crime area is…", "Tokom protekle godine, ova oblast kriminala je…"),
                ["choices"] = new JsonArray(
                    new JsonObject { ["value"] = "INCREASING", ["text"] = T("increasing", "u porastu") },
                    new JsonObject { ["value"] = "STABLE", ["text"] = T("stable", "stabilna") },
                    new JsonObject { ["value"] = "DECREASING", ["text"] = T("decreasing", "u padu") },
                    new JsonObject { ["value"] = "DONT_KNOW", ["text"] = T("don't know", "ne znam") }),
            };
            pages.Add(Page($"page_{a.Code}", AreaTitle(a), trend,
                Comment($"{a.Code}_modus_operandi", new("New modus operandi you have observed", "Novi modusi operandi koje ste uočili")),
                Comment($"{a.Code}_affected_groups", new("Affected groups", "Pogođene grupe")),
                Comment($"{a.Code}_affected_places", new("Affected places", "Pogođena mesta")),
                Comment($"{a.Code}_situation", new("Describe the situation in your own words", "Opišite stanje svojim rečima")),
                Comment($"{a.Code}_sources", new("Sources (reports, cases, field work)", "Izvori (izveštaji, slučajevi, terenski rad)"))));
        }
        return (title, Survey(title, new("Describe what you see in each crime area: trends, methods, who and where is affected.",
            "Opišite šta vidite u svakoj oblasti kriminala: trendove, metode, ko je i gde pogođen."), pages), []);
    }

    private static readonly Dictionary<string, Text> DimensionTitles = new Dictionary<string, Text>(StringComparer.Ordinal)
    {
        [PestleDimensions.Political] = new("Political factors", "Politički faktori"),
        [PestleDimensions.Economic] = new("Economic factors", "Ekonomski faktori"),
        [PestleDimensions.Social] = new("Social factors", "Društveni faktori"),
        [PestleDimensions.Technological] = new("Technological factors", "Tehnološki faktori"),
        [PestleDimensions.Legal] = new("Legal factors", "Pravni faktori"),
        [PestleDimensions.Environmental] = new("Environmental factors", "Ekološki faktori"),
    };

    private static (Text, JsonObject, List<Binding>) BuildPestle()
    {
        var title = new Text("PESTLE factors", "PESTLE faktori");
        var pages = new JsonArray();
        var bindings = new List<Binding>();
        foreach (var dimension in PestleDimensions.All)
        {
            var name = $"pestle_{dimension}";
            var factor = new JsonObject
            {
                ["type"] = "text", ["name"] = "factor", ["isRequired"] = true, ["maxLength"] = 300,
                ["title"] = T("Factor (a short statement)", "Faktor (kratka izjava)"),
            };
            var panel = new JsonObject
            {
                ["type"] = "paneldynamic",
                ["name"] = name,
                ["title"] = T(DimensionTitles[dimension]),
                ["description"] = T("Add the factors that will shape serious and organised crime, and score each.",
                    "Dodajte faktore koji će uticati na teški i organizovani kriminal i ocenite svaki."),
                ["panelCount"] = 0,
                ["minPanelCount"] = 0,
                ["maxPanelCount"] = 20,
                ["panelAddText"] = T("Add a factor", "Dodaj faktor"),
                ["panelRemoveText"] = T("Remove", "Ukloni"),
                ["templateElements"] = new JsonArray(factor,
                    Rating("impact", T("Impact", "Uticaj"), new("very low", "veoma mali"), new("very high", "veoma veliki")),
                    Rating("likelihood", T("Likelihood", "Verovatnoća"), new("very unlikely", "veoma malo verovatno"), new("almost certain", "gotovo izvesno"))),
            };
            pages.Add(Page($"page_{dimension}", T(DimensionTitles[dimension]), panel));
            bindings.Add(new Binding { Kind = BindingKinds.PestleFactor, Question = name, Dimension = dimension, Factor = "factor", Impact = "impact", Likelihood = "likelihood" });
        }
        return (title, Survey(title, new("For each PESTLE dimension, list factors and score their impact and likelihood from 1 to 5.",
            "Za svaku PESTLE dimenziju navedite faktore i ocenite njihov uticaj i verovatnoću od 1 do 5."), pages), bindings);
    }
}
