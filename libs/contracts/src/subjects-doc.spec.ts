import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allSubjectPatterns } from './subjects';

// docs/SUBJECTS.md is what operators read to write NATS permissions: it must match the code.
describe('docs/SUBJECTS.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'SUBJECTS.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);

  it('lists every subject pattern the contracts define', () => {
    expect(documented.sort()).toEqual(allSubjectPatterns().sort());
  });
});
