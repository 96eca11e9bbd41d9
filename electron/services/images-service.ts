import { NotFoundError } from '../domain/errors';
import type { TypedEmitter } from '../domain/typed-emitter';
import type { ServiceEvents } from '../domain/types';
import type { Store } from '../store/store';
import { requireProject } from './records';
import type { ImagesService } from './services';

export function createImagesService({ store, events }: { store: Store; events: TypedEmitter<ServiceEvents> }): ImagesService {
  const requireImage = (id: number) => {
    const image = store.images.get(id);
    if (!image) throw new NotFoundError('image', id);
    return image;
  };
  return {
    list({ projectId }) {
      requireProject(store, projectId);
      return store.images.listByProject(projectId);
    },
    get: ({ imageId }) => requireImage(imageId),
    delete({ imageId }) {
      // The blobs stay: another project may share them. A later garbage collection removes unreferenced blobs.
      const image = requireImage(imageId);
      store.images.delete(imageId);
      events.emit('imagesChanged', { projectId: image.projectId });
      events.emit('projectsChanged', { projectId: image.projectId });
    },
    async readThumbnail({ imageId }) {
      const image = requireImage(imageId);
      return { bytes: await store.blobs.read(image.thumbnailSha256), mimeType: 'image/webp' };
    },
    async readOriginal({ imageId }) {
      const image = requireImage(imageId);
      return { bytes: await store.blobs.read(image.sha256), mimeType: `image/${image.format}` };
    },
    blobPath: (sha256) => store.blobs.pathFor(sha256),
  };
}
