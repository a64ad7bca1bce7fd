import { isObject } from './problems';

/**
 * Built or imported here (lost in a driver switch unless saved): on a graph
 * driver, an image without RepoDigests. On the containerd image store every
 * image has one, an imported image its own manifest's (real dockerd 26.1 and
 * 28.5: `busybox@sha256:…` for `docker import`), so there it cannot be told:
 * undefined.
 */
export function isLocalOnly(image: Record<string, unknown>, containerdStore: boolean): boolean | undefined {
  if (containerdStore) return undefined;
  return !Array.isArray(image['RepoDigests']) || image['RepoDigests'].length === 0;
}

/** How many images of `GET /images/json` are local only (isLocalOnly); undefined when the answer is no list or it cannot be told. */
export function localOnlyImageCount(body: unknown, containerdStore: boolean): number | undefined {
  if (!Array.isArray(body) || containerdStore) return undefined;
  return body.filter(isObject).filter((image) => isLocalOnly(image, false)).length;
}

/** Image names from `GET /images/json`: repo:tag, or the short id of an untagged image. */
export function imageNames(body: unknown): string[] | undefined {
  if (!Array.isArray(body)) return undefined;
  return body.filter(isObject).map((image) => {
    const tags = Array.isArray(image['RepoTags'])
      ? image['RepoTags'].filter((t): t is string => typeof t === 'string' && t !== '<none>:<none>')
      : [];
    const id = typeof image['Id'] === 'string' ? image['Id'].replace(/^sha256:/, '').slice(0, 12) : '?';
    return tags.length > 0 ? tags.join(', ') : id;
  });
}
