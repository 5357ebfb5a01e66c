// The OCI registry's public surface. Browser-safe: the file-system driver
// (storage/fs.ts) is imported separately by Node code.
export { createRegistry, type Registry, type RegistryOptions } from "./registry.ts";
export { RegistryError, errorCodes, type ErrorCode } from "./errors.ts";
export { fetchSource, type LayoutSource } from "./seed.ts";
export type { StorageDriver, FileInfo } from "./storage/driver.ts";
export { PathNotFoundError, StorageFullError } from "./storage/driver.ts";
export { MemoryDriver } from "./storage/memory.ts";
export { IdbDriver } from "./storage/idb.ts";
export { isValidName, isValidTag } from "./names.ts";
