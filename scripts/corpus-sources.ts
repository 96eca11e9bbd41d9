/**
 * Licence-clean photographs shipped in Debian packages, each with the licence and author its package
 * states. Sources:
 *  - python3-skimage (skimage/data): licence per each file's docstring in skimage/data/_fetchers.py; files
 *    whose docstring says only "no known copyright restrictions" (coins, ihc) or nothing (moon, motorcycle,
 *    page) are left out;
 *  - python3-sklearn and python-matplotlib-data sample images, per their upstream READMEs / docs;
 *  - lomiri-wallpapers-16.04/-20.04, mate-backgrounds and plasma-workspace-wallpapers: the photographs
 *    only (abstract, vector and rendered wallpapers were looked at and left out), licence per the package's
 *    debian/copyright;
 *  - gcompris-qt-data: Wikimedia Commons photos inside its Qt resource bundles (.rcc) of the activities
 *    erase, explore_farm_animals, explore_world_animals, explore_monuments, explore_world_music and
 *    clickgame, licence per the README stanza next to each image (explore_monuments' aulaPalatina, whose
 *    stanza states no licence, is left out). Its word pictures (lang) are drawings, and the "details"
 *    images are edited derivatives mixed with paintings: both left out.
 * gnome-backgrounds, ukui-wallpapers and sway-backgrounds hold no photographs (all abstract or drawn).
 * opencv-doc's sample images are deliberately not used: they are reserved for independent evaluation.
 *
 * The builder re-checks every machine-readable licence statement (licenceEvidence) on each build.
 */
import type { CorpusLicence } from './corpus-licences';

export type PhotoCategory = 'landscape' | 'people' | 'animals' | 'plants' | 'objects' | 'interiors' | 'architecture' | 'night';

export const PHOTO_CATEGORIES: readonly PhotoCategory[] = ['landscape', 'people', 'animals', 'plants', 'objects', 'interiors', 'architecture', 'night'];

/** Where the recorded licence and author are stated. */
export type LicenceEvidence =
  /** A stanza of usr/share/doc/<package>/copyright (DEP-5) whose Files patterns match `files`. */
  | { kind: 'debian-copyright'; files: string }
  /** A stanza, listing `files`, of the README at path `readme` inside the same resource bundle. */
  | { kind: 'gcompris-readme'; readme: string; files: string }
  /** Upstream documentation that is not machine-checkable (named in `where`). */
  | { kind: 'upstream'; where: string };

export interface CorpusSource {
  /** Debian package holding the file. */
  package: string;
  /** Folder inside the package's file tree. */
  packageDir: string;
  /** Qt resource bundle (.rcc) inside packageDir holding the photo; `file` is then the path inside it. */
  bundle?: string;
  /** File name inside packageDir (or inside the bundle). */
  file: string;
  /** Base name used for outputs; unique in the corpus. */
  name: string;
  title: string;
  author: string;
  licence: CorpusLicence;
  /** Where the photo originally came from. */
  origin: string;
  category: PhotoCategory;
  licenceEvidence: LicenceEvidence;
  /** Shipped in resources/samples (the app's demo set) as well as used for the training corpus. */
  sample: boolean;
  grayscale: boolean;
}

const SKIMAGE = {
  package: 'python3-skimage',
  packageDir: 'usr/lib/python3/dist-packages/skimage/data',
  licenceEvidence: { kind: 'upstream', where: 'skimage/data/_fetchers.py docstrings' },
} as const;

function skimage(
  file: string,
  name: string,
  title: string,
  author: string,
  licence: CorpusLicence,
  origin: string,
  category: PhotoCategory,
  sample: boolean,
  grayscale: boolean,
): CorpusSource {
  return { ...SKIMAGE, file, name, title, author, licence, origin, category, sample, grayscale };
}

function lomiri(
  release: '16.04' | '20.04',
  file: string,
  name: string,
  title: string,
  author: string,
  licence: CorpusLicence,
  category: PhotoCategory,
  sample = false,
): CorpusSource {
  return {
    package: `lomiri-wallpapers-${release}`,
    packageDir: 'usr/share/backgrounds',
    file,
    name,
    title,
    author,
    licence,
    category,
    sample,
    grayscale: false,
    origin: `Ubuntu Touch ${release} wallpaper set (lomiri-wallpapers-${release})`,
    licenceEvidence: { kind: 'debian-copyright', files: `${release}/${file}` },
  };
}

function mate(file: string, name: string, title: string, author: string, category: PhotoCategory): CorpusSource {
  return {
    package: 'mate-backgrounds',
    packageDir: 'usr/share/backgrounds/mate',
    file: `nature/${file}`,
    name,
    title,
    author,
    licence: 'GPL-2+',
    category,
    sample: false,
    grayscale: false,
    origin: 'MATE desktop nature backgrounds (mate-backgrounds)',
    licenceEvidence: { kind: 'debian-copyright', files: `nature/${file}` },
  };
}

/** KDE wallpapers: debian/copyright puts the whole package under GPL-2+ (upstream metadata.json says LGPLv3). */
function plasma(folder: string, name: string, title: string, author: string, category: PhotoCategory): CorpusSource {
  return {
    package: 'plasma-workspace-wallpapers',
    packageDir: 'usr/share/wallpapers',
    file: `${folder}/contents/images/2560x1600.jpg`,
    name,
    title,
    author,
    licence: 'GPL-2+',
    category,
    sample: false,
    grayscale: false,
    origin: `KDE Plasma wallpaper "${folder}" (plasma-workspace-wallpapers; upstream metadata.json: LGPLv3)`,
    licenceEvidence: { kind: 'debian-copyright', files: `${folder}/contents/images/2560x1600.jpg` },
  };
}

