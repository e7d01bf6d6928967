import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The lint's boundary rules bite (ADR 0017): small sources that exist only
 * in memory, linted as if they were files at the given paths, with the
 * workspace's own eslint.config.mjs. `ok/...` must lint clean, `fail/...`
 * must fail with exactly the named rules.
 */
const ROOT = join(__dirname, '..', '..');
const NX_ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

const BOUNDARIES = '@nx/enforce-module-boundaries';
const RESTRICTED = '@typescript-eslint/no-restricted-imports';

interface Probe {
  name: string;
  filePath: string;
  code: string;
  /** The rules that must report an error; empty: the file lints clean. */
  errors: string[];
  /** Text the (first) error message must contain. */
  message?: RegExp;
}

const probes: Probe[] = [
  // what the code base does every day
  { name: 'ok/an app imports libs', filePath: 'apps/intermediary/src/probe.ts', code: "import { busAnswers } from '@signet/bus';\nimport { ROLES } from '@signet/contracts';\nexport const probe = [busAnswers, ROLES];\n", errors: [] },
  { name: 'ok/ca-core uses typeorm and pg', filePath: 'apps/ca-core/src/probe.ts', code: "import { DataSource } from 'typeorm';\nimport { Client } from 'pg';\nexport const probe = [DataSource, Client];\n", errors: [] },
  { name: "ok/the intermediary's ACME state uses typeorm and pg (ADR 0035)", filePath: 'apps/intermediary/src/acme/database/probe.ts', code: "import { DataSource } from 'typeorm';\nimport { Client } from 'pg';\nexport const probe = [DataSource, Client];\n", errors: [] },
  { name: "ok/the intermediary's test helpers set up a database with pg", filePath: 'apps/intermediary/src/testing/probe.ts', code: "import { Client } from 'pg';\nexport const probe = Client;\n", errors: [] },
  { name: 'ok/libs/x509 uses asn1js and pkijs', filePath: 'libs/x509/src/probe.ts', code: "import * as asn1js from 'asn1js';\nimport { Certificate } from 'pkijs';\nexport const probe = [asn1js, Certificate];\n", errors: [] },
  { name: 'ok/a spec uses libs/testing', filePath: 'apps/exit-service/src/probe.spec.ts', code: "import { SmtpSink } from '@signet/testing';\nexport const probe = SmtpSink;\n", errors: [] },
  { name: "ok/e2e reaches an app through its testing-api", filePath: 'e2e/infra/probe.spec.ts', code: "import { ModuleRunner } from '../../apps/exit-service/src/testing-api';\nexport const probe = ModuleRunner;\n", errors: [] },
  { name: 'ok/bench sets up a database with pg', filePath: 'bench/probe.ts', code: "import { Client } from 'pg';\nimport { openDatabase } from '../apps/ca-core/src/testing-api';\nexport const probe = [Client, openDatabase];\n", errors: [] },

  // an app never imports another app
  { name: 'fail/an app imports another app', filePath: 'apps/cli/src/probe.ts', code: "import { CaCoreModule } from '../../ca-core/src/app.module';\nexport const probe = CaCoreModule;\n", errors: [BOUNDARIES] },
  { name: "fail/an app imports another app's testing-api", filePath: 'apps/admin-api/src/probe.ts', code: "import { openDatabase } from '../../ca-core/src/testing-api';\nexport const probe = openDatabase;\n", errors: [BOUNDARIES] },
  // libs never import apps; the contracts depend on no other project
  { name: 'fail/a lib imports an app', filePath: 'libs/http/src/probe.ts', code: "import { AdminModule } from '../../../apps/admin-api/src/admin.module';\nexport const probe = AdminModule;\n", errors: [BOUNDARIES] },
  { name: 'fail/the contracts import another lib', filePath: 'libs/contracts/src/probe.ts', code: "import { BusClient } from '@signet/bus';\nexport const probe = BusClient;\n", errors: [BOUNDARIES] },
  // libs/testing only from test code
  { name: 'fail/production code imports libs/testing', filePath: 'apps/exit-service/src/probe.ts', code: "import { SmtpSink } from '@signet/testing';\nexport const probe = SmtpSink;\n", errors: [BOUNDARIES] },
  { name: "fail/an app's spec imports e2e's support", filePath: 'apps/exit-service/src/probe.spec.ts', code: "import { Stack } from '../../../e2e/support/stack';\nexport const probe = Stack;\n", errors: [BOUNDARIES] },
  // e2e and bench only through an app's testing-api
  { name: "fail/e2e reaches into an app's internals", filePath: 'e2e/infra/probe.spec.ts', code: "import { DeadLetterStore } from '../../apps/exit-service/src/deadletters/dead-letter.store';\nexport const probe = DeadLetterStore;\n", errors: [BOUNDARIES] },
  { name: "fail/bench reaches into an app's internals", filePath: 'bench/probe.ts', code: "import { pageQuery } from '../apps/ca-core/src/admin/view/view-query';\nexport const probe = pageQuery;\n", errors: [BOUNDARIES] },
  // ASN.1 stays in libs/x509
  { name: 'fail/an app imports asn1js', filePath: 'apps/intermediary/src/probe.ts', code: "import * as asn1js from 'asn1js';\nexport const probe = asn1js;\n", errors: [RESTRICTED], message: /ASN\.1 stays in libs\/x509/ },
  { name: 'fail/ca-core imports pkijs, even for a type', filePath: 'apps/ca-core/src/probe.ts', code: "import type { Certificate } from 'pkijs';\nexport type Probe = Certificate;\n", errors: [RESTRICTED], message: /ASN\.1 stays in libs\/x509/ },
  { name: 'fail/a lib other than x509 imports @peculiar/x509', filePath: 'libs/bus/src/probe.ts', code: "import { X509Certificate } from '@peculiar/x509';\nexport const probe = X509Certificate;\n", errors: [RESTRICTED] },
  { name: 'fail/e2e imports asn1js', filePath: 'e2e/probe.spec.ts', code: "export { fromBER } from 'asn1js';\n", errors: [RESTRICTED] },
  // the database stays in ca-core (e2e and bench may use pg to set one up)
  { name: 'fail/another app imports typeorm', filePath: 'apps/admin-api/src/probe.ts', code: "import { DataSource } from 'typeorm';\nexport const probe = DataSource;\n", errors: [RESTRICTED], message: /database stays in apps\/ca-core/ },
  { name: 'fail/the intermediary outside src/acme imports typeorm', filePath: 'apps/intermediary/src/requests/probe.ts', code: "import { DataSource } from 'typeorm';\nexport const probe = DataSource;\n", errors: [RESTRICTED], message: /database stays in apps\/ca-core/ },
  { name: "fail/the intermediary's ACME code imports asn1js", filePath: 'apps/intermediary/src/acme/probe.ts', code: "import * as asn1js from 'asn1js';\nexport const probe = asn1js;\n", errors: [RESTRICTED], message: /ASN\.1 stays in libs\/x509/ },
  { name: 'fail/a lib imports pg', filePath: 'libs/bus/src/probe.ts', code: "import { Client } from 'pg';\nexport const probe = Client;\n", errors: [RESTRICTED], message: /database stays in apps\/ca-core/ },
  { name: 'fail/e2e imports typeorm', filePath: 'e2e/probe.spec.ts', code: "import { DataSource } from 'typeorm';\nexport const probe = DataSource;\n", errors: [RESTRICTED] },
  // both at once: each rule reports its own
  { name: 'fail/an app imports another app and asn1js', filePath: 'apps/policy-service/src/probe.ts', code: "import * as asn1js from 'asn1js';\nimport { ExitModule } from '../../exit-service/src/modules/types';\nexport const probe = [asn1js, ExitModule];\n", errors: [RESTRICTED, BOUNDARIES] },
];

