import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { request } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { loadOrCreateCertificate, type TlsCertificate } from '../../../electron/share/certificate';
import { startShareServer, type ShareSession } from '../../../electron/share/share-server';
import { findLanAddress } from '../../../electron/share/lan-address';

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function get(session: ShareSession, cert: TlsCertificate, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // The CA is the server's own certificate: this also proves the certificate is valid for 127.0.0.1.
    const req = request({ host: '127.0.0.1', port: session.port, path, method, ca: cert.cert, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('share server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'share-'));
  const secretNextToIt = join(dir, 'secret.txt');
  let cert: TlsCertificate;
  let session: ShareSession;

  beforeAll(async () => {
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>player</title>');
    writeFileSync(join(dir, 'bundle.zip'), 'PK-zip-bytes');
    writeFileSync(join(dir, 'model.onnx'), 'onnx-bytes');
    writeFileSync(secretNextToIt, 'do not serve me');
    cert = await loadOrCreateCertificate(join(dir, 'tls'), ['127.0.0.1']);
    session = await startShareServer({
      host: '127.0.0.1',
      certificate: cert,
      files: [
        { route: 'index.html', path: join(dir, 'index.html') },
        { route: 'bundle.zip', path: join(dir, 'bundle.zip') },
        { route: 'model/model.onnx', path: join(dir, 'model.onnx') },
      ],
    });
  });
  afterAll(async () => session.stop());

  test('serves the index and listed files behind the token, with security headers', async () => {
    expect(session.url).toBe(`https://127.0.0.1:${session.port}/s/${session.token}/`);
    expect(session.token.length).toBeGreaterThanOrEqual(32);
    const index = await get(session, cert, `/s/${session.token}/`);
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>player</title>');
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    expect(index.headers['cross-origin-embedder-policy']).toBe('require-corp');
    const model = await get(session, cert, `/s/${session.token}/model/model.onnx`);
    expect(model).toMatchObject({ status: 200, body: 'onnx-bytes' });
    const zip = await get(session, cert, `/s/${session.token}/bundle.zip?download=1`);
    expect(zip).toMatchObject({ status: 200, body: 'PK-zip-bytes' });
  });

  test('a wrong token gets a bare 403', async () => {
    const wrongSameLength = session.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    for (const token of [wrongSameLength, 'short', `${session.token}x`]) {
      const reply = await get(session, cert, `/s/${token}/bundle.zip`);
      expect(reply.status).toBe(403);
      expect(reply.body).toBe('Forbidden');
    }
  });

  test('path traversal and unlisted paths get a bare 404', async () => {
    const t = session.token;
    const attempts = [
      `/s/${t}/../secret.txt`,
      `/s/${t}/%2e%2e/secret.txt`,
      `/s/${t}/..%2fsecret.txt`,
      `/s/${t}/model/../secret.txt`,
      `/s/${t}/model/..%2f..%2fsecret.txt`,
      `/s/${t}//etc/passwd`,
      `/s/${t}/secret.txt`,
      `/s/${t}/model/`,
      `/s/${t}/%E0%A4%A`,
      `/`,
      `/s/`,
      `/index.html`,
      `/secret.txt`,
    ];
    for (const path of attempts) {
      const reply = await get(session, cert, path);
      // A valid token never turns a bad path into 403: every one of these is simply not there.
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).not.toContain('do not serve me');
      expect(reply.body, path).toBe('Not found');
    }
  });

  test('methods other than GET get a bare 404', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']) {
      const reply = await get(session, cert, `/s/${session.token}/bundle.zip`, method);
      expect(reply.status, method).toBe(404);
      expect(reply.body, method).not.toContain('PK-zip-bytes');
    }
  });

  test('rejects routes that are not plain names', async () => {
    for (const route of ['../x', 'a/../b', '/abs', 'a//b', './a', 'a b']) {
      await expect(startShareServer({ host: '127.0.0.1', certificate: cert, files: [{ route, path: secretNextToIt }] })).rejects.toThrow(route);
    }
  });
});

describe('share server lifetime', () => {
  test('stops by itself when the token expires, and refuses further connections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'share-ttl-'));
    writeFileSync(join(dir, 'index.html'), 'hi');
    const cert = await loadOrCreateCertificate(join(dir, 'tls'), ['127.0.0.1']);
    const session = await startShareServer({
      host: '127.0.0.1',
      certificate: cert,
      ttlMs: 400,
      files: [{ route: 'index.html', path: join(dir, 'index.html') }],
    });
    expect((await get(session, cert, `/s/${session.token}/`)).status).toBe(200);
    await expect(session.ended).resolves.toBe('expired');
    expect(session.isActive()).toBe(false);
    await expect(get(session, cert, `/s/${session.token}/`)).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
  });

  test('Stop closes the server at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'share-stop-'));
    writeFileSync(join(dir, 'index.html'), 'hi');
    const cert = await loadOrCreateCertificate(join(dir, 'tls'), ['127.0.0.1']);
    const session = await startShareServer({ host: '127.0.0.1', certificate: cert, files: [{ route: 'index.html', path: join(dir, 'index.html') }] });
    await session.stop();
    await expect(session.ended).resolves.toBe('stopped');
    await expect(get(session, cert, `/s/${session.token}/`)).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
  });
});

describe('share certificate', () => {
  test('is made once per install and remade when the LAN address changes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'share-cert-')), 'tls');
    const first = await loadOrCreateCertificate(dir, ['192.168.1.20']);
    const again = await loadOrCreateCertificate(dir, ['192.168.1.20']);
    expect(again.fingerprint256).toBe(first.fingerprint256);
    const san = new X509Certificate(first.cert).subjectAltName ?? '';
    expect(san).toContain('IP Address:192.168.1.20');
    expect(san).toContain('IP Address:127.0.0.1');
    const moved = await loadOrCreateCertificate(dir, ['10.0.0.7']);
    expect(moved.fingerprint256).not.toBe(first.fingerprint256);
    expect(new X509Certificate(moved.cert).subjectAltName).toContain('IP Address:10.0.0.7');
  });
});

describe('LAN address', () => {
  test('prefers a private IPv4 address and skips loopback', () => {
    const address = findLanAddress({
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '', cidr: null }],
      docker: [{ address: '100.64.0.2', family: 'IPv4', internal: false, netmask: '255.255.0.0', mac: '', cidr: null }],
      wlan0: [
        { address: 'fe80::1', family: 'IPv6', internal: false, netmask: '', mac: '', cidr: null, scopeid: 0 },
        { address: '192.168.0.12', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null },
      ],
    });
    expect(address).toBe('192.168.0.12');
    expect(findLanAddress({ lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '', mac: '', cidr: null }] })).toBeUndefined();
  });
});
