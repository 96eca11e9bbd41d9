import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dataLayout, type DataLayout } from '../paths';
import { BlobStore } from './blob-store';
import { openDatabase, type Database } from './database';
import { systemClock, type Clock } from './repositories/clock';
import { ConceptsRepository } from './repositories/concepts';
import { ExportsRepository } from './repositories/exports';
import { ImagesRepository } from './repositories/images';
import { ImportItemsRepository } from './repositories/import-items';
import { JobsRepository } from './repositories/jobs';
import { PairsRepository } from './repositories/pairs';
import { ProjectsRepository } from './repositories/projects';
import { TrainingRunsRepository } from './repositories/training-runs';
import { TrainingCheckpoints } from './training-checkpoints';

/** One open data folder: the database connection, its repositories and the blob store. */
export interface Store {
  readonly layout: DataLayout;
  readonly db: Database;
  readonly blobs: BlobStore;
  readonly projects: ProjectsRepository;
  readonly concepts: ConceptsRepository;
  readonly images: ImagesRepository;
  readonly jobs: JobsRepository;
  readonly importItems: ImportItemsRepository;
  readonly pairs: PairsRepository;
  readonly trainingRuns: TrainingRunsRepository;
  readonly exports: ExportsRepository;
  /** A training run's checkpoints (files in its folder, steps on its row), as the trainer reads and writes them. */
  checkpointsOf(run: { readonly id: number; readonly runPath: string }): TrainingCheckpoints;
  close(): void;
}

/**
 * The data folder (photos, models, database) is private to its owner: created 0700, and tightened to 0700 when
 * it already holds a studio database (a folder made by an older build); any other existing folder a user named
 * with E2GAN_STUDIO_HOME keeps its mode.
 */
function createPrivateFolder(dataDir: string): void {
  const holdsStudio = existsSync(dataLayout(dataDir).database);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (holdsStudio) chmodSync(dataDir, 0o700);
}

/** Opens the data folder's database (migrating it) and blob store. Each process or worker opens its own. */
export function openStore(dataDir: string, clock: Clock = systemClock): Store {
  const layout = dataLayout(dataDir);
  createPrivateFolder(dataDir);
  const db = openDatabase(layout.database);
  const trainingRuns = new TrainingRunsRepository(db, clock);
  return {
    layout,
    db,
    blobs: new BlobStore(layout.blobs),
    projects: new ProjectsRepository(db, clock),
    concepts: new ConceptsRepository(db, clock),
    images: new ImagesRepository(db, clock),
    jobs: new JobsRepository(db, clock),
    importItems: new ImportItemsRepository(db),
    pairs: new PairsRepository(db, clock),
    trainingRuns,
    exports: new ExportsRepository(db, layout.root, clock),
    checkpointsOf: (run) => new TrainingCheckpoints(trainingRuns, run.id, run.runPath),
    close: () => {
      if (db.open) db.close();
    },
  };
}
