import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CorpusSource } from './corpus-sources';

const run = promisify(execFile);

export interface LocatedSources {
  /** Absolute path of each source's file. */
  pathOf(source: CorpusSource): string;
  /** One line per package: where its files came from, with versions when known (recorded in manifests). */
  provenance: string[];
}

/**
 * Finds the photo files: in an explicit `from` folder (files by name, flat), in the installed Debian
 * packages, in earlier extractions under `workDir`, or else downloads each package's .deb with
 * `apt-get download` (no root needed) and unpacks it with `dpkg -x` into `workDir/<package>`.
 */
export async function locateSources(
  sources: readonly CorpusSource[],
  options: { from?: string; workDir: string; log?: (line: string) => void },
): Promise<LocatedSources> {
  const log = options.log ?? (() => {});
  if (options.from) {
    const from = options.from;
    const missing = sources.filter((s) => !existsSync(join(from, s.file))).map((s) => s.file);
    if (missing.length) throw new Error(`${from}: missing source photos ${missing.join(', ')}`);
    return { pathOf: (s) => join(from, s.file), provenance: [`folder given with --from: ${from}`] };
  }
  const roots = new Map<string, string>();
  const provenance: string[] = [];
  for (const pkg of [...new Set(sources.map((s) => s.package))]) {
    const wanted = sources.filter((s) => s.package === pkg);
    const complete = (root: string): boolean => wanted.every((s) => existsSync(join(root, s.packageDir, s.file)));
    if (complete('/')) {
      roots.set(pkg, '/');
      provenance.push(`installed Debian package ${pkg} ${await installedVersion(pkg)}`.trim());
      continue;
    }
    const pkgDir = join(options.workDir, pkg);
    const extracted = join(pkgDir, 'root');
    let deb = await findDeb(pkgDir, pkg);
    if (!deb || !complete(extracted)) {
      await mkdir(pkgDir, { recursive: true });
      log(`downloading Debian package ${pkg} with apt-get download …`);
      try {
        await run('apt-get', ['download', pkg], { cwd: pkgDir });
      } catch (error) {
        throw new Error(
          `could not download ${pkg} with apt-get (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ` +
          'on a non-Debian system pass --from <folder holding the photo files>',
        );
      }
      deb = await findDeb(pkgDir, pkg);
      if (!deb) throw new Error(`apt-get download finished but no ${pkg}_*.deb appeared in ${pkgDir}`);
      await run('dpkg', ['-x', join(pkgDir, deb), extracted]);
      if (!complete(extracted)) throw new Error(`${deb} unpacked into ${extracted}, but some listed photos are missing`);
      log(`unpacked ${deb}`);
    }
    roots.set(pkg, extracted);
    provenance.push(`Debian package file ${deb}`);
  }
  return { pathOf: (s) => join(roots.get(s.package)!, s.packageDir, s.file), provenance };
}

async function findDeb(dir: string, pkg: string): Promise<string | undefined> {
  if (!existsSync(dir)) return undefined;
  return (await readdir(dir)).find((name) => name.startsWith(`${pkg}_`) && name.endsWith('.deb'));
}

async function installedVersion(pkg: string): Promise<string> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Version}', pkg]);
    return stdout.trim();
  } catch {
    return '';
  }
}
