// JSON Schemas of the contracts, generated from the TypeScript types in contracts/ (the one
// source): every REST success body (contracts/routes.ts, ApiResponses) and every ws frame
// (contracts/ws.ts, ServerFrame). Written to .cache/contracts/schemas.json, again only when the
// contracts changed. The gateways check what they send against them when CONTRACT_CHECK is on
// (infra/contract-check.ts); the tests turn it on.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator, type Config } from 'ts-json-schema-generator';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONTRACTS = join(ROOT, 'contracts');
export const CONTRACT_SCHEMAS_PATH = join(ROOT, '.cache', 'contracts', 'schemas.json');

/** What the generated file holds. */
export interface ContractSchemaFile {
  /** the contracts' sources it was generated from */
  hash: string;
  /** ApiResponses: one property per route, `$ref`s into its definitions */
  responses: Record<string, unknown>;
  /** ServerFrame, with its definitions */
  frame: Record<string, unknown>;
  /** ErrorBody: every error response */
  error: Record<string, unknown>;
}

function contractsHash(): string {
  const hash = createHash('sha256');
  const generator = JSON.parse(
    readFileSync(join(ROOT, 'node_modules', 'ts-json-schema-generator', 'package.json'), 'utf8'),
  ) as { version: string };
  hash.update(generator.version);
  for (const file of readdirSync(CONTRACTS)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort())
    hash.update(file).update(readFileSync(join(CONTRACTS, file)));
  return hash.digest('hex');
}

function generate(file: string, type: string): Record<string, unknown> {
  const config: Config = {
    path: join(CONTRACTS, file),
    tsconfig: join(ROOT, 'tsconfig.json'),
    type,
    // the types compile with the project (npm run typecheck); this only reads them
    skipTypeCheck: true,
    expose: 'export',
    topRef: false,
    // a field a contract does not list is a break too
    additionalProperties: false,
  };
  return createGenerator(config).createSchema(type) as Record<string, unknown>;
}

/** The schemas' file, generated when the contracts changed since; returns its path. */
export function ensureContractSchemas(log: (line: string) => void = (l) => console.error(l)): string {
  const hash = contractsHash();
  if (existsSync(CONTRACT_SCHEMAS_PATH)) {
    const known = JSON.parse(readFileSync(CONTRACT_SCHEMAS_PATH, 'utf8')) as Partial<ContractSchemaFile>;
    if (known.hash === hash) return CONTRACT_SCHEMAS_PATH;
  }
  log('contracts: generating their JSON Schemas (contracts/ → .cache/contracts/schemas.json)…');
  const file: ContractSchemaFile = {
    hash,
    responses: generate('routes.ts', 'ApiResponses'),
    frame: generate('ws.ts', 'ServerFrame'),
    error: generate('errors.ts', 'ErrorBody'),
  };
  mkdirSync(dirname(CONTRACT_SCHEMAS_PATH), { recursive: true });
  writeFileSync(CONTRACT_SCHEMAS_PATH, JSON.stringify(file));
  return CONTRACT_SCHEMAS_PATH;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const path = ensureContractSchemas((line) => console.log(line));
  console.log(`${path} (${Math.round(performance.now() - started)} ms)`);
}
