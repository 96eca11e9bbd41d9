import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CORPUS_SOURCES, DEBIAN_PACKAGE, SKIMAGE_DATA_SUBDIR } from './corpus-sources';

const run = promisify(execFile);

/** True when `dir` holds every photo the corpus lists. */
function hasAllSources(dir: string): boolean {
  return CORPUS_SOURCES.every((source) => existsSync(join(dir, source.file)));
}

/**
 * Finds skimage's data folder: an explicit `--from` folder, the installed python3-skimage, a previous
 * extraction in `workDir`, or else downloads the .deb with `apt-get download` (no root needed) and unpacks
 * it with `dpkg -x` into `workDir`.
 */
export async function locateSkimageData(options: { from?: string; workDir: string; log?: (line: string) => void }): Promise<SkimageData> {
  const log = options.log ?? (() => {});
  if (options.from) {
    if (!hasAllSources(options.from)) {
      const missing = CORPUS_SOURCES.filter((s) => !existsSync(join(options.from!, s.file))).map((s) => s.file);
      throw new Error(`${options.from}: not a skimage data folder (missing ${missing.join(', ')})`);
    }
    return { dir: options.from, provenance: `folder given with --from: ${options.from}` };
  }
  const installed = join('/', SKIMAGE_DATA_SUBDIR);
  if (hasAllSources(installed)) return { dir: installed, provenance: `installed Debian package ${DEBIAN_PACKAGE} ${await installedVersion()}`.trim() };
  const extracted = join(options.workDir, 'deb', SKIMAGE_DATA_SUBDIR);
  const previous = await findDeb(options.workDir);
  if (previous && hasAllSources(extracted)) return { dir: extracted, provenance: `Debian package file ${previous}` };

  await mkdir(options.workDir, { recursive: true });
  log(`downloading Debian package ${DEBIAN_PACKAGE} with apt-get download …`);
  try {
    await run('apt-get', ['download', DEBIAN_PACKAGE], { cwd: options.workDir });
  } catch (error) {
    throw new Error(
      `could not download ${DEBIAN_PACKAGE} with apt-get (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ` +
      'on a non-Debian system pass --from <folder holding skimage/data files>',
    );
  }
  const deb = await findDeb(options.workDir);
  if (!deb) throw new Error(`apt-get download finished but no ${DEBIAN_PACKAGE}_*.deb appeared in ${options.workDir}`);
  await run('dpkg', ['-x', join(options.workDir, deb), join(options.workDir, 'deb')]);
  if (!hasAllSources(extracted)) throw new Error(`${deb} unpacked, but ${extracted} lacks some of the listed photos`);
  log(`unpacked ${deb}`);
  return { dir: extracted, provenance: `Debian package file ${deb}` };
}

export interface SkimageData {
  /** Folder holding the photo files. */
  dir: string;
  /** Where they came from, including the package version when known (recorded in the manifest). */
  provenance: string;
}

async function findDeb(dir: string): Promise<string | undefined> {
  if (!existsSync(dir)) return undefined;
  return (await readdir(dir)).find((name) => name.startsWith(`${DEBIAN_PACKAGE}_`) && name.endsWith('.deb'));
}

async function installedVersion(): Promise<string> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Version}', DEBIAN_PACKAGE]);
    return stdout.trim();
  } catch {
    return '';
  }
}
