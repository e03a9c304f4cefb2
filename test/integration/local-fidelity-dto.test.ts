import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../helpers/local-provider.ts';

/**
 * The provider's answers diffed against the generated API client's models (@daytona/api-client, the version the SDK
 * pins): every required field present with its type, every optional field it sends with its type, and the optional
 * fields it leaves out named here, each for a reason (docs/local-provider-fidelity.md).
 */
const OMITTED_OPTIONAL = new Set([
  'domainAllowList', // refused by the local provider (no DNS filtering)
  'outboundProxyUrl',
  'otelEndpointOverride',
  'spot',
  'spotEvictedAt',
  'gpuType', // no GPUs, no spot instances, no telemetry
  'warmPoolId', // no warm pools
  'backupCreatedAt', // no backups (backupState is None)
  'autoDestroyAt', // only with a TTL
  'daemonVersion',
  'runnerId', // no runners or daemons
  'linkedSandboxId', // no linked sandboxes
  'kvm',
  'errorReason', // only while in error
  'snapshot', // only when created from one
  'networkAllowList', // only when set
  'buildInfo', // only when created from an image
  'contextHashes', // BuildInfo: images are recorded, not built, so there is no build context
]);

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'string|null';
interface Field {
  name: string;
  optional: boolean;
  kind: Kind;
}

const apiClientModels = join(dirname(createRequire(import.meta.url).resolve('@daytona/api-client/package.json')), 'src', 'models');

/** The fields of an interface in one of the api-client's model .d.ts files. */
function modelFields(file: string, name: string): Field[] {
  const source = ts.createSourceFile(file, readFileSync(join(apiClientModels, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const model = source.statements.find(
    (node): node is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(node) && node.name.text === name,
  );
  if (!model) throw new Error(`no interface ${name} in ${file}`);
  return model.members.filter(ts.isPropertySignature).map((member) => ({
    name: (member.name as ts.StringLiteral | ts.Identifier).text,
    optional: member.questionToken !== undefined,
    kind: kindOf(member.type!.getText(source)),
  }));
}

function kindOf(type: string): Kind {
  if (type === 'string' || type === 'number' || type === 'boolean') return type;
  if (type === 'string | null') return 'string|null';
  if (type === 'Date') return 'string'; // JSON carries dates as ISO strings
  if (type.startsWith('Array<')) return 'array';
  if (type.startsWith('{')) return 'object';
  // Enums (SandboxState, SandboxClass, …) are string unions; other named models are objects.
  return /State|Class|Enum|GpuType/.test(type) ? 'string' : 'object';
}

function kindOfValue(value: unknown): Kind {
  if (Array.isArray(value)) return 'array';
  return typeof value as Kind;
}

/** Differences between a response object and a model, as readable lines (empty when they agree). */
function diff(response: Record<string, unknown>, fields: Field[]): string[] {
  const problems: string[] = [];
  for (const field of fields) {
    const value = response[field.name];
    if (value === undefined) {
      if (!field.optional) problems.push(`missing required ${field.name}`);
      else if (!OMITTED_OPTIONAL.has(field.name)) problems.push(`missing optional ${field.name} (not listed as deliberately omitted)`);
      continue;
    }
    const actual = value === null ? 'null' : kindOfValue(value);
    const expected = field.kind === 'string|null' ? ['string', 'null'] : [field.kind];
    if (!expected.includes(actual)) problems.push(`${field.name}: ${actual}, the model says ${field.kind}`);
  }
  const known = new Set(fields.map((field) => field.name));
  for (const key of Object.keys(response)) if (!known.has(key)) problems.push(`extra field ${key}, not in the model`);
  return problems;
}

describe("local provider DTOs match the generated API client's models", () => {
  let t: TestProvider;
  let id: string;

  beforeAll(async () => {
    t = await startTestProvider();
    id = (await t.daytona.create({ name: 'dto', labels: { a: 'b' }, envVars: { K: 'v' } })).id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('the models are read (the diff would pass vacuously otherwise)', () => {
    const sandbox = modelFields('sandbox.d.ts', 'Sandbox');
    expect(sandbox.length).toBeGreaterThan(30);
    expect(sandbox).toContainEqual({ name: 'toolboxProxyUrl', optional: false, kind: 'string' });
    expect(diff({}, sandbox)).toContain('missing required id');
    expect(diff({ id: 1 }, sandbox)).toContain('id: number, the model says string');
  });

  it('GET /sandbox/{id} is a Sandbox', async () => {
    const response = await (await t.request(`/sandbox/${id}`)).json();
    expect(diff(response, modelFields('sandbox.d.ts', 'Sandbox'))).toEqual([]);
  });

  it('GET /sandbox is a ListSandboxesResponse of SandboxListItems', async () => {
    const response = await (await t.request('/sandbox?limit=1')).json();
    expect(diff(response, modelFields('list-sandboxes-response.d.ts', 'ListSandboxesResponse'))).toEqual([]);
    expect(response.items).toHaveLength(1);
    expect(diff(response.items[0], modelFields('sandbox-list-item.d.ts', 'SandboxListItem'))).toEqual([]);
  });

  it('a sandbox created from an image carries a BuildInfo', async () => {
    const fromImage = await t.daytona.create({ name: 'dto-image', image: 'python:3.12-slim' });
    const response = await (await t.request(`/sandbox/${fromImage.id}`)).json();
    expect(diff(response, modelFields('sandbox.d.ts', 'Sandbox'))).toEqual([]);
    const buildInfo = modelFields('build-info.d.ts', 'BuildInfo');
    expect(diff(response.buildInfo, buildInfo)).toEqual([]);
  });
});
