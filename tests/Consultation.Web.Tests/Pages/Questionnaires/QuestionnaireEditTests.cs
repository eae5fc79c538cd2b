using System.Net;
using System.Text.Json;
using Consultation.Core.Localization;
using Consultation.Core.Questionnaires;
using Dapper;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Questionnaires;

public sealed class QuestionnaireEditTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("FIVE_INDICATOR")]
    [InlineData("SOCIAL_TOLERANCE")]
    [InlineData("SITUATIONAL_REPORT")]
    [InlineData("PESTLE")]
    public async Task Template_creates_draft_version_1_whose_schema_and_bindings_validate(string template)
    {
        var client = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(client, "Templates " + template);

        var id = await CreateQuestionnaireAsync(client, roundId, template);

        var v = await LatestVersionAsync(app, id);
        Assert.Equal((1L, "Draft"), (v.Version, v.Status));
        var check = QuestionnaireValidator.Validate(v.SchemaJson, v.BindingsJson, ["DRUGS", "THB"]);
        Assert.True(check.IsValid, string.Join("; ", check.Errors));
        var page = await client.GetStringAsync($"/Questionnaires/Edit/{id}");
        Assert.Contains("id=\"survey-preview\"", page, StringComparison.Ordinal);
        Assert.Contains("/js/questionnaire-editor", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Close")]
    [InlineData("Archive")]
    public async Task A_closed_or_archived_rounds_new_questionnaire_page_says_so_up_front_with_no_form_and_a_post_is_refused(string last)
    {
        var client = await CoordinatorAsync(app);
        var roundId = await ReadyRoundAsync(app, client, "No new questionnaire " + last);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Open")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Close")).StatusCode);
        if (last == "Archive") Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Archive")).StatusCode);

        var page = await client.GetAsync($"/Questionnaires/Create/{roundId}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        AssertLocked(WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()), roundId);

        // A post from an old tab is refused the same way, keeping what was typed, and creates nothing.
        var refused = await PostAsync(client, $"/Questionnaires/Create/{roundId}", [new("Input.Template", "PESTLE"), new("Input.Title", "Typed on a closed round")]);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        AssertLocked(html, roundId);
        Assert.Contains("value=\"Typed on a closed round\"", html, StringComparison.Ordinal);
        Assert.Matches("id=\"template-PESTLE\" value=\"PESTLE\" checked=\"checked\"", html);
        await using var conn = Open(app);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM questionnaires WHERE round_id = @roundId", new { roundId }));
    }

    private static void AssertLocked(string html, long roundId)
    {
        Assert.Contains("The round is closed; it takes no new questionnaires.", html, StringComparison.Ordinal);
        Assert.Matches($"<a [^>]*href=\"/Rounds/Details/{roundId}\"[^>]*>Back to the round</a>", html);
        Assert.Contains("<fieldset disabled", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">Create</button>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<form method=\"post\" class=\"col-12", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blank_questionnaire_carries_its_texts_in_all_five_languages()
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Blank in five languages"), "BLANK");

        using var schema = JsonDocument.Parse((await LatestVersionAsync(app, id)).SchemaJson);
        var title = schema.RootElement.GetProperty("title");
        var question = schema.RootElement.GetProperty("pages")[0].GetProperty("elements")[0].GetProperty("title");
        foreach (var text in new[] { title, question })
        {
            var locales = text.EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString() ?? "");
            Assert.Equal(Languages.SurveyLocales.Order(StringComparer.Ordinal), locales.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(locales.Count, locales.Values.Distinct(StringComparer.Ordinal).Count()); // translated, not copied
            Assert.Equal(SerbianScript.ToCyrillic(locales["sr"]), locales["sr-Cyrl"]);
        }
        Assert.Equal("Нов прашалник", title.GetProperty("mk").GetString());
        Assert.Equal("Pyetësor i ri", title.GetProperty("sq").GetString());
    }

    [Theory]
    [InlineData("{ \"pages\": [ { \"elements\": [ { \"type\": \"signaturepad\", \"name\": \"sig\" } ] } ] }", "pages[0].elements[0].type")]
    [InlineData("{ \"pages\": [ { \"elements\": [ { \"type\": \"text\", \"name\": \"a\" }, { \"type\": \"text\", \"name\": \"a\" } ] } ] }", "pages[0].elements[1].name")]
    [InlineData("{ \"pages\": [ ", "$: The questionnaire is not valid JSON")]
    // A property twice in one object (once a 500 that lost the text): at the top level, and in an html question the sanitizer reads.
    [InlineData("{ \"title\": \"a\", \"title\": \"b\", \"pages\": [ { \"elements\": [ { \"type\": \"comment\", \"name\": \"q\" } ] } ] }", "$: \"title\" is given twice in the same object: keep one.")]
    [InlineData("{ \"pages\": [ { \"elements\": [ { \"type\": \"html\", \"name\": \"h\", \"html\": \"<b>x</b>\", \"html\": \"<i>y</i>\" } ] } ] }", "$.pages[0].elements[0]: \"html\" is given twice in the same object: keep one.")]
    public async Task Saving_an_invalid_schema_names_the_path_and_keeps_the_text(string schema, string expected)
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Invalid " + expected));
        var before = await LatestVersionAsync(app, id);

        var response = await SaveQuestionnaireAsync(app, client, id, publish: false, schema: schema, bindings: "[]");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains(expected, html, StringComparison.Ordinal);
        Assert.Contains(schema, html, StringComparison.Ordinal);
        Assert.Equal(before.SchemaJson, (await LatestVersionAsync(app, id)).SchemaJson);
    }

    [Fact]
    public async Task Binding_to_a_missing_question_names_the_binding()
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Bad binding"));

        var response = await SaveQuestionnaireAsync(app, client, id, publish: true,
            bindings: """[ { "kind": "CONFIDENCE", "question": "NOPE_confidence", "crimeArea": "DRUGS" } ]""");

        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("bindings[0].question: There is no question named \"NOPE_confidence\".", html, StringComparison.Ordinal);
        Assert.Equal("Draft", (await LatestVersionAsync(app, id)).Status);
    }

    [Fact]
    public async Task Publishing_an_indicator_binding_to_a_rating_off_the_one_to_five_scale_is_refused_and_keeps_the_text()
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Off-scale binding"));
        const string schema = """{ "pages": [ { "elements": [ { "type": "rating", "name": "drugs_damage", "rateMin": 1, "rateMax": 10 } ] } ] }""";
        const string bindings = """[ { "kind": "INDICATOR", "question": "drugs_damage", "crimeArea": "DRUGS", "indicator": "DAMAGE" } ]""";

        var response = await SaveQuestionnaireAsync(app, client, id, publish: true, schema: schema, bindings: bindings);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("bindings[0].question: This binding needs answers on the 1–5 scale; \"drugs_damage\" offers values from 1 to 10.", html, StringComparison.Ordinal);
        Assert.Contains(bindings, html, StringComparison.Ordinal);
        Assert.Equal("Draft", (await LatestVersionAsync(app, id)).Status);
    }

    [Fact]
    public async Task Publishing_freezes_the_version_and_editing_creates_the_next_draft()
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Versions"));
        Assert.Equal(HttpStatusCode.Redirect, (await SaveQuestionnaireAsync(app, client, id, publish: true)).StatusCode);
        var v1 = await LatestVersionAsync(app, id);
        Assert.Equal((1L, "Published"), (v1.Version, v1.Status));

        var edited = v1.SchemaJson.Replace("Five-indicator assessment", "Five-indicator assessment, second edition", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveQuestionnaireAsync(app, client, id, publish: false, schema: edited)).StatusCode);

        var v2 = await LatestVersionAsync(app, id);
        Assert.Equal((2L, "Draft", edited), (v2.Version, v2.Status, v2.SchemaJson));
        await using var conn = Open(app);
        Assert.Equal(v1.SchemaJson, await conn.ExecuteScalarAsync<string>("SELECT schema_json FROM questionnaire_versions WHERE id = @Id", new { v1.Id }));
        // The database refuses too, not only the page.
        var ex = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => conn.ExecuteAsync(
            "UPDATE questionnaire_versions SET schema_json = '{}' WHERE id = @Id", new { v1.Id }));
        Assert.Contains("immutable", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => conn.ExecuteAsync("DELETE FROM questionnaire_versions WHERE id = @Id", new { v1.Id }));

        var audit = await conn.QueryAsync<string>("SELECT action FROM audit_log WHERE target = @Target ORDER BY id", new { Target = $"questionnaire:{id}" });
        Assert.Equal(["questionnaire.created", "questionnaire.published", "questionnaire.saved"], audit);
    }

    [Fact]
    public async Task Two_tabs_saving_the_same_draft_the_second_is_told_and_keeps_its_text()
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Two tabs, one draft"));
        var draft = await LatestVersionAsync(app, id);
        var tabA = await client.GetStringAsync($"/Questionnaires/Edit/{id}");
        var tabB = await client.GetStringAsync($"/Questionnaires/Edit/{id}");
        Task<HttpResponseMessage> Save(string page, string schema) => client.PostAsync($"/Questionnaires/Edit/{id}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.SchemaJson"] = schema, ["Input.BindingsJson"] = draft.BindingsJson, ["Input.BaseVersion"] = "1",
            ["Input.BaseSavedAt"] = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"Input.BaseSavedAt\" value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"Input.BaseSavedAt\"") is var m && m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value),
            ["__RequestVerificationToken"] = Forms.Token(page),
        }));

        var first = await Save(tabA, draft.SchemaJson.Replace("Five-indicator", "Tab A's five-indicator", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var second = await Save(tabB, draft.SchemaJson.Replace("Five-indicator", "Tab B's five-indicator", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var html = WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync());
        Assert.Contains("Someone else saved version 1 meanwhile", html, StringComparison.Ordinal);
        Assert.Contains("Tab B's five-indicator", html, StringComparison.Ordinal);
        Assert.Contains("Tab A's five-indicator", (await LatestVersionAsync(app, id)).SchemaJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_draft_whose_saved_time_was_written_in_another_format_still_saves()
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Odd saved time"));
        await using (var conn = app.Connection())
            await conn.ExecuteAsync("UPDATE questionnaire_versions SET updated_at = '2026-01-01T00:00:00+00:00' WHERE questionnaire_id = @id", new { id });
        var draft = await LatestVersionAsync(app, id);

        var response = await SaveQuestionnaireAsync(app, client, id, publish: false, schema: draft.SchemaJson.Replace("Five-indicator", "Renamed five-indicator", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("Renamed five-indicator", (await LatestVersionAsync(app, id)).SchemaJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saving_over_a_newer_version_is_refused_and_keeps_the_text()
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Stale"));
        await SaveQuestionnaireAsync(app, client, id, publish: true);
        var v1 = await LatestVersionAsync(app, id);
        var mine = v1.SchemaJson.Replace("Five-indicator", "My five-indicator", StringComparison.Ordinal);
        await SaveQuestionnaireAsync(app, client, id, publish: false, schema: v1.SchemaJson.Replace("Five-indicator", "Their five-indicator", StringComparison.Ordinal));

        var response = await SaveQuestionnaireAsync(app, client, id, publish: false, schema: mine, baseVersion: 1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("Someone else saved version 2 meanwhile", html, StringComparison.Ordinal);
        Assert.Contains("My five-indicator", html, StringComparison.Ordinal);
        Assert.Contains("Their five-indicator", (await LatestVersionAsync(app, id)).SchemaJson, StringComparison.Ordinal);
    }

    /// <summary>What the editor's live preview asks for: the definition as typed, answered as saving would store it.</summary>
    private static async Task<HttpResponseMessage> PreviewAsync(HttpClient client, long id, string schema, string? token = null)
    {
        token ??= Forms.Token(await client.GetStringAsync($"/Questionnaires/Edit/{id}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/Questionnaires/Edit/{id}?handler=Preview")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.SchemaJson"] = schema }),
        };
        request.Headers.Add("RequestVerificationToken", token);
        request.Headers.Accept.ParseAdd("application/json");
        return await client.SendAsync(request);
    }

    private const string UnsafeSchema = """
        {
          "title": "Preview of markup",
          "completedHtml": { "default": "<p>Thanks</p><a href=\"javascript:alert(3)\">back</a>", "sr": "<p onclick=\"alert(4)\">Hvala</p>" },
          "pages": [ { "name": "p1", "elements": [
            { "type": "html", "name": "intro", "html": "<p>Read <b>this</b> first.</p><img src=x onerror=\"window.previewXss=1\"><script>window.previewXss=2</script>" },
            { "type": "comment", "name": "note", "title": "Note" } ] } ]
        }
        """;

    [Fact]
    public async Task Preview_answers_the_definition_sanitized_exactly_as_saving_stores_it_and_stores_nothing()
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Preview of markup"));
        var before = await LatestVersionAsync(app, id);

        var response = await PreviewAsync(client, id, UnsafeSchema);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var previewed = await response.Content.ReadAsStringAsync();
        using (var doc = JsonDocument.Parse(previewed))
        {
            var root = doc.RootElement;
            Assert.Equal("<p>Read <b>this</b> first.</p>", root.GetProperty("pages")[0].GetProperty("elements")[0].GetProperty("html").GetString());
            Assert.Equal("<p>Thanks</p><a rel=\"noopener noreferrer\">back</a>", root.GetProperty("completedHtml").GetProperty("default").GetString());
            Assert.Equal("<p>Hvala</p>", root.GetProperty("completedHtml").GetProperty("sr").GetString());
            Assert.Equal("Note", root.GetProperty("pages")[0].GetProperty("elements")[1].GetProperty("title").GetString());
        }
        Assert.Equal(before.SchemaJson, (await LatestVersionAsync(app, id)).SchemaJson);

        // Saving the same text stores exactly what the preview showed.
        Assert.Equal(HttpStatusCode.Redirect, (await SaveQuestionnaireAsync(app, client, id, publish: false, schema: UnsafeSchema, bindings: "[]")).StatusCode);
        Assert.Equal(previewed, (await LatestVersionAsync(app, id)).SchemaJson);
    }

    [Theory]
    // Readers disagree on a property given twice (the browser takes the last, the sanitizer refuses to guess).
    [InlineData("""{ "pages": [ { "elements": [ { "type": "html", "name": "h", "html": "<b>x</b>", "html": "<img src=x onerror=alert(1)>" } ] } ] }""",
        "\"html\" is given twice in the same object: keep one.")]
    // Half a character: the browser reads it with the markup around it, the server cannot read it at all.
    [InlineData("""{ "pages": [ { "elements": [ { "type": "html", "name": "h", "html": "<img src=x onerror=alert(1)>\ud800" } ] } ] }""",
        "A text contains half of a character (an unpaired surrogate escape): remove it.")]
    [InlineData("{ \"pages\": [ ", "The questionnaire is not valid JSON (line 1, position 14).")]
    [InlineData("", "Enter the questionnaire's SurveyJS JSON.")]
    public async Task Preview_of_a_definition_the_server_cannot_read_is_a_400_saying_why_never_the_text_as_typed(string schema, string title)
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Unreadable preview " + title[..10]));

        var response = await PreviewAsync(client, id, schema);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(title, JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
        Assert.Equal(Consultation.Web.Pages.Questionnaires.EditModel.PreviewUnreadable, JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.DoesNotContain("onerror", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_text_with_half_a_character_is_a_field_error_on_save_not_a_500()
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Half a character"));
        var before = await LatestVersionAsync(app, id);
        const string schema = """{ "pages": [ { "elements": [ { "type": "html", "name": "h", "html": "<img src=x onerror=alert(1)>\ud800" } ] } ] }""";

        var response = await SaveQuestionnaireAsync(app, client, id, publish: false, schema: schema, bindings: "[]");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("$: A text contains half of a character (an unpaired surrogate escape): remove it.", html, StringComparison.Ordinal);
        Assert.Contains(schema, html, StringComparison.Ordinal); // kept as typed, for the author to correct
        Assert.Equal(before.SchemaJson, (await LatestVersionAsync(app, id)).SchemaJson);
    }

    [Fact]
    public async Task Preview_is_for_coordinators_a_respondent_gets_403_and_an_unknown_questionnaire_404()
    {
        var coordinator = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(coordinator, await CreateRoundAsync(coordinator, "Preview access"));
        var respondent = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(respondent, "respondent@demo.local")).StatusCode);
        var respondentToken = Forms.Token(await respondent.GetStringAsync("/Respond"));

        var refused = await PreviewAsync(respondent, id, UnsafeSchema, respondentToken);
        var unknown = await PreviewAsync(coordinator, id + 1_000_000, UnsafeSchema, Forms.Token(await coordinator.GetStringAsync($"/Questionnaires/Edit/{id}")));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("Read <b>this</b>", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    /// <summary>
    /// questionnaire-editor.js keeps unsaved text on the device and sends its copy's id with the save; the page after a
    /// successful save names that id (the script then removes the copy). Anything else in the field is ignored, never a 500.
    /// </summary>
    [Theory]
    [InlineData("3f2b8c1e-9d4a-4e7b-8a6f-2c5d9e0b1a47", "3f2b8c1e-9d4a-4e7b-8a6f-2c5d9e0b1a47")]
    [InlineData("not-a-copy-id", null)]
    [InlineData("<script>", null)]
    public async Task A_save_hands_back_the_device_copy_it_stored_to_the_page_after_it(string sent, string? named)
    {
        var client = await CoordinatorAsync(app);
        var id = await CreateQuestionnaireAsync(client, await CreateRoundAsync(client, "Device copy " + sent.Length));
        var latest = await LatestVersionAsync(app, id);

        var saved = await PostAsync(client, $"/Questionnaires/Edit/{id}",
        [
            new("Input.SchemaJson", latest.SchemaJson.Replace("Five-indicator assessment", "Saved with a device copy", StringComparison.Ordinal)),
            new("Input.BindingsJson", latest.BindingsJson), new("Input.BaseVersion", "1"), new("Input.DeviceCopy", sent),
        ]);

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var after = await client.GetAsync(saved.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var html = await after.Content.ReadAsStringAsync();
        Assert.Contains("Draft version 1 saved.", html, StringComparison.Ordinal);
        Assert.Contains("data-shows-stored=\"true\"", html, StringComparison.Ordinal);
        if (named is null) Assert.DoesNotMatch("data-saved-copy=\"[^\"]", html);
        else Assert.Contains($"data-saved-copy=\"{named}\"", html, StringComparison.Ordinal);
        // Named once: a reload does not name it again.
        Assert.DoesNotMatch("data-saved-copy=\"[^\"]", await client.GetStringAsync($"/Questionnaires/Edit/{id}"));
    }
}
