import { isObject } from './problems';

/** Images without RepoDigests in `GET /images/json`: built or imported here, lost in a driver switch unless saved; undefined when the answer is no list. */
export function localOnlyImageCount(body: unknown): number | undefined {
  if (!Array.isArray(body)) return undefined;
  return body.filter(isObject).filter((image) => !Array.isArray(image['RepoDigests']) || image['RepoDigests'].length === 0).length;
}

/** Image names from `GET /images/json`: repo:tag, or the short id of an untagged image. */
export function imageNames(body: unknown): string[] | undefined {
  if (!Array.isArray(body)) return undefined;
  return body.filter(isObject).map((image) => {
    const tags = Array.isArray(image['RepoTags']) ? image['RepoTags'].filter((t): t is string => typeof t === 'string' && t !== '<none>:<none>') : [];
    const id = typeof image['Id'] === 'string' ? image['Id'].replace(/^sha256:/, '').slice(0, 12) : '?';
    return tags.length > 0 ? tags.join(', ') : id;
  });
}
