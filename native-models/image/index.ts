// Public surface of the image module: the RgbImage type (HWC, Float32 in [0, 1]), IO through sharp,
// geometric transforms, filters and metrics.
export * from './image';
export * from './io';
export * from './transform';
export * from './filters';
export * from './metrics';
