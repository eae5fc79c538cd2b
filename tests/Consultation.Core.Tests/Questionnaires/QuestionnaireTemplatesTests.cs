using System.Text.Json;
using Consultation.Core.Localization;
using Consultation.Core.Questionnaires;
using Consultation.Core.Scales;

namespace Consultation.Core.Tests.Questionnaires;

public sealed class QuestionnaireTemplatesTests
{
    private static readonly CrimeAreaName[] Areas =
    [
        new() { Code = "DRUGS", NameEn = "Controlled psychoactive substances", NameSrLatn = "Psihoaktivne kontrolisane supstance",
                NameMk = "Контролирани психоактивни супстанции", NameSq = "Substancat psikoaktive të kontrolluara" },
        new() { Code = "THB", NameEn = "Trafficking in human beings", NameSrLatn = "Trgovina ljudima", NameMk = "Трговија со луѓе", NameSq = "Trafikimi i qenieve njerëzore" },
    ];

    public static TheoryData<string> Templates => new(QuestionnaireTemplates.All);

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_produces_a_valid_schema_whose_bindings_validate(string template)
    {
        var generated = QuestionnaireTemplates.Generate(template, Areas);

        var check = QuestionnaireValidator.Validate(generated.SchemaJson, generated.BindingsJson, Areas.Select(a => a.Code).ToList());

        Assert.True(check.IsValid, string.Join("; ", check.Errors));
        Assert.Equal(generated.Bindings, check.Bindings);
    }

    [Fact]
    public void Five_indicator_template_binds_every_indicator_and_confidence_of_every_area()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, Areas);

        foreach (var area in Areas)
        {
            var indicators = g.Bindings.Where(b => b.Kind == BindingKinds.Indicator && b.CrimeArea == area.Code).Select(b => b.Indicator ?? "").ToList();
            Assert.Equal(Indicators.All, indicators);
            Assert.Single(g.Bindings, b => b.Kind == BindingKinds.Confidence && b.CrimeArea == area.Code && b.Question == area.Code + "_confidence");
        }
        Assert.Contains("very hard, high barrier", g.SchemaJson, StringComparison.Ordinal);
        Assert.Contains("widely tolerated", g.SchemaJson, StringComparison.Ordinal);
    }

    [Fact]
    public void Templates_carry_english_and_serbian_latin_texts()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, Areas);
        using var doc = JsonDocument.Parse(g.SchemaJson);
        var title = doc.RootElement.GetProperty("pages")[1].GetProperty("title");

        Assert.Equal("Trafficking in human beings", title.GetProperty("default").GetString());
        Assert.Equal("Trgovina ljudima", title.GetProperty(QuestionnaireTemplates.SerbianLatinSurveyLocale).GetString());
    }

    /// <summary>Properties of a SurveyJS element that a respondent reads.</summary>
    private static readonly HashSet<string> TextProperties =
        ["title", "description", "text", "minRateDescription", "maxRateDescription", "panelAddText", "panelRemoveText", "completedHtml", "placeholder"];

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_template_text_has_all_five_locales(string template)
    {
        var g = QuestionnaireTemplates.Generate(template, Areas);
        using var doc = JsonDocument.Parse(g.SchemaJson);
        var texts = 0;

        void Walk(JsonElement e, string path)
        {
            if (e.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in e.EnumerateArray()) Walk(item, $"{path}[{i++}]");
                return;
            }
            if (e.ValueKind != JsonValueKind.Object) return;
            foreach (var p in e.EnumerateObject())
            {
                var at = $"{path}.{p.Name}";
                if (TextProperties.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.String)
                    Assert.True(p.Value.GetString()!.All(char.IsAsciiDigit), $"{at} is a text in one language only: {p.Value.GetString()}");
                else if (TextProperties.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.Object)
                {
                    texts++;
                    var locales = p.Value.EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString() ?? "");
                    Assert.Equal(Languages.SurveyLocales.Order(StringComparer.Ordinal), locales.Keys.Order(StringComparer.Ordinal));
                    Assert.All(locales, l => Assert.False(string.IsNullOrWhiteSpace(l.Value), $"{at}.{l.Key} is empty"));
                    // Translated, not copied: Macedonian and Serbian Cyrillic are in Cyrillic script.
                    Assert.Contains(locales["mk"], c => c is >= '\u0400' and <= '\u04FF');
                    Assert.Contains(locales["sr-Cyrl"], c => c is >= '\u0400' and <= '\u04FF');
                    Assert.DoesNotContain(locales["sr"], c => c is >= '\u0400' and <= '\u04FF');
                }
                else Walk(p.Value, at);
            }
        }

        Walk(doc.RootElement, "$");
        Assert.True(texts > 5, $"only {texts} texts found");
    }

    [Fact]
    public void Crime_area_names_appear_in_each_language()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.SituationalReport, Areas);
        using var doc = JsonDocument.Parse(g.SchemaJson);
        var title = doc.RootElement.GetProperty("pages")[1].GetProperty("title");

        Assert.Equal("Трговија со луѓе", title.GetProperty("mk").GetString());
        Assert.Equal("Trafikimi i qenieve njerëzore", title.GetProperty("sq").GetString());
        Assert.Equal("Трговина људима", title.GetProperty("sr-Cyrl").GetString());
    }

    [Fact]
    public void An_area_without_a_macedonian_name_falls_back_to_english_in_the_template()
    {
        CrimeAreaName[] added = [new() { Code = "NEW_AREA", NameEn = "Wildlife crime", NameSrLatn = "Kriminal protiv divljih vrsta" }];
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.SituationalReport, added);
        using var doc = JsonDocument.Parse(g.SchemaJson);
        var title = doc.RootElement.GetProperty("pages")[0].GetProperty("title");

        Assert.Equal("Wildlife crime", title.GetProperty("mk").GetString());
        Assert.Equal("Kriminal protiv divljih vrsta", title.GetProperty("sr").GetString());
    }

    [Fact]
    public void Social_tolerance_binds_each_area_to_the_social_tolerance_indicator()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.SocialTolerance, Areas);
        Assert.Equal(["DRUGS", "THB"], g.Bindings.Select(b => b.CrimeArea ?? "").ToArray());
        Assert.All(g.Bindings, b => Assert.Equal(Indicators.SocialTolerance, b.Indicator));
    }

    [Fact]
    public void Pestle_template_has_one_dynamic_list_per_dimension()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.Pestle, []);
        Assert.Equal(PestleDimensions.All, g.Bindings.Select(b => b.Dimension ?? "").ToList());
        Assert.All(g.Bindings, b => Assert.Equal(("factor", "impact", "likelihood"), (b.Factor, b.Impact, b.Likelihood)));
    }

    [Fact]
    public void Area_templates_need_a_crime_area() =>
        Assert.Throws<ArgumentException>(() => QuestionnaireTemplates.Generate(QuestionnaireTemplates.SituationalReport, []));
}
