// Adds `npm run db:migrate` to an app's build, for its image: compiles tools/scripts/migrate.ts and
// the migrations list it imports into dist/<app>/tools/scripts/ and writes dist/<app>/migrate.js.
// Same SWC options and @hookline/* rewriting as tools/scripts/build-app.mjs, which has already
// compiled every lib these two files import into the same tree. Run it after `nx build <app>`.
import { transformFile } from '@swc/core';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const projectRoot = process.argv[2];
const outRoot = projectRoot && path.join(root, 'dist', projectRoot);
if (!outRoot || !existsSync(path.join(outRoot, 'main.js'))) {
  console.error('usage: node docker/build-migrate.mjs apps/<name>, after `npx nx build <name>`');
  process.exit(2);
}

const swcrc = JSON.parse(readFileSync(path.join(root, '.swcrc'), 'utf8'));
const { compilerOptions } = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));

for (const rel of ['tools/scripts/migrate.ts', 'tools/scripts/migrations.ts']) {
  const file = path.join(root, rel);
  const js = path.join(outRoot, rel.replace(/\.ts$/, '.js'));
  const result = await transformFile(file, {
    ...swcrc,
    swcrc: false,
    filename: file,
    sourceFileName: path.relative(path.dirname(js), file),
    jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths },
  });
  await mkdir(path.dirname(js), { recursive: true });
  await writeFile(js, `${result.code}\n//# sourceMappingURL=${path.basename(js)}.map\n`);
  if (result.map) await writeFile(`${js}.map`, result.map);
}
await writeFile(path.join(outRoot, 'migrate.js'), "require('./tools/scripts/migrate.js');\n");
console.log(`built ${path.relative(root, outRoot)}/migrate.js (npm run db:migrate)`);
