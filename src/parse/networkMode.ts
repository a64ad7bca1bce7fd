export type NetworkModeClass = 'bridge' | 'host' | 'none' | 'container' | 'custom' | 'unknown';

/**
 * Classifies `HostConfig.NetworkMode`. Daemons before 26.1 report the default
 * bridge as "default"; later ones as "bridge". Any other name is a user network.
 */
export function classifyNetworkMode(mode: string | undefined): NetworkModeClass {
  if (mode === undefined || mode === '') return 'unknown';
  if (mode === 'default' || mode === 'bridge') return 'bridge';
  if (mode === 'host') return 'host';
  if (mode === 'none') return 'none';
  if (mode.startsWith('container:')) return 'container';
  return 'custom';
}
