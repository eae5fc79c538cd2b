// A form that keeps what is typed on this device until the server has it (the round form; the questionnaire editor
// has its own, questionnaire-editor.js). A coordinator's session can end while they type (signed out in another tab,
// the 8-hour limit): "Save" then lands on the sign-in page, the post is gone, and the page fetched after signing in
// shows the stored values. So while the fields differ from what the page loaded, the browser keeps them under the
// form's key (user, round) and the state they were typed to (data-copy-base: when the round was last saved). The page
// after a successful save names the copy it stored (body data-saved-copy; site.js removes it). On load, a copy typed
// to the state shown goes back into the form; one typed to an earlier state (the round was saved again since) does not
// overwrite anything: it is shown apart, read-only, to copy from, until the coordinator removes it.
import { copyKeys, newCopyId, readCopy, readOnlyText, removeCopy, showApartPanel } from "./device-copies.js";

const form = document.querySelector("form[data-copy-key]");
if (form) start(form);

function start(form) {
  const prefix = form.dataset.copyKey;
  const base = form.querySelector("input[name=CopyBase]")?.value ?? "";
  const key = prefix + base;
  const deviceCopy = form.querySelector("input[name=DeviceCopy]");
  const skip = new Set(["__RequestVerificationToken", "CopyBase", "DeviceCopy"]);
  const notice = document.getElementById("form-copy-notice");
  const snapshot = () => [...new FormData(form)].filter(([name, value]) => typeof value === "string" && !skip.has(name));
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  // What the server stored, when the page shows it (a GET); a refused post shows what was typed, saved nowhere.
  const stored = form.dataset.showsStored === "true" ? snapshot() : null;

  const read = k => readCopy(k, copy => Array.isArray(copy.fields));
  const remove = removeCopy;
  function keep() {
    const fields = snapshot();
    if (stored && same(fields, stored)) { remove(key); return; }
    const id = read(key)?.id ?? newCopyId();
    try { localStorage.setItem(key, JSON.stringify({ id, fields, at: Date.now() })); } catch { /* full or disabled */ }
  }
  function say(text) { notice.textContent = text; notice.classList.remove("d-none"); }

  const apart = [];
  for (const k of copyKeys(prefix)) {
    const copy = read(k);
    if (!copy) continue;
    if (stored && same(copy.fields, stored)) { remove(k); continue; }
    if (k === key) {
      if (stored) { fill(form, copy.fields, skip); say(form.dataset.restored); }
      continue;
    }
    apart.push([k, copy]);
  }
  if (!stored) keep();
  const removeApart = () => { for (const [k] of apart) remove(k); };
  // A copy that differs from the current values in nothing the form has (a field since removed) is nothing to show.
  if (apart.length && !showApart(form, apart.map(([, copy]) => copy.fields), snapshot(), skip, () => { removeApart(); say(form.dataset.removed); })) {
    removeApart();
  }

  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
  form.addEventListener("submit", () => {
    keep();
    if (deviceCopy) deviceCopy.value = read(key)?.id ?? "";
  });
}

function fill(form, fields, skip) {
  const values = new Map();
  for (const [name, value] of fields) values.set(name, [...(values.get(name) ?? []), value]);
  for (const el of form.elements) {
    if (!el.name || skip.has(el.name) || el.disabled) continue;
    const mine = values.get(el.name) ?? [];
    if (el.type === "checkbox" || el.type === "radio") el.checked = mine.includes(el.value);
    else if (mine.length && "value" in el) el.value = mine[0];
  }
}

// The fields whose values differ from the form's, named by their labels (a group of checkboxes by its legend, its
// values by theirs), as read-only text.
function showApart(form, copies, current, skip, discard) {
  const byName = fields => {
    const map = new Map();
    for (const [name, value] of fields) map.set(name, [...(map.get(name) ?? []), value]);
    return map;
  };
  const now = byName(current);
  const items = [];
  copies.forEach((fields, i) => {
    for (const [name, values] of byName(fields)) {
      if (skip.has(name) || JSON.stringify(values) === JSON.stringify(now.get(name) ?? [])) continue;
      const els = [...form.elements].filter(el => el.name === name);
      const choice = els[0]?.type === "checkbox" || els[0]?.type === "radio";
      const label = choice ? els[0].closest("fieldset")?.querySelector("legend")?.textContent : els[0]?.labels?.[0]?.textContent;
      const shown = choice
        ? values.map(v => els.find(el => el.value === v)?.labels?.[0]?.textContent?.trim() ?? v).join("; ")
        : values.join("; ");
      items.push(...readOnlyText(`form-copy-unsaved-${i}-${items.length}`, (label ?? name).trim(), shown, "form-control mb-2", 1, 10));
    }
  });
  if (!items.length) return false;
  showApartPanel("form-copy-unsaved", "form-copy-unsaved-fields", "form-copy-unsaved-discard", items, discard);
  return true;
}
