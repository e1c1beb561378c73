// The fingerprint of the front end's source inputs, written beside the bundle as build-hash.txt.
// tests/test_frontend_build.py recomputes it in Python: keep the two definitions identical.
//
// Definition: the inputs are every file under src/, index.html, admin.html, package.json, package-lock.json,
// vite.config.* and tsconfig*.json, named by their path relative to this folder with "/" separators
// and sorted by that path (byte order). The fingerprint is the SHA-256, in hex, of the text made of
// one line per input: "<path> <SHA-256 of the file's bytes in hex>\n".
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const FRONTEND_ROOT = fileURLToPath(new URL("..", import.meta.url));

const TOP_LEVEL_INPUT = /^(index\.html|admin\.html|package\.json|package-lock\.json|vite\.config\..+|tsconfig.*\.json)$/;

function filesUnder(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

export function sourceInputs(root = FRONTEND_ROOT) {
  const topLevel = readdirSync(root)
    .filter((name) => TOP_LEVEL_INPUT.test(name) && statSync(join(root, name)).isFile())
    .map((name) => join(root, name));
  return [...topLevel, ...filesUnder(join(root, "src"))]
    .map((path) => relative(root, path).split(sep).join("/"))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export function buildHash(root = FRONTEND_ROOT) {
  const listing = sourceInputs(root)
    .map((path) => {
      const digest = createHash("sha256").update(readFileSync(join(root, path))).digest("hex");
      return `${path} ${digest}\n`;
    })
    .join("");
  return createHash("sha256").update(listing).digest("hex");
}

export function writeBuildHash(outDir, root = FRONTEND_ROOT) {
  writeFileSync(join(outDir, "build-hash.txt"), buildHash(root) + "\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(buildHash());
}
