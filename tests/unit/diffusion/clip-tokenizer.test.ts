import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipTokenizer, cleanClipText } from '../../../native-models/diffusion/tokenizer/clip-tokenizer';
import { byteToUnicode, encodeBytes } from '../../../native-models/diffusion/tokenizer/byte-encoder';

// A tiny vocabulary in the real file format: single characters (with and without the end-of-word marker),
// a few merges, and the two special tokens at the ids CLIP uses.
function tinyVocabulary(): { vocab: Record<string, number>; merges: string[] } {
  const vocab: Record<string, number> = {};
  let id = 0;
  for (const ch of 'acfhopt!') vocab[ch] = id++;
  for (const ch of 'acfhopt!') vocab[`${ch}</w>`] = id++;
  const merges = ['c a', 'ca t</w>', 'o f</w>', 'p h', 'o t', 'ph ot', 'phot o</w>'];
  for (const m of merges) vocab[m.replace(' ', '')] = id++;
  vocab['<|startoftext|>'] = 49406;
  vocab['<|endoftext|>'] = 49407;
  return { vocab, merges };
}

describe('ClipTokenizer', () => {
  const { vocab, merges } = tinyVocabulary();

  it('applies merges by rank and marks word ends', () => {
    const tokenizer = new ClipTokenizer(vocab, merges);
    const ids = tokenizer.tokenize('A  photo of a CAT!');
    expect(ids).toEqual([vocab['a</w>'], vocab['photo</w>'], vocab['of</w>'], vocab['a</w>'], vocab['cat</w>'], vocab['!</w>']]);
  });

  it('leaves unmerged symbols split', () => {
    const tokenizer = new ClipTokenizer(vocab, merges);
    // "hop": no merge applies to h-o or o-p</w>, so three symbols.
    expect(tokenizer.tokenize('hop')).toEqual([vocab['h'], vocab['o'], vocab['p</w>']]);
  });

  it('wraps in bos/eos and pads to 77 with the pad token', () => {
    const tokenizer = new ClipTokenizer(vocab, merges);
    const { ids, attentionMask } = tokenizer.encode('a cat');
    expect(ids).toHaveLength(77);
    expect(ids.slice(0, 4)).toEqual([49406, vocab['a</w>'], vocab['cat</w>'], 49407]);
    expect(ids.slice(4).every((id) => id === 49407)).toBe(true);
    expect(attentionMask.slice(0, 5)).toEqual([1, 1, 1, 1, 0]);
    const bangPad = new ClipTokenizer(vocab, merges, { padToken: '!' });
    expect(bangPad.encode('a').ids.slice(3, 6)).toEqual([vocab['!'], vocab['!'], vocab['!']]);
  });

  it('truncates long prompts keeping eos last', () => {
    const tokenizer = new ClipTokenizer(vocab, merges);
    const { ids } = tokenizer.encode('cat '.repeat(100));
    expect(ids).toHaveLength(77);
    expect(ids[0]).toBe(49406);
    expect(ids[76]).toBe(49407);
    expect(ids[75]).toBe(vocab['cat</w>']);
  });

  it('cleans text like CLIP: html entities, whitespace, lowercase', () => {
    expect(cleanClipText('  Cat&amp;amp;Dog\n\tIN   a  Hat ')).toBe('cat&dog in a hat');
  });

  it('names the missing token in errors', () => {
    const tokenizer = new ClipTokenizer(vocab, merges);
    expect(() => tokenizer.tokenize('dog')).toThrow(/"d".*not in the vocabulary/);
    const { ['<|endoftext|>']: _eos, ...noEos } = vocab;
    expect(() => new ClipTokenizer(noEos, merges, { source: 'x/vocab.json' })).toThrow(/x\/vocab.json has no entry for "<\|endoftext\|>"/);
  });

  it('maps every byte to a distinct printable character', () => {
    expect(new Set(byteToUnicode).size).toBe(256);
    expect(encodeBytes(' ')).toBe('Ġ');
    expect(encodeBytes('é')).toBe('Ã©');
  });

  it('loads vocab.json + merges.txt and the pad token from a folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clip-tok-'));
    await writeFile(join(dir, 'vocab.json'), JSON.stringify(vocab));
    await writeFile(join(dir, 'merges.txt'), `#version: 0.2\n${merges.join('\n')}\n`);
    await writeFile(join(dir, 'special_tokens_map.json'), JSON.stringify({ pad_token: { content: '!' } }));
    const tokenizer = await ClipTokenizer.fromDirectory(dir);
    expect(tokenizer.padId).toBe(vocab['!']);
    expect(tokenizer.tokenize('photo')).toEqual([vocab['photo</w>']]);
    await expect(ClipTokenizer.fromDirectory(join(dir, 'nope'))).rejects.toThrow(/missing .*nope\/vocab.json/);
  });

  const realDir = process.env['E2GAN_TEST_IP2P_DIR'];
  it.skipIf(!realDir)('matches the real CLIP vocabulary ids', async () => {
    const tokenizer = await ClipTokenizer.fromDirectory(join(realDir!, 'tokenizer'));
    expect(tokenizer.encode('a photo of a cat').ids.slice(0, 7)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
  });
});
