/**
 * Inodes with more than one link, by device and inode number, with their
 * allocated bytes: du counts such a file once however many names it has.
 * Numbers, not "dev:ino" strings: a data root of shared layers has hundreds of
 * thousands of them, and a string per name was a third of a walk's time.
 */
export class LinkedInodes {
  private readonly byDevice = new Map<number, Map<number, number>>();
  private lastDevice = -1;
  private last: Map<number, number> | undefined;

  add(dev: number, ino: number, bytes: number): void {
    if (dev !== this.lastDevice || !this.last) {
      this.lastDevice = dev;
      this.last = this.byDevice.get(dev);
      if (!this.last) this.byDevice.set(dev, (this.last = new Map<number, number>()));
    }
    this.last.set(ino, bytes);
  }

  /** dev, ino, bytes, one triple after another: a typed array crosses between processes as one copy. */
  toTriples(): Float64Array {
    let count = 0;
    for (const inodes of this.byDevice.values()) count += inodes.size;
    const out = new Float64Array(count * 3);
    let i = 0;
    for (const [dev, inodes] of this.byDevice) {
      for (const [ino, bytes] of inodes) {
        out[i++] = dev;
        out[i++] = ino;
        out[i++] = bytes;
      }
    }
    return out;
  }

  addTriples(triples: Float64Array): void {
    for (let i = 0; i + 2 < triples.length; i += 3) this.add(triples[i] as number, triples[i + 1] as number, triples[i + 2] as number);
  }

  /** The bytes of all, each inode once. */
  bytes(): number {
    let total = 0;
    for (const inodes of this.byDevice.values()) for (const bytes of inodes.values()) total += bytes;
    return total;
  }
}
