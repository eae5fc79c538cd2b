// Live preview of the questionnaire being authored: renders the textarea's SurveyJS JSON with survey-core and
// survey-js-ui (globals Survey and SurveyUI, loaded as files before this module — the CSP forbids inline script).
const source = document.getElementById("schema-json");
const preview = document.getElementById("survey-preview");
const status = document.getElementById("preview-status");
const locale = document.getElementById("preview-locale");

function render() {
  let json;
  try {
    json = JSON.parse(source.value);
  } catch (e) {
    status.textContent = `${status.dataset.invalid} ${e.message}`;
    return; // keep the last good preview on screen while the author types
  }
  try {
    const model = new Survey.Model(json);
    model.locale = locale.value;
    // A preview never completes or stores anything.
    model.showCompleteButton = false;
    SurveyUI.unmountComponentAtNode(preview);
    SurveyUI.renderSurvey(model, preview);
    status.textContent = "";
  } catch (e) {
    status.textContent = `${status.dataset.invalid} ${e.message}`;
  }
}

// Too large to save: say so here and keep the text, instead of sending a form the server can only refuse. The
// textareas' own maxlength (from the model's limit) would silently cut a pasted definition at the limit instead.
const bindingsArea = source?.form?.querySelector("textarea[name='Input.BindingsJson']");
for (const area of [source, bindingsArea]) area?.removeAttribute("maxlength");
source?.form?.addEventListener("submit", e => {
  const max = Number(source.dataset.maxLength);
  if (!max || (source.value.length <= max && (bindingsArea?.value.length ?? 0) <= max)) return;
  e.preventDefault();
  const errors = document.getElementById("schema-errors");
  const item = document.createElement("li");
  item.textContent = source.dataset.tooLarge;
  errors?.replaceChildren(item);
  source.setAttribute("aria-invalid", "true");
  source.focus();
});

if (source && preview && window.Survey && window.SurveyUI) {
  let timer;
  source.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(render, 400);
  });
  locale?.addEventListener("change", render);
  render();
} else if (status) {
  status.textContent = status.dataset.noscript;
}
