import { describe, expect, it } from 'vitest';
import { captureDropItems, expandDropItems, type DirectoryEntryLike, type EntryLike, type FileEntryLike } from '../../../renderer/src/lib/dropped-files';

function fileEntry(name: string, body = name): FileEntryLike {
  return { isFile: true, isDirectory: false, name, file: (ok) => ok(new File([body], name)) };
}

/** Mimics Chromium: readEntries hands out entries in batches and an empty batch at the end. */
function dirEntry(name: string, children: EntryLike[], batchSize = 2): DirectoryEntryLike {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader() {
      let offset = 0;
      return {
        readEntries(ok) {
          const batch = children.slice(offset, offset + batchSize);
          offset += batch.length;
          setTimeout(() => ok(batch), 0);
        },
      };
    },
  };
}

describe('expandDropItems', () => {
  it('walks nested folders across several readEntries batches and keeps relative paths', async () => {
    const tree = dirEntry('trip', [
      fileEntry('a.jpg'),
      fileEntry('b.png'),
      dirEntry('day2', [fileEntry('c.jpg'), fileEntry('notes.txt')]),
      fileEntry('d.webp'),
    ]);
    const files = await expandDropItems([
      { entry: tree, file: null },
      { entry: fileEntry('loose.jpg'), file: null },
    ]);
    expect(files.map((f) => f.relativePath)).toEqual(['trip/a.jpg', 'trip/b.png', 'trip/day2/c.jpg', 'trip/day2/notes.txt', 'trip/d.webp', 'loose.jpg']);
    expect(await files[2]!.file.text()).toBe('c.jpg');
  });

  it('falls back to the plain File when the browser gives no entry (synthetic drops)', async () => {
    const file = new File(['x'], 'x.png');
    const files = await expandDropItems([{ entry: null, file }]);
    expect(files).toEqual([{ file, relativePath: 'x.png' }]);
  });

  it('rejects when a folder cannot be read instead of silently dropping files', async () => {
    const broken: DirectoryEntryLike = {
      isFile: false,
      isDirectory: true,
      name: 'locked',
      createReader: () => ({ readEntries: (_ok, fail) => fail?.(new Error('permission denied')) }),
    };
    await expect(expandDropItems([{ entry: broken, file: null }])).rejects.toThrow('permission denied');
  });
});

describe('captureDropItems', () => {
  it('uses .files when the DataTransfer has no items list', () => {
    const a = new File(['a'], 'a.png');
    const dataTransfer = { items: undefined, files: [a] } as unknown as DataTransfer;
    expect(captureDropItems(dataTransfer)).toEqual([{ entry: null, file: a }]);
  });

  it('skips non-file items such as dragged text', () => {
    const a = new File(['a'], 'a.png');
    const items = [
      { kind: 'string', webkitGetAsEntry: () => null, getAsFile: () => null },
      { kind: 'file', webkitGetAsEntry: () => null, getAsFile: () => a },
    ];
    const dataTransfer = { items, files: [a] } as unknown as DataTransfer;
    expect(captureDropItems(dataTransfer)).toEqual([{ entry: null, file: a }]);
  });
});
