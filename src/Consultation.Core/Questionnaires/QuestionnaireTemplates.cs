using System.Text.Json;
using System.Text.Json.Nodes;
using Consultation.Core.Localization;
using Consultation.Core.Scales;

namespace Consultation.Core.Questionnaires;

/// <summary>A crime area in a round's scope, with its stored names (Serbian Cyrillic is generated from Latin).</summary>
public sealed record CrimeAreaName
{
    public string Code { get; init; } = "";
    public string NameEn { get; init; } = "";
    public string NameSrLatn { get; init; } = "";
    public string NameMk { get; init; } = "";
    public string NameSq { get; init; } = "";

    public string Name(System.Globalization.CultureInfo culture) => Languages.Pick(culture, NameEn, NameSrLatn, NameMk, NameSq, Code);
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
/// definition with every text in the portal's five languages (SurveyJS locales, see <see cref="Languages.SurveyLocale"/>;
/// Serbian Cyrillic transliterated from the Latin text), and the bindings the aggregation reads.
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
    /// so the portal's <c>sr-Latn</c> culture maps to SurveyJS's <c>sr</c> (<see cref="Languages.SurveyLocale"/>).
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

    /// <summary>A text in English, Serbian Latin, Macedonian and Albanian.</summary>
    private readonly record struct Text(string En, string Sr, string Mk, string Sq);

    private static JsonObject T(Text t) => new()
    {
        ["default"] = t.En,
        [Languages.SurveyLocale(Languages.SerbianLatin)] = t.Sr,
        [Languages.SurveyLocale(Languages.SerbianCyrillic)] = SerbianScript.ToCyrillic(t.Sr),
        [Languages.SurveyLocale(Languages.Macedonian)] = t.Mk,
        [Languages.SurveyLocale(Languages.Albanian)] = t.Sq,
    };

    private static Text AreaName(CrimeAreaName a) => new(a.NameEn, Or(a.NameSrLatn, a.NameEn), Or(a.NameMk, a.NameEn), Or(a.NameSq, a.NameEn));
    private static string Or(string text, string fallback) => text.Length > 0 ? text : fallback;

    /// <summary>"{area}: {text}" in each language.</summary>
    private static Text Prefixed(Text area, Text text) =>
        new($"{area.En}: {text.En}", $"{area.Sr}: {text.Sr}", $"{area.Mk}: {text.Mk}", $"{area.Sq}: {text.Sq}");

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

    private static JsonObject AreaTitle(CrimeAreaName a) => T(AreaName(a));

    private static JsonObject Comment(string name, Text title) => new() { ["type"] = "comment", ["name"] = name, ["title"] = T(title) };

    private static JsonObject Rating(string name, JsonObject title, Text min, Text max) => new()
    {
        ["type"] = "rating", ["name"] = name, ["title"] = title,
        ["rateMin"] = Indicators.Min, ["rateMax"] = Indicators.Max,
        ["minRateDescription"] = T(min), ["maxRateDescription"] = T(max),
    };

    private static readonly Text HowFarTolerated = new("How far does society tolerate or benefit from it?",
        "U kojoj meri društvo toleriše ovu pojavu ili ima koristi od nje?",
        "Во која мера општеството ја толерира оваа појава или има корист од неа?",
        "Në çfarë mase e toleron shoqëria këtë dukuri apo përfiton prej saj?");

    private static readonly Text OptionalComment = new("Comment (optional)", "Komentar (neobavezno)", "Коментар (незадолжително)", "Koment (opsional)");

