import { collectGarbage } from '../store/garbage-collect';
import type { Store } from '../store/store';
import type { StorageService } from './services';

export function createStorageService({ store }: { store: Store }): StorageService {
  return {
    usage() {
      const blobs = store.blobs.listBlobs();
      return { blobCount: blobs.length, bytes: blobs.reduce((sum, blob) => sum + blob.bytes, 0) };
    },
    collectGarbage: (gcOptions) => collectGarbage(store, gcOptions),
  };
}
