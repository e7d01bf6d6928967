import { InHand, type Acknowledgeable } from './in-hand';

function msg(log: string[], name: string): Acknowledgeable {
  return { ack: () => log.push(`ack ${name}`), working: () => log.push(`wpi ${name}`) };
}

describe('InHand', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ok/one timer touches every message in hand; it stops when none is left', () => {
    const log: string[] = [];
    const h = new InHand(100);
    const a = msg(log, 'a');
    const b = msg(log, 'b');
    h.take(a);
    h.take(b);
    jest.advanceTimersByTime(100);
    expect(log).toEqual(['wpi a', 'wpi b']);
    h.release(a);
    jest.advanceTimersByTime(100);
    expect(log).toEqual(['wpi a', 'wpi b', 'wpi b']);
    h.release(b);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ok/acknowledgements wait a moment and go out together, and the message is no longer touched', () => {
    const log: string[] = [];
    const h = new InHand(100, 5);
    const a = msg(log, 'a');
    const b = msg(log, 'b');
    h.take(a);
    h.take(b);
    h.ack(a);
    jest.advanceTimersByTime(2);
    h.ack(b);
    expect(log).toEqual([]);
    jest.advanceTimersByTime(3);
    expect(log).toEqual(['ack a', 'ack b']);
    expect(h.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ok/acknowledgements of different modules go out together', () => {
    const log: string[] = [];
    const files = new InHand(100, 5);
    const hooks = new InHand(100, 5);
    const a = msg(log, 'a');
    const b = msg(log, 'b');
    files.take(a);
    hooks.take(b);
    files.ack(a);
    hooks.ack(b);
    jest.advanceTimersByTime(5);
    expect(log).toEqual(['ack a', 'ack b']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ok/a module with a shorter wait brings everything forward; the default wait is half the heartbeat, at most 50 ms', () => {
    const log: string[] = [];
    const slow = new InHand(1_000); // waits 50 ms
    const quick = new InHand(40); // waits 20 ms
    const a = msg(log, 'a');
    const b = msg(log, 'b');
    slow.take(a);
    quick.take(b);
    slow.ack(a);
    jest.advanceTimersByTime(5);
    quick.ack(b);
    jest.advanceTimersByTime(19);
    expect(log).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(log).toEqual(['ack a', 'ack b']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ok/flush sends what is waiting at once (shutdown)', () => {
    const log: string[] = [];
    const h = new InHand(100, 1_000);
    const a = msg(log, 'a');
    h.take(a);
    h.ack(a);
    h.flush();
    expect(log).toEqual(['ack a']);
    expect(jest.getTimerCount()).toBe(0);
  });
});
