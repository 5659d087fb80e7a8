// Build web/static/ from the pinned rasa-webchat package (npm ci first):
//   static/webchat.js              the widget's standalone bundle, without the
//                                  third-party font import, followed by
//                                  src/webchat-fr.js (French labels, keyboard)
//   static/rasa-webchat.LICENSE.txt   the widget's Apache-2.0 licence
//
// The bundle's CSS starts with
//   @import url(https://fonts.googleapis.com/css?family=Inter:...);
// which would make every visitor's browser call Google (RGPD). The widget then
// falls back to the page's sans-serif font. The build fails if any remote
// @import or font host is left, or if the bundle is not the expected one.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, "node_modules", "rasa-webchat");
const expected = JSON.parse(readFileSync(join(here, "package.json"), "utf8")).dependencies["rasa-webchat"];
const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
if (version !== expected) {
  throw new Error(`rasa-webchat ${version} installed, ${expected} expected: run npm ci in web/`);
}

const bundle = readFileSync(join(pkgDir, "lib", "index.js"), "utf8");
const remoteImport = /@import\s+url\(\s*["']?(?:https?:)?\/\/[^)]*\)\s*;?/g;
const removed = bundle.match(remoteImport) || [];
if (removed.length === 0) {
  throw new Error("no remote @import found: the bundle changed, check it by hand");
}
const stripped = bundle.replace(remoteImport, "");
for (const leftover of [/@import\s+url\(\s*["']?(?:https?:)?\/\//, /fonts\.(googleapis|gstatic)\.com/]) {
  if (leftover.test(stripped)) throw new Error(`still in the bundle after stripping: ${leftover}`);
}

const addon = readFileSync(join(here, "src", "webchat-fr.js"), "utf8");
const header =
  `/*! rasa-webchat ${version} (Apache-2.0, see rasa-webchat.LICENSE.txt), ` +
  `remote font @import removed; followed by the project's src/webchat-fr.js */\n`;
const output = `${header}${stripped}\n;\n${addon}`;

const outDir = join(here, "static");
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "webchat.js"), output);
writeFileSync(join(outDir, "rasa-webchat.LICENSE.txt"), readFileSync(join(pkgDir, "LICENSE")));
const digest = createHash("sha256").update(output).digest("hex").slice(0, 12);
console.log(
  `static/webchat.js: rasa-webchat ${version}, ${removed.length} remote @import removed, ` +
    `${Math.round(output.length / 1024)} KB, sha256 ${digest}…`
);
