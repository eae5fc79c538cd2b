using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Consultation.Core.Localization;

namespace Consultation.Web.Tests.Localization;

/// <summary>
/// The resource files against the source: every English key the pages and code use has its translation, and
/// the Serbian Cyrillic file is exactly the transliteration of the reviewed Serbian Latin one.
/// </summary>
public sealed partial class ResourceFilesTests
{
    /// <summary>The resource compiler treats names case-insensitively and silently drops the second of "None"/"none".</summary>
    [Theory]
    [MemberData(nameof(AllFiles))]
    public void No_two_keys_differ_only_in_letter_case(string file)
    {
        var names = XDocument.Load(Path.Combine(Resources, file)).Root!.Elements("data").Select(d => (string)d.Attribute("name")!);
        var clashes = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g)).ToList();
        Assert.True(clashes.Count == 0, $"{file}: keys that differ only in case (use distinct texts): " + string.Join("; ", clashes));
    }

    public static TheoryData<string> AllFiles() => new(Directory.EnumerateFiles(Resources, "SharedResource*.resx").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Fact]
    public void Every_culture_has_the_same_keys_as_serbian_latin()
    {
        var reference = Read("sr-Latn").Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var culture in TranslatedCultures)
        {
            var keys = Read(culture).Keys.ToHashSet(StringComparer.Ordinal);
            Assert.True(keys.SetEquals(reference), $"{culture}: missing {string.Join(" | ", reference.Except(keys))}; extra {string.Join(" | ", keys.Except(reference))}");
        }
    }

    private static readonly string Repo = Repository.Root ?? throw new InvalidOperationException("Consultation.sln not found above " + AppContext.BaseDirectory);
    private static readonly string Resources = Path.Combine(Repo, "src", "Consultation.Web", "Resources");


    private static Dictionary<string, string> Read(string culture)
    {
        var path = Path.Combine(Resources, $"SharedResource.{culture}.resx");
        return XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "", StringComparer.Ordinal);
    }

    // A localizer indexed with literals: L["…"] and L[cond ? "…" : "…"] under any name the file gives an
    // IStringLocalizer (a constructor parameter `localizer`, a helper's parameter, a service fetched into a local,
    // an @inject in a view), its GetString("…"), and the texts data annotations localize (Display names, error messages).
    private const string Literal = @"(?:@""(?<verbatim>(?:[^""]|"""")*)""|""(?<plain>(?:[^""\\]|\\.)*)"")";

    /// <summary>The names under which a file holds a localizer: L (the views' @inject, the pages' convention) and every declared one.</summary>
    internal static HashSet<string> LocalizerNames(string text)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { "L" };
        foreach (Match m in LocalizerDeclaration().Matches(text)) names.Add(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);
        return names;
    }

    [GeneratedRegex(@"\bI(?:String|Html|View)Localizer(?:<[\w.]+>)?\s+(\w+)\b(?!\s*\()|\b(?:var\s+)?(\w+)\s*=\s*[\w.]*GetRequiredService<I(?:String|Html|View)Localizer")]
    private static partial Regex LocalizerDeclaration();

    [GeneratedRegex(@"\bErrorMessage\s*=\s*" + Literal + @"|\bDisplay\([^)]*?\bName\s*=\s*" + Literal)]
    private static partial Regex AnnotationUse();

    /// <summary>The English keys a text uses (file contents of a .cs or .cshtml).</summary>
    internal static IEnumerable<string> KeysIn(string text)
    {
        var names = string.Join("|", LocalizerNames(text).Select(Regex.Escape));
        var uses = new Regex(@"(?<![\w.])(?:" + names + @")(?:\[\s*" + Literal + @"|\.GetString\(\s*" + Literal +
                             @"|\[[^\[\]"";]*?\?\s*" + Literal + @"\s*:\s*" + Literal + ")");
        foreach (Match m in uses.Matches(text).Concat(AnnotationUse().Matches(text)))
        {
            var verbatim = m.Groups["verbatim"].Captures.Select(c => (c.Index, Key: c.Value.Replace("\"\"", "\"", StringComparison.Ordinal)));
            var plain = m.Groups["plain"].Captures.Select(c => (c.Index, Key: Regex.Unescape(c.Value)));
            foreach (var (_, key) in verbatim.Concat(plain).OrderBy(c => c.Index)) yield return key;
        }
    }

    /// <summary>English keys used by the portal's source (src/, code and views), with one place each is used.</summary>
    internal static Dictionary<string, string> KeysInSource()
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var src = Path.Combine(Repo, "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(src, "*.cshtml", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var file in files)
        {
            foreach (var key in KeysIn(File.ReadAllText(file)))
            {
                // "Category." + code and the like are prefixes of keys built at run time (their entries are in the files).
                if (IdentifierLike().IsMatch(key)) continue; // Cookie.Name = "consultation.auth" and the like
                if (key.Length == 0 || key.EndsWith('.') && !key.Contains(' ', StringComparison.Ordinal) || key.StartsWith("Input.", StringComparison.Ordinal)) continue;
                keys.TryAdd(key, Path.GetRelativePath(Repo, file));
            }
        }
        return keys;
    }

    /// <summary>The scan sees every way the portal calls a localizer with a literal (a pattern it missed let English texts through).</summary>
    [Fact]
    public void The_key_scan_sees_every_way_a_localizer_is_called()
    {
        const string code = """
            public abstract class RoundForm(RichText richText, IStringLocalizer<SharedResource> localizer) : PageModel
            {
                void A() => ModelState.AddModelError(field, localizer["Enter the date and time as YYYY-MM-DD HH:MM."]);
                static string B(IStringLocalizer T, bool x) => T[x ? "Yes, close it" : "No, keep it"] + T.GetString("Got it, thanks");
                void C() { var texts = ctx.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>(); _ = texts["Too many requests", 3]; }
                void D() => _ = L[@"Say ""hello"" first"];
                void E() => _ = dict["not a key"];
            }
            """;
        Assert.Equal(
            ["Enter the date and time as YYYY-MM-DD HH:MM.", "Yes, close it", "No, keep it", "Got it, thanks", "Too many requests", "Say \"hello\" first"],
            KeysIn(code).ToList());
        Assert.Contains("Enter the date and time as YYYY-MM-DD HH:MM.", KeysInSource().Keys);
        Assert.Contains("This time does not exist in the chosen time zone (the clocks change then).", KeysInSource().Keys);
    }

    /// <summary>Every culture of the language switcher except English, whose texts are the keys.</summary>
    public static TheoryData<string> Translations() => new(TranslatedCultures);

    private static IEnumerable<string> TranslatedCultures =>
        Consultation.Web.Infrastructure.Localization.LocalizationExtensions.Cultures.Select(c => c.Code).Where(c => c != "en");

    [Theory]
    [MemberData(nameof(Translations))]
    public void Every_key_the_portal_uses_is_translated(string culture)
    {
        var translated = Read(culture);
        var missing = KeysInSource().Where(k => !translated.ContainsKey(k.Key)).Select(k => $"{k.Key}    ({k.Value})").OrderBy(k => k, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} key(s) without a {culture} text in SharedResource.{culture}.resx:\n" + string.Join("\n", missing));
    }

    /// <summary>Keys built at run time from a code (<c>L["Indicator." + code]</c>): their English text is in SharedResource.resx.</summary>
    public static TheoryData<string> CodeKeys()
    {
        var data = new TheoryData<string>();
        foreach (var c in Consultation.Core.Organisations.OrganisationCategory.All) data.Add("Category." + c);
        foreach (var r in Consultation.Core.Accounts.Roles.All) data.Add("Role." + r);
        foreach (var i in Consultation.Core.Scales.Indicators.All) data.Add("Indicator." + i);
        foreach (var d in Consultation.Core.Scales.PestleDimensions.All) data.Add("Dimension." + d);
        foreach (var c in Enum.GetValues<Consultation.Core.Scales.Confidence>()) data.Add("Confidence." + Consultation.Core.Scales.ConfidenceCodes.Code(c));
        foreach (var s in Enum.GetNames<Consultation.Web.Evidence.EvidenceSource>()) data.Add("Source." + s);
        foreach (var p in new[] { "NotStarted", "Draft", "Submitted", "Withdrawn" }) data.Add("Progress." + p);
        return data;
    }

    [Theory]
    [MemberData(nameof(CodeKeys))]
    public void Keys_built_from_codes_have_english_and_serbian_texts(string key)
    {
        var english = XDocument.Load(Path.Combine(Resources, "SharedResource.resx")).Root!.Elements("data").Select(d => (string)d.Attribute("name")!);
        Assert.Contains(key, english);
        foreach (var culture in TranslatedCultures)
            Assert.True(Read(culture).ContainsKey(key), $"{key} has no {culture} text");
    }

    private static readonly Assembly[] PortalAssemblies =
        [typeof(Consultation.Web.Infrastructure.Security.AuditLog).Assembly, typeof(Consultation.Core.Organisations.OrganisationCategory).Assembly];

    private static bool IsAuditActionClass(Type type) =>
        type.Name.EndsWith("Audit", StringComparison.Ordinal) || type.Name.EndsWith("AuditActions", StringComparison.Ordinal);

    private static IEnumerable<FieldInfo> StringConstants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f is { IsLiteral: true, IsInitOnly: false } && f.FieldType == typeof(string));

    /// <summary>
    /// Every action the portal writes to the audit log: the public string constants of the classes whose name ends
    /// with "Audit" or "AuditActions" (AuditActions, ApiAuditActions, RespondAudit, WorkshopAudit, …), found by reflection
    /// so that a new action without a label fails.
    /// </summary>
    private static List<string> AuditActions() =>
        [.. PortalAssemblies.SelectMany(a => a.GetTypes()).Where(IsAuditActionClass).SelectMany(StringConstants)
            .Select(f => (string)f.GetRawConstantValue()!).Distinct().Order(StringComparer.Ordinal)];

    public static TheoryData<string> AuditActionCodes() => new(AuditActions());

    [Fact]
    public void The_audit_actions_are_found_in_every_class_that_holds_them()
    {
        var codes = AuditActions();
        Assert.True(codes.Count >= 40, $"only {codes.Count} audit actions found: {string.Join(", ", codes)}");
        foreach (var code in new[]
        {
            Consultation.Web.Infrastructure.Security.AuditActions.RoundCreated, Consultation.Web.Api.ApiAuditActions.TokenCreated,
            Consultation.Web.Pages.Respond.RespondAudit.Submitted, Consultation.Web.Rounds.CoordinationAuditActions.ResponseGraded,
            Consultation.Web.Workshops.WorkshopAudit.Created, Consultation.Web.Evidence.EvidenceAudit.Frozen,
        })
            Assert.Contains(code, codes);
        // A constant named like an audit action elsewhere would escape the labels (evidence.frozen once lived in EvidenceSnapshots).
        var stray = PortalAssemblies.SelectMany(a => a.GetTypes()).Where(t => !IsAuditActionClass(t)).SelectMany(StringConstants)
            .Where(f => f.Name.Contains("AuditAction", StringComparison.Ordinal)).Select(f => $"{f.DeclaringType!.FullName}.{f.Name}").ToList();
        Assert.True(stray.Count == 0, "Audit actions outside an …Audit or …AuditActions class: " + string.Join(", ", stray));
    }

    [Theory]
    [MemberData(nameof(AuditActionCodes))]
    public void Every_audit_action_has_a_label_in_every_language(string code)
    {
        var key = Consultation.Web.Pages.Admin.AuditModel.LabelKey(code);
        var english = XDocument.Load(Path.Combine(Resources, "SharedResource.resx")).Root!.Elements("data")
            .SingleOrDefault(d => (string)d.Attribute("name")! == key);
        Assert.True(english is not null && ((string?)english.Element("value"))?.Length > 0, $"{key} has no English label in SharedResource.resx");
        foreach (var culture in TranslatedCultures)
            Assert.True(Read(culture).TryGetValue(key, out var label) && label.Length > 0, $"{key} has no {culture} label");
    }

    /// <summary>The audit log's filter lists actions by label: two actions with one label could not be told apart.</summary>
    [Fact]
    public void Audit_action_labels_differ_within_each_language()
    {
        var keys = AuditActions().Select(Consultation.Web.Pages.Admin.AuditModel.LabelKey).ToList();
        var english = XDocument.Load(Path.Combine(Resources, "SharedResource.resx")).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "", StringComparer.Ordinal);
        foreach (var (culture, texts) in TranslatedCultures.Select(c => (c, Read(c))).Prepend(("en", english)))
        {
            var twice = keys.Where(texts.ContainsKey).GroupBy(k => texts[k], StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
                .Select(g => $"{g.Key}: {string.Join(", ", g)}").ToList();
            Assert.True(twice.Count == 0, $"{culture}: one label for several audit actions: " + string.Join("; ", twice));
        }
    }

    /// <summary>Texts kept in tables and shown through <c>L[text]</c> (the scan of <c>L["…"]</c> does not see them).</summary>
    public static TheoryData<string> TableKeys()
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, name, hint) in Consultation.Web.Pages.Questionnaires.CreateModel.Choices) { keys.Add(name); keys.Add(hint); }
        // Statuses shown as L[status] (round and questionnaire version pages).
        foreach (var status in Enum.GetNames<Consultation.Core.Rounds.RoundStatus>()) keys.Add(status);
        keys.Add(Consultation.Core.Questionnaires.VersionStatus.Draft);
        keys.Add(Consultation.Core.Questionnaires.VersionStatus.Published);
        // Texts returned by helpers and shown as L[helper(code)] (API scopes, indicator names, grading meanings).
        foreach (var scope in Consultation.Web.Api.ApiScopes.All) keys.Add(Consultation.Web.Pages.Admin.TokensModel.ScopeDescription(scope));
        foreach (var indicator in Consultation.Core.Scales.Indicators.All) keys.Add(Consultation.Web.Pages.Rounds.RoundForm.IndicatorName(indicator));
        foreach (var (_, meaning) in Consultation.Web.Pages.Rounds.Responses.DetailsModel.Sources.Concat(Consultation.Web.Pages.Rounds.Responses.DetailsModel.Informations))
            keys.Add(meaning);
        foreach (var template in new[] { "FIVE_INDICATOR", "SOCIAL_TOLERANCE", "SITUATIONAL_REPORT", "PESTLE" })
            keys.Add(Consultation.Core.Questionnaires.QuestionnaireTemplates.Generate(template, [new() { Code = "DRUGS", NameEn = "Drugs", NameSrLatn = "Droge", NameMk = "Дроги", NameSq = "Droga" }]).Title);
        return new TheoryData<string>(keys);
    }

    /// <summary>The questionnaire validator's messages (Core, shown through <c>L[message, args]</c> on the editor page).</summary>
    internal static SortedSet<string> ValidatorMessages()
    {
        var text = File.ReadAllText(Path.Combine(Repo, "src", "Consultation.Core", "Questionnaires", "QuestionnaireValidator.cs"));
        var messages = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match call in Regex.Matches(text, @"Error\((?:[^()""]|""(?:[^""\\]|\\.)*""|\([^()]*\))*\)"))
        {
            // The message is the first plain (not interpolated) literal that reads as a sentence; the path comes before it.
            var plain = Regex.Replace(call.Value, @"\$""(?:[^""\\]|\\.)*""", "");
            var literal = Regex.Matches(plain, @"""((?:[^""\\]|\\.)*)""")
                .Select(m => Regex.Unescape(m.Groups[1].Value)).FirstOrDefault(l => l.Contains(' ', StringComparison.Ordinal) && l.Count(char.IsLetter) >= 3);
            if (literal is not null) messages.Add(literal);
        }
        return messages;
    }

    [Fact]
    public void The_questionnaire_validators_messages_are_translated()
    {
        var messages = ValidatorMessages();
        Assert.True(messages.Count >= 40, $"only {messages.Count} messages found: the scan no longer reads the validator");
        foreach (var culture in TranslatedCultures)
        {
            var translated = Read(culture);
            var missing = messages.Where(m => !translated.ContainsKey(m)).ToList();
            Assert.True(missing.Count == 0, $"{culture} lacks:\n" + string.Join("\n", missing));
        }
    }

    [Theory]
    [MemberData(nameof(TableKeys))]
    public void Texts_held_in_tables_are_translated(string key)
    {
        foreach (var culture in TranslatedCultures)
            Assert.True(Read(culture).ContainsKey(key), $"\"{key}\" has no {culture} text");
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Translations_have_the_placeholders_of_their_key(string culture)
    {
        var wrong = new List<string>();
        foreach (var (key, value) in Read(culture))
        {
            var expected = Placeholder().Matches(key).Select(m => m.Groups[1].Value).Order().ToList();
            var actual = Placeholder().Matches(value).Select(m => m.Groups[1].Value).Order().ToList();
            if (!key.Contains('.', StringComparison.Ordinal) || expected.Count > 0)
                if (!expected.SequenceEqual(actual)) wrong.Add($"{key} → {value}");
        }
        Assert.True(wrong.Count == 0, "Placeholders differ:\n" + string.Join("\n", wrong));
    }

    [GeneratedRegex(@"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$")]
    private static partial Regex IdentifierLike();

    [GeneratedRegex(@"\{(\d+)(?::[^}]*)?\}")]
    private static partial Regex Placeholder();

    /// <summary>
    /// sr-Cyrl is generated, never edited by hand: run with UPDATE_RESOURCES=1 to rewrite it after changing
    /// sr-Latn, then review the diff.
    /// </summary>
    [Fact]
    public void Serbian_cyrillic_is_the_transliteration_of_serbian_latin()
    {
        var latin = XDocument.Load(Path.Combine(Resources, "SharedResource.sr-Latn.resx"), LoadOptions.PreserveWhitespace);
        var root = latin.Root!;
        foreach (var node in root.Nodes().OfType<XComment>().ToList()) node.Remove();
        root.AddFirst(new XComment(" Serbian (Cyrillic): GENERATED from SharedResource.sr-Latn.resx by transliteration (SerbianScript). Do not edit; run the tests with UPDATE_RESOURCES=1. "));
        foreach (var value in root.Elements("data").Select(d => d.Element("value")!))
            value.Value = SerbianScript.ToCyrillic(value.Value);
        var expected = latin.Declaration + "\n" + latin.Root!.ToString(SaveOptions.DisableFormatting) + "\n";

        var path = Path.Combine(Resources, "SharedResource.sr-Cyrl.resx");
        if (Environment.GetEnvironmentVariable("UPDATE_RESOURCES") == "1") File.WriteAllText(path, expected);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == expected,
            "SharedResource.sr-Cyrl.resx is out of date: run `UPDATE_RESOURCES=1 dotnet test tests/Consultation.Web.Tests --filter ResourceFiles` and review the diff.");
    }
}
