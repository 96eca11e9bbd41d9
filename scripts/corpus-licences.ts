/**
 * Licences the training corpus accepts, and readers for the two machine-readable places Debian packages
 * state them: debian/copyright in the DEP-5 format (usr/share/doc/<package>/copyright) and the README
 * stanzas GCompris keeps next to its images. The corpus builder uses these to re-check, on every build,
 * that each photo's recorded licence and author still match what its package says.
 */

/** Licences that allow redistribution and training, with what reuse requires. */
export const CORPUS_LICENCES = {
  'Public domain': { attribution: false, shareAlike: false, url: 'https://creativecommons.org/publicdomain/mark/1.0/' },
  'CC0 1.0': { attribution: false, shareAlike: false, url: 'https://creativecommons.org/publicdomain/zero/1.0/' },
  'CC-BY 2.0': { attribution: true, shareAlike: false, url: 'https://creativecommons.org/licenses/by/2.0/' },
  'CC-BY 3.0': { attribution: true, shareAlike: false, url: 'https://creativecommons.org/licenses/by/3.0/' },
  'CC-BY 4.0': { attribution: true, shareAlike: false, url: 'https://creativecommons.org/licenses/by/4.0/' },
  'CC-BY-SA 2.0': { attribution: true, shareAlike: true, url: 'https://creativecommons.org/licenses/by-sa/2.0/' },
  'CC-BY-SA 2.5': { attribution: true, shareAlike: true, url: 'https://creativecommons.org/licenses/by-sa/2.5/' },
  'CC-BY-SA 3.0': { attribution: true, shareAlike: true, url: 'https://creativecommons.org/licenses/by-sa/3.0/' },
  'CC-BY-SA 4.0': { attribution: true, shareAlike: true, url: 'https://creativecommons.org/licenses/by-sa/4.0/' },
  'GPL-2+': { attribution: true, shareAlike: true, url: 'https://www.gnu.org/licenses/old-licenses/gpl-2.0.html' },
  'GPL-3+': { attribution: true, shareAlike: true, url: 'https://www.gnu.org/licenses/gpl-3.0.html' },
  'LGPL-3': { attribution: true, shareAlike: true, url: 'https://www.gnu.org/licenses/lgpl-3.0.html' },
} as const;

export type CorpusLicence = keyof typeof CORPUS_LICENCES;

/**
 * Maps the spellings found in copyright files ("CC-BY-SA-4.0", "CC-BY-SA 4.0", "public-domain",
 * "Public Domain", "CC0-1.0", "LGPLv3") to a CorpusLicence; undefined for anything not accepted.
 */
export function normaliseLicence(text: string): CorpusLicence | undefined {
  const t = text.trim().split('\n')[0]!.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t === 'public domain' || t === 'public-domain') return 'Public domain';
  if (t === 'cc0' || t === 'cc0-1.0' || t === 'cc0 1.0') return 'CC0 1.0';
  const cc = /^cc-by(-sa)?[- ]([1-4]\.[05])$/.exec(t);
  if (cc) {
    const name = `CC-BY${cc[1] ? '-SA' : ''} ${cc[2]}`;
    return name in CORPUS_LICENCES ? (name as CorpusLicence) : undefined;
  }
  if (t === 'gpl-2+' || t === 'gpl-2.0+' || t === 'gpl-2.0-or-later') return 'GPL-2+';
  if (t === 'gpl-3+' || t === 'gpl-3.0+' || t === 'gpl-3.0-or-later') return 'GPL-3+';
  if (t === 'lgpl-3' || t === 'lgplv3' || t === 'lgpl-3.0' || t === 'lgpl-3.0-only') return 'LGPL-3';
  return undefined;
}

export type Stanza = Record<string, string>;

/**
 * Splits text into blank-line-separated stanzas of "Key: value" fields (keys lower-cased). A line that
 * does not start a field continues the previous one (DEP-5 indents continuations; GCompris READMEs list
 * file names one per line under "Files:").
 */
export function parseStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let current: Stanza | undefined;
  let key: string | undefined;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      current = undefined;
      key = undefined;
      continue;
    }
    const field = /^([A-Za-z][A-Za-z0-9-]*):(.*)$/.exec(line);
    if (field && !/^\s/.test(line)) {
      if (!current) {
        current = {};
        stanzas.push(current);
      }
      key = field[1]!.toLowerCase();
      current[key] = field[2]!.trim();
    } else if (current && key) {
      const more = line.trim() === '.' ? '' : line.trim();
      current[key] = current[key] ? `${current[key]}\n${more}` : more;
    }
  }
  return stanzas;
}

/** DEP-5 Files patterns: `*` matches any run of characters including `/`, `?` one character. */
function globMatches(pattern: string, path: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(path);
}

export interface StatedLicence {
  /** The licence as written there. */
  licence: string;
  /** The Copyright field, whitespace-collapsed. */
  copyright: string;
  source?: string;
  /** The matching Files pattern named the path exactly (no wildcard), so Copyright is about this file. */
  exact?: boolean;
}

/** The stanza of a DEP-5 copyright file that governs `path` (the last one whose Files patterns match). */
export function licenceInDebianCopyright(text: string, path: string): StatedLicence | undefined {
  let found: Stanza | undefined;
  let exact = false;
  for (const stanza of parseStanzas(text)) {
    if (stanza.files === undefined) continue;
    const patterns = stanza.files.split(/\s+/).filter(Boolean);
    if (patterns.some((pattern) => globMatches(pattern, path))) {
      found = stanza;
      exact = patterns.includes(path);
    }
  }
  if (!found || found.license === undefined) return undefined;
  return { licence: found.license.split('\n')[0]!.trim(), copyright: (found.copyright ?? '').replace(/\s+/g, ' ').trim(), exact };
}

/** The stanza of a GCompris resource README that lists `file` (a path relative to the README's folder). */
export function licenceInGcomprisReadme(text: string, file: string): StatedLicence | undefined {
  const stanza = parseStanzas(text).find((s) => (s.files ?? '').split(/\s+/).includes(file));
  if (!stanza || stanza.license === undefined) return undefined;
  return { licence: stanza.license.trim(), copyright: (stanza.copyright ?? '').replace(/\s+/g, ' ').trim(), source: stanza.source?.trim() };
}
