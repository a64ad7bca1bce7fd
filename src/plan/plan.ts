import { isObject, JsonObject } from '../parse/problems';
import { formatBytes } from '../util/formatBytes';
import { Recreate, recreateCommand, shellLine } from './recreate';

/** A string field of the daemon's JSON, or '' when it is absent or not a string. */
const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');

export interface PlanImage {
  id: string;
  names: string[];
  /** No RepoDigests: it was built or imported here, and is lost unless saved (docker save). */
  localOnly: boolean;
}

export interface PlanContainer {
  name: string;
  id: string;
  image: string;
  state: string;
  networkMode: string;
  volumes: { name: string; destination: string }[];
  binds: { source: string; destination: string }[];
  /** Bytes written in its writable layer, which a driver switch loses unless copied out; undefined when not known. */
  writableLayerBytes?: number;
  writableLayerSource: 'data_root' | 'daemon' | 'unknown';
  imageLocalOnly?: boolean;
  recreate: Recreate;
  /** Host networking only: the bridge form with its listening ports published, to review. */
  bridgeSuggestion?: { argv: string[]; ports: number[] };
}

export interface Plan {
  schema_version: 1;
  daemon: { version?: string; driver: string; data_root: string };
  target_driver: string;
  containers: PlanContainer[];
  images: PlanImage[];
  totals: { containers: number; writable_layer_bytes?: number; local_only_images: number };
}

/** The command that makes the container again: run for those that were running, create for the others. */
export function commandFor(c: PlanContainer): string[] {
  return ['running', 'paused', 'restarting'].includes(c.state) ? c.recreate.argv : ['docker', 'create', ...c.recreate.argv.slice(3)];
}

