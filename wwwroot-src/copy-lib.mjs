// Copies the front-end libraries (from npm) and the portal's own scripts and styles into the web
// project's wwwroot. Runs from `npm run build` and from the web project's build (see the csproj), before
// MapStaticAssets fingerprints wwwroot. Files are written only when their content changed, so a no-op
// build does not invalidate anything.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const nm = join(here, "node_modules");
const wwwroot = join(here, "..", "src", "Consultation.Web", "wwwroot");
const lib = join(wwwroot, "lib");

const libraries = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["survey-core/survey.core.min.js", "survey/survey.core.min.js"],
  ["survey-core/survey-core.fontless.min.css", "survey/survey-core.fontless.min.css"],
  ["survey-core/survey.i18n.min.js", "survey/survey.i18n.min.js"],
  ["survey-core/surveyjs_definition.json", "survey/surveyjs_definition.json"],
  ["survey-js-ui/survey-js-ui.min.js", "survey/survey-js-ui.min.js"],
  ["@microsoft/signalr/dist/browser/signalr.min.js", "signalr/signalr.min.js"],
  ["chart.js/dist/chart.umd.js", "chartjs/chart.umd.js"],
];

let written = 0;
function copyIfChanged(from, to) {
  if (!existsSync(from)) {
    console.error(`copy-lib: missing ${from} — run 'npm ci' in wwwroot-src first`);
    process.exit(1);
  }
  if (existsSync(to) && readFileSync(to).equals(readFileSync(from))) return;
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  written++;
}

for (const [from, to] of libraries) copyIfChanged(join(nm, from), join(lib, to));

// The portal's own ES modules and styles: wwwroot-src/{js,css} → wwwroot/{js,css}.
for (const folder of ["js", "css"]) {
  const src = join(here, folder);
  if (!existsSync(src)) continue;
  for (const name of readdirSync(src)) {
    const from = join(src, name);
    if (statSync(from).isFile()) copyIfChanged(from, join(wwwroot, folder, name));
  }
}
console.log(`copy-lib: ${written} file(s) updated in ${wwwroot}`);
