import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage, imageToBytes } from '../../../native-models/image/image';
import { readImage, writeImage, encodeImage, decodeImage, formatFromPath, isImageFileName } from '../../../native-models/image/io';
import { psnr } from '../../../native-models/image/metrics';

function gradientImage(width: number, height: number) {
  const image = createImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      image.data[i] = x / (width - 1);
      image.data[i + 1] = y / (height - 1);
      image.data[i + 2] = 0.5;
    }
  }
  return image;
}

describe('image IO (sharp)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'image-io-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips PNG losslessly at 8 bits', async () => {
    const image = gradientImage(40, 30);
    const path = join(dir, 'sub', 'a.png');
    await writeImage(path, image);
    const back = await readImage(path);
    expect([back.width, back.height]).toEqual([40, 30]);
    expect(Array.from(imageToBytes(back))).toEqual(Array.from(imageToBytes(image)));
  });

  it('round-trips JPEG and WebP closely', async () => {
    const image = gradientImage(64, 48);
    for (const name of ['b.jpg', 'c.webp']) {
      const path = join(dir, name);
      await writeImage(path, image, { quality: 95 });
      const back = await readImage(path);
      expect(psnr(image, back)).toBeGreaterThan(35);
    }
  });

  it('shrinks to maxSide on decode, keeping aspect', async () => {
    const bytes = await encodeImage(gradientImage(100, 50), 'png');
    const small = await decodeImage(bytes, 'mem', { maxSide: 40 });
    expect([small.width, small.height]).toEqual([40, 20]);
    const unchanged = await decodeImage(bytes, 'mem', { maxSide: 400 });
    expect(unchanged.width).toBe(100);
  });

  it('reads 16-bit and grayscale PNGs as 8-bit-accurate RGB', async () => {
    const sharp = (await import('sharp')).default;
    const rgb16 = await sharp(Buffer.alloc(4 * 4 * 3, 128), { raw: { width: 4, height: 4, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(rgb16).metadata()).depth).toBe('ushort');
    const image = await decodeImage(rgb16, 'rgb16.png');
    expect([image.width, image.height]).toEqual([4, 4]);
    for (const v of image.data) expect(v).toBeCloseTo(128 / 255, 3);
    const gray = await sharp(Buffer.alloc(6, 200), { raw: { width: 3, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    const grayImage = await decodeImage(gray, 'gray.png');
    expect(grayImage.data.length).toBe(3 * 2 * 3);
    for (const v of grayImage.data) expect(v).toBeCloseTo(200 / 255, 5);
  });

  it('names the file when it is not an image or does not exist', async () => {
    const bogus = join(dir, 'notes.png');
    await writeFile(bogus, 'hello, not a png');
    await expect(readImage(bogus)).rejects.toThrow(`${bogus}: not a readable image`);
    await expect(readImage(join(dir, 'missing.png'))).rejects.toThrow(/missing\.png: cannot read file \(ENOENT\)/);
  });

  it('picks formats by extension', () => {
    expect(formatFromPath('x/y.JPG')).toBe('jpeg');
    expect(() => formatFromPath('x/y.bmp')).toThrow(/y\.bmp.*'\.bmp'/);
    expect(isImageFileName('a.webp')).toBe(true);
    expect(isImageFileName('a.txt')).toBe(false);
  });
});
