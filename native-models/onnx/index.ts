export * from './types';
export * from './helper';
export { encodeModel, encodeModelWithExternalData, type ExternalDataOptions, type EncodedModelWithWeights } from './encode';
export { decodeModel } from './decode';