    /// <summary>The indicator questions and their 1 and 5 anchors (DOMAIN.md, "Indicators").</summary>
    private static readonly Dictionary<string, (Text Question, Text Low, Text High)> IndicatorTexts =
        new Dictionary<string, (Text, Text, Text)>(StringComparer.Ordinal)
        {
            [Indicators.Resources] = (
                new("How easily can criminals obtain what this activity needs (money, skills, contacts, equipment)?",
                    "Koliko lako kriminalci dolaze do onoga što im je za ovu aktivnost potrebno (novac, veštine, kontakti, oprema)?",
                    "Колку лесно криминалците доаѓаат до она што им е потребно за оваа активност (пари, вештини, контакти, опрема)?",
                    "Sa lehtë mund të sigurojnë kriminelët atë që u nevojitet për këtë veprimtari (para, aftësi, kontakte, pajisje)?"),
                new("very hard, high barrier", "veoma teško, visoka prepreka", "многу тешко, висока пречка", "shumë vështirë, pengesë e lartë"),
                new("readily available", "lako dostupno", "лесно достапно", "lehtësisht e arritshme")),
            [Indicators.Scope] = (
                new("How widespread is it (volume, number of groups, geographic spread)?",
                    "Koliko je rasprostranjena (obim, broj grupa, geografska rasprostranjenost)?",
                    "Колку е распространета (обем, број на групи, географска распространетост)?",
                    "Sa e përhapur është (vëllimi, numri i grupeve, shtrirja gjeografike)?"),
                new("marginal, local", "marginalna, lokalna", "маргинална, локална", "margjinale, lokale"),
                new("pervasive, national/international", "sveprisutna, nacionalna/međunarodna", "сеприсутна, национална/меѓународна", "gjithëpërfshirëse, kombëtare/ndërkombëtare")),
            [Indicators.Flexibility] = (
                new("How quickly do perpetrators adapt routes, methods, commodities to countermeasures?",
                    "Koliko brzo izvršioci prilagođavaju rute, metode i robu protivmerama?",
                    "Колку брзо сторителите ги прилагодуваат рутите, методите и стоките кон противмерките?",
                    "Sa shpejt i përshtatin autorët rrugët, metodat dhe mallrat ndaj kundërmasave?"),
                new("rigid", "kruto", "круто", "të ngurtë"),
                new("highly adaptive", "veoma prilagodljivo", "многу прилагодливо", "përshtaten me shumë lehtësi")),
            [Indicators.SocialTolerance] = (
                HowFarTolerated,
                new("strongly condemned", "oštro osuđeno", "остро осудено", "dënohet ashpër"),
                new("widely tolerated", "široko tolerisano", "широко толерирано", "tolerohet gjerësisht")),
            [Indicators.Damage] = (
                new("Harm to individuals, communities, economy, state institutions.",
                    "Šteta po pojedince, zajednice, privredu i državne institucije.",
                    "Штета за поединците, заедниците, економијата и државните институции.",
                    "Dëmi ndaj individëve, komuniteteve, ekonomisë dhe institucioneve shtetërore."),
                new("negligible", "zanemarljiva", "занемарлива", "i papërfillshëm"),
                new("severe", "ozbiljna", "сериозна", "i rëndë")),
        };

    private static readonly Text ScaleNote = new(
        "Every scale is 1–5: 1 is the least and 5 the most threatening.",
        "Sve skale su od 1 do 5: 1 je najmanje, a 5 najviše pretnje.",
        "Сите скали се од 1 до 5: 1 е најмала, а 5 најголема закана.",
        "Të gjitha shkallët janë nga 1 deri në 5: 1 është kërcënimi më i vogël dhe 5 më i madhi.");

