// The services' public surface: import from 'electron/services' only.
export { createServices, type CreateServicesOptions } from './create-services';
export type { Services, ProjectsService, ConceptsService, ImagesService, JobsService, StorageService } from './services';
export type { GarbageCollectionOptions, GarbageCollectionResult } from '../store/garbage-collect';
export * from './types';
export type * from './export-types';
export type { ExportsService } from './exports-service';
export type { ShareService } from './share-service';
export type * from './flow-types';
export type { FlowService } from './flow-service';
export { exportTrainedRun, type ExportRunOptions } from './export-run';
export * from './errors';
export { TypedEmitter } from './typed-emitter';
export type { JobHost, JobRequest, JobExecution, JobOutcome, JobProgressUpdate } from '../jobs/job-host';
export { executeJob } from '../jobs/execute-job';
export { serveJob, type ExecutorPort } from '../jobs/executor-endpoint';
export type { HostToExecutor, ExecutorToHost } from '../jobs/job-host';
export { resolveDataDir, dataLayout, type DataLayout } from '../paths';
export { collectDiagnostics, type Diagnostics, type DiagnosticsOptions, type ExecutionProviderCheck } from './doctor';
