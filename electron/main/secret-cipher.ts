/**
 * The app's SecretCipher: Electron's safeStorage (macOS Keychain, Windows DPAPI, Linux libsecret / KWallet).
 * On Linux without a keyring safeStorage falls back to a hard-coded key ('basic_text'), which is no protection:
 * then nothing is stored and the user is told why. Takes safeStorage as an argument so a test can pass a stand-in.
 */
import type { SafeStorage } from 'electron';
import type { SecretCipher } from '../services/hub-token';

type SafeStoragePart = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & {
  getSelectedStorageBackend?: () => string;
};

export function safeStorageCipher(safeStorage: SafeStoragePart, platform: NodeJS.Platform = process.platform): SecretCipher {
  return {
    unavailableReason: () => {
      if (!safeStorage.isEncryptionAvailable()) return 'this computer offers no encrypted storage to the app, so no token is stored';
      if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
        return 'no system keyring (GNOME Keyring or KWallet) is running, so the token cannot be encrypted and is not stored';
      }
      return null;
    },
    encrypt: (text) => safeStorage.encryptString(text),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}
