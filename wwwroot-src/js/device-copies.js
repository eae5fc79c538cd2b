// What the questionnaire editor (questionnaire-editor.js) and the round form (form-copy.js) share to keep text typed on
// this device until the server has it: reading and removing copies in localStorage (storage may be disabled or full:
// the forms still work, without the safety net), new copy ids, and the panel that shows copies apart, read-only.

/** The copy under `key` when it parses and `isCopy` accepts it; null otherwise. */
export function readCopy(key, isCopy) {
  try {
    const copy = JSON.parse(localStorage.getItem(key) ?? "null");
    return copy && isCopy(copy) ? copy : null;
  } catch { return null; }
}

export function removeCopy(key) {
  try { localStorage.removeItem(key); } catch { /* storage disabled: nothing was kept */ }
}

/** The keys of the copies starting with `prefix`. */
export function copyKeys(prefix) {
  try { return Object.keys(localStorage).filter(k => k.startsWith(prefix)); } catch { return []; }
}

/** A UUID (the server hands back only that shape); crypto.randomUUID exists only on secure origins. */
export function newCopyId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** A labelled read-only text to select and copy from: [label, textarea]. */
export function readOnlyText(id, label, value, className, minRows, maxRows) {
  const caption = document.createElement("label");
  caption.htmlFor = id;
  caption.className = "form-label mb-1";
  caption.textContent = label;
  const text = document.createElement("textarea");
  text.id = id;
  text.readOnly = true;
  text.className = className;
  text.rows = Math.min(maxRows, Math.max(minRows, value.split("\n").length));
  text.value = value;
  return [caption, text];
}

/** Shows `items` in the panel `boxId` (list `listId`) until its discard button (`discardId`) calls `discard`. */
export function showApartPanel(boxId, listId, discardId, items, discard) {
  const box = document.getElementById(boxId);
  const list = document.getElementById(listId);
  if (!box || !list) return;
  list.replaceChildren(...items);
  box.classList.remove("d-none");
  document.getElementById(discardId)?.addEventListener("click", () => {
    discard();
    list.replaceChildren();
    box.classList.add("d-none");
  }, { once: true });
}
