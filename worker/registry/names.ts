// What a repository name and a tag may look like (OCI Distribution spec,
// "Pulling manifests"). Checked before anything touches storage, so a bad
// name can never become a storage path.

/** Path components of lowercase letters and digits, joined by ".", "_", "__" or dashes; components joined by "/". */
const nameRe = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** Up to 128 characters, first one a letter, digit or underscore. */
const tagRe = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** distribution's limit: clients put "host/" in front and the whole must stay usable. */
export const maxNameLength = 255;

export function isValidName(name: string): boolean {
  return name.length <= maxNameLength && nameRe.test(name);
}

export function isValidTag(tag: string): boolean {
  return tagRe.test(tag);
}

/** Upload ids are ours: UUIDs. Anything else cannot be one of our uploads. */
export function isValidUploadId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
}
