// Builds one app for production: every TypeScript file of the app and of the workspace libs is
// compiled by SWC (decorator metadata on, for NestJS) into dist/, keeping the folder layout, with
// the @hookline/* path aliases rewritten to relative requires. No bundler: node_modules stay
// external and stack traces point at the real files through source maps.
import { transformFile } from '@swc/core';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const projectRoot = process.argv[2];
if (!projectRoot) {
  console.error('usage: node tools/scripts/build-app.mjs apps/<name>');
  process.exit(2);
}

const swcrc = JSON.parse(readFileSync(path.join(root, '.swcrc'), 'utf8'));
const { compilerOptions } = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const isSource = (name) =>
  name.endsWith('.ts') &&
  !name.endsWith('.d.ts') &&
  !/\.(int\.)?spec\.ts$/.test(name) &&
  !name.endsWith('.bench.ts');
const isAsset = (name) =>
  name.endsWith('.json') && !/^(project|tsconfig.*|package)\.json$/.test(name);

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (
        entry.name !== 'node_modules' &&
        entry.name !== 'test-clients' &&
        entry.name !== 'testing'
      )
        yield* walk(full);
    } else yield full;
  }
}

const sourceRoots = [path.join(root, projectRoot, 'src')];
for (const [, [target]] of Object.entries(compilerOptions.paths)) {
  if (!target.startsWith('libs/shared/testing'))
    sourceRoots.push(path.join(root, path.dirname(target)));
}

const outRoot = path.join(root, 'dist', projectRoot);
await rm(outRoot, { recursive: true, force: true });
let files = 0;
for (const dir of sourceRoots) {
  for await (const file of walk(dir)) {
    const rel = path.relative(root, file);
    const out = path.join(outRoot, rel);
    await mkdir(path.dirname(out), { recursive: true });
    if (isAsset(path.basename(file))) {
      await copyFile(file, out);
      continue;
    }
    if (!isSource(path.basename(file))) continue;
    const result = await transformFile(file, {
      ...swcrc,
      swcrc: false,
      filename: file,
      sourceFileName: path.relative(path.dirname(out), file),
      jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths },
    });
    const js = out.replace(/\.ts$/, '.js');
    await writeFile(js, `${result.code}\n//# sourceMappingURL=${path.basename(js)}.map\n`);
    if (result.map) await writeFile(`${js}.map`, result.map);
    files += 1;
  }
}
// One stable entry point whatever the inner layout: dist/apps/<name>/main.js
await writeFile(
  path.join(outRoot, 'main.js'),
  `require('./${path.posix.join(projectRoot, 'src', 'main.js')}');\n`,
);
console.log(`built ${projectRoot}: ${files} files -> ${path.relative(root, outRoot)}`);
