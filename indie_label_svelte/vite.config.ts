import { svelte } from "@sveltejs/vite-plugin-svelte";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";
import { writeBuildHash } from "./scripts/build-hash.mjs";

const OUT_DIR = resolve(import.meta.dirname, "public");

// Records which sources the bundle was built from, so a test can tell when it is stale.
function buildHashFile(): Plugin {
  return {
    name: "indielabel-build-hash",
    apply: "build",
    closeBundle() {
      writeBuildHash(OUT_DIR);
    },
  };
}

export default defineConfig({
  plugins: [svelte({ configFile: false }), buildHashFile()],
  // public/ is the build output that Flask serves, not a folder of static inputs.
  publicDir: false,
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: "es2022",
    // The chart library is one large chunk by nature; it loads only when a chart is first shown.
    chunkSizeWarningLimit: 1500,
    // The organizer's page is an entry of its own, so the auditor's page carries none of its code.
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, "index.html"), admin: resolve(import.meta.dirname, "admin.html") },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ["/api", "/audit_settings", "/get_", "/save_reports", "/submit_avid_report", "/export_avid_reports", "/flag",
        "/admin/api", "/admin/flags"]
        .map((prefix) => [prefix, "http://127.0.0.1:5001"]),
    ),
  },
});
