import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * No tracked file holds the markers of an unresolved merge: a README or a
 * config with `<<<<<<<` in it builds and tests fine, and says two things at
 * once. git itself lists the tracked files, so node_modules and build output
 * are never searched.
 */
const ROOT = join(__dirname, '..', '..');

describe('the tree holds no unresolved merge', () => {
  it('fail/no tracked file has a line starting <<<<<<<, ======= alone, or >>>>>>>', () => {
    // -I: text files only; -n: line numbers for the message.
    const r = spawnSync('git', ['grep', '-I', '-n', '-E', '^(<{7} |>{7} |={7}$)'], { cwd: ROOT, encoding: 'utf8' });
    // git grep exits 1 when nothing matches, 0 with matches, above 1 on errors.
    expect({ status: r.status, matches: r.stdout.trim().split('\n').filter(Boolean) }).toEqual({ status: 1, matches: [] });
  });
});
