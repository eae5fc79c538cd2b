using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Consultation.Web.Infrastructure;

/// <summary>
/// A checkbox posts "true" (plus the hidden "false"); anything else is tampering and means unchecked. The default
/// binder keeps such a value as the attempted value, and re-rendering the form then throws in the checkbox tag
/// helper (a 500 found by the security scan with <c>Input.RememberMe=true¿'"(</c>).
/// </summary>
public sealed class CheckboxBinder : IModelBinder
{
    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        var posted = bindingContext.ValueProvider.GetValue(bindingContext.ModelName);
        if (posted == ValueProviderResult.None) return Task.CompletedTask;
        var value = bool.TryParse(posted.FirstValue?.Trim(), out var b) && b;
        bindingContext.ModelState.SetModelValue(bindingContext.ModelName, value, value ? "true" : "false");
        bindingContext.Result = ModelBindingResult.Success(value);
        return Task.CompletedTask;
    }
}

/// <summary>Uses <see cref="CheckboxBinder"/> for every <c>bool</c> bound from a form, query or route (JSON bodies keep their own rules).</summary>
public sealed class CheckboxBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context) =>
        context.Metadata.ModelType == typeof(bool) && context.BindingInfo.BindingSource != BindingSource.Body ? new CheckboxBinder() : null;
}

/// <summary>
/// A request that no handler of the page answers — an unknown <c>?handler=</c>, or a POST without a handler name to a
/// page whose POST handlers all have one — is a 404, not a render of the page with a model no handler has loaded (a 500
/// found by the security scan with <c>POST /Evidence/1?handler=Freeze¿'"(</c>). A method the page takes no handler for
/// at all never gets here: <see cref="PageMethodFilter"/> answers it with 405.
/// </summary>
public sealed class UnknownHandlerFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var request = context.HttpContext.Request;
        var named = context.RouteData.Values.ContainsKey("handler") || request.Query.ContainsKey("handler");
        if (context.HandlerMethod is null && (named || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))))
        {
            context.Result = new NotFoundResult();
            return;
        }
        await next();
    }
}
