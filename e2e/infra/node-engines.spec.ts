import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';

// `npm ci` prints EBADENGINE for every installed package whose "engines".node
// does not accept the running Node. No warning on any Node that package.json
// "engines".node (and the README) names means: that range is a subset of
// every package's own range. The lock file records each package's engines,
// so this needs no install. scripts/lib/node-version.cjs (npm start's check,
// written without semver) must accept exactly the same versions.

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: Record<string, string> | string[] }>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script without types, loaded as npm start loads it
const check = require(path.join(ROOT, 'scripts', 'lib', 'node-version.cjs')) as { SUPPORTED: string; isSupported(v: string): boolean };

describe('supported Node.js versions', () => {
  const ours = pkg.engines.node;

  it('package.json and the lock file state the same engines', () => {
    expect(lock.packages[''].engines).toEqual({ node: ours });
  });

  it('every locked package accepts every Node that package.json names (no EBADENGINE)', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([where, p]) => where !== '' && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.subset(ours, (p.engines as Record<string, string>).node))
      .map(([where, p]) => `${where}@${p.version}: ${(p.engines as Record<string, string>).node}`);
    expect(refusing).toEqual([]);
  });

  it('includes the Node of this machine and of the Docker image (node:20)', () => {
    expect(semver.satisfies(process.versions.node, ours)).toBe(true);
    expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/ARG NODE_IMAGE=node:20-/);
    expect(semver.intersects('20.x', ours)).toBe(true);
  });

  it("npm start's check accepts exactly the versions package.json names", () => {
    const versions: string[] = [];
    for (let major = 16; major <= 30; major++) for (const minor of [0, 1, 5, 11, 12, 13, 18, 19, 20, 40]) versions.push(`${major}.${minor}.0`, `${major}.${minor}.7`);
    const disagree = versions.filter((v) => check.isSupported(v) !== semver.satisfies(v, ours));
    expect(disagree).toEqual([]);
  });

  it('the README names the same versions as the check', () => {
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain(`Node.js ${check.SUPPORTED}`);
  });
});
