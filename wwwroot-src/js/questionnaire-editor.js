// Live preview of the questionnaire being authored: renders the textarea's SurveyJS JSON with survey-core and
// survey-js-ui (globals Survey and SurveyUI, loaded as files before this module — the CSP forbids inline script).
// It shows what saving would store, not the text as typed: the server's sanitizer (the one saving uses) cleans the
// definition's HTML (html questions, …Html texts) first, so no markup an author pastes runs or shows here either.
const source = document.getElementById("schema-json");
const preview = document.getElementById("survey-preview");
const status = document.getElementById("preview-status");
const locale = document.getElementById("preview-locale");

let shown = null; // the sanitized definition on screen, for a change of language
let latest = 0; // the newest text asked about: an older answer arriving late is dropped

function show(json) {
  try {
    const model = new Survey.Model(json);
    model.locale = locale.value;
    // A preview never completes or stores anything.
    model.showCompleteButton = false;
    SurveyUI.unmountComponentAtNode(preview);
    SurveyUI.renderSurvey(model, preview);
    shown = json;
    status.textContent = "";
  } catch {
    // SurveyJS could not build the form from a definition the server read: say so in the page's language.
    status.textContent = status.dataset.unavailable;
  }
}

// Where text that JSON.parse refuses goes wrong: the offset of the first character that breaks the JSON grammar
// (the text's length when it ends too early). Only called on refused text, so it need not build anything.
function jsonErrorOffset(text) {
  let i = 0;
  const fail = () => { throw i; };
  const space = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
  const word = w => { if (text.startsWith(w, i)) i += w.length; else fail(); };
  const numberPattern = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const number = () => {
    numberPattern.lastIndex = i;
    const m = numberPattern.exec(text);
    if (!m) fail();
    i += m[0].length;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') { i++; return; }
      if (c < " ") fail();
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (next !== undefined && next !== "u" && "\"\\/bfnrt".includes(next)) i += 2;
        else { i++; fail(); }
        continue;
      }
      i++;
    }
    fail();
  };
  const value = () => {
    space();
    const c = text[i];
    if (c === "{") {
      i++; space();
      if (text[i] === "}") { i++; return; }
      for (;;) {
        space();
        if (text[i] !== '"') fail();
        string(); space();
        if (text[i] !== ":") fail();
        i++; value(); space();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return; }
        fail();
      }
    }
    if (c === "[") {
      i++; space();
      if (text[i] === "]") { i++; return; }
      for (;;) {
        value(); space();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return; }
        fail();
      }
    }
    if (c === '"') return string();
    if (c === "t") return word("true");
    if (c === "f") return word("false");
    if (c === "n") return word("null");
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    fail();
  };
  try {
    value(); space();
    return i < text.length ? i : text.length;
  } catch (at) {
    return typeof at === "number" ? at : 0; // nested past the stack: say the start
  }
}

async function render() {
  const ticket = ++latest;
  const text = source.value;
  try {
    JSON.parse(text);
  } catch {
    // JSON.parse's message is the browser's, in English: name the line and position in the page's language, as
    // the server's validator does.
    const at = jsonErrorOffset(text);
    const line = text.slice(0, at).split("\n").length;
    const position = at - text.lastIndexOf("\n", at - 1);
    status.textContent = `${status.dataset.invalid} ${status.dataset.notJson.replace("{0}", line).replace("{1}", position)}`;
    return; // keep the last good preview on screen while the author types
  }
  const max = Number(source.dataset.maxLength);
  if (max && text.length > max) { status.textContent = source.dataset.tooLarge; return; }
  const token = source.form?.querySelector("input[name=__RequestVerificationToken]")?.value ?? "";
  let response;
  try {
    response = await fetch(preview.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Accept": "application/json", "RequestVerificationToken": token },
      body: new URLSearchParams({ "Input.SchemaJson": text }),
    });
  } catch {
    if (ticket === latest) status.textContent = status.dataset.unavailable;
    return;
  }
  if (ticket !== latest) return;
  if (!response.ok) {
    // The server cannot read it (a property twice, …) and says why; anything else (signed out, an expired token,
    // offline): say the preview is behind.
    const problem = response.status === 400 ? await response.json().catch(() => null) : null;
    if (ticket !== latest) return;
    status.textContent = problem?.code === "questionnaire.preview_unreadable" && problem.title
      ? `${status.dataset.invalid} ${problem.title}` : status.dataset.unavailable;
    return;
  }
  let sanitized;
  try { sanitized = await response.json(); } catch { sanitized = null; }
  if (ticket !== latest) return;
  if (sanitized === null) { status.textContent = status.dataset.unavailable; return; }
  show(sanitized);
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
  locale?.addEventListener("change", () => { if (shown !== null) show(shown); });
  render();
} else if (status) {
  status.textContent = status.dataset.noscript;
}