    private static (Text, JsonObject, List<Binding>) BuildFiveIndicator(IReadOnlyList<CrimeAreaName> areas)
    {
        var title = new Text("Five-indicator assessment", "Procena prema pet indikatora", "Проценка според пет индикатори", "Vlerësimi sipas pesë treguesve");
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
                    ["text"] = T(new($"{q.En} (1 = {low.En}; 5 = {high.En})", $"{q.Sr} (1 = {low.Sr}; 5 = {high.Sr})",
                        $"{q.Mk} (1 = {low.Mk}; 5 = {high.Mk})", $"{q.Sq} (1 = {low.Sq}; 5 = {high.Sq})")),
                });
                bindings.Add(new Binding { Kind = BindingKinds.Indicator, Question = $"{a.Code}_indicators", Row = code, CrimeArea = a.Code, Indicator = code });
            }
            var columns = new JsonArray();
            for (var v = Indicators.Min; v <= Indicators.Max; v++) columns.Add(new JsonObject { ["value"] = v, ["text"] = v.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            var matrix = new JsonObject
            {
                ["type"] = "matrix",
                ["name"] = $"{a.Code}_indicators",
                ["title"] = T(Prefixed(AreaName(a), new("rate the five indicators", "ocenite pet indikatora", "оценете ги петте индикатори", "vlerësoni pesë treguesit"))),
                ["description"] = T(ScaleNote),
                ["columns"] = columns,
                ["rows"] = rows,
            };
            var confidence = new JsonObject
            {
                ["type"] = "radiogroup",
                ["name"] = $"{a.Code}_confidence",
                ["title"] = T(new("How confident are you in these ratings?", "Koliko ste sigurni u ove ocene?", "Колку сте сигурни во овие оценки?", "Sa të sigurt jeni për këto vlerësime?")),
                ["choices"] = new JsonArray(
                    new JsonObject { ["value"] = "HIGH", ["text"] = T(new("High", "Visoko", "Високо", "E lartë")) },
                    new JsonObject { ["value"] = "MEDIUM", ["text"] = T(new("Medium", "Srednje", "Средно", "Mesatare")) },
                    new JsonObject { ["value"] = "LOW", ["text"] = T(new("Low", "Nisko", "Ниско", "E ulët")) }),
            };
            bindings.Add(new Binding { Kind = BindingKinds.Confidence, Question = $"{a.Code}_confidence", CrimeArea = a.Code });
            pages.Add(Page($"page_{a.Code}", AreaTitle(a), matrix, confidence,
                Comment($"{a.Code}_comment", OptionalComment)));
        }
        return (title, Survey(title, new("Rate each crime area on the five SOCTA indicators. " + ScaleNote.En,
            "Ocenite svaku oblast kriminala prema pet SOCTA indikatora. " + ScaleNote.Sr,
            "Оценете ја секоја област на криминал според петте SOCTA индикатори. " + ScaleNote.Mk,
            "Vlerësoni çdo fushë të krimit sipas pesë treguesve SOCTA. " + ScaleNote.Sq), pages), bindings);
    }

    private static (Text, JsonObject, List<Binding>) BuildSocialTolerance(IReadOnlyList<CrimeAreaName> areas)
    {
        var title = new Text("Social tolerance", "Društvena tolerancija", "Општествена толеранција", "Toleranca sociale");
        var (_, low, high) = IndicatorTexts[Indicators.SocialTolerance];
        var elements = new List<JsonNode>();
        var bindings = new List<Binding>();
        foreach (var a in areas)
        {
            var name = $"{a.Code}_social_tolerance";
            var question = new Text("how far does society tolerate or benefit from it?",
                "u kojoj meri društvo toleriše ovu pojavu ili ima koristi od nje?",
                "во која мера општеството ја толерира оваа појава или има корист од неа?",
                "në çfarë mase e toleron shoqëria këtë dukuri apo përfiton prej saj?");
            elements.Add(Rating(name, T(Prefixed(AreaName(a), question)), low, high));
            elements.Add(Comment($"{name}_comment", OptionalComment));
            bindings.Add(new Binding { Kind = BindingKinds.Indicator, Question = name, CrimeArea = a.Code, Indicator = Indicators.SocialTolerance });
        }
        var pages = new JsonArray(Page("page_social_tolerance", T(title), [.. elements]));
        return (title, Survey(title, new("Rate how far society tolerates each crime area. " + ScaleNote.En,
            "Ocenite u kojoj meri društvo toleriše svaku oblast kriminala. " + ScaleNote.Sr,
            "Оценете во која мера општеството ја толерира секоја област на криминал. " + ScaleNote.Mk,
            "Vlerësoni në çfarë mase e toleron shoqëria secilën fushë të krimit. " + ScaleNote.Sq), pages), bindings);
    }

    private static (Text, JsonObject, List<Binding>) BuildSituationalReport(IReadOnlyList<CrimeAreaName> areas)
    {
        var title = new Text("Situational report", "Izveštaj o stanju", "Извештај за состојбата", "Raporti i situatës");
        var pages = new JsonArray();
        foreach (var a in areas)
        {
            var trend = new JsonObject
            {
                ["type"] = "radiogroup",
                ["name"] = $"{a.Code}_trend",
                ["title"] = T(new("Over the last year, this crime area is…", "Tokom protekle godine, ova oblast kriminala je…",
                    "Во текот на изминатата година, оваа област на криминал е…", "Gjatë vitit të kaluar, kjo fushë e krimit është…")),
                ["choices"] = new JsonArray(
                    new JsonObject { ["value"] = "INCREASING", ["text"] = T(new("increasing", "u porastu", "во пораст", "në rritje")) },
                    new JsonObject { ["value"] = "STABLE", ["text"] = T(new("stable", "stabilna", "стабилна", "e qëndrueshme")) },
                    new JsonObject { ["value"] = "DECREASING", ["text"] = T(new("decreasing", "u padu", "во опаѓање", "në rënie")) },
                    new JsonObject { ["value"] = "DONT_KNOW", ["text"] = T(new("don't know", "ne znam", "не знам", "nuk e di")) }),
            };
            pages.Add(Page($"page_{a.Code}", AreaTitle(a), trend,
                Comment($"{a.Code}_modus_operandi", new("New modus operandi you have observed", "Novi modusi operandi koje ste uočili",
                    "Нови модуси операнди што сте ги забележале", "Modus operandi të rinj që keni vënë re")),
                Comment($"{a.Code}_affected_groups", new("Affected groups", "Pogođene grupe", "Погодени групи", "Grupet e prekura")),
                Comment($"{a.Code}_affected_places", new("Affected places", "Pogođena mesta", "Погодени места", "Vendet e prekura")),
                Comment($"{a.Code}_situation", new("Describe the situation in your own words", "Opišite stanje svojim rečima",
                    "Опишете ја состојбата со свои зборови", "Përshkruani situatën me fjalët tuaja")),
                Comment($"{a.Code}_sources", new("Sources (reports, cases, field work)", "Izvori (izveštaji, slučajevi, terenski rad)",
                    "Извори (извештаи, случаи, теренска работа)", "Burimet (raporte, raste, punë në terren)"))));
        }
        return (title, Survey(title, new("Describe what you see in each crime area: trends, methods, who and where is affected.",
            "Opišite šta vidite u svakoj oblasti kriminala: trendove, metode, ko je i gde pogođen.",
            "Опишете што гледате во секоја област на криминал: трендови, методи, кој и каде е погоден.",
            "Përshkruani çfarë shihni në secilën fushë të krimit: prirjet, metodat, kush dhe ku preket."), pages), []);
    }

    private static readonly Dictionary<string, Text> DimensionTitles = new Dictionary<string, Text>(StringComparer.Ordinal)
    {
        [PestleDimensions.Political] = new("Political factors", "Politički faktori", "Политички фактори", "Faktorët politikë"),
        [PestleDimensions.Economic] = new("Economic factors", "Ekonomski faktori", "Економски фактори", "Faktorët ekonomikë"),
        [PestleDimensions.Social] = new("Social factors", "Društveni faktori", "Општествени фактори", "Faktorët shoqërorë"),
        [PestleDimensions.Technological] = new("Technological factors", "Tehnološki faktori", "Технолошки фактори", "Faktorët teknologjikë"),
        [PestleDimensions.Legal] = new("Legal factors", "Pravni faktori", "Правни фактори", "Faktorët ligjorë"),
        [PestleDimensions.Environmental] = new("Environmental factors", "Ekološki faktori", "Еколошки фактори", "Faktorët mjedisorë"),
    };

    private static (Text, JsonObject, List<Binding>) BuildPestle()
    {
        var title = new Text("PESTLE factors", "PESTLE faktori", "PESTLE фактори", "Faktorët PESTLE");
        var pages = new JsonArray();
        var bindings = new List<Binding>();
        foreach (var dimension in PestleDimensions.All)
        {
            var name = $"pestle_{dimension}";
            var factor = new JsonObject
            {
                ["type"] = "text", ["name"] = "factor", ["isRequired"] = true, ["maxLength"] = 300,
                ["title"] = T(new("Factor (a short statement)", "Faktor (kratka izjava)", "Фактор (кратка изјава)", "Faktori (një deklaratë e shkurtër)")),
            };
            var panel = new JsonObject
            {
                ["type"] = "paneldynamic",
                ["name"] = name,
                ["title"] = T(DimensionTitles[dimension]),
                ["description"] = T(new("Add the factors that will shape serious and organised crime, and score each.",
                    "Dodajte faktore koji će uticati na teški i organizovani kriminal i ocenite svaki.",
                    "Додајте ги факторите што ќе влијаат врз тешкиот и организираниот криминал и оценете го секој.",
                    "Shtoni faktorët që do të ndikojnë në krimin e rëndë dhe të organizuar dhe vlerësoni secilin.")),
                ["panelCount"] = 0,
                ["minPanelCount"] = 0,
                ["maxPanelCount"] = 20,
                ["panelAddText"] = T(new("Add a factor", "Dodaj faktor", "Додај фактор", "Shto një faktor")),
                ["panelRemoveText"] = T(new("Remove", "Ukloni", "Отстрани", "Hiq")),
                ["templateElements"] = new JsonArray(factor,
                    Rating("impact", T(new("Impact", "Uticaj", "Влијание", "Ndikimi")),
                        new("very low", "veoma mali", "многу мало", "shumë i ulët"), new("very high", "veoma veliki", "многу големо", "shumë i lartë")),
                    Rating("likelihood", T(new("Likelihood", "Verovatnoća", "Веројатност", "Probabiliteti")),
                        new("very unlikely", "veoma malo verovatno", "многу малку веројатно", "shumë pak e mundshme"),
                        new("almost certain", "gotovo izvesno", "речиси сигурно", "pothuajse e sigurt"))),
            };
            pages.Add(Page($"page_{dimension}", T(DimensionTitles[dimension]), panel));
            bindings.Add(new Binding { Kind = BindingKinds.PestleFactor, Question = name, Dimension = dimension, Factor = "factor", Impact = "impact", Likelihood = "likelihood" });
        }
        return (title, Survey(title, new("For each PESTLE dimension, list factors and score their impact and likelihood from 1 to 5.",
            "Za svaku PESTLE dimenziju navedite faktore i ocenite njihov uticaj i verovatnoću od 1 do 5.",
            "За секоја PESTLE димензија наведете фактори и оценете го нивното влијание и веројатност од 1 до 5.",
            "Për secilin dimension PESTLE renditni faktorët dhe vlerësoni ndikimin dhe probabilitetin e tyre nga 1 deri në 5."), pages), bindings);
    }
}
