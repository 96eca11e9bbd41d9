/**
 * Which built-in effect a prompt asks for. Built-in effects are fixed image filters: they never read the edit
 * prompt, so when the artist picks (or defaults to) one, the studio names the closest one by keywords instead of
 * silently using the first in the list. Words in an effect's id and name weigh more than its description; a
 * small table of synonyms covers the words artists use that the names do not ("old", "comic", "snowy").
 */
export interface TeacherLike {
  kind: 'builtin' | 'diffusion';
  id: string;
  name: string;
  description: string;
}

export interface TeacherSuggestion {
  teacherId: string;
  /** The prompt words that matched, to show why. */
  matched: string[];
}

const SYNONYMS: Record<string, readonly string[]> = {
  'sepia-vintage': ['old', 'vintage', 'antique', 'aged', 'retro', 'sepia', 'nostalgic', 'faded', 'brown'],
  'bw-film-grain': ['monochrome', 'grayscale', 'greyscale', 'noir', 'grain', 'grainy', 'film', 'bw', 'gray', 'grey'],
  'pencil-sketch': ['drawing', 'drawn', 'sketch', 'graphite', 'pencil', 'charcoal', 'hatching', 'line'],
  cartoon: ['toon', 'anime', 'cel', 'animated', 'animation', 'manga'],
  'oil-paint': ['oil', 'impressionist', 'brushstroke', 'canvas', 'van', 'gogh'],
  watercolour: ['watercolor', 'watercolour', 'aquarelle', 'wash', 'pastel'],
  'ink-wash': ['sumi', 'ink', 'japanese', 'chinese', 'brush', 'calligraphy'],
  night: ['night', 'moonlight', 'moon', 'dark', 'evening', 'midnight'],
  'autumn-foliage': ['autumn', 'fall', 'foliage', 'leaves', 'orange'],
  'winter-snow': ['winter', 'snow', 'snowy', 'frost', 'frozen', 'ice', 'cold', 'christmas'],
  'thermal-camera': ['thermal', 'heat', 'infrared', 'predator', 'ironbow'],
  'color-invert': ['negative', 'invert', 'inverted', 'inverse'],
  cyanotype: ['blueprint', 'cyanotype', 'prussian', 'blue'],
  'infrared-film': ['aerochrome', 'infrared', 'false', 'pink', 'surreal'],
  'tilt-shift-miniature': ['miniature', 'toy', 'tiny', 'model', 'diorama', 'tilt'],
  'pixel-art': ['pixel', 'pixelated', 'pixels', '8bit', 'game', 'retro', 'sprite'],
  'pop-art-posterize': ['pop', 'warhol', 'poster', 'posterize', 'posterise', 'silkscreen'],
  halftone: ['comic', 'halftone', 'dots', 'print', 'newspaper', 'lichtenstein'],
  'emboss-relief': ['emboss', 'embossed', 'relief', 'stone', 'carved', 'sculpture', 'engraved'],
  'neon-edges': ['neon', 'glow', 'glowing', 'cyberpunk', 'synthwave', 'tron'],
};

// biome-ignore format: a word list kept a few words per line
const STOP_WORDS = new Set([
  'a', 'an', 'the', 'it', 'its', 'make', 'look', 'looks', 'like', 'turn', 'into', 'as', 'of', 'to', 'in', 'on', 'with', 'and', 'or',
  'this', 'that', 'photo', 'photograph', 'picture', 'image', 'style', 'effect', 'please', 'more', 'very', 'be', 'is', 'was', 'by',
]);

export function promptWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/8[\s-]?bit/g, '8bit')
    .replace(/black\s*(and|&)\s*white/g, 'bw')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1 && !STOP_WORDS.has(word));
}

/** The built-in effect whose keywords best match the prompt; null for an empty prompt or no match at all. */
export function suggestBuiltinTeacher(prompt: string, teachers: readonly TeacherLike[]): TeacherSuggestion | null {
  const words = promptWords(prompt);
  if (words.length === 0) return null;
  let best: { teacherId: string; score: number; matched: string[] } | null = null;
  for (const teacher of teachers) {
    if (teacher.kind !== 'builtin') continue;
    const strong = new Set([...promptWords(teacher.id), ...promptWords(teacher.name), ...(SYNONYMS[teacher.id] ?? [])]);
    const weak = new Set(promptWords(teacher.description));
    let score = 0;
    const matched: string[] = [];
    for (const word of words) {
      const points = strong.has(word) || strong.has(stem(word)) ? 3 : weak.has(word) || weak.has(stem(word)) ? 1 : 0;
      if (points > 0) {
        score += points;
        matched.push(word);
      }
    }
    if (score > 0 && (best === null || score > best.score)) best = { teacherId: teacher.id, score, matched };
  }
  return best && { teacherId: best.teacherId, matched: best.matched };
}

/** "paintings" → "painting", "snowy" stays: enough for plural prompts, no stemming library. */
function stem(word: string): string {
  return word.endsWith('s') && word.length > 3 ? word.slice(0, -1) : word;
}
