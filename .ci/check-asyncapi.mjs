// Validates docs/asyncapi.yaml with the official AsyncAPI parser; run by .ci/run.
import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(process.argv[2], 'utf8'));
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) console.log(['error', 'warning', 'info', 'hint'][d.severity], d.code, d.message, JSON.stringify(d.path));
if (!document || errors.length) { console.error(`${errors.length} errors`); process.exit(1); }
console.log(`valid AsyncAPI ${document.version()}: ${document.channels().length} channels, ${document.operations().length} operations, ${diagnostics.length} diagnostics`);