/** One container of the plan, from its inspect, its image, and what was measured. */
export function planContainer(input: {
  inspect: JsonObject;
  imageConfig?: JsonObject;
  defaultLogDriver?: string;
  writableLayerBytes?: number;
  writableLayerSource: PlanContainer['writableLayerSource'];
  imageLocalOnly?: boolean;
  listeningPorts?: number[];
}): PlanContainer {
  const { inspect } = input;
  const mounts = (Array.isArray(inspect['Mounts']) ? inspect['Mounts'] : []).filter(isObject);
  const host = isObject(inspect['HostConfig']) ? inspect['HostConfig'] : {};
  const state = isObject(inspect['State']) && typeof inspect['State']['Status'] === 'string' ? inspect['State']['Status'] : 'unknown';
  const networkMode = typeof host['NetworkMode'] === 'string' ? host['NetworkMode'] : 'default';
  const recreate = recreateCommand({
    inspect,
    ...(input.imageConfig ? { imageConfig: input.imageConfig } : {}),
    ...(input.defaultLogDriver ? { defaultLogDriver: input.defaultLogDriver } : {}),
  });
  const container: PlanContainer = {
    name: textOf(inspect['Name']).replace(/^\//, ''),
    id: textOf(inspect['Id']),
    image: isObject(inspect['Config']) ? textOf(inspect['Config']['Image']) : '',
    state,
    networkMode,
    volumes: mounts.filter((m) => m['Type'] === 'volume').map((m) => ({ name: String(m['Name']), destination: String(m['Destination']) })),
    binds: mounts.filter((m) => m['Type'] === 'bind').map((m) => ({ source: String(m['Source']), destination: String(m['Destination']) })),
    ...(input.writableLayerBytes !== undefined ? { writableLayerBytes: input.writableLayerBytes } : {}),
    writableLayerSource: input.writableLayerSource,
    ...(input.imageLocalOnly !== undefined ? { imageLocalOnly: input.imageLocalOnly } : {}),
    recreate,
  };
  if (networkMode === 'host') {
    const ports = input.listeningPorts ?? [];
    const at = recreate.argv.indexOf('--network');
    const argv = [...recreate.argv];
    if (at !== -1) argv.splice(at, 2);
    const imageAt = argv.indexOf(container.image, 3);
    argv.splice(imageAt === -1 ? argv.length : imageAt, 0, ...ports.flatMap((p) => ['-p', `${p}:${p}`]));
    container.bridgeSuggestion = { argv, ports };
  }
  return container;
}

export function assemblePlan(daemon: Plan['daemon'], containers: PlanContainer[], images: PlanImage[]): Plan {
  const known = containers.filter((c) => c.writableLayerBytes !== undefined);
  return {
    schema_version: 1,
    daemon,
    target_driver: 'overlay2',
    containers: [...containers].sort((a, b) => (a.name < b.name ? -1 : 1)),
    images,
    totals: {
      containers: containers.length,
      ...(known.length === containers.length
        ? { writable_layer_bytes: known.reduce((sum, c) => sum + (c.writableLayerBytes ?? 0), 0) }
        : {}),
      local_only_images: images.filter((i) => i.localOnly).length,
    },
  };
}

/** The plan for a person. */
export function planText(plan: Plan): string {
  const out: string[] = [];
  out.push(
    `Migration plan: Docker ${plan.daemon.version ?? '?'}, ${plan.daemon.driver} -> ${plan.target_driver}, data root ${plan.daemon.data_root}`,
  );
  out.push(
    `${plan.totals.containers} containers; ${plan.totals.writable_layer_bytes !== undefined ? formatBytes(plan.totals.writable_layer_bytes) : 'unknown bytes'} written in their writable layers (lost unless copied out); ${plan.totals.local_only_images} images only on this host (lost unless saved)`,
    '',
  );
  for (const c of plan.containers) {
    out.push(`${c.name} (${c.state}, ${c.networkMode}, image ${c.image}${c.imageLocalOnly ? ', only on this host' : ''})`);
    for (const v of c.volumes) out.push(`  volume ${v.name} at ${v.destination} (survives)`);
    for (const b of c.binds) out.push(`  bind ${b.source} at ${b.destination} (survives)`);
    const vfs = plan.daemon.driver === 'vfs' ? " (vfs: the image's files included)" : '';
    out.push(
      `  writable layer: ${c.writableLayerBytes !== undefined ? `${formatBytes(c.writableLayerBytes)}${vfs}` : 'unknown'}${c.writableLayerBytes !== 0 ? '; copy out what matters (docker cp) before the switch' : ''}`,
    );
    out.push(`  re-create: ${shellLine(commandFor(c))}`);
    for (const a of c.recreate.after) out.push(`             ${shellLine(a)}`);
    for (const u of c.recreate.unreproduced) out.push(`  not carried over: ${u}`);
    if (c.bridgeSuggestion)
      out.push(
        `  suggestion, to review (bridge instead of host networking, listening ports ${c.bridgeSuggestion.ports.join(', ') || 'none found'} published): ${shellLine(c.bridgeSuggestion.argv)}`,
      );
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The plan as a shell script for the operator to read and run; the exporter
 * never runs it. `save` before the switch, `restore` after it.
 */
export function planScript(plan: Plan, switchStep: string, generatedAt: string): string {
  const images = plan.images.filter((i) => i.localOnly);
  const file = (i: number) => `"$dir/image-${i + 1}.tar"`;
  const lines = [
    '#!/bin/sh',
    `# Migration of a Docker ${plan.daemon.version ?? '?'} daemon from ${plan.daemon.driver} to ${plan.target_driver}, written by docker-daemon-exporter plan at ${generatedAt}.`,
    '# Read it before you run it; nothing runs it for you.',
    '#   sh THIS save      before the switch: saves the images that exist only on this host',
    '#   copy out what the containers wrote in their writable layers (docker cp): it does not survive the switch',
    `#   then switch the driver: ${switchStep}`,
    '#   sh THIS restore   after the switch: loads those images and re-creates the containers',
    '# Volumes and bind mounts keep their data.',
    'set -eu',
    'dir=${MIGRATION_DIR:-./docker-migration}',
    'case "${1:-}" in',
    'save)',
    '  mkdir -p "$dir"',
    ...images.map((img, i) => `  docker save -o ${file(i)} ${shellLine(img.names.length > 0 ? img.names : [img.id])}`),
    '  ;;',
    'restore)',
    ...images.map((_img, i) => `  docker load -i ${file(i)}`),
    ...plan.images
      .filter((i) => !i.localOnly)
      .flatMap((img) => img.names.filter((n) => !n.includes('<none>')).map((n) => `  docker pull ${shellLine([n])}`)),
  ];
  for (const c of plan.containers) {
    lines.push(
      `  # ${c.name}: ${c.state}${c.writableLayerBytes === undefined ? ', its writable layer not measured' : c.writableLayerBytes ? `, ${formatBytes(c.writableLayerBytes)} in its writable layer` : ''}`,
    );
    for (const u of c.recreate.unreproduced) lines.push(`  #   not carried over: ${u}`);
    lines.push(`  ${shellLine(commandFor(c))}`);
    for (const a of c.recreate.after) lines.push(`  ${shellLine(a)}`);
    if (c.bridgeSuggestion)
      lines.push(
        `  #   suggestion, to review: bridge networking with its listening ports published: ${shellLine(c.bridgeSuggestion.argv)}`,
      );
  }
  lines.push('  ;;', '*)', '  echo "usage: sh $0 save|restore" >&2', '  exit 2', '  ;;', 'esac', '');
  return lines.join('\n');
}