/** A photo inside GCompris's <activity>.rcc, documented in resource/<readmeDir>README. */
function gcompris(
  activity: string,
  readmeDir: string,
  file: string,
  name: string,
  title: string,
  author: string,
  licence: CorpusLicence,
  origin: string,
  category: PhotoCategory,
): CorpusSource {
  const base = `gcompris/src/activities/${activity}/resource/${readmeDir}`;
  return {
    package: 'gcompris-qt-data',
    packageDir: 'usr/share/gcompris-qt/rcc',
    bundle: `${activity}.rcc`,
    file: `${base}${file}`,
    name,
    title,
    author,
    licence,
    origin,
    category,
    sample: false,
    grayscale: false,
    licenceEvidence: { kind: 'gcompris-readme', readme: `${base}README`, files: file },
  };
}

// biome-ignore format: a table, one photo per line, reads down its columns
export const CORPUS_SOURCES: readonly CorpusSource[] = [
  skimage('astronaut.png', 'astronaut', 'Astronaut Eileen Collins', 'NASA', 'Public domain', 'NASA Great Images database, https://flic.kr/p/r9qvLn', 'people', true, false),
  skimage('coffee.png', 'coffee', 'Coffee cup (courtesy of Pikolo Espresso Bar)', 'Rachel Michetti', 'CC0 1.0', 'scikit-image sample data', 'objects', true, false),
  skimage('chelsea.png', 'chelsea', 'Chelsea the cat', 'Stefan van der Walt', 'CC0 1.0', 'scikit-image sample data', 'animals', true, false),
  skimage('rocket.jpg', 'rocket', 'Falcon 9 launching DSCOVR', 'SpaceX', 'Public domain', 'https://www.flickr.com/photos/spacexphotos/16511594820/', 'objects', true, false),
  skimage('hubble_deep_field.jpg', 'hubble-deep-field', 'Hubble eXtreme Deep Field', 'NASA', 'Public domain', 'http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/', 'night', true, false),
  skimage('camera.png', 'camera', 'Person with a camera (the "cameraman" replacement)', 'Lav Varshney', 'CC0 1.0', 'scikit-image sample data', 'people', true, true),
  skimage('clock_motion.png', 'clock', 'Motion-blurred wall clock', 'Stefan van der Walt', 'Public domain', 'scikit-image sample data', 'objects', true, true),
  skimage('brick.png', 'brick', 'Brick wall (perspective-corrected crop)', 'CC0Textures (Bricks25)', 'CC0 1.0', 'https://cc0textures.com/view.php?tex=Bricks25', 'objects', true, true),
  skimage('grass.png', 'grass', 'Grass', 'linolafett', 'CC0 1.0', 'https://www.deviantart.com/linolafett/art/Grass-01-434853879', 'plants', false, true),
  skimage('gravel.png', 'gravel', 'Gravel', 'CC0Textures (Gravel04)', 'CC0 1.0', 'https://cc0textures.com/view.php?tex=Gravel04', 'objects', true, true),
  skimage('retina.jpg', 'retina', 'Fundus photograph of a normal left eye', 'Mikael Häggström', 'CC0 1.0', 'https://commons.wikimedia.org/wiki/File:Fundus_photograph_of_normal_left_eye.jpg', 'objects', false, false),
  {
    package: 'python3-sklearn', packageDir: 'usr/lib/python3/dist-packages/sklearn/datasets/images', file: 'china.jpg', name: 'china', title: 'Chinese temple roofs', author: 'danielbuechele',
    licence: 'CC-BY 2.0', origin: 'https://www.flickr.com/photos/danielbuechele/6061409035/', category: 'architecture', sample: false, grayscale: false,
    licenceEvidence: { kind: 'upstream', where: 'sklearn/datasets/images/README.txt' },
  },
  {
    package: 'python3-sklearn', packageDir: 'usr/lib/python3/dist-packages/sklearn/datasets/images', file: 'flower.jpg', name: 'flower', title: 'Flower', author: 'vultilion (flickr)',
    licence: 'CC-BY 2.0', origin: 'https://www.flickr.com/photos/vultilion/6056698931/', category: 'plants', sample: false, grayscale: false,
    licenceEvidence: { kind: 'upstream', where: 'sklearn/datasets/images/README.txt (its attribution line repeats danielbuechele; the source link is vultilion\'s)' },
  },
  {
    package: 'python-matplotlib-data', packageDir: 'usr/share/matplotlib/mpl-data/sample_data', file: 'grace_hopper.jpg', name: 'grace-hopper', title: 'Commodore Grace M. Hopper, USN', author: 'U.S. Navy (James S. Davis)',
    licence: 'Public domain', origin: 'https://commons.wikimedia.org/wiki/File:Commodore_Grace_M._Hopper,_USN_(covered).jpg', category: 'people', sample: false, grayscale: false,
    licenceEvidence: { kind: 'upstream', where: 'matplotlib sample data (work of the U.S. federal government)' },
  },
  lomiri('16.04', 'seeding_by_Clements_Engelhardt.jpg', 'seeding', 'Dandelion seed heads in a meadow at sunset', 'Clemens Engelhardt', 'CC0 1.0', 'plants', true),
  lomiri('16.04', 'Bridge_by_Sander_Klootwijk.jpg', 'bridge-cables', 'Bridge cables over a beach', 'Sander Klootwijk', 'CC-BY-SA 4.0', 'landscape'),
  lomiri('16.04', 'Dragonfly_by_Bolly.jpg', 'dragonfly', 'Dragonfly on a leafy branch', 'Bolly', 'CC-BY-SA 4.0', 'animals'),
  lomiri('16.04', 'Picture_0B_by_freespace.jpg', 'fig-bowl', 'Fig in a red bowl', 'Trevor "Freespace"', 'CC-BY 4.0', 'objects'),
  lomiri('16.04', 'Picture_1A_by_freespace.jpg', 'paint-brushes', 'Paint brushes', 'Trevor "Freespace"', 'CC-BY 4.0', 'objects'),
  lomiri('16.04', 'Wine_by_Jakkub_Mede.jpg', 'drum-room', 'Drum and low table in a room', 'Jakub Mede', 'CC-BY 4.0', 'interiors'),
  lomiri('16.04', 'aitzgorri_by_Aitzol_Berasategi.jpg', 'aitzgorri', 'Aitzgorri mountains in autumn', 'Aitzol Berasategi', 'CC-BY 4.0', 'landscape'),
  lomiri('16.04', 'free_by_Peter_Nerlich.jpg', 'lamps-bird', 'Toy bird under ceiling lamps', 'Peter Nerlich', 'CC-BY-SA 4.0', 'interiors'),
  lomiri('16.04', 'friends_by_Aitzol_Berasategi.jpg', 'dogs-window', 'Two dogs looking out of a window', 'Aitzol Berasategi', 'CC-BY 4.0', 'animals'),
  lomiri('16.04', 'greentock_by_Peter_Nerlich.jpg', 'wall-clock', 'Wall clock', 'Peter Nerlich', 'CC-BY-SA 4.0', 'interiors'),
  lomiri('16.04', 'life_by_Aitzol_Berasategi.jpg', 'gorge-stream', 'Stream in a rocky gorge', 'Aitzol Berasategi', 'CC-BY 4.0', 'landscape'),
  lomiri('16.04', 'picosdeeuropa_by_Aitzol_Berasategi.jpg', 'picos-de-europa', 'Picos de Europa mountains', 'Aitzol Berasategi', 'CC-BY 4.0', 'landscape'),
  lomiri('16.04', 'sunset_by_Aitzol_Berasategi.jpg', 'hill-sunset', 'Sunset over hills', 'Aitzol Berasategi', 'CC-BY 4.0', 'landscape'),
  lomiri('20.04', 'Kleiber_by_Lukas_Baubkus.jpg', 'nuthatch', 'Nuthatch on a tree trunk', 'Lukas Baubkus', 'CC-BY-SA 3.0', 'animals'),
  mate('Aqua.jpg', 'water-drop', 'Water drop splash', 'Charles Barbin', 'objects'),
  mate('Blinds.jpg', 'backlit-leaf', 'Backlit leaf', 'Lennart Poettering', 'plants'),
  mate('Dune.jpg', 'dune-grass', 'Dune grass by the sea', 'Marco Cogoni', 'landscape'),
  mate('FreshFlower.jpg', 'orange-flower', 'Orange flower', 'Jens Ansorg', 'plants'),
  mate('Garden.jpg', 'red-flower', 'Red flower', 'Charles Barbin', 'plants'),
  mate('GreenMeadow.jpg', 'grass-blades', 'Young grass blades', 'Timothy Schellhase', 'plants'),
  mate('LadyBird.jpg', 'ladybird', 'Ladybird on a grass stem', 'Charles Barbin', 'animals'),
  mate('RainDrops.jpg', 'raindrops-leaf', 'Raindrops on a leaf', 'blackcombwhistler07', 'plants'),
  mate('Storm.jpg', 'storm', 'Storm clouds over a road', 'Sergey Nazarov', 'landscape'),
  mate('TwoWings.jpg', 'dandelion-seeds', 'Dandelion seeds', 'Charles Barbin', 'plants'),
  mate('Wood.jpg', 'wood-grain', 'Weathered wood', 'Jean-François Fortin Tam', 'objects'),
  mate('YellowFlower.jpg', 'yellow-flower', 'Yellow flower', 'Charles Barbin', 'plants'),
  plasma('BytheWater', 'by-the-water', 'Wooden jetty by a lake', 'Maciej Wiklo', 'landscape'),
  plasma('ColdRipple', 'cold-ripple', 'Pier in fog', 'Risto Saukonpää', 'landscape'),
  plasma('DarkestHour', 'darkest-hour', 'Lake in the blue hour', 'Risto Saukonpää', 'night'),
  plasma('EveningGlow', 'evening-glow', 'Rowing boats at sunset', 'Ian Hex', 'landscape'),
  plasma('FallenLeaf', 'fallen-leaf', 'Fallen autumn leaf', 'Martin Klapetek', 'plants'),
  plasma('Grey', 'grey-facade', 'Curved building facade (black and white)', 'Sigi Sagi', 'architecture'),
  plasma('Kite', 'kite', 'Kite in a cloudy sky', 'Risto Saukonpää', 'landscape'),
  plasma('OneStandsOut', 'one-stands-out', 'Moss with one red shoot', 'Risto Saukonpää', 'plants'),
  plasma('Path', 'forest-path', 'Path through a forest', 'Risto Saukonpää', 'landscape'),
  plasma('summer_1am', 'summer-1am', 'Lake under the summer night sky', 'Risto Saukonpää', 'night'),
  gcompris('erase', '', 'alpaca.webp', 'alpaca', "Alpaca", "Dietmar Rabich / Wikimedia Commons", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:D%C3%BClmen,_B%C3%B6rnste,_Alpakas_--_2020_--_5338.jpg", 'animals'),
  gcompris('erase', '', 'bee.webp', 'bee', "Bee", "aussiegall", 'CC-BY 2.0', "https://commons.wikimedia.org/wiki/File:Pollinationn.jpg", 'animals'),
  gcompris('erase', '', 'butterfly.webp', 'butterfly', "Butterfly", "© 2014 Jee & Rani Nature Photography", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Parantica_aglea_at_Nayikayam_Thattu.jpg", 'animals'),
  gcompris('erase', '', 'calf.webp', 'calf', "Calf", "Basile Morin", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Close-up_photograph_of_a_calf%27s_head_looking_at_the_viewer_with_pricked_ears_in_Don_Det_Laos.jpg", 'animals'),
  gcompris('erase', '', 'camels.webp', 'camels', "Camels", "Alexandr frolov", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Camelus_bactrianus_in_western_Mongolia_02.jpg", 'animals'),
  gcompris('erase', '', 'caterpillar.webp', 'caterpillar', "Caterpillar", "Ivar Leidus", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Papilio_machaon_-_Daucus_carota_-_Keila.jpg", 'animals'),
  gcompris('erase', '', 'chamaeleon.webp', 'chamaeleon', "Chamaeleon", "Benny Trapp", 'CC-BY 3.0', "https://commons.wikimedia.org/wiki/File:BennyTrapp_Chamaeleo_chamaeleon_Samos_Griechenland.jpg", 'animals'),
  gcompris('erase', '', 'cheetah.webp', 'cheetah', "Cheetah", "Charles J. Sharp", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Cheetah_(Acinonyx_jubatus)_female_2.jpg", 'animals'),
  gcompris('erase', '', 'crab.webp', 'crab', "Crab", "Nosferattus", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Sally_Lightfoot_Crab_2019.jpg", 'animals'),
  gcompris('erase', '', 'dolphin.webp', 'dolphin', "Dolphin", "טל שמע", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Eilat_Dolphin_Reef_(3).jpg", 'animals'),
  gcompris('erase', '', 'flying_fox.webp', 'flying-fox', "Flying fox", "Andrew Mercer", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Grey_headed_flying_fox_-_AndrewMercer_IMG41848.jpg", 'animals'),
  gcompris('erase', '', 'gibbon.webp', 'gibbon', "Gibbon", "JJ Harrison", 'CC-BY 3.0', "https://commons.wikimedia.org/wiki/File:Hylobates_lar_-_Kaeng_Krachan_WB.jpg", 'animals'),
  gcompris('erase', '', 'giraffe.webp', 'giraffe', "Giraffe", "Sergio Cambelo", 'Public domain', "https://commons.wikimedia.org/wiki/File:Giraffe.JPG", 'animals'),
  gcompris('erase', '', 'goat.webp', 'goat', "Goat", "JoachimKohlerBremen", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Walliser_Schwarzhalsziege,_Belalp_2014.jpg", 'animals'),
  gcompris('erase', '', 'gorilla.webp', 'gorilla', "Gorilla", "Charles J. Sharp", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Mountain_gorilla_(Gorilla_beringei_beringei)_female_2.jpg", 'animals'),
  gcompris('erase', '', 'gosling.webp', 'gosling', "Gosling", "Stephan Sprinz", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Graugans-G%C3%B6ssel_(anser_anser)_im_Naturschutzgebiet_Wagbachniederung.jpg", 'animals'),
  gcompris('erase', '', 'heron.webp', 'heron', "Heron", "Stephan Sprinz", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Purpurreiher_(ardea_purpurea)_im_Flug_-_NSG_Wagbachniederung_1.jpg", 'animals'),
  gcompris('erase', '', 'horse.webp', 'horse', "Horse", "Eatcha", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Zaniskari_Horse_in_Ladakh.jpg", 'animals'),
  gcompris('erase', '', 'kingfisher.webp', 'kingfisher', "Kingfisher", "Frank-2.0", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Eisvogel_kingfisher.jpg", 'animals'),
  gcompris('erase', '', 'kitten.webp', 'kitten', "Kitten", "GalgenTX", 'CC-BY 2.0', "https://commons.wikimedia.org/wiki/File:A_posing_kitten_(Flickr).jpg", 'animals'),
  gcompris('erase', '', 'long_nosed_monkey.webp', 'long-nosed-monkey', "Long nosed monkey", "Charles J. Sharp", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Proboscis_monkey_(Nasalis_larvatus)_female_and_baby.jpg", 'animals'),
  gcompris('erase', '', 'macaque.webp', 'macaque', "Macaque", "PJeganathan", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Bonnet_macaques_in_anaimalai_hills_JEG2730.jpg", 'animals'),
  gcompris('erase', '', 'meerkats.webp', 'meerkats', "Meerkats", "Charles J. Sharp", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Meerkat_(Suricata_suricatta)_Tswalu.jpg", 'animals'),
  gcompris('erase', '', 'northern_harrier.webp', 'northern-harrier', "Northern harrier", "Frank Schulenburg", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Female_northern_harrier_in_flight-1142.jpg", 'animals'),
  gcompris('erase', '', 'nubian_ibex.webp', 'nubian-ibex', "Nubian ibex", "Rhododendrites", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Juvenile_Nubian_ibex_in_Mitzpe_Ramon_(40409).jpg", 'animals'),
  gcompris('erase', '', 'penguin.webp', 'penguin', "Penguin", "Gordon Leggett / Wikimedia Commons", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:2019-03-03_Chinstrap_penguin_on_Barrientos_Island,_Antarctica.jpg", 'animals'),
  gcompris('erase', '', 'pika.webp', 'pika', "Pika", "NPS Climate Change Response", 'Public domain', "https://www.flickr.com/photos/npsclimatechange/23072904076/", 'animals'),
  gcompris('erase', '', 'red_panda.webp', 'red-panda', "Red panda", "Mathias Appel", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Red_Panda_(30324056733).jpg", 'animals'),
  gcompris('erase', '', 'rhinoceros.webp', 'rhinoceros', "Rhinoceros", "Charles J. Sharp", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Indian_rhinoceros_(Rhinoceros_unicornis)_4.jpg", 'animals'),
  gcompris('erase', '', 'spoonbills.webp', 'spoonbills', "Spoonbills", "Ryzhkov Sergey", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:%D0%9A%D0%BE%D1%81%D0%B0%D1%80%D1%96_%D0%B2_%D0%B4%D0%B5%D0%BB%D1%8C%D1%82%D1%96_%D0%94%D1%83%D0%BD%D0%B0%D1%8E.jpg", 'animals'),
  gcompris('erase', '', 'squirrel.webp', 'squirrel', "Squirrel", "Роман Наумов", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:%D0%91%D1%96%D0%BB%D0%BA%D0%B0_%D0%BD%D0%B0_%D0%B4%D0%B5%D1%80%D0%B5%D0%B2%D1%96_%D0%B2_%D0%B4%D0%B5%D0%BD%D0%B4%D1%80%D0%BE%D0%BF%D0%B0%D1%80%D0%BA%D1%83_%D0%9E%D0%BB%D0%B5%D0%BA%D1%81%D0%B0%D0%BD%D0%B4%D1%80%D1%96%D1%8F.jpg", 'animals'),
  gcompris('erase', '', 'swans.webp', 'swans', "Swans", "Charles J. Sharp", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Mute_swans_(Cygnus_olor)_and_cygnets.jpg", 'animals'),
  gcompris('erase', '', 'toucan.webp', 'toucan', "Toucan", "LG Nyqvist", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Pteroglossus_torquatus_Costa_Rica.jpg", 'animals'),
  gcompris('explore_farm_animals', 'animals/', 'cat.webp', 'farm-cat', "Cat", "Loliloli", 'Public domain', "https://commons.wikimedia.org/wiki/File:Spielendes_K%C3%A4tzchen.JPG", 'animals'),
  gcompris('explore_farm_animals', 'animals/', 'chicken.webp', 'farm-chicken', "Chicken", "Tranquilles", 'Public domain', "https://commons.wikimedia.org/wiki/File:Chickens_at_Tranquilles_B%26B.JPG", 'animals'),
  gcompris('explore_farm_animals', 'animals/', 'cow.webp', 'farm-cow', "Cow", "Dohduhdah", 'Public domain', "https://commons.wikimedia.org/wiki/File:Cow-IMG_2050.JPG", 'animals'),
  gcompris('explore_farm_animals', 'animals/', 'dog.webp', 'farm-dog', "Dog", "Hans Kemperman", 'Public domain', "https://commons.wikimedia.org/wiki/File:German-shepherd-4040871920._(2).jpg", 'animals'),
  gcompris('explore_farm_animals', 'animals/', 'duck.webp', 'farm-duck', "Duck", "Bernard Spragg", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Aylesbury_Duck._(9373723157).jpg", 'animals'),
  gcompris('explore_farm_animals', 'animals/', 'horse.webp', 'farm-horse', "Horse", "Seth Zeigler", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Nokota_Horse_Stud_Band.jpg", 'animals'),
  gcompris('explore_farm_animals', 'animals/', 'owl.webp', 'farm-owl', "Owl", "Lepale", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Owl_The_Nightbird.jpg", 'animals'),
  gcompris('explore_farm_animals', 'animals/', 'pig.webp', 'farm-pig', "Pig", "Teinesavaii", 'Public domain', "https://commons.wikimedia.org/wiki/File:Pig_1,_Savaii,_Samoa.JPG", 'animals'),
  gcompris('explore_farm_animals', 'animals/', 'sheep.webp', 'farm-sheep', "Sheep", "Rob Mitchell", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Sheep_(33625876592).jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'bison.webp', 'wild-bison', "Bison", "Kurt Kaiser", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:American_Bison_9.jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'chameleon.webp', 'wild-chameleon', "Chameleon", "Nilesh1104", 'Public domain', "https://commons.wikimedia.org/wiki/File:GARDEN_CHAMELEON.jpeg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'crocodile.webp', 'wild-crocodile', "Crocodile", "Djambalawa", 'Public domain', "https://commons.wikimedia.org/wiki/File:Saltwater_Crocodile_on_a_river_bank_(cropped).jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'dragon.webp', 'wild-dragon', "Dragon", "TimVickers", 'Public domain', "https://commons.wikimedia.org/wiki/File:Varanus_komodoensis_(5).jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'giraffe.webp', 'wild-giraffe', "Giraffe", "Mike and Lara Wolfe", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Giraffe_courtship_(25657342808).jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'hedgehog.webp', 'wild-hedgehog', "Hedgehog", "George Chernilevsky", 'Public domain', "https://commons.wikimedia.org/wiki/File:Erinaceus_roumanicus_2020_G2.jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'jaguar.webp', 'wild-jaguar', "Jaguar", "Frieda Bredesen", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Two_Jaguar_Sisters.jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'kangaroo.webp', 'wild-kangaroo', "Kangaroo", "Vicki Nunn", 'Public domain', "https://commons.wikimedia.org/wiki/File:Eastern_Grey_Kangaroo_%26_Joey2.jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'koala.webp', 'wild-koala', "Koala", "BurningWell", 'Public domain', "https://commons.wikimedia.org/wiki/File:Koala_Perth_Zoo.jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'lemur.webp', 'wild-lemur', "Lemur", "Mathias Appel", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Lemur_(37122852696).jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'moose.webp', 'wild-moose', "Moose", "Ryan Hagerty", 'Public domain', "https://commons.wikimedia.org/wiki/File:Male_Moose.jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'narwhal.webp', 'wild-narwhal', "Narwhal", "Dr Kristin Laidre", 'Public domain', "https://commons.wikimedia.org/wiki/File:Pod_Monodon_monoceros.jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'panda.webp', 'wild-panda', "Panda", "Jeff Kubina", 'Public domain', "https://commons.wikimedia.org/wiki/File:Giant_Panda_2004-03-2.jpg", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'polar_bear.webp', 'wild-polar-bear', "Polar bear", "anonymous", 'Public domain', "https://commons.wikimedia.org/wiki/File:Churchill_Wildlife_Management_Area_polar_bear30.JPG", 'animals'),
  gcompris('explore_world_animals', 'animals/', 'scarlet_macaw.webp', 'wild-scarlet-macaw', "Scarlet macaw", "Dcoetzee", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Scarlet_macaw_at_Cougar_Mountain_Zoological_Park.jpg", 'animals'),
  gcompris('explore_monuments', '', 'egypt/bentPyramid.webp', 'bent-pyramid', "Bent Pyramid", "Neithsabes", 'Public domain', "https://commons.wikimedia.org/wiki/File:Pyramide_rhomboidale_01.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'egypt/greatPyramidOfGiza.webp', 'great-pyramid-of-giza', "Great Pyramid Of Giza", "Gary Todd", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Giza_Great_Pyramid_of_Khufu_(9793952173).jpg", 'architecture'),
  gcompris('explore_monuments', '', 'egypt/meidumPyramid.webp', 'meidum-pyramid', "Meidum Pyramid", "Neithsabes", 'Public domain', "https://commons.wikimedia.org/wiki/File:Meidoum_pyramide_006.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'egypt/redPyramid.webp', 'red-pyramid', "Red Pyramid", "Chipdawes", 'Public domain', "https://commons.wikimedia.org/wiki/File:RedPyramid.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'france/arlesAmphitheater.webp', 'arles-amphitheater', "Arles Amphitheater", "(WT-fr) OT Arles", 'Public domain', "https://commons.wikimedia.org/wiki/File:Arenes_arles.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'france/chateaudeChambord.webp', 'chateau-de-chambord', "Château de Chambord", "BjörnT", 'Public domain', "https://commons.wikimedia.org/wiki/File:Chambord_Frontansicht.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'france/chateaudeChenonceau.webp', 'chateau-de-chenonceau', "Château de Chenonceau", "Alf van Beem", 'Public domain', "https://commons.wikimedia.org/wiki/File:Ch%C3%A2teau_de_Chenonceau_photo_1.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'france/citedeCarcassonne.webp', 'cite-de-carcassonne', "Cité de Carcassonne", "Petitemontagnedujura", 'Public domain', "https://commons.wikimedia.org/wiki/File:Carcassonne_-_la_Cit%C3%A9.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'france/eiffelTower.webp', 'eiffel-tower', "Eiffel Tower", "Tognopop", 'Public domain', "https://commons.wikimedia.org/wiki/File:Eiffel_Tower_20051010.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'france/montStMichel.webp', 'mont-st-michel', "Mont Saint-Michel", "Ali Sabbagh", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Mont_Saint-Michel_IMG_5109_(48875955288).jpg", 'architecture'),
  gcompris('explore_monuments', '', 'france/palaisdesPapes.webp', 'palais-des-papes', "Palais des Papes", "Tognopop", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Main_entrance_of_the_Palais_des_Papes_-_20050823.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'france/pontduGard.webp', 'pont-du-gard', "Pont du Gard", "Mimova", 'Public domain', "https://commons.wikimedia.org/wiki/File:Pontdugard.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'france/reimsCathedral.webp', 'reims-cathedral', "Reims Cathedral", "Mattana", 'Public domain', "https://commons.wikimedia.org/wiki/File:Reims_Cathedrale_Notre_Dame_002_chevet.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'france/rocamadour.webp', 'rocamadour', "Rocamadour", "François Darras", 'Public domain', "https://commons.wikimedia.org/wiki/File:Rocamadour_fda.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'germany/berlinCathedral.webp', 'berlin-cathedral', "Berlin Cathedral", "Gary Todd", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Berlin_Cathedral_(28668994926).jpg", 'architecture'),
  gcompris('explore_monuments', '', 'germany/brandenburgGate.webp', 'brandenburg-gate', "Brandenburg Gate", "Evans1551", 'Public domain', "https://commons.wikimedia.org/wiki/File:Brandenburg_Gate_(summer_2005).JPG", 'architecture'),
  gcompris('explore_monuments', '', 'germany/neuschwansteinCastle.webp', 'neuschwanstein-castle', "Neuschwanstein Castle", "cameralends", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Neuschwanstein_Castle_(532850).jpg", 'architecture'),
  gcompris('explore_monuments', '', 'germany/schwerinPalace.webp', 'schwerin-palace', "Schwerin Palace", "Hermann Luyken", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:2012.02.26.121724_Schloss_Schwerin.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'germany/trierImperialBaths.webp', 'trier-imperial-baths', "Trier Imperial Baths", "Berthold Werner", 'Public domain', "https://commons.wikimedia.org/wiki/File:Trier_Kaiserthermen_BW_1.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'germany/wormsCathedral.webp', 'worms-cathedral', "Worms Cathedral", "Immanuel Giel", 'Public domain', "https://commons.wikimedia.org/wiki/File:Dommodell_Worms_04.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'india/ajantaCave.webp', 'ajanta-cave', "Ajanta Cave", "Jonathanawhite", 'Public domain', "https://commons.wikimedia.org/wiki/File:Aurangabad_-_Ajanta_Caves_(32).JPG", 'architecture'),
  gcompris('explore_monuments', '', 'india/charminar.webp', 'charminar', "Charminar", "Goutamkhandelwal", 'Public domain', "https://commons.wikimedia.org/wiki/File:Charminar_1.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'india/gatewayofIndia.webp', 'gateway-of-india', "Gateway of India at night", "Simon Steinberger", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Gateway-of-India.jpg", 'night'),
  gcompris('explore_monuments', '', 'india/goldenTemple.webp', 'golden-temple', "Golden Temple", "Jasdeep Singh", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Golden_Temple_.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'india/greatStupa.webp', 'great-stupa', "Great Stupa", "ArnoldBetten", 'Public domain', "https://commons.wikimedia.org/wiki/File:Sanchi_Stupa_1_(1999).JPG", 'architecture'),
  gcompris('explore_monuments', '', 'india/hawaMahal.webp', 'hawa-mahal', "Hawa Mahal", "Janwiki", 'Public domain', "https://commons.wikimedia.org/wiki/File:Hawa_Mahal,_Jaipur,_India.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'india/konarkSunTemple.webp', 'konark-sun-temple', "Konark Sun Temple", "Tetraktys", 'Public domain', "https://commons.wikimedia.org/wiki/File:Konark_Sun_Temple_Front_view.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'india/mysorePalace.webp', 'mysore-palace', "Mysore Palace", "Shiva sg", 'Public domain', "https://commons.wikimedia.org/wiki/File:Mysore_Palace_2006.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'india/qutubMinar.webp', 'qutub-minar', "Qutub Minar", "pramadas", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Qutubmin.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'india/rangGhar.webp', 'rang-ghar', "Rang Ghar", "Porikolpok Oxom", 'Public domain', "https://commons.wikimedia.org/wiki/File:Rangghar_Assam.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'india/victoriaMemorial.webp', 'victoria-memorial', "Victoria Memorial", "Anourag", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Victoria_Memorial_Calcutta.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'usa/cabrillo.webp', 'cabrillo', "Cabrillo", "allyndon", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Cabrillo_National_Monument._California_Historical_Landmark_%5E56_-_Flickr_-_allyndon.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'usa/canyondeChelly.webp', 'canyon-de-chelly', "Canyon de Chelly", "Nikater", 'Public domain', "https://commons.wikimedia.org/wiki/File:Canyon_de_chelly09.jpg", 'landscape'),
  gcompris('explore_monuments', '', 'usa/castillodeSanMarcos.webp', 'castillo-de-san-marcos', "Castillo de San Marcos (aerial)", "National Park Service", 'Public domain', "https://commons.wikimedia.org/wiki/File:Castillo_de_San_Marcos.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'usa/castleClinton.webp', 'castle-clinton', "Castle Clinton", "Jack E. Boucher, National Park Service", 'Public domain', "https://commons.wikimedia.org/wiki/File:Castle_Clinton_National_Monument_in_Battery_Park_-_New_York_City_-_Areal_view_-_1961.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'usa/fortSumter.webp', 'fort-sumter', "Fort Sumter", "Gary Todd", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Fort_Sumter,_South_Carolina_(12583090893).jpg", 'architecture'),
  gcompris('explore_monuments', '', 'usa/georgeWashingtonBirthplace.webp', 'george-washington-birthplace', "George Washington Birthplace", "National Park Service", 'Public domain', "https://commons.wikimedia.org/wiki/File:George_Washington_Birthplace_National_Monument,_Virginia_(e1c27488-14f6-4478-ab87-d36af60e34d3).jpg", 'architecture'),
  gcompris('explore_monuments', '', 'usa/lincolnMemorial.webp', 'lincoln-memorial', "Lincoln Memorial", "Brylie Christopher Oxley", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:US-WashingtonDC-LincolnMemorial-20140312_014138_HDR_v1.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'usa/mountRushmore.webp', 'mount-rushmore', "Mount Rushmore", "Eekim", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Mount_Rushmore,_Keystone,_South_Dakota.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'usa/navajo.webp', 'navajo', "Navajo", "Jon Sullivan", 'Public domain', "https://commons.wikimedia.org/wiki/File:Betatakin_Cliff_Dwellings.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'usa/statueofLiberty.webp', 'statue-of-liberty', "Statue of Liberty", "(WT-shared) Ypsilonatshared", 'Public domain', "https://commons.wikimedia.org/wiki/File:Liberty_enlightening_the_world.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'wonders/chichenItza.webp', 'chichen-itza', "Chichen Itza", "Daniel Schwen", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Chichen_Itza_3.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'wonders/christTheRedeemer.webp', 'christ-the-redeemer', "Christ The Redeemer", "Chensiyuan", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:1_cristor_redentor_2014.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'wonders/colosseum.webp', 'colosseum', "Colosseum", "Urse Ovidiu", 'Public domain', "https://commons.wikimedia.org/wiki/File:Colosseum_Roma_2009.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'wonders/greatWallofChina.webp', 'great-wall-of-china', "Great Wall of China", "Nicolas Perrault III", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Great_Wall_of_China_July_2006.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'wonders/machuPicchu.webp', 'machu-picchu', "Machu Picchu", "Guillaume Pascal", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Yet_another_pic_of_machu_picchu.jpg", 'architecture'),
  gcompris('explore_monuments', '', 'wonders/petra.webp', 'petra', "Petra", "Berthold Werner", 'Public domain', "https://commons.wikimedia.org/wiki/File:Petra_Jordan_BW_36.JPG", 'architecture'),
  gcompris('explore_monuments', '', 'wonders/tajMahal.webp', 'taj-mahal', "Taj Mahal", "Yann", 'CC-BY-SA 4.0', "https://commons.wikimedia.org/wiki/File:Taj_Mahal,_Agra,_India.jpg", 'architecture'),
  gcompris('explore_world_music', 'music/', 'africa.webp', 'bata-drums', "Bata drums on grass", "Kenneth Ritchards", 'Public domain', "https://commons.wikimedia.org/wiki/File:Bata_drums.jpg", 'objects'),
  gcompris('explore_world_music', 'music/', 'america.webp', 'band-practice', "Drum kit and guitars in a practice room", "Tom Harpel", 'CC-BY 2.0', "https://commons.wikimedia.org/wiki/File:Onalaska-Practice6.jpg", 'interiors'),
  gcompris('explore_world_music', 'music/', 'australia.webp', 'didgeridoo-player', "Aboriginal didgeridoo player", "Steve Evans", 'CC-BY 2.0', "https://commons.wikimedia.org/wiki/File:Australia_Aboriginal_Culture_009.jpg", 'people'),
  gcompris('explore_world_music', 'music/', 'ireland.webp', 'irish-musicians', "Irish musicians on stage", "candyschwartz", 'CC-BY 2.0', "https://commons.wikimedia.org/wiki/File:Lunny_irvine_o_flynn_glackin.jpg", 'people'),
  gcompris('explore_world_music', 'music/', 'italy.webp', 'opera-singers', "Opera singers on stage", "SoriamuséuM", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:%C3%93pera_c%C3%A1sina.jpg", 'people'),
  gcompris('explore_world_music', 'music/', 'japan.webp', 'taiko-night', "Taiko drummers at a night festival", "takami torao", 'Public domain', "https://commons.wikimedia.org/wiki/File:Agidaiko03.jpg", 'night'),
  gcompris('explore_world_music', 'music/', 'mexico.webp', 'mariachi', "Mariachi band", "Elidealista", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Wikipedia_10_Guadalajara_-_Mariachi.jpg", 'people'),
  gcompris('explore_world_music', 'music/', 'middleeast.webp', 'dutar', "Dutar (long-necked lute)", "Metropolitan Museum of Art", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Dut%C4%81r_MET_DP703859.jpg", 'objects'),
  gcompris('explore_world_music', 'music/', 'orchestra.webp', 'orchestra', "Orchestra in a concert hall", "ABC Informática", 'Public domain', "https://commons.wikimedia.org/wiki/File:Orchestra_of_the_18th_Century.jpg", 'interiors'),
  gcompris('clickgame', '', 'sea1.webp', 'underwater-baia-road', "Underwater Roman road at Baia", "Ruthven", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Parco_archeologico_di_Baia_-_via_herculanea_2.jpg", 'landscape'),
  gcompris('clickgame', '', 'sea2.webp', 'underwater-baia-harbour', "Underwater Roman harbour walls at Baia", "Ruthven", 'CC0 1.0', "https://commons.wikimedia.org/wiki/File:Parco_archeologico_di_Baia_-_portus_Julius_4.jpg", 'landscape'),
  gcompris('clickgame', '', 'sea3.webp', 'coral-reef', "Coral reef", "SolarSurfer", 'Public domain', "https://commons.wikimedia.org/wiki/File:Finding_Nemo_Porthole.JPG", 'landscape'),
  gcompris('clickgame', '', 'sea4.webp', 'black-coral', "Black coral, Milford Sound", "Pseudopanax", 'Public domain', "https://commons.wikimedia.org/wiki/File:Black_coral_at_Milford_Sound_Underwater_Observatory.jpg", 'landscape'),
  gcompris('clickgame', '', 'sea5.webp', 'underwater-arch', "Underwater rock arch", "Rita Segantini", 'Public domain', "https://commons.wikimedia.org/wiki/File:DSCN1716.JPG", 'landscape'),
  gcompris('clickgame', '', 'sea6.webp', 'basket-starfish', "Basket starfish on the sea floor", "U.S. Fish and Wildlife Service", 'Public domain', "https://commons.wikimedia.org/wiki/File:Basket_starfish_underwater_astrophyton_muriatum.jpg", 'animals'),
];
