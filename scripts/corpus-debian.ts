import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import type { CorpusSource } from './corpus-sources';
import { licenceInDebianCopyright, licenceInGcomprisReadme, normaliseLicence } from './corpus-licences';
import { readRcc } from './corpus-rcc';

const run = promisify(execFile);

export interface LocatedSources {
  /** The photo's bytes (taken out of its resource bundle where it lives in one). */
  readSource(source: CorpusSource): Promise<Uint8Array>;
  /** Debian version of the package the photos came from, when known. */
  versionOf(pkg: string): string | undefined;
  /** One line per package: where its files came from, with versions when known (recorded in manifests). */
  provenance: string[];
  /**
   * Re-reads each source's licence statement from its package and lists every disagreement with the
   * recorded licence or author (empty when all agree). Sources with 'upstream' evidence are not checkable.
   */
  checkLicences(sources: readonly CorpusSource[]): Promise<string[]>;
}

/** File name a source has in a flat --from folder: its own name, or `<name><ext>` for bundle members. */
export function flatFileName(source: CorpusSource): string {
  return source.bundle ? `${source.name}${extname(source.file)}` : source.file.split('/').pop()!;
}

/**
 * Finds the photo files: in an explicit `from` folder (files by flatFileName), in the installed Debian
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
    const missing = sources.filter((s) => !existsSync(join(from, flatFileName(s)))).map(flatFileName);
    if (missing.length) throw new Error(`${from}: missing source photos ${missing.join(', ')}`);
    return {
      readSource: async (s) => readFile(join(from, flatFileName(s))),
      versionOf: () => undefined,
      provenance: [`folder given with --from: ${from} (licences not re-checked against packages)`],
      checkLicences: async () => [],
    };
  }
  const roots = new Map<string, string>();
  const versions = new Map<string, string>();
  const provenance: string[] = [];
  const onDisk = (s: CorpusSource): string => join(s.packageDir, s.bundle ?? s.file);
  for (const pkg of [...new Set(sources.map((s) => s.package))]) {
    const wanted = sources.filter((s) => s.package === pkg);
    const complete = (root: string): boolean => wanted.every((s) => existsSync(join(root, onDisk(s))));
    if (complete('/')) {
      roots.set(pkg, '/');
      const version = await installedVersion(pkg);
      if (version) versions.set(pkg, version);
      provenance.push(`installed Debian package ${pkg} ${version}`.trim());
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
      const absent = wanted.filter((s) => !existsSync(join(extracted, onDisk(s)))).map(onDisk);
      if (absent.length) throw new Error(`${deb} unpacked into ${extracted}, but these listed files are missing: ${absent.join(', ')}`);
      log(`unpacked ${deb}`);
    }
    roots.set(pkg, extracted);
    // Debian file names spell the epoch colon as %3a: plasma-workspace-wallpapers_4%3a5.27.5-2_all.deb.
    const version = decodeURIComponent(deb.split('_')[1] ?? '');
    if (version) versions.set(pkg, version);
    provenance.push(`Debian package file ${deb}`);
  }

  const bundles = new Map<string, Map<string, Uint8Array>>();
  const bundleOf = async (s: CorpusSource): Promise<Map<string, Uint8Array>> => {
    const path = join(roots.get(s.package)!, s.packageDir, s.bundle!);
    let files = bundles.get(path);
    if (!files) {
      files = readRcc(await readFile(path), path);
      bundles.set(path, files);
    }
    return files;
  };
  const readSource = async (s: CorpusSource): Promise<Uint8Array> => {
    if (!s.bundle) return readFile(join(roots.get(s.package)!, s.packageDir, s.file));
    const bytes = (await bundleOf(s)).get(s.file);
    if (!bytes) throw new Error(`${s.package}: ${s.bundle} holds no ${s.file}`);
    return bytes;
  };

  const checkLicences = async (list: readonly CorpusSource[]): Promise<string[]> => {
    const problems: string[] = [];
    const copyrightTexts = new Map<string, string>();
    for (const s of list) {
      const evidence = s.licenceEvidence;
      if (evidence.kind === 'upstream') continue;
      let where: string;
      let stated;
      let authorChecked = true;
      if (evidence.kind === 'debian-copyright') {
        where = `${s.package}'s debian/copyright`;
        let text = copyrightTexts.get(s.package);
        if (text === undefined) {
          try {
            text = await readFile(join(roots.get(s.package)!, 'usr/share/doc', s.package, 'copyright'), 'utf8');
          } catch (error) {
            problems.push(`${s.name}: cannot read ${where} (${error instanceof Error ? error.message : String(error)})`);
            continue;
          }
          copyrightTexts.set(s.package, text);
        }
        stated = licenceInDebianCopyright(text, evidence.files);
        // A catch-all stanza ("Files: *") names the packagers' group, not each photographer.
        authorChecked = stated?.exact ?? false;
      } else {
        where = `${evidence.readme} in ${s.bundle}`;
        const readme = (await bundleOf(s)).get(evidence.readme);
        if (!readme) {
          problems.push(`${s.name}: ${s.bundle} has no ${evidence.readme}`);
          continue;
        }
        stated = licenceInGcomprisReadme(Buffer.from(readme).toString('utf8'), evidence.files);
      }
      if (!stated) {
        problems.push(`${s.name}: ${where} has no licence stanza for ${evidence.files}`);
        continue;
      }
      const licence = normaliseLicence(stated.licence);
      if (licence !== s.licence) {
        problems.push(`${s.name}: recorded licence '${s.licence}' but ${where} says '${stated.licence}'${licence ? '' : ' (not an accepted licence)'}`);
      }
      if (authorChecked && !stated.copyright.toLowerCase().includes(s.author.toLowerCase())) {
        problems.push(`${s.name}: recorded author '${s.author}' is not in ${where}'s Copyright '${stated.copyright}'`);
      }
    }
    return problems;
  };

  return { readSource, versionOf: (pkg) => versions.get(pkg), provenance, checkLicences };
}

async function findDeb(dir: string, pkg: string): Promise<string | undefined> {
  if (!existsSync(dir)) return undefined;
  return (await readdir(dir)).find((name) => name.startsWith(`${pkg}_`) && name.endsWith('.deb'));
}

async function installedVersion(pkg: string): Promise<string> {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: '${Version}' is dpkg-query's format field, not a JS template
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Version}', pkg]);
    return stdout.trim();
  } catch {
    return '';
  }
}
