import { promises as dns } from 'node:dns';
import { startChallTestSrv, type ChallTestSrv } from './challtestsrv';

describe('startChallTestSrv', () => {
  let srv: ChallTestSrv;
  let resolver: dns.Resolver;
  beforeAll(async () => {
    srv = await startChallTestSrv();
    resolver = new dns.Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([srv.dns]);
  });
  afterAll(() => srv?.stop());

  it('ok/answers A with 127.0.0.1 by default and AAAA with nothing', async () => {
    expect(await resolver.resolve4('anything.example')).toEqual(['127.0.0.1']);
    await expect(resolver.resolve6('anything.example')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('ok/serves TXT values until cleared', async () => {
    await srv.setTxt('_acme-challenge.a.example', 'one');
    await srv.setTxt('_acme-challenge.a.example.', 'two');
    expect((await resolver.resolveTxt('_acme-challenge.a.example')).map((r) => r.join('')).sort()).toEqual(['one', 'two']);
    await srv.clearTxt('_acme-challenge.a.example');
    await expect(resolver.resolveTxt('_acme-challenge.a.example')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('ok/A and CNAME records of a test', async () => {
    await srv.addA('b.example', ['192.0.2.7']);
    expect(await resolver.resolve4('b.example')).toEqual(['192.0.2.7']);
    await srv.setCname('_acme-challenge.c.example', '_acme-challenge.d.example');
    await srv.setTxt('_acme-challenge.d.example', 'via-cname');
    expect(await resolver.resolveCname('_acme-challenge.c.example')).toEqual(['_acme-challenge.d.example']);
    expect(await resolver.resolveTxt('_acme-challenge.c.example')).toEqual([['via-cname']]);
  });
});
