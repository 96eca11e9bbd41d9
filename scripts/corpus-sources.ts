/**
 * Licence-clean photographs shipped in Debian packages. Most come from python3-skimage (skimage/data), with
 * the licence each one's docstring in skimage/data/_fetchers.py states; one CC0 nature photo comes from
 * lomiri-wallpapers-16.04 (licence per its debian/copyright). Only public-domain or CC0 photographs are
 * listed; skimage files whose docstring says only "no known copyright restrictions" (coins, ihc) or nothing
 * (moon, motorcycle, page) and the CC-BY/CC-BY-SA/GPL wallpapers are deliberately left out.
 */
export interface CorpusSource {
  /** Debian package holding the file. */
  package: string;
  /** Folder inside the package's file tree. */
  packageDir: string;
  /** File name inside that folder. */
  file: string;
  /** Base name used for outputs. */
  name: string;
  title: string;
  author: string;
  licence: 'Public domain' | 'CC0 1.0';
  /** Where the photo originally came from, as skimage records it. */
  origin: string;
  /** Shipped in resources/samples (the app's demo set) as well as used for the training corpus. */
  sample: boolean;
  grayscale: boolean;
}

const SKIMAGE = { package: 'python3-skimage', packageDir: 'usr/lib/python3/dist-packages/skimage/data' } as const;
const LOMIRI_16_04 = { package: 'lomiri-wallpapers-16.04', packageDir: 'usr/share/backgrounds' } as const;

export const CORPUS_SOURCES: readonly CorpusSource[] = [
  { ...SKIMAGE, file: 'astronaut.png', name: 'astronaut', title: 'Astronaut Eileen Collins', author: 'NASA', licence: 'Public domain', origin: 'NASA Great Images database, https://flic.kr/p/r9qvLn', sample: true, grayscale: false },
  { ...SKIMAGE, file: 'coffee.png', name: 'coffee', title: 'Coffee cup (courtesy of Pikolo Espresso Bar)', author: 'Rachel Michetti', licence: 'CC0 1.0', origin: 'scikit-image sample data', sample: true, grayscale: false },
  { ...SKIMAGE, file: 'chelsea.png', name: 'chelsea', title: 'Chelsea the cat', author: 'Stefan van der Walt', licence: 'CC0 1.0', origin: 'scikit-image sample data', sample: true, grayscale: false },
  { ...SKIMAGE, file: 'rocket.jpg', name: 'rocket', title: 'Falcon 9 launching DSCOVR', author: 'SpaceX', licence: 'Public domain', origin: 'https://www.flickr.com/photos/spacexphotos/16511594820/', sample: true, grayscale: false },
  { ...SKIMAGE, file: 'hubble_deep_field.jpg', name: 'hubble-deep-field', title: 'Hubble eXtreme Deep Field', author: 'NASA', licence: 'Public domain', origin: 'http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/', sample: true, grayscale: false },
  { ...SKIMAGE, file: 'camera.png', name: 'camera', title: 'Person with a camera (the "cameraman" replacement)', author: 'Lav Varshney', licence: 'CC0 1.0', origin: 'scikit-image sample data', sample: true, grayscale: true },
  { ...SKIMAGE, file: 'clock_motion.png', name: 'clock', title: 'Motion-blurred wall clock', author: 'Stefan van der Walt', licence: 'Public domain', origin: 'scikit-image sample data', sample: true, grayscale: true },
  { ...SKIMAGE, file: 'brick.png', name: 'brick', title: 'Brick wall (perspective-corrected crop)', author: 'CC0Textures (Bricks25)', licence: 'CC0 1.0', origin: 'https://cc0textures.com/view.php?tex=Bricks25', sample: true, grayscale: true },
  { ...SKIMAGE, file: 'grass.png', name: 'grass', title: 'Grass', author: 'linolafett', licence: 'CC0 1.0', origin: 'https://www.deviantart.com/linolafett/art/Grass-01-434853879', sample: false, grayscale: true },
  { ...SKIMAGE, file: 'gravel.png', name: 'gravel', title: 'Gravel', author: 'CC0Textures (Gravel04)', licence: 'CC0 1.0', origin: 'https://cc0textures.com/view.php?tex=Gravel04', sample: true, grayscale: true },
  { ...SKIMAGE, file: 'retina.jpg', name: 'retina', title: 'Fundus photograph of a normal left eye', author: 'Mikael Häggström', licence: 'CC0 1.0', origin: 'https://commons.wikimedia.org/wiki/File:Fundus_photograph_of_normal_left_eye.jpg', sample: false, grayscale: false },
  { ...LOMIRI_16_04, file: 'seeding_by_Clements_Engelhardt.jpg', name: 'seeding', title: 'Dandelion seed heads in a meadow at sunset', author: 'Clemens Engelhardt', licence: 'CC0 1.0', origin: 'Debian lomiri-wallpapers-16.04 (Ubuntu 16.04 wallpaper contest)', sample: true, grayscale: false },
];
