import { RetriesDue } from './retries-due';

// The pull loop's memory of the retries it asked for: its wait between pulls must end when the first is due.
describe('RetriesDue', () => {
  it('ok/no retries: the window as asked', () => {
    expect(new RetriesDue().capped(2_000, 1_000)).toBe(2_000);
  });

  it('ok/the earliest retry still to come caps the wait, whichever batch asked for it', () => {
    const r = new RetriesDue();
    r.expect(1, 800, 0); // an earlier batch: due at 800
    r.expect(2, 1_600, 500); // this batch: due at 2100
    expect(r.capped(2_000, 600)).toBe(200);
  });

  it('ok/a retry that came back no longer counts', () => {
    const r = new RetriesDue();
    r.expect(1, 800, 0);
    r.expect(2, 1_600, 0);
    r.arrived(1);
    expect(r.capped(2_000, 100)).toBe(1_500);
  });

  it('ok/a retry due already means no wait', () => {
    const r = new RetriesDue();
    r.expect(1, 100, 0);
    expect(r.capped(2_000, 500)).toBe(0);
  });

  it('ok/a retry another replica took is forgotten a while after it was due', () => {
    const r = new RetriesDue(10_000);
    r.expect(1, 100, 0);
    expect(r.capped(2_000, 5_000)).toBe(0);
    expect(r.capped(2_000, 10_101)).toBe(2_000);
    expect(r.capped(2_000, 0)).toBe(2_000); // gone for good
  });
});
