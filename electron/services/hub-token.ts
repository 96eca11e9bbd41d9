/**
 * The Hugging Face token for gated or private repos, kept encrypted at rest by a SecretCipher (Electron's
 * safeStorage in the app: the OS keychain / DPAPI / libsecret). Without a cipher (browser mode, the CLI) nothing
 * is stored and the status says so. The token never leaves the back end in clear: callers get a status, and
 * download jobs get it in memory through the runner's secrets.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../domain/errors';

export interface SecretCipher {
  /** Null when secrets can be encrypted here; otherwise why not, in words a user can act on. */
  unavailableReason(): string | null;
  encrypt(text: string): Buffer;
  decrypt(data: Buffer): string;
}

export interface HubTokenStatus {
  /** A token is stored (encrypted) and downloads use it. */
  stored: boolean;
  /** This back end can store one encrypted. */
  canStore: boolean;
  /** What happens with a token here, e.g. why it cannot be stored. */
  note: string;
}

const TOKEN_PATTERN = /^[\x21-\x7e]{8,512}$/;
export const NO_CIPHER_NOTE = 'This back end cannot encrypt secrets, so no token is stored. Set HF_TOKEN in the environment of the server instead.';

export class HubTokenStore {
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly cipher: SecretCipher | null,
  ) {
    this.file = path.join(dataDir, 'secrets', 'hf-token.enc');
  }

  status(): HubTokenStatus {
    const reason = this.unavailableReason();
    if (reason) return { stored: false, canStore: false, note: reason };
    const stored = existsSync(this.file);
    return { stored, canStore: true, note: stored ? 'A token is stored encrypted on this computer; downloads use it.' : 'No token stored: public repos only.' };
  }

  set(token: string): HubTokenStatus {
    const trimmed = token.trim();
    if (!TOKEN_PATTERN.test(trimmed)) {
      throw new InvalidInputError('token: expected a Hugging Face access token (8 to 512 printable characters, no spaces)');
    }
    const reason = this.unavailableReason();
    if (reason) throw new InvalidInputError(`token not stored: ${reason}`);
    const encrypted = this.cipher!.encrypt(trimmed);
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, encrypted, { mode: 0o600 });
    renameSync(temporary, this.file);
    return this.status();
  }

  clear(): HubTokenStatus {
    rmSync(this.file, { force: true });
    return this.status();
  }

  /** The token in clear, for a download job's in-memory secrets only; undefined when none is stored or readable. */
  read(): string | undefined {
    if (this.unavailableReason() || !existsSync(this.file)) return undefined;
    try {
      return this.cipher!.decrypt(readFileSync(this.file));
    } catch {
      // Encrypted under another OS account or keychain: as if none were stored (the user can enter it again).
      return undefined;
    }
  }

  private unavailableReason(): string | null {
    return this.cipher ? this.cipher.unavailableReason() : NO_CIPHER_NOTE;
  }
}
