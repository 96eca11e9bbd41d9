import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBytes } from './byte-encoder';

export const CLIP_BOS_TOKEN = '<|startoftext|>';
export const CLIP_EOS_TOKEN = '<|endoftext|>';
export const CLIP_MAX_LENGTH = 77;

export interface ClipTokenizerOptions {
  /** Token used to fill up to maxLength. SD1.x uses the end-of-text token, SD2.x/Turbo uses "!". */
  padToken?: string;
  maxLength?: number;
  /** Where the vocabulary came from, used in error messages. */
  source?: string;
}

export interface TokenizedText {
  /** Exactly maxLength ids: bos, tokens (truncated), eos, padding. */
  ids: number[];
  /** 1 for real tokens (including bos/eos), 0 for padding. */
  attentionMask: number[];
}

// CLIP's pre-tokenizer: special tokens, English contractions, runs of letters, single digits, runs of other
// non-space symbols. Case-insensitive because CLIP lowercases anyway.
const PRE_TOKENIZER = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

function decodeHtmlEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return named[body.toLowerCase()] ?? whole;
  });
}

/** CLIP's basic_clean + whitespace_clean + lower(); ftfy's mojibake repair is approximated by NFC. */
export function cleanClipText(text: string): string {
  const unescaped = decodeHtmlEntities(decodeHtmlEntities(text));
  return unescaped.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * CLIP's byte-level BPE tokenizer (as used by Stable Diffusion text encoders), built from the
 * vocab.json + merges.txt pair of a diffusers `tokenizer/` folder.
 */
export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly maxLength: number;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly mergeRanks: ReadonlyMap<string, number>;
  private readonly cache = new Map<string, number[]>();

  constructor(vocab: Record<string, number>, merges: readonly string[], options: ClipTokenizerOptions = {}) {
    const source = options.source ?? 'vocabulary';
    this.vocab = new Map(Object.entries(vocab));
    this.mergeRanks = new Map(merges.map((pair, rank) => [pair, rank]));
    this.maxLength = options.maxLength ?? CLIP_MAX_LENGTH;
    if (this.maxLength < 2) throw new Error(`CLIP tokenizer: maxLength must be at least 2, got ${this.maxLength}`);
    this.bosId = this.requireId(CLIP_BOS_TOKEN, source);
    this.eosId = this.requireId(CLIP_EOS_TOKEN, source);
    this.padId = this.requireId(options.padToken ?? CLIP_EOS_TOKEN, source);
  }

  /** Loads `dir/vocab.json` + `dir/merges.txt`; the pad token comes from tokenizer_config.json or special_tokens_map.json when present. */
  static async fromDirectory(dir: string): Promise<ClipTokenizer> {
    const vocabPath = join(dir, 'vocab.json');
    const mergesPath = join(dir, 'merges.txt');
    for (const path of [vocabPath, mergesPath]) {
      if (!existsSync(path)) throw new Error(`CLIP tokenizer: missing ${path}`);
    }
    let vocab: unknown;
    try {
      vocab = JSON.parse(await readFile(vocabPath, 'utf8'));
    } catch (error) {
      throw new Error(`CLIP tokenizer: ${vocabPath} is not valid JSON (${(error as Error).message})`);
    }
    if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) {
      throw new Error(`CLIP tokenizer: ${vocabPath} must be an object of token -> id`);
    }
    const merges = parseMerges(await readFile(mergesPath, 'utf8'));
    const padToken = await readPadToken(dir);
    return new ClipTokenizer(vocab as Record<string, number>, merges, { source: vocabPath, ...(padToken ? { padToken } : {}) });
  }

  /** Token ids of the text without bos/eos/padding. */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const match of cleanClipText(text).matchAll(PRE_TOKENIZER)) {
      const word = match[0];
      if (word === CLIP_BOS_TOKEN || word === CLIP_EOS_TOKEN) {
        ids.push(this.vocab.get(word)!);
        continue;
      }
      ids.push(...this.encodeWord(encodeBytes(word)));
    }
    return ids;
  }

  /** bos + tokens + eos, truncated and padded to maxLength, as the text encoder expects. */
  encode(text: string): TokenizedText {
    const body = this.tokenize(text).slice(0, this.maxLength - 2);
    const real = [this.bosId, ...body, this.eosId];
    const ids = [...real, ...new Array<number>(this.maxLength - real.length).fill(this.padId)];
    const attentionMask = ids.map((_, i) => (i < real.length ? 1 : 0));
    return { ids, attentionMask };
  }

  private requireId(token: string, source: string): number {
    const id = this.vocab.get(token);
    if (id === undefined) throw new Error(`CLIP tokenizer: ${source} has no entry for ${JSON.stringify(token)}`);
    return id;
  }

  private encodeWord(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    const symbols = this.bpe(word);
    const ids = symbols.map((symbol) => {
      const id = this.vocab.get(symbol);
      if (id === undefined) throw new Error(`CLIP tokenizer: BPE produced ${JSON.stringify(symbol)}, which is not in the vocabulary`);
      return id;
    });
    if (this.cache.size < 10_000) this.cache.set(word, ids);
    return ids;
  }

  /** Greedy BPE: repeatedly merge the adjacent pair with the lowest merge rank. The last symbol carries "</w>". */
  private bpe(word: string): string[] {
    const chars = Array.from(word);
    let symbols = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    while (symbols.length > 1) {
      let bestRank = Infinity;
      let bestIndex = -1;
      for (let i = 0; i < symbols.length - 1; i++) {
        const rank = this.mergeRanks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestIndex = i;
        }
      }
      if (bestIndex < 0) break;
      const first = symbols[bestIndex]!;
      const second = symbols[bestIndex + 1]!;
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; ) {
        if (i < symbols.length - 1 && symbols[i] === first && symbols[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(symbols[i]!);
          i += 1;
        }
      }
      symbols = merged;
    }
    return symbols;
  }
}

export function parseMerges(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line, index) => line.trim() !== '' && !(index === 0 && line.startsWith('#version')))
    .map((line) => line.trim());
}

async function readPadToken(dir: string): Promise<string | undefined> {
  for (const name of ['special_tokens_map.json', 'tokenizer_config.json']) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    try {
      const config = JSON.parse(await readFile(path, 'utf8')) as { pad_token?: unknown };
      const pad = config.pad_token;
      if (typeof pad === 'string') return pad;
      if (pad && typeof pad === 'object' && typeof (pad as { content?: unknown }).content === 'string') {
        return (pad as { content: string }).content;
      }
    } catch {
      // A broken optional config falls back to the next source and finally to the end-of-text token.
    }
  }
  return undefined;
}
