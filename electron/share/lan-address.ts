import { networkInterfaces } from 'node:os';

/**
 * The IPv4 address a phone on the same Wi-Fi can reach: the first private-range (home and office LAN) address.
 * Never a public address: the share would then be offered to the whole internet. Undefined when there is no
 * private address; the share service then listens on loopback and says so.
 */
export function findLanAddress(interfaces = networkInterfaces()): string | undefined {
  const candidates: string[] = [];
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal) candidates.push(entry.address);
    }
  }
  return candidates.find(isPrivateIpv4);
}

function isPrivateIpv4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}
