import { classifyNetworkMode } from '../../../src/parse/networkMode';

describe('classifyNetworkMode', () => {
  it.each([
    ['default', 'bridge'],
    ['bridge', 'bridge'],
    ['host', 'host'],
    ['none', 'none'],
    ['container:4f1c3e2a9b', 'container'],
    ['container:web', 'container'],
    ['mynet', 'custom'],
    ['compose_default', 'custom'],
    ['Host', 'custom'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ])('%j is %s', (mode, expected) => {
    expect(classifyNetworkMode(mode)).toBe(expected);
  });
});
