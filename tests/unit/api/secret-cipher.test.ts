import { describe, expect, it } from 'vitest';
import { safeStorageCipher } from '../../../electron/main/secret-cipher';

/** Electron's safeStorage as far as the cipher uses it; "encrypts" by reversing, which is enough to see the calls. */
function fakeSafeStorage(available: boolean, backend = 'gnome_libsecret') {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (text: string) => Buffer.from([...text].reverse().join('')),
    decryptString: (data: Buffer) => [...data.toString()].reverse().join(''),
  };
}

describe('safeStorageCipher', () => {
  it('encrypts through safeStorage when a real keyring backs it', () => {
    const cipher = safeStorageCipher(fakeSafeStorage(true) as never, 'linux');
    expect(cipher.unavailableReason()).toBeNull();
    const sealed = cipher.encrypt('hf_secret');
    expect(sealed.toString()).not.toBe('hf_secret');
    expect(cipher.decrypt(sealed)).toBe('hf_secret');
  });

  it("refuses when encryption is unavailable, or when Linux falls back to safeStorage's plain-text key", () => {
    expect(safeStorageCipher(fakeSafeStorage(false) as never, 'darwin').unavailableReason()).toMatch(/no token is stored/);
    expect(safeStorageCipher(fakeSafeStorage(true, 'basic_text') as never, 'linux').unavailableReason()).toMatch(/no system keyring/);
    expect(safeStorageCipher(fakeSafeStorage(true, 'basic_text') as never, 'win32').unavailableReason()).toBeNull();
  });
});
