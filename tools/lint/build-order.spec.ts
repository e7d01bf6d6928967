import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Nx builds a project after the projects it depends on, and knows those only
 * from each project.json's `implicitDependencies` in this workspace. A
 * missing entry builds in the right order by luck: on a fresh checkout with
 * two builds in parallel, `libs/assertions` compiled before `libs/contracts`
 * existed and the build failed. Every `@signet/<lib>` that a project's
 * shipped code imports must be declared (libraries without a build target,
 * such as test helpers, excepted).
 */
const ROOT = join(__dirname, '..', '..');

function projects(): Array<{ dir: string; name: string; declared: string[]; hasBuild: boolean }> {
  return ['apps', 'libs'].flatMap((top) =>
    readdirSync(join(ROOT, top))
      .map((d) => join(top, d))
      .filter((d) => existsSync(join(ROOT, d, 'project.json')))
      .map((d) => {
        const p = JSON.parse(readFileSync(join(ROOT, d, 'project.json'), 'utf8')) as { name: string; implicitDependencies?: string[]; targets?: Record<string, unknown> };
        return { dir: d, name: p.name, declared: p.implicitDependencies ?? [], hasBuild: !!p.targets?.build };
      }),
  );
}

function shippedImports(dir: string): Set<string> {
  const found = new Set<string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'testing' && e.name !== 'node_modules' && e.name !== 'dist') walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/from '@signet\/([a-z0-9-]+)/g)) found.add(m[1]);
      }
    }
  };
  if (existsSync(join(ROOT, dir, 'src'))) walk(join(ROOT, dir, 'src'));
  return found;
}

describe('build order', () => {
  it('fail/every project declares the built libraries its shipped code imports', () => {
    const all = projects();
    const built = new Set(all.filter((p) => p.hasBuild && p.dir.startsWith('libs/')).map((p) => p.name));
    const missing = all.flatMap((p) => [...shippedImports(p.dir)].filter((lib) => built.has(lib) && lib !== p.name && !p.declared.includes(lib)).map((lib) => `${p.dir} imports @signet/${lib} without declaring it`));
    expect(missing).toEqual([]);
  });
});