interface Linted {
  filePath: string;
  messages: { ruleId: string | null; severity: number; message: string }[];
}

describe('lint: module boundaries and restricted imports', () => {
  let results: Map<string, Linted>;

  beforeAll(() => {
    // The Nx rule reads the cached project graph (and skips itself without one): make sure it is there and current.
    const graph = spawnSync(process.execPath, [require.resolve('nx/bin/nx'), 'show', 'projects'], { cwd: ROOT, env: NX_ENV, encoding: 'utf8' });
    if (graph.status !== 0) throw new Error(`nx show projects failed:\n${graph.stderr}`);
    const lint = spawnSync(process.execPath, [join(__dirname, 'lint-probes.mjs')], {
      cwd: ROOT,
      env: NX_ENV,
      input: JSON.stringify(probes.map(({ filePath, code }, i) => ({ filePath, code, i }))),
      encoding: 'utf8',
    });
    if (lint.status !== 0) throw new Error(`lint-probes.mjs failed:\n${lint.stderr}`);
    const linted = JSON.parse(lint.stdout) as Linted[];
    results = new Map(probes.map((p, i) => [p.name, linted[i]]));
  }, 120_000);

  it.each(probes.map((p) => [p.name, p] as const))('%s', (_name, probe) => {
    const { messages } = results.get(probe.name)!;
    expect(messages.map((m) => m.ruleId).sort()).toEqual([...probe.errors].sort());
    expect(messages.every((m) => m.severity === 2)).toBe(true);
    if (probe.message) expect(messages[0].message).toMatch(probe.message);
  });

  it('ok/the Nx rule ran on the project graph (without one it skips itself, printing a warning that would break the JSON above)', () => {
    const reported = [...results.values()].filter((r) => r.messages.some((m) => m.ruleId === BOUNDARIES));
    expect(reported).toHaveLength(probes.filter((p) => p.errors.includes(BOUNDARIES)).length);
  });
});
