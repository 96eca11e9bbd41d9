/**
 * The state classes' resource helper and error line: answers that arrive out of order, the message a failure
 * shows, and what a later success or action does to it. Promises are settled by hand so every order is forced.
 */
import { describe, expect, it } from 'vitest';
import { failureMessage, Resource, StatusLine } from '../../../renderer/src/lib/state/resource.svelte';

/** A promise settled from outside, to decide which of two overlapping loads answers first. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** What the API rejects with: plain data with a code and a message (contextBridge drops the Error class). */
const apiError = (message: string) => ({ code: 'invalid_input', message });

describe('Resource', () => {
  it('keeps the newer answer when an older load answers last, and stays loading until the newer one answers', async () => {
    const list = new Resource<string[]>([]);
    const older = deferred<string[]>();
    const newer = deferred<string[]>();
    const first = list.load(() => older.promise);
    const second = list.load(() => newer.promise);
    expect(list.loading).toBe(true);

    older.resolve(['stale']);
    expect(await first).toBe(false);
    expect(list.value).toEqual([]);
    expect(list.loading).toBe(true);

    newer.resolve(['fresh']);
    expect(await second).toBe(true);
    expect(list.value).toEqual(['fresh']);
    expect(list.loading).toBe(false);
  });

  it('drops the newer answer too when it comes first and the older one answers after it', async () => {
    const list = new Resource<number[]>([0]);
    const older = deferred<number[]>();
    const newer = deferred<number[]>();
    const first = list.load(() => older.promise);
    const second = list.load(() => newer.promise);
    newer.resolve([2]);
    expect(await second).toBe(true);
    older.resolve([1]);
    expect(await first).toBe(false);
    expect(list.value).toEqual([2]);
  });

  it('ignores the failure of a load that a newer one overtook', async () => {
    const line = new StatusLine();
    const list = new Resource<string[]>([], { line, failure: 'Could not load projects' });
    const older = deferred<string[]>();
    const first = list.load(() => older.promise);
    await list.load(async () => ['ok']);
    older.reject(new Error('socket closed'));
    expect(await first).toBe(false);
    expect(list.error).toBeNull();
    expect(line.error).toBeNull();
    expect(list.value).toEqual(['ok']);
    expect(list.loading).toBe(false);
  });

  it('words a failure with its context, shows it on the line, and keeps the last value', async () => {
    const line = new StatusLine();
    const list = line.resource<string[]>(['kept'], 'Could not load projects');
    expect(await list.load(() => Promise.reject(apiError('name must not be empty')))).toBe(false);
    expect(list.error).toBe('Could not load projects: name must not be empty');
    expect(line.error).toBe('Could not load projects: name must not be empty');
    expect(list.value).toEqual(['kept']);
    expect(list.loading).toBe(false);
  });

  it('takes its own failure off the line once a load succeeds, but not a newer message from elsewhere', async () => {
    const line = new StatusLine();
    const pairs = line.resource<number[]>([]);
    await pairs.load(() => Promise.reject(new Error('offline')));
    expect(line.error).toBe('offline');
    await pairs.load(async () => [1]);
    expect(line.error).toBeNull();
    expect(pairs.error).toBeNull();

    await pairs.load(() => Promise.reject(new Error('offline')));
    line.error = 'Pair generation failed: out of memory';
    await pairs.load(async () => [1, 2]);
    expect(line.error).toBe('Pair generation failed: out of memory');
    expect(pairs.value).toEqual([1, 2]);
  });

  it('lets the owner handle a failure itself: a describe that answers null shows nothing', async () => {
    const line = new StatusLine();
    const seen: unknown[] = [];
    const project = line.resource<string | null>(null, (error) => {
      seen.push(error);
      return null;
    });
    const notFound = { code: 'not_found', message: 'project 7 not found' };
    await project.load(() => Promise.reject(notFound));
    expect(seen).toEqual([notFound]);
    expect(project.error).toBeNull();
    expect(line.error).toBeNull();
  });

  it('set replaces the value without a load', () => {
    const list = new Resource<string[]>(['a']);
    list.set(['a', 'b']);
    expect(list.value).toEqual(['a', 'b']);
    expect(list.loading).toBe(false);
  });
});

describe('StatusLine', () => {
  it('act clears the line, is busy while any action runs, and turns a failure into the message and null', async () => {
    const line = new StatusLine();
    line.error = 'an older failure';
    const slow = deferred<string>();
    const quick = deferred<string>();
    const first = line.act(() => slow.promise);
    expect(line.error).toBeNull();
    expect(line.busy).toBe(true);
    const second = line.act(() => quick.promise, 'Could not rename the project');
    quick.reject(apiError('name must not be empty'));
    expect(await second).toBeNull();
    expect(line.error).toBe('Could not rename the project: name must not be empty');
    // The first action still runs: the page stays busy until it answers too.
    expect(line.busy).toBe(true);
    slow.resolve('renamed');
    expect(await first).toBe('renamed');
    expect(line.busy).toBe(false);
  });

  it('attempt leaves the line as it is on success and is never busy', async () => {
    const line = new StatusLine();
    line.error = 'Could not list the exports: offline';
    const pending = deferred<number>();
    const call = line.attempt(() => pending.promise);
    expect(line.busy).toBe(false);
    pending.resolve(3);
    expect(await call).toBe(3);
    expect(line.error).toBe('Could not list the exports: offline');
    expect(await line.attempt(() => Promise.reject('plain text'), 'Could not stop sharing')).toBeNull();
    expect(line.error).toBe('Could not stop sharing: plain text');
  });
});

describe('failureMessage', () => {
  it("shows an API error's message after the context when there is one", () => {
    expect(failureMessage(apiError('job 4 is done'))).toBe('job 4 is done');
    expect(failureMessage(new Error('offline'), 'Import failed')).toBe('Import failed: offline');
    expect(failureMessage(42, 'Could not cancel')).toBe('Could not cancel: 42');
  });
});
