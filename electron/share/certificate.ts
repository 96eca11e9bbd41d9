import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsCertificate {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, shown to the user so the one-time trust step can be checked on the phone. */
  fingerprint256: string;
}

const KEY_FILE = 'share-key.pem';
const CERT_FILE = 'share-cert.pem';
const VALIDITY_DAYS = 825; // the longest validity Apple platforms accept for a TLS server certificate

/**
 * The share server's self-signed certificate, made once per install and kept in `dir`. It is made again when
 * it expires within a week or when it does not cover one of `hosts` (the LAN address changed), because a phone
 * rejects a certificate whose subject-alt-names miss the address it connects to.
 */
export async function loadOrCreateCertificate(dir: string, hosts: readonly string[]): Promise<TlsCertificate> {
  const existing = await readExisting(dir);
  if (existing && coversHosts(existing.cert, hosts) && !expiresSoon(existing.cert)) return existing;

  const now = new Date();
  const notAfter = new Date(now.getTime() + VALIDITY_DAYS * 86_400_000);
  const altNames = uniqueHosts(hosts).map((host) => (isIpAddress(host) ? ({ type: 7, ip: host } as const) : ({ type: 2, value: host } as const)));
  const generated = await generate([{ name: 'commonName', value: 'E2GAN Studio share server' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  await mkdir(dir, { recursive: true });
  await writeAtomically(join(dir, KEY_FILE), generated.private, 0o600);
  await writeAtomically(join(dir, CERT_FILE), generated.cert, 0o644);
  return { key: generated.private, cert: generated.cert, fingerprint256: new X509Certificate(generated.cert).fingerprint256 };
}

async function readExisting(dir: string): Promise<TlsCertificate | undefined> {
  try {
    const [key, cert] = await Promise.all([readFile(join(dir, KEY_FILE), 'utf8'), readFile(join(dir, CERT_FILE), 'utf8')]);
    return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
  } catch {
    return undefined; // missing or unreadable: make a new one
  }
}

function coversHosts(certPem: string, hosts: readonly string[]): boolean {
  const names = new X509Certificate(certPem).subjectAltName ?? '';
  return hosts.every((host) => names.includes(isIpAddress(host) ? `IP Address:${host}` : `DNS:${host}`));
}

function expiresSoon(certPem: string): boolean {
  return new Date(new X509Certificate(certPem).validTo).getTime() - Date.now() < 7 * 86_400_000;
}

function uniqueHosts(hosts: readonly string[]): string[] {
  return [...new Set(['localhost', '127.0.0.1', ...hosts])];
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode });
  await rename(temp, path);
}
