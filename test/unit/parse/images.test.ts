import { isLocalOnly, localOnlyImageCount } from '../../../src/parse/images';

// Shapes as real dockerd 28.5.2 lists an image made by `docker import` on each image store.
const importedOnGraphDriver = { Id: 'sha256:aaa', RepoTags: ['busybox:test'], RepoDigests: [] };
const pulledOnGraphDriver = { Id: 'sha256:bbb', RepoTags: ['debian:12'], RepoDigests: ['debian@sha256:ccc'] };
const importedOnContainerdStore = { Id: 'sha256:ddd', RepoTags: ['busybox:test'], RepoDigests: ['busybox@sha256:ddd'] };

describe('images only on this host', () => {
  it('on a graph driver: the images without RepoDigests', () => {
    expect(localOnlyImageCount([importedOnGraphDriver, pulledOnGraphDriver, { Id: 'sha256:eee' }], false)).toBe(2);
    expect(isLocalOnly(pulledOnGraphDriver, false)).toBe(false);
  });

  it('on the containerd image store: cannot be told (an imported image carries its own digest), never 0', () => {
    expect(localOnlyImageCount([importedOnContainerdStore], true)).toBeUndefined();
    expect(isLocalOnly(importedOnContainerdStore, true)).toBeUndefined();
  });

  it('no list, no count', () => {
    expect(localOnlyImageCount({ message: 'oops' }, false)).toBeUndefined();
  });
});
