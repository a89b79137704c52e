// What the gateways send, checked against the contracts while testing (CONTRACT_CHECK=on): every
// REST body against its route's type in contracts/routes.ts (errors against ErrorBody), every ws
// frame against ServerFrame, with JSON Schemas generated from those types (one source:
// scripts/contract-schemas.ts writes them). A body that breaks its contract is answered 500
// CONTRACT_VIOLATION instead, a frame closes its socket (1011): the test that produced it fails,
// and each violation is kept in `contractViolations` for the test run to report.
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Config } from '../config/index.ts';

export interface ContractViolation {
  /** `GET /portfolio`, `error 404`, or `ws frame` */
  what: string;
  problems: string;
}

/** Every violation this process saw (a test run reports them). */
export const contractViolations: ContractViolation[] = [];

export interface ContractChecker {
  /** the problems of a success body for `route` ("GET /portfolio"), or undefined when it holds */
  response(route: string, body: unknown): string | undefined;
  error(body: unknown): string | undefined;
  frame(text: string): string | undefined;
}

interface SchemaFile {
  responses: { properties: Record<string, unknown>; definitions: Record<string, unknown> };
  frame: Record<string, unknown>;
  error: Record<string, unknown>;
}

let loading: Promise<ContractChecker | undefined> | undefined;

/** The checker when CONTRACT_CHECK is on (its schemas read once per process), else undefined. */
export function contractChecker(settings: Config['contractCheck']): Promise<ContractChecker | undefined> {
  if (!settings.enabled) return Promise.resolve(undefined);
  loading ??= load(settings.schemasPath);
  return loading;
}

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath || '(body)'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    )
    .join('; ');

async function load(path: string): Promise<ContractChecker> {
  // a development dependency: only a node that checks (tests, development) loads it
  const { Ajv } = await import('ajv');
  const file = JSON.parse(readFileSync(path, 'utf8')) as SchemaFile;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const byRoute = new Map<string, ValidateFunction>();
  const definitions = file.responses.definitions;
  const routeCheck = (route: string): ValidateFunction | undefined => {
    const known = byRoute.get(route);
    if (known) return known;
    const schema = file.responses.properties[route];
    if (!schema) return undefined;
    const compiled = ajv.compile({ ...(schema as object), definitions });
    byRoute.set(route, compiled);
    return compiled;
  };
  const frame = ajv.compile(file.frame);
  const error = ajv.compile(file.error);
  const record = (what: string, problems: string) => {
    contractViolations.push({ what, problems });
    return problems;
  };
  return {
    response(route, body) {
      const check = routeCheck(route);
      if (!check) return record(route, 'no contract in contracts/routes.ts for this route');
      return check(body === undefined ? null : body) ? undefined : record(route, describe(check.errors));
    },
    error(body) {
      return error(body) ? undefined : record('error body', describe(error.errors));
    },
    frame(text) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return record('ws frame', 'not JSON');
      }
      if (frame(parsed)) return undefined;
      const type = (parsed as { type?: unknown; event?: unknown }).type;
      const event = (parsed as { event?: unknown }).event;
      return record(`ws frame ${String(type)}${event ? ` ${String(event)}` : ''}`, describe(frame.errors));
    },
  };
}
