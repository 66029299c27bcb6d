import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Pins the architecture's import rules: the lint run (part of `npm test`) must fail when a domain
 * lib reaches for a framework, an I/O client, an app or another lib's internals.
 */
describe('module boundaries', () => {
  jest.setTimeout(30_000);
  const root = path.resolve(__dirname, '../..');
  const eslintBin = path.join(root, 'node_modules', '.bin', 'eslint');

  // ESLint runs as its own process, exactly as the lint target runs it (its flat config is ESM,
  // which jest's module loader does not import).
  const problems = async (filePath: string, code: string) => {
    let output: string;
    try {
      output = execFileSync(
        eslintBin,
        ['--format', 'json', '--stdin', '--stdin-filename', filePath],
        {
          cwd: root,
          input: code,
          encoding: 'utf8',
          env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
        },
      );
    } catch (error) {
      output = (error as { stdout: string }).stdout;
    }
    const [result] = JSON.parse(output) as Array<{
      messages: Array<{ ruleId: string; message: string }>;
    }>;
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  };

  const domainFile = 'libs/webhooks/domain/src/boundary-probe.ts';

  it('a domain lib may not import NestJS, TypeORM, pg, kafkajs or axios', async () => {
    const banned = ['@nestjs/common', '@nestjs/cqrs', 'typeorm', 'pg', 'kafkajs', 'axios'];
    const code = banned.map((pkg, i) => `import * as x${i} from '${pkg}';`).join('\n');
    const used = `\nexport const y = [${banned.map((_, i) => `x${i}`).join(', ')}];\n`;
    expect(await problems(domainFile, code + used)).toEqual(
      banned.map((pkg) =>
        expect.stringContaining(`"type:domain" is not allowed to import "${pkg}"`),
      ),
    );
  });

  it('a domain lib may not import a data-access or infra lib', async () => {
    expect(
      await problems(
        domainFile,
        `import { createKafka } from '@hookline/shared-kafka';\nexport const y = createKafka;\n`,
      ),
    ).toEqual([expect.stringMatching(/"type:domain" can only depend on libs tagged with/)]);
  });

  it('a lib may not import an app by path', async () => {
    expect(
      await problems(
        domainFile,
        `import { loadConfig } from '../../../../apps/config-api/src/config';\nexport const y = loadConfig;\n`,
      ),
    ).toEqual([expect.stringMatching(/cannot be imported by a relative or absolute path/)]);
  });

  it('a lib is used only through its public entry point', async () => {
    expect(
      await problems(
        'apps/config-api/src/boundary-probe.ts',
        `import { parseEnv } from '@hookline/shared-config/src/env';\nexport const y = parseEnv;\n`,
      ),
    ).toEqual([expect.stringMatching(/no-restricted-imports: .*public entry point/)]);
  });

  it('the dashboard may read the contracts lib and nothing that runs on the server', async () => {
    const dashboardFile = 'apps/dashboard/src/boundary-probe.tsx';
    expect(
      await problems(
        dashboardFile,
        `import type { EventType } from '@hookline/contracts';\nexport type Y = EventType;\n`,
      ),
    ).toEqual([]);
    expect(
      await problems(
        dashboardFile,
        `import { DeliveryQueries } from '@hookline/deliveries-data-access';\nexport const y = DeliveryQueries;\n`,
      ),
    ).toEqual([expect.stringMatching(/"scope:dashboard" can only depend on libs tagged with/)]);
  });

  it('a domain lib may import the contracts lib', async () => {
    expect(
      await problems(
        domainFile,
        `import * as contracts from '@hookline/contracts';\nexport const y = contracts;\n`,
      ),
    ).toEqual([]);
  });
});
