using Consultation.Web.Infrastructure.Security;

namespace Consultation.Web.Infrastructure;

public static class PagesExtensions
{
    public static IServiceCollection AddPortalPages(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
            {
                o.Conventions.AuthorizeFolder("/Admin", Policies.Administrator);
                o.Conventions.AuthorizeFolder("/Organisations", Policies.Coordinator);
                o.Conventions.AuthorizeFolder("/Rounds", Policies.Coordinator);
                o.Conventions.AuthorizeFolder("/Questionnaires", Policies.Coordinator);
                o.Conventions.AuthorizeFolder("/Evidence", Policies.Coordinator);
                o.Conventions.AuthorizeFolder("/Workshops", Policies.Facilitator);
                o.Conventions.AllowAnonymousToFolder("/Join");
                o.Conventions.AuthorizeFolder("/Respond", Policies.Respondent);
                o.Conventions.AllowAnonymousToPage("/Index");
                o.Conventions.AllowAnonymousToPage("/Error");
                // Sign-in pages carry [AllowAnonymous] themselves; everything else falls back to "signed in".
            })
            .AddMvcOptions(o =>
            {
                // First of the authorization filters: a method the page has no handler for is 405 before anything reads the form.
                o.Filters.Add<PageMethodFilter>(order: -1000);
                o.Filters.Add<AccountStateFilter>();
                o.Filters.Add<Data.TransientDatabaseFailureFilter>();
                o.Filters.Add<UnknownHandlerFilter>();
                o.Filters.Add<FormReadFilter>();
                o.Filters.Add<AntiforgeryFailureFilter>();
                o.ModelBinderProviders.Insert(0, new CheckboxBinderProvider());
            })
            .AddViewLocalization()
            .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, f) => f.Create(typeof(SharedResource)));
        // The messages of values that do not bind (an emptied or non-numeric number field), in the reader's language
        // and without the C# property's name (the framework's own say "The value 'abc' is not valid for MinOrganisations.").
        services.AddOptions<Microsoft.AspNetCore.Mvc.MvcOptions>().Configure<Microsoft.Extensions.Localization.IStringLocalizerFactory>((o, factory) =>
        {
            var L = factory.Create(typeof(SharedResource));
            var m = o.ModelBindingMessageProvider;
            m.SetValueMustNotBeNullAccessor(_ => L["Enter a value."]);
            m.SetMissingBindRequiredValueAccessor(_ => L["Enter a value."]);
            m.SetMissingKeyOrValueAccessor(() => L["Enter a value."]);
            m.SetMissingRequestBodyRequiredValueAccessor(() => L["Enter a value."]);
            m.SetAttemptedValueIsInvalidAccessor((value, _) => L["“{0}” is not a valid value here.", value]);
            m.SetNonPropertyAttemptedValueIsInvalidAccessor(value => L["“{0}” is not a valid value here.", value]);
            m.SetValueIsInvalidAccessor(value => L["“{0}” is not a valid value here.", value]);
            m.SetUnknownValueIsInvalidAccessor(_ => L["This value is not valid here."]);
            m.SetNonPropertyUnknownValueIsInvalidAccessor(() => L["This value is not valid here."]);
            m.SetValueMustBeANumberAccessor(_ => L["Enter a number."]);
            m.SetNonPropertyValueMustBeANumberAccessor(() => L["Enter a number."]);
        });
        // Serbian, Macedonian and Albanian text is written as characters, not as &#x…; entities (still HTML-encoded).
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        return services;
    }
}
