/**
 * Errors the services throw on bad requests. `code` is stable so the API layer can map each to a typed error
 * for the renderer without matching message text.
 */
export type ServiceErrorCode = 'not-found' | 'invalid-input' | 'conflict';

export class ServiceError extends Error {
  override readonly name: string = 'ServiceError';
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends ServiceError {
  override readonly name = 'NotFoundError';
  constructor(what: string, id: number | string) {
    super('not-found', `${what} ${id} does not exist`);
  }
}

export class InvalidInputError extends ServiceError {
  override readonly name = 'InvalidInputError';
  constructor(message: string) {
    super('invalid-input', message);
  }
}

export class ConflictError extends ServiceError {
  override readonly name = 'ConflictError';
  constructor(message: string) {
    super('conflict', message);
  }
}
